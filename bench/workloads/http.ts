import { BrowserFlow, type CookieJar, type FlowOptions } from './browser.ts';
import type { HttpRequest, HttpResponse, Target } from './types.ts';

/** One request over fetch, redirects not followed (the setup side; the load itself goes through autocannon). */
export async function send(target: Target, req: HttpRequest): Promise<HttpResponse> {
  const res = await fetch(target.origin + req.path, {
    method: req.method,
    headers: req.headers,
    ...(req.body === undefined ? {} : { body: req.body }),
    redirect: 'manual',
  });
  const headers: Record<string, string | string[]> = {};
  res.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = res.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  return { status: res.status, headers, body: await res.text() };
}

/** Runs one authorization-code flow to its end; throws with the reason when it fails. */
export async function runFlow(target: Target, jar?: CookieJar, options?: FlowOptions): Promise<BrowserFlow> {
  const flow = new BrowserFlow(target, jar, options);
  for (let req = flow.next(); req; req = flow.next()) flow.handle(await send(target, req));
  if (flow.phase !== 'done') throw new Error(`${target.name}: flow failed: ${flow.failure ?? flow.phase}`);
  return flow;
}

/** `n` flows, a few at a time. */
export async function runFlows(target: Target, n: number, jar?: CookieJar): Promise<BrowserFlow[]> {
  const out: BrowserFlow[] = [];
  const parallel = 4;
  for (let i = 0; i < n; i += parallel) {
    const batch = await Promise.all(Array.from({ length: Math.min(parallel, n - i) }, () => runFlow(target, jar)));
    out.push(...batch);
  }
  return out;
}

/** `n` completed flows for one signed-in browser (one login, then the session): for minting token pools. */
export async function mintFlows(target: Target, n: number): Promise<BrowserFlow[]> {
  const first = await runFlow(target);
  return [first, ...(await runFlows(target, n - 1, first.jar))];
}
