import { describe, it, expect } from 'vitest';
import { InvalidRequest, OAuthError } from '../../../src/core/errors.ts';
import { redactUrl } from '../../../src/http/log-redact.ts';
import { MALFORMED, MAX_PARAMS, decodeUtf8, oauthParams, parseJsonBody, parseUrlEncoded } from '../../../src/http/params.ts';

function invalidRequestOf(fn: () => unknown): OAuthError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidRequest);
    return err as OAuthError;
  }
  throw new Error('expected invalid_request to be thrown');
}

describe('parseUrlEncoded (application/x-www-form-urlencoded)', () => {
  it('decodes percent-encoding and + as a space', () => {
    const p = parseUrlEncoded('redirect_uri=https%3A%2F%2Fclient.example%2Fcb&scope=openid+profile&x=a%2Bb');
    expect(p['redirect_uri']).toBe('https://client.example/cb');
    expect(p['scope']).toBe('openid profile');
    expect(p['x']).toBe('a+b');
  });

  it('decodes encoded names too', () => {
    expect(parseUrlEncoded('client%5Fid=abc')['client_id']).toBe('abc');
  });

  it('keeps a duplicated parameter as an array, so it can be refused later (RFC 6749 §3.1)', () => {
    expect(parseUrlEncoded('scope=a&scope=b')['scope']).toEqual(['a', 'b']);
    expect(parseUrlEncoded('scope=a&scope=b&scope=c')['scope']).toEqual(['a', 'b', 'c']);
  });

  it('keeps a duplicate even when one of the values is empty', () => {
    expect(parseUrlEncoded('state=&state=x')['state']).toEqual(['', 'x']);
  });

  it('reads a name without = as an empty value and skips empty pairs', () => {
    const p = parseUrlEncoded('a&&b=1&');
    expect(p['a']).toBe('');
    expect(p['b']).toBe('1');
    expect(Object.keys(p)).toEqual(['a', 'b']);
  });

  it('splits at the first = only', () => {
    expect(parseUrlEncoded('state=a=b=c')['state']).toBe('a=b=c');
  });

  it('returns nothing for an empty body', () => {
    expect(Object.keys(parseUrlEncoded(''))).toEqual([]);
  });

  it.each([
    ['a truncated escape', 'code=abc%'],
    ['a non-hex escape', 'code=%zz'],
    ['an invalid UTF-8 sequence', 'code=%C3%28'],
    ['a lone surrogate', 'code=%ED%A0%80'],
    ['a malformed name', '%E0%A4%A=x'],
  ])('flags %s as malformed instead of throwing', (_what, body) => {
    const p = parseUrlEncoded(body);
    expect(p[MALFORMED]).toMatch(/percent-encoded/);
    expect(invalidRequestOf(() => oauthParams(p)).error).toBe('invalid_request');
  });

  it('cannot pollute Object.prototype through a __proto__ parameter', () => {
    const p = parseUrlEncoded('__proto__=x&constructor=y');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
    expect(Object.getPrototypeOf(p)).toBeNull();
    expect(Object.prototype.hasOwnProperty.call(p, '__proto__')).toBe(true);
  });
});

