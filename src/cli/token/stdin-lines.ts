import { createInterface, type Interface } from 'node:readline';
import { CliError } from '../context.ts';

/**
 * Standard input as a queue of lines, read only when asked. One `latchkey token` may need several things from it, in
 * this order: the client secret (--client-secret-stdin), then the refresh token, password or token to inspect, then
 * (with --no-browser) the redirect address pasted from the browser. Secrets come from here or from a file, never
 * from argv, where `ps` shows them to every user of the machine.
 */
export class StdinLines {
  private rl: Interface | undefined;
  private iterator: AsyncIterator<string> | undefined;

  /** The next line, or undefined at the end of input (or once closed). */
  async next(): Promise<string | undefined> {
    if (this.iterator === undefined) {
      this.rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
      this.iterator = this.rl[Symbol.asyncIterator]();
    }
    const r = await this.iterator.next();
    return r.done === true ? undefined : r.value;
  }

  /** A secret: refused from a terminal (it would be echoed), and never empty. */
  async secret(what: string): Promise<string> {
    if (process.stdin.isTTY) throw new CliError(`${what}: nothing piped to standard input (pipe it, or use a file)`);
    const line = await this.next();
    if (line === undefined || line.trim() === '') throw new CliError(`${what}: standard input has no line for it`);
    return line.trim();
  }

  /** Stops reading, so a pending `next()` ends and the process can exit. */
  close(): void {
    this.rl?.close();
    process.stdin.destroy();
  }
}
