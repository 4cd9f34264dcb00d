// A raw TCP client for tests: send bytes, read whole replies as latin1 strings, byte-exact.
import type { Socket } from "bun";
import { encodeCommand, replyEnd, type Arg } from "./resp.ts";

export class RawConn {
  #buf = Buffer.alloc(0);
  #waiters: (() => void)[] = [];
  #socket!: Socket<undefined>;
  closed = false;

  static async connect(port: number, host = "127.0.0.1"): Promise<RawConn> {
    const c = new RawConn();
    c.#socket = await Bun.connect({
      hostname: host,
      port,
      socket: {
        data: (_s, data) => {
          c.#buf = c.#buf.length === 0 ? Buffer.from(data) : Buffer.concat([c.#buf, data]);
          c.#wake();
        },
        close: () => {
          c.closed = true;
          c.#wake();
        },
        error: () => {
          c.closed = true;
          c.#wake();
        },
      },
    });
    return c;
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  #wait(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.#waiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** Send raw bytes (no framing added). Writes everything, waiting on backpressure. */
  async send(data: string | Uint8Array): Promise<void> {
    let b = typeof data === "string" ? Buffer.from(data, "latin1") : Buffer.from(data);
    while (b.length > 0) {
      const n = this.#socket.write(b);
      if (n < 0) throw new Error("socket closed");
      b = b.subarray(n);
      if (b.length > 0) await Bun.sleep(1);
    }
  }

  /** Read one complete reply (latin1 string of its exact bytes). */
  async read(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = replyEnd(this.#buf, 0);
      if (end > 0) {
        const r = this.#buf.subarray(0, end).toString("latin1");
        this.#buf = this.#buf.subarray(end);
        return r;
      }
      if (this.closed) throw new Error(`connection closed; unparsed: ${JSON.stringify(this.#buf.toString("latin1"))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting for reply; have ${JSON.stringify(this.#buf.toString("latin1").slice(0, 200))}`);
      await this.#wait(left);
    }
  }

  /** Everything received so far, removed from the buffer. */
  drain(): string {
    const s = this.#buf.toString("latin1");
    this.#buf = Buffer.alloc(0);
    return s;
  }

  /** Wait until the peer closes the connection (true) or the timeout passes (false). */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await this.#wait(deadline - Date.now());
    return this.closed;
  }

  /** Send one command and read its reply. */
  async call(...args: Arg[]): Promise<string> {
    await this.send(encodeCommand(args));
    return this.read();
  }

  close(): void {
    this.closed = true;
    this.#socket.end();
  }
}
