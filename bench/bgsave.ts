// `bun bench/bgsave.ts`: what persistence costs with 1,000,000 keys, kvserver beside redis-server.
// For each server (a separate process, persistence off but for what is measured): DEBUG POPULATE
// 1M keys; GET latency over TCP (one request in flight) idle and while a BGSAVE runs (p50, p99,
// p99.9, max), the BGSAVE's duration, SAVE's duration, and the start-up load time of the dump
// (the server's own "DB loaded from disk" line). Prints commit, Bun version and machine.
// Correctness of what is measured: test/persistence/save.test.ts and snapshot.test.ts.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const KEYS = Number(process.argv[2] ?? 1_000_000);
const IDLE_MS = 2000;

function sh(cmd: string[]): string {
  const r = Bun.spawnSync(cmd, { cwd: root, stdout: "pipe", stderr: "pipe" });
  return r.stdout.toString().trim();
}

async function freePort(): Promise<number> {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const p = l.port;
  l.stop(true);
  return p;
}

/** A minimal one-request-at-a-time RESP client. */
class Client {
  #buf = "";
  #wait: (() => void) | null = null;
  #sock!: Awaited<ReturnType<typeof Bun.connect>>;

  static async open(port: number): Promise<Client> {
    const c = new Client();
    c.#sock = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data: (_s, d) => {
          c.#buf += d.toString("latin1");
          c.#wait?.();
        },
      },
    });
    return c;
  }

  /** Complete replies only: simple lines and bulk strings (all this bench reads). */
  #take(): string | null {
    const eol = this.#buf.indexOf("\r\n");
    if (eol < 0) return null;
    if (this.#buf[0] === "$") {
      const n = Number(this.#buf.slice(1, eol));
      const end = n < 0 ? eol + 2 : eol + 2 + n + 2;
      if (this.#buf.length < end) return null;
      const r = this.#buf.slice(0, end);
      this.#buf = this.#buf.slice(end);
      return r;
    }
    const r = this.#buf.slice(0, eol + 2);
    this.#buf = this.#buf.slice(eol + 2);
    return r;
  }

  async call(...args: string[]): Promise<string> {
    this.#sock.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`);
    for (;;) {
      const r = this.#take();
      if (r !== null) return r;
      await new Promise<void>((res) => (this.#wait = res));
      this.#wait = null;
    }
  }

  close(): void {
    this.#sock.end();
  }
}

interface Server {
  port: number;
  proc: ReturnType<typeof Bun.spawn>;
  log: () => Promise<string>;
}

async function start(name: "kvserver" | "redis", dir: string): Promise<Server> {
  const port = await freePort();
  const common = ["--port", String(port), "--dir", dir, "--save", "", "--appendonly", "no", "--enable-debug-command", "yes"];
  const cmd = name === "kvserver" ? [process.execPath, join(root, "src", "main.ts"), ...common] : ["redis-server", ...common];
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  const out = new Response(proc.stdout).text();
  for (let i = 0; ; i++) {
    try {
      const c = await Client.open(port);
      const r = await c.call("PING");
      c.close();
      if (r === "+PONG\r\n") break;
    } catch {
      // not up yet
    }
    if (i > 2000) throw new Error(`${name} did not start`);
    await Bun.sleep(20);
  }
  return { port, proc, log: () => out };
}

async function stop(s: Server): Promise<string> {
  s.proc.kill("SIGKILL");
  await s.proc.exited;
  return s.log();
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(lat: number[]): string {
  const s = [...lat].sort((a, b) => a - b);
  const f = (x: number) => (x * 1000).toFixed(0).padStart(6);
  return `n=${String(s.length).padStart(6)}  p50 ${f(pct(s, 50))}µs  p99 ${f(pct(s, 99))}µs  p99.9 ${f(pct(s, 99.9))}µs  max ${f(s[s.length - 1]!)}µs`;
}

async function gets(c: Client, until: () => boolean): Promise<number[]> {
  const lat: number[] = [];
  let i = 0;
  while (!until()) {
    const t0 = performance.now();
    await c.call("GET", `key:${(i++ * 7919) % KEYS}`);
    lat.push(performance.now() - t0);
  }
  return lat;
}

async function measure(name: "kvserver" | "redis"): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `bench-bgsave-${name}-`));
  try {
    let s = await start(name, dir);
    const c = await Client.open(s.port);
    const ctl = await Client.open(s.port);
    await c.call("DEBUG", "POPULATE", String(KEYS));
    // Idle latency.
    const t0 = performance.now();
    const idle = await gets(c, () => performance.now() - t0 > IDLE_MS);
    // During BGSAVE: poll INFO on another connection until it finishes.
    let running = true;
    const tb = performance.now();
    await ctl.call("BGSAVE");
    const poll = (async () => {
      while (running) {
        const info = await ctl.call("INFO", "persistence");
        if (/rdb_bgsave_in_progress:0/.test(info)) running = false;
        else await Bun.sleep(5);
      }
    })();
    const during = await gets(c, () => !running);
    await poll;
    const bgMs = performance.now() - tb;
    const ts = performance.now();
    await ctl.call("SAVE");
    const saveMs = performance.now() - ts;
    const size = statSync(join(dir, "dump.rdb")).size;
    c.close();
    ctl.close();
    await stop(s);
    // Start-up load of the dump, as the server reports it.
    s = await start(name, dir);
    const log = await stop(s);
    const loaded = /DB loaded from disk: ([0-9.]+) seconds/.exec(log)?.[1] ?? "?";
    console.log(`\n${name}`);
    console.log(`  GET idle        ${summary(idle)}`);
    console.log(`  GET in BGSAVE   ${summary(during)}`);
    console.log(`  BGSAVE ${bgMs.toFixed(0)} ms (as seen by a polling client)   SAVE ${saveMs.toFixed(0)} ms   dump ${(size / 1e6).toFixed(1)} MB   start-up load ${loaded} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`bgsave bench: ${KEYS} keys · commit ${sh(["git", "rev-parse", "--short", "HEAD"])} · bun ${Bun.version} · ${cpus()[0]?.model ?? "?"} ×${cpus().length} · redis ${sh(["redis-server", "--version"]).split(" ")[2]}`);
await measure("kvserver");
if (!process.argv.includes("--kv-only")) await measure("redis");
