// Shared pieces of `bun run bench`: starting kvserver and redis-server side by side in their own
// temp dirs (log captured, pid known for VmRSS), a small RESP client that can pipeline, bulk
// loading, INFO fields, percentiles and table printing. Scenarios live in bench/scenario-*.ts.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const root = join(import.meta.dir, "..");

export type Kind = "kv" | "redis";
export const KINDS: readonly Kind[] = ["kv", "redis"];
export const label = (k: Kind): string => (k === "kv" ? "kvserver" : "redis");

/** Options every scenario gets from run.ts. */
export interface BenchOptions {
  quick: boolean;
  rounds: number;
  /** Path of the kvserver binary to run. */
  kvBin: string;
  /** redis-benchmark tests to run in scenarios 1 and 2 (null: all). */
  only: string[] | null;
  /** Keys loaded by scenarios 3–5. */
  keys: number;
  /** redis-benchmark requests per run at -P 1 (×P when pipelined); null: sized by a calibration run. */
  requests: number | null;
  /** Target length of one redis-benchmark run on the slowest server, when sized by calibration. */
  runSecs: number;
}

export function sh(cmd: string[], cwd = root): string {
  const r = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

export async function freePort(): Promise<number> {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const p = l.port;
  l.stop(true);
  return p;
}

/** A minimal RESP client: one request at a time (call) or a pipelined batch (pipeline). */
export class Client {
  #buf = "";
  #wait: (() => void) | null = null;
  #pending: Buffer[] = [];
  #closed = false;
  #sock!: Awaited<ReturnType<typeof Bun.connect>>;

  static async open(port: number): Promise<Client> {
    const c = new Client();
    c.#sock = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data: (_s, d) => {
          c.#buf += d.toString("latin1");
          c.#wake();
        },
        drain: () => c.#flush(),
        close: () => {
          c.#closed = true;
          c.#wake();
        },
        error: () => {
          c.#closed = true;
          c.#wake();
        },
      },
    });
    return c;
  }

  #wake(): void {
    const w = this.#wait;
    this.#wait = null;
    w?.();
  }

  /** Bun sockets do not buffer: keep what write() did not take and send it on drain. */
  #send(data: string): void {
    const b = Buffer.from(data, "latin1");
    if (this.#pending.length > 0) {
      this.#pending.push(b);
      return;
    }
    const n = this.#sock.write(b);
    if (n < b.length) this.#pending.push(b.subarray(Math.max(n, 0)));
  }

  #flush(): void {
    while (this.#pending.length > 0) {
      const b = this.#pending[0]!;
      const n = this.#sock.write(b);
      if (n < b.length) {
        this.#pending[0] = b.subarray(Math.max(n, 0));
        return;
      }
      this.#pending.shift();
    }
  }

  async #more(): Promise<void> {
    if (this.#closed) throw new Error("connection closed");
    await new Promise<void>((res) => (this.#wait = res));
  }

  /** One complete reply (simple, error, integer, bulk; arrays of those), or null if incomplete. */
  #take(): string | null {
    const end = replyEnd(this.#buf, 0);
    if (end < 0) return null;
    const r = this.#buf.slice(0, end);
    this.#buf = this.#buf.slice(end);
    return r;
  }

  async call(...args: string[]): Promise<string> {
    this.#send(encode(args));
    for (;;) {
      const r = this.#take();
      if (r !== null) return r;
      await this.#more();
    }
  }

  /** Send `count` pre-encoded requests that each get a one-line reply; throws on an error reply. */
  async pipeline(encoded: string, count: number): Promise<void> {
    this.#send(encoded);
    let seen = 0;
    let pos = 0;
    for (;;) {
      for (;;) {
        const eol = this.#buf.indexOf("\r\n", pos);
        if (eol < 0) break;
        if (this.#buf.charCodeAt(pos) === 45 /* - */) throw new Error(`error reply: ${this.#buf.slice(pos, eol)}`);
        pos = eol + 2;
        seen++;
      }
      this.#buf = this.#buf.slice(pos);
      pos = 0;
      if (seen >= count) return;
      await this.#more();
    }
  }

  close(): void {
    this.#sock.end();
  }
}

/** Where the reply starting at `at` ends, or -1 if it is not complete yet. */
function replyEnd(s: string, at: number): number {
  const eol = s.indexOf("\r\n", at);
  if (eol < 0) return -1;
  const t = s[at];
  if (t === "$") {
    const n = Number(s.slice(at + 1, eol));
    if (n < 0) return eol + 2;
    return s.length >= eol + 4 + n ? eol + 4 + n : -1;
  }
  if (t === "*") {
    const n = Number(s.slice(at + 1, eol));
    let p = eol + 2;
    for (let i = 0; i < n; i++) {
      p = replyEnd(s, p);
      if (p < 0) return -1;
    }
    return p;
  }
  return eol + 2;
}

export function encode(args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

/** Send `count` commands made by `gen(i)` in pipelined batches; every reply must be one line. */
export async function load(c: Client, count: number, gen: (i: number) => string[], batch = 1000): Promise<void> {
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    let s = "";
    for (let k = 0; k < n; k++) s += encode(gen(i + k));
    await c.pipeline(s, n);
  }
}

/** A field of INFO, as a string ("" if absent). */
export async function info(c: Client, section: string, field: string): Promise<string> {
  const r = await c.call("INFO", section);
  const m = new RegExp(`^${field}:(.*)$`, "m").exec(r);
  return m ? m[1]!.trim() : "";
}

/** A server process of either kind in its own temp dir, with its log captured. */
export interface Server {
  kind: Kind;
  port: number;
  pid: number;
  dir: string;
  /** The log so far is only complete after stop(). */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<string>;
  /** Remove the temp dir (stop first). */
  remove(): void;
}

export interface StartOptions {
  /** Reuse this dir (for restarts); a fresh temp dir otherwise. */
  dir?: string;
  /** Called with performance.now() just before the process is spawned. */
  onSpawn?: (t: number) => void;
  timeoutMs?: number;
}

export async function start(kind: Kind, opts: BenchOptions, extra: string[], so: StartOptions = {}): Promise<Server> {
  const port = await freePort();
  const dir = so.dir ?? mkdtempSync(join(tmpdir(), `bench-${kind}-`));
  const common = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir, "--enable-debug-command", "yes", ...extra];
  const cmd = kind === "kv" ? [opts.kvBin, ...common] : ["redis-server", ...common];
  so.onSpawn?.(performance.now());
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  const out = new Response(proc.stdout).text();
  const err = new Response(proc.stderr).text();
  const deadline = Date.now() + (so.timeoutMs ?? 120_000);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${label(kind)} exited at start: ${await out}${await err}`);
    if (await pingOnce(port)) break;
    if (Date.now() > deadline) throw new Error(`${label(kind)} did not answer PING on ${port}`);
    await Bun.sleep(5);
  }
  let removed = false;
  return {
    kind,
    port,
    pid: proc.pid,
    dir,
    stop: async (signal = "SIGTERM") => {
      if (proc.exitCode === null) proc.kill(signal);
      await proc.exited;
      return (await out) + (await err);
    },
    remove: () => {
      if (!removed) rmSync(dir, { recursive: true, force: true });
      removed = true;
    },
  };
}

/** True once the server answers PING (a server still loading answers -LOADING). */
async function pingOnce(port: number): Promise<boolean> {
  let c: Client | null = null;
  try {
    c = await Client.open(port);
    return (await c.call("PING")) === "+PONG\r\n";
  } catch {
    return false;
  } finally {
    c?.close();
  }
}

/** Resident set size of a process, in bytes (VmRSS from /proc). */
export function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Nearest-rank percentile of an ascending array. */
export function pct(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A target from the issue, checked against a measured value. */
export interface Target {
  scenario: string;
  what: string;
  target: string;
  value: number;
  met: boolean;
}

export const mark = (met: boolean): string => (met ? "met" : "NOT met");

/** A markdown table with the columns padded for reading in a terminal. */
export function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `| ${r.map((x, i) => x.padEnd(w[i]!)).join(" | ")} |`;
  return [line(head), `|${w.map((n) => "-".repeat(n + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

export const fix = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : "?");
export const int = (x: number): string => (Number.isFinite(x) ? Math.round(x).toString() : "?");
