import type { HttpRequest, HttpResponse, Prepared, Unit } from './types.ts';

/**
 * A unit of one request: `build` makes it (the same object each time for a request that never changes, so that
 * the load generator encodes it once), `check` reads the response and returns why it failed, or undefined.
 */
export function singleRequest(build: () => HttpRequest, check: (res: HttpResponse) => string | undefined): Prepared {
  return { start: () => new OneRequest(build(), check) };
}

class OneRequest implements Unit {
  state: Unit['state'] = 'running';
  failure: string | undefined;
  startedAt = 0;
  private request: HttpRequest | undefined;
  private readonly check: (res: HttpResponse) => string | undefined;

  constructor(request: HttpRequest, check: (res: HttpResponse) => string | undefined) {
    this.request = request;
    this.check = check;
  }

  next(): HttpRequest | undefined {
    const r = this.request;
    this.request = undefined;
    if (r) this.startedAt = performance.now();
    return r;
  }

  handle(res: HttpResponse): void {
    this.failure = this.check(res);
    this.state = this.failure === undefined ? 'ok' : 'failed';
  }
}
