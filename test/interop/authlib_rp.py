#!/usr/bin/python3
"""
A relying party written with Authlib (Debian's python3-authlib 1.2), driven by test/interop/authlib.test.ts.

Usage: authlib_rp.py ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI [--expect-nonce VALUE]

1. Discovery: the server metadata from ISSUER/.well-known/openid-configuration (OpenID Connect Discovery §4), checked
   with Authlib's OpenIDProviderMetadata, and the RFC 8414 document with its AuthorizationServerMetadata.
2. Prints one JSON line {"authorization_url": ...}: code flow with PKCE S256, state and nonce.
3. Reads the redirect URL (code, state, iss) from one line of stdin, checks iss (RFC 9207 §2.4) and state,
   exchanges the code, validates the ID token against jwks_uri with Authlib's CodeIDToken (Core §3.1.3.7: iss, aud,
   exp, iat, nonce, at_hash), calls UserInfo (Core §5.3), refreshes and validates the new ID token (Core §12.2).
4. Prints one JSON line with the summary; on any failure one JSON line {"error": <exception class>, "message": ...}
   and exit status 1. --expect-nonce validates against VALUE instead of the nonce sent (the negative test).
Tokens are never printed, only what the test asserts.
"""
import json
import os
import sys

# Authlib refuses http:// endpoints unless told otherwise; the test server listens on loopback without TLS.
os.environ.setdefault('AUTHLIB_INSECURE_TRANSPORT', '1')

import requests  # noqa: E402
from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402
from authlib.jose import JsonWebKey, JsonWebToken  # noqa: E402
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata  # noqa: E402
from authlib.oidc.discovery import OpenIDProviderMetadata  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402
from urllib.parse import parse_qs, urlparse  # noqa: E402


def emit(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


def check_metadata(cls, metadata):
    """Authlib's own validation of a metadata document (RFC 8414 §2, Discovery §3). It demands https (RFC 8414 §2);
    the test server is plain loopback HTTP, so a plain-HTTP loopback issuer is checked on a copy with the scheme
    swapped, every other rule as is."""
    raw = json.dumps(metadata)
    if metadata['issuer'].startswith('http://127.0.0.1:'):
        raw = raw.replace('"http://127.0.0.1:', '"https://127.0.0.1:')
    cls(json.loads(raw)).validate()


def validate_id_token(id_token, metadata, client_id, access_token, nonce):
    """Signature against the JWKS, then the Core §3.1.3.7 claim checks; raises an authlib.jose error on failure."""
    jwks = JsonWebKey.import_key_set(requests.get(metadata['jwks_uri'], timeout=30).json())
    jwt = JsonWebToken(metadata.get('id_token_signing_alg_values_supported', ['RS256']))
    claims = jwt.decode(
        id_token,
        key=jwks,
        claims_cls=CodeIDToken,
        claims_options={'iss': {'essential': True, 'value': metadata['issuer']}, 'aud': {'essential': True, 'value': client_id}},
        claims_params={'nonce': nonce, 'client_id': client_id, 'access_token': access_token},
    )
    claims.validate(leeway=60)
    return claims


def main(argv):
    issuer, client_id, client_secret, redirect_uri = argv[1:5]
    expect_nonce = argv[argv.index('--expect-nonce') + 1] if '--expect-nonce' in argv else None

    discovery = requests.get(issuer.rstrip('/') + '/.well-known/openid-configuration', timeout=30)
    discovery.raise_for_status()
    metadata = discovery.json()
    if metadata.get('issuer') != issuer:
        raise ValueError('discovery issuer mismatch (Discovery §4.3)')
    check_metadata(OpenIDProviderMetadata, metadata)
    oauth = requests.get(issuer.rstrip('/') + '/.well-known/oauth-authorization-server', timeout=30)
    oauth.raise_for_status()
    check_metadata(AuthorizationServerMetadata, oauth.json())

    session = OAuth2Session(
        client_id, client_secret,
        scope='openid profile email offline_access',
        redirect_uri=redirect_uri,
        code_challenge_method='S256',
        token_endpoint_auth_method='client_secret_basic',
    )
    code_verifier = generate_token(48)
    nonce = generate_token(20)
    url, state = session.create_authorization_url(
        metadata['authorization_endpoint'], code_verifier=code_verifier, nonce=nonce)
    emit({'authorization_url': url})

    redirect = sys.stdin.readline().strip()
    query = parse_qs(urlparse(redirect).query)
    # RFC 9207 §2.4: the iss parameter must name the issuer the request was sent to (mix-up defence).
    if query.get('iss', [None])[0] != metadata['issuer']:
        raise ValueError('iss in the authorization response does not match the issuer (RFC 9207)')

    token = session.fetch_token(
        metadata['token_endpoint'], authorization_response=redirect, state=state, code_verifier=code_verifier)
    claims = validate_id_token(token['id_token'], metadata, client_id, token['access_token'], expect_nonce or nonce)

    info = session.get(metadata['userinfo_endpoint'], timeout=30)
    info.raise_for_status()
    userinfo = info.json()

    refreshed = session.refresh_token(metadata['token_endpoint'], refresh_token=token['refresh_token'])
    # Core §12.2: the refreshed ID token has no nonce to check; the other §3.1.3.7 checks still apply.
    again = validate_id_token(refreshed['id_token'], metadata, client_id, refreshed['access_token'], None)

    emit({
        'metadata_valid': True,
        'id_token': {'iss': claims['iss'], 'sub': claims['sub'], 'aud': claims['aud'], 'nonce': claims.get('nonce'),
                     'at_hash': 'at_hash' in claims, 'alg': claims.header['alg']},
        'nonce_sent': nonce,
        'userinfo': {'sub': userinfo.get('sub'), 'name': userinfo.get('name'), 'email': userinfo.get('email')},
        'refresh': {'sub': again['sub'], 'new_id_token': refreshed['id_token'] != token['id_token'],
                    'new_access_token': refreshed['access_token'] != token['access_token']},
    })


if __name__ == '__main__':
    try:
        main(sys.argv)
    except Exception as exc:  # one JSON line the test can assert on, whatever failed
        emit({'error': type(exc).__name__, 'message': str(exc)})
        sys.exit(1)
