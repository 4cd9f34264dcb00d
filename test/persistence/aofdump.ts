// Test helpers for the AOF suites: a whole keyspace read back through commands (the same code for
// kvserver and real redis-server, so contents can be compared across servers and restarts),
// pipelined calls, AOF directories, and starting servers on a data directory.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RawConn } from "../support/conn.ts";
import { encodeCommand, type Arg } from "../support/resp.ts";
import { decode, type RespValue } from "../support/value.ts";
import { redisServerPath, startKv, type KvRunning, type Running } from "../support/servers.ts";

/** Send commands in one write and read their replies in order. */
export async function pipeline(c: RawConn, cmds: readonly (readonly Arg[])[]): Promise<string[]> {
  if (cmds.length === 0) return [];
  await c.send(Buffer.concat(cmds.map((x) => encodeCommand(x))));
  const out: string[] = [];
  for (let i = 0; i < cmds.length; i++) out.push(await c.read(20000));
  return out;
}

function str(v: RespValue): string {
  if (typeof v !== "string") throw new Error(`expected a string, got ${JSON.stringify(v)}`);
  return v;
}

function arr(v: RespValue): RespValue[] {
  if (!Array.isArray(v)) throw new Error(`expected an array, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Every key of every db with its type, contents and absolute expiry (PEXPIRETIME), as canonical
 * JSON: set members and hash fields sorted, lists in order, sorted sets as [member, score] pairs.
 */
export async function dumpKeyspace(port: number, dbs = 16): Promise<string> {
  const c = await RawConn.connect(port);
  try {
    const out: Record<string, Record<string, unknown>> = {};
    for (let db = 0; db < dbs; db++) {
      await c.call("SELECT", db);
      const keys: string[] = [];
      let cursor = "0";
      do {
        const r = arr(decode(await c.call("SCAN", cursor, "COUNT", 1000)));
        cursor = str(r[0]!);
        for (const k of arr(r[1]!)) keys.push(str(k));
      } while (cursor !== "0");
      if (keys.length === 0) continue;
      keys.sort();
      const meta = await pipeline(c, keys.flatMap((k) => [["TYPE", k], ["PEXPIRETIME", k]]));
      const reads: Arg[][] = [];
      const types: string[] = [];
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const t = str(decode(meta[2 * i]!));
        types.push(t);
        if (t === "string") reads.push(["GET", k]);
        else if (t === "list") reads.push(["LRANGE", k, 0, -1]);
        else if (t === "set") reads.push(["SMEMBERS", k]);
        else if (t === "zset") reads.push(["ZRANGE", k, 0, -1, "WITHSCORES"]);
        else if (t === "hash") reads.push(["HGETALL", k]);
        else throw new Error(`type ${t} of ${k}`);
      }
      const vals = await pipeline(c, reads);
      const entries: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) {
        const t = types[i]!;
        const v = decode(vals[i]!);
        let content: unknown;
        if (t === "string") content = str(v);
        else if (t === "list") content = arr(v).map(str);
        else if (t === "set") content = arr(v).map(str).sort();
        else if (t === "zset") {
          const a = arr(v).map(str);
          const pairs: [string, string][] = [];
          for (let j = 0; j < a.length; j += 2) pairs.push([a[j]!, a[j + 1]!]);
          content = pairs;
        } else {
          const a = arr(v).map(str);
          const pairs: [string, string][] = [];
          for (let j = 0; j < a.length; j += 2) pairs.push([a[j]!, a[j + 1]!]);
          content = pairs.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
        }
        entries[keys[i]!] = { type: t, content, expireAt: Number(decode(meta[2 * i + 1]!)) };
      }
      out[String(db)] = entries;
    }
    return JSON.stringify(out);
  } finally {
    c.close();
  }
}

/** A fresh temp directory. */
export function tempDir(prefix = "kv-aof-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function rmDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The files of dir/appendonlydir by name. */
/**
 * Wait until dir's AOF has its start-up shape: a manifest naming a base and an incr file, both
 * present. redis-server answers PING before its start-up rewrite has written the base.
 */
export async function aofSettled(dir: string, timeoutMs = 10000): Promise<void> {
  const d = join(dir, "appendonlydir");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const manifest = readFileSync(join(d, readdirSync(d).find((n) => n.endsWith(".manifest"))!), "latin1");
      const names = [...manifest.matchAll(/^file (\S+) seq \d+ type [bi]$/gm)].map((m) => m[1]!);
      const files = readdirSync(d);
      if (manifest.includes(" type b") && manifest.includes(" type i") && names.every((n) => files.includes(n))) return;
    } catch {
      // not written yet
    }
    if (Date.now() > deadline) throw new Error(`no settled AOF in ${dir}`);
    await Bun.sleep(10);
  }
}

export function aofFiles(dir: string): Map<string, Buffer> {
  const d = join(dir, "appendonlydir");
  const out = new Map<string, Buffer>();
  for (const n of readdirSync(d).sort()) out.set(n, readFileSync(join(d, n)));
  return out;
}

/** kvserver in-process with the AOF on in dir (more config on top). */
export function startKvAof(dir: string, config: Record<string, string> = {}): Promise<KvRunning> {
  return startKv({ config: { appendonly: "yes", dir, ...config } });
}

async function freePort(): Promise<number> {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const p = l.port;
  l.stop(true);
  return p;
}

async function waitPort(port: number, exited: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15000;
  for (;;) {
    try {
      const s = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
      s.end();
      return;
    } catch {
      if (exited()) throw new Error(`${what} exited before listening`);
      if (Date.now() > deadline) throw new Error(`${what} did not start`);
      await Bun.sleep(20);
    }
  }
}

export interface Proc extends Running {
  proc: ReturnType<typeof Bun.spawn>;
  /** Everything the process wrote to stdout so far (its log). */
  log(): string;
}

/** Spawn a server process (redis-server or `bun src/main.ts`) and wait until it listens. */
async function spawnServer(cmd: string[], port: number, what: string): Promise<Proc> {
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  let out = "";
  let exited = false;
  void proc.exited.then(() => (exited = true));
  const decoder = new TextDecoder();
  void (async () => {
    for await (const chunk of proc.stdout as ReadableStream<Uint8Array>) out += decoder.decode(chunk);
  })();
  void (async () => {
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) out += decoder.decode(chunk);
  })();
  await waitPort(port, () => exited, what);
  return {
    port,
    proc,
    log: () => out,
    stop: async () => {
      proc.kill();
      await proc.exited;
    },
  };
}

/** Real redis-server with the AOF on in dir, once it has loaded it (it listens while loading). */
export async function startRedisAof(dir: string, extra: string[] = []): Promise<Proc> {
  const port = await freePort();
  const p = await spawnServer(
    [redisServerPath(), "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--dir", dir, "--enable-debug-command", "yes", ...extra],
    port,
    "redis-server",
  );
  const c = await RawConn.connect(port);
  try {
    const deadline = Date.now() + 20000;
    while ((await c.call("PING")).startsWith("-LOADING") && Date.now() < deadline) await Bun.sleep(10);
  } finally {
    c.close();
  }
  return p;
}

export const MAIN = join(import.meta.dir, "..", "..", "src", "main.ts");

/** kvserver as a child process (`bun src/main.ts`) on dir. */
export async function startKvProcess(dir: string, extra: string[] = []): Promise<Proc> {
  const port = await freePort();
  return spawnServer([process.execPath, MAIN, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir, ...extra], port, "kvserver");
}

/** Run a process to completion: exit code and combined output. */
export async function runToExit(cmd: string[], timeoutMs = 20000): Promise<{ code: number | null; out: string }> {
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill(9), timeoutMs);
  const [o, e] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const code = await proc.exited;
  clearTimeout(timer);
  return { code, out: o + e };
}

/** kvserver's start-up on dir run to its end (it is expected to refuse to start). */
export function kvStartupFailure(dir: string, extra: string[] = []): Promise<{ code: number | null; out: string }> {
  return runToExit([process.execPath, MAIN, "--port", "0", "--save", "", "--dir", dir, ...extra]);
}