describe('parseJsonBody', () => {
  it('reads an object of strings', () => {
    expect({ ...parseJsonBody('{"grant_type":"client_credentials","scope":"openid"}') }).toEqual({
      grant_type: 'client_credentials',
      scope: 'openid',
    });
  });

  it('stringifies numbers and booleans, as a form would send them', () => {
    const p = parseJsonBody('{"n":5,"f":1.5,"b":true}');
    expect(p['n']).toBe('5');
    expect(p['f']).toBe('1.5');
    expect(p['b']).toBe('true');
  });

  it('keeps nested values, so that oauthParams refuses them as non-strings', () => {
    const p = parseJsonBody('{"scope":["a","b"]}');
    expect(invalidRequestOf(() => oauthParams(p)).description).toMatch(/more than once|string/);
    expect(invalidRequestOf(() => oauthParams(parseJsonBody('{"scope":{"a":1}}'))).description).toMatch(/must be a string/);
    expect(invalidRequestOf(() => oauthParams(parseJsonBody('{"scope":null}'))).description).toMatch(/must be a string/);
  });

  it.each([
    ['an array', '["a"]'],
    ['a string', '"grant_type"'],
    ['a number', '42'],
    ['null', 'null'],
  ])('refuses %s at the top level with invalid_request', (_what, body) => {
    const err = invalidRequestOf(() => parseJsonBody(body));
    expect(err.error).toBe('invalid_request');
    expect(err.status).toBe(400);
    expect(err.description).toMatch(/must be an object/);
  });

  it('refuses invalid JSON with invalid_request', () => {
    expect(invalidRequestOf(() => parseJsonBody('{"a":')).description).toMatch(/not valid JSON/);
    expect(invalidRequestOf(() => parseJsonBody('')).error).toBe('invalid_request');
  });

  it('refuses a __proto__ key (prototype poisoning) with invalid_request', () => {
    expect(invalidRequestOf(() => parseJsonBody('{"__proto__":{"admin":true}}')).description).toMatch(/forbidden key/);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('refuses a nested __proto__ key', () => {
    expect(invalidRequestOf(() => parseJsonBody('{"a":{"__proto__":{"admin":true}}}')).error).toBe('invalid_request');
  });

  it('refuses constructor.prototype with invalid_request', () => {
    expect(invalidRequestOf(() => parseJsonBody('{"constructor":{"prototype":{"admin":true}}}')).error).toBe('invalid_request');
  });

  it('does not echo the body in the error', () => {
    const err = invalidRequestOf(() => parseJsonBody('{"client_secret":"hunter2",'));
    expect(err.description).not.toContain('hunter2');
  });
});

describe('oauthParams', () => {
  it('merges query and body parameters', () => {
    expect({ ...oauthParams({ client_id: 'a' }, { grant_type: 'b' }) }).toEqual({ client_id: 'a', grant_type: 'b' });
  });

  it('skips undefined and null sources', () => {
    expect({ ...oauthParams(undefined, null, { a: 'b' }) }).toEqual({ a: 'b' });
  });

  it('refuses a parameter included twice in one source with invalid_request (RFC 6749 §3.1)', () => {
    const err = invalidRequestOf(() => oauthParams(parseUrlEncoded('client_id=a&client_id=b')));
    expect(err.error).toBe('invalid_request');
    expect(err.status).toBe(400);
    expect(err.description).toBe('parameter client_id is included more than once');
  });

  it('lets resource repeat (RFC 8707 §2), joined by spaces for the core, in a query and in a body that stops at duplicates', () => {
    expect(oauthParams(parseUrlEncoded('resource=https%3A%2F%2Fa.example%2F&resource=https%3A%2F%2Fb.example%2F'))['resource']).toBe('https://a.example/ https://b.example/');
    expect(oauthParams(parseUrlEncoded('resource=urn%3Aa&resource=&resource=urn%3Ab', { repeats: false }))['resource']).toBe('urn:a urn:b');
    expect(parseUrlEncoded('scope=a&scope=b', { repeats: false })[MALFORMED]).toMatch(/more than once/);
  });

  it('refuses resource in both the query and the body with invalid_request', () => {
    expect(invalidRequestOf(() => oauthParams({ resource: 'urn:a' }, { resource: ['urn:b', 'urn:c'] })).description).toMatch(/more than once/);
  });

  it('refuses a parameter present in both the query and the body with invalid_request', () => {
    expect(invalidRequestOf(() => oauthParams({ scope: 'a' }, { scope: 'a' })).description).toMatch(/more than once/);
  });

  it('treats an empty value as omitted (RFC 6749 §3.1)', () => {
    const p = oauthParams(parseUrlEncoded('scope=&state=xyz'));
    expect('scope' in p).toBe(false);
    expect(p['state']).toBe('xyz');
  });

  it('lets an empty query parameter coexist with a body value, since empty means omitted', () => {
    expect(oauthParams({ scope: '' }, { scope: 'openid' })['scope']).toBe('openid');
  });

  it.each([
    ['a number', 5],
    ['an object', { a: 'b' }],
    ['a boolean', true],
    ['null', null],
  ])('refuses %s as a value with invalid_request', (_what, value) => {
    expect(invalidRequestOf(() => oauthParams({ scope: value })).description).toBe('parameter scope must be a string');
  });

  it('refuses a source that is not an object', () => {
    expect(invalidRequestOf(() => oauthParams('grant_type=x')).description).toMatch(/unsupported request body/);
  });

  it('does not put an unprintable or long parameter name into the error', () => {
    const evil = '<script>'.repeat(20);
    const err = invalidRequestOf(() => oauthParams({ [evil]: ['a', 'b'] }));
    expect(err.description).not.toContain('<script>');
    expect(err.description).toContain('(unnamed)');
  });

  it('returns an object without a prototype, so a "constructor" parameter cannot shadow anything', () => {
    const p = oauthParams({ constructor: 'x' });
    expect(Object.getPrototypeOf(p)).toBeNull();
    expect(p['constructor']).toBe('x');
    expect(p['toString']).toBeUndefined();
  });
});

describe('decodeUtf8', () => {
  it('decodes valid UTF-8', () => {
    expect(decodeUtf8(Buffer.from('héllo', 'utf8'))).toBe('héllo');
  });

  it('refuses invalid UTF-8 with invalid_request', () => {
    expect(invalidRequestOf(() => decodeUtf8(Buffer.from([0x61, 0xc3, 0x28]))).error).toBe('invalid_request');
  });
});

describe('redactUrl: no secret reaches a log line', () => {
  it('leaves a URL without a query unchanged', () => {
    expect(redactUrl('/oauth2/token')).toBe('/oauth2/token');
  });

  it('redacts code and state but keeps harmless parameters', () => {
    expect(redactUrl('/cb?code=lk_ac_SECRET&state=S3CR3T&iss=http%3A%2F%2Fx')).toBe('/cb?code=[redacted]&state=[redacted]&iss=http%3A%2F%2Fx');
  });

  it.each(['access_token', 'refresh_token', 'id_token', 'client_secret', 'code_verifier', 'password', 'token', 'login_hint', 'ACCESS_TOKEN'])(
    'redacts %s',
    (name) => {
      const out = redactUrl(`/x?${name}=lk_SECRET_VALUE&client_id=web-app`);
      expect(out).not.toContain('lk_SECRET_VALUE');
      expect(out).toContain('client_id=web-app');
    },
  );

  it('redacts request_uri (a bearer reference to a pushed request, RFC 9126 §7.1) and request (its object carries state and hints)', () => {
    const out = redactUrl('/oauth2/authorize?client_id=web-app&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3ASECRET1&request=eyJ.SECRET2.sig');
    expect(out).not.toMatch(/SECRET1|SECRET2/);
    expect(out).toContain('client_id=web-app');
  });

  it('redacts a parameter whose name is percent-encoded', () => {
    expect(redactUrl('/x?access%5Ftoken=lk_SECRET')).not.toContain('lk_SECRET');
  });

  it('redacts a parameter whose name is malformed percent-encoding', () => {
    expect(redactUrl('/x?%zz=lk_SECRET')).not.toContain('lk_SECRET');
  });

  it('redacts every occurrence of a duplicated secret parameter', () => {
    const out = redactUrl('/x?code=ONE&code=TWO');
    expect(out).not.toContain('ONE');
    expect(out).not.toContain('TWO');
  });
});

describe('parsing limits against hostile bodies (issue 10, defect 1)', () => {
  const many = (n: number, item: (i: number) => string) => Array.from({ length: n }, (_, i) => item(i)).join('&');

  it('stops at the first duplicated parameter when repeats are refused, naming it (RFC 6749 §3.1, §3.2)', () => {
    // The malformed pair after the duplicate is never reached: parsing stopped at `a` the second time.
    const p = parseUrlEncoded('a=1&b=2&a=3&%zz=x', { repeats: false });
    expect(p[MALFORMED]).toBe('parameter a is included more than once');
    const err = invalidRequestOf(() => oauthParams(p));
    expect({ error: err.error, status: err.status, description: err.description }).toEqual({ error: 'invalid_request', status: 400, description: 'parameter a is included more than once' });
  });

  it('stops a 64 KiB body of one name repeated (a&a&a…) at its second occurrence', () => {
    const p = parseUrlEncoded(`${'a&'.repeat(32_000)}%zz`, { repeats: false });
    expect(p[MALFORMED]).toBe('parameter a is included more than once');
    expect(p['a']).toBe('');
  });

  it('counts an empty value as an occurrence: state=&state=x is a duplicate', () => {
    expect(parseUrlEncoded('state=&state=x', { repeats: false })[MALFORMED]).toBe('parameter state is included more than once');
  });

  it('keeps every value of a repeated field, in order, where repeats are allowed (the console’s checkboxes)', () => {
    const p = parseUrlEncoded(many(MAX_PARAMS, (i) => `scopes=s${i}`));
    expect(p[MALFORMED]).toBeUndefined();
    expect(p['scopes']).toEqual(Array.from({ length: MAX_PARAMS }, (_, i) => `s${i}`));
  });

  it(`accepts ${MAX_PARAMS} parameters and refuses one more with a message naming the limit`, () => {
    expect(parseUrlEncoded(many(MAX_PARAMS, (i) => `k${i}=v`))[MALFORMED]).toBeUndefined();
    const p = parseUrlEncoded(many(MAX_PARAMS + 1, (i) => `k${i}=v`));
    expect(p[MALFORMED]).toBe(`more than ${MAX_PARAMS} parameters`);
    const err = invalidRequestOf(() => oauthParams(p));
    expect({ error: err.error, status: err.status }).toEqual({ error: 'invalid_request', status: 400 });
    expect(err.description).toBe(`more than ${MAX_PARAMS} parameters`);
  });

  it('counts the values of a repeated field towards the limit', () => {
    expect(parseUrlEncoded('a&'.repeat(MAX_PARAMS + 1))[MALFORMED]).toBe(`more than ${MAX_PARAMS} parameters`);
  });

  it('does not count empty pairs (a&&&b) as parameters', () => {
    const p = parseUrlEncoded(`a=1${'&'.repeat(MAX_PARAMS * 2)}b=2`);
    expect(p[MALFORMED]).toBeUndefined();
    expect({ ...p }).toEqual({ a: '1', b: '2' });
  });

  it('stops at the first malformed pair without decoding the rest', () => {
    expect(parseUrlEncoded(`%zz&${'a&'.repeat(MAX_PARAMS * 2)}`)[MALFORMED]).toMatch(/percent-encoded/);
  });

  it(`refuses a JSON body of more than ${MAX_PARAMS} members with invalid_request naming the limit`, () => {
    const members = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":"v"`).join(',')}}`;
    expect(Object.keys(parseJsonBody(members(MAX_PARAMS)))).toHaveLength(MAX_PARAMS);
    const err = invalidRequestOf(() => parseJsonBody(members(MAX_PARAMS + 1)));
    expect({ error: err.error, status: err.status, description: err.description }).toEqual({ error: 'invalid_request', status: 400, description: `more than ${MAX_PARAMS} parameters` });
  });

  it.each([
    ['arrays', `${'['.repeat(32_000)}${']'.repeat(32_000)}`],
    ['objects', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`],
  ])('refuses JSON nested deeper than %s allow with invalid_request, never a RangeError', (_what, body) => {
    const err = invalidRequestOf(() => parseJsonBody(body));
    expect({ error: err.error, status: err.status }).toEqual({ error: 'invalid_request', status: 400 });
  });
});
