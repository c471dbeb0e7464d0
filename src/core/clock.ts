/** The core reads time only through a Clock, so tests can move it. Seconds since the Unix epoch. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Math.floor(Date.now() / 1000) };

/** Clock seconds as an ISO 8601 timestamp (UTC), as the CLI and the admin API show times. */
export const isoTime = (seconds: number): string => new Date(seconds * 1000).toISOString();

export class FakeClock implements Clock {
  current: number;
  constructor(start = 1_800_000_000) {
    this.current = start;
  }
  now(): number {
    return this.current;
  }
  advance(seconds: number): void {
    this.current += seconds;
  }
}
