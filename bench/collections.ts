// `bun bench/collections.ts`: per-operation cost of list, hash, set and sorted set commands on a
// 1,000,000-element value against the same commands on a 1,000-element one, in process (requests
// go through the dispatcher, no sockets), so O(1) and O(log n) show as ratios near 1.
// Each figure is the median ns/op over many timed batches; the whole run takes well under a minute.
import { cpus } from "node:os";
import { join } from "node:path";
import { Config } from "../src/config.ts";
import { Logger } from "../src/log.ts";
import { Server } from "../src/server.ts";
import { processCommand } from "../src/commands/dispatch.ts";
import type { Context } from "../src/commands/context.ts";

const root = join(import.meta.dir, "..");
const SMALL = 1_000;
const BIG = 1_000_000;
/** Commands per timed batch, and batches per figure (the median is reported). */
const BATCH = 200;
const ROUNDS = 41;

/** A request encoded once: argv bytes plus offsets, ready to hand to the dispatcher. */
interface Req {
  readonly buf: Uint8Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly argc: number;
}

function req(...argv: string[]): Req {
  const total = argv.reduce((n, a) => n + a.length, 0);
  const buf = Buffer.alloc(total);
  const starts = new Int32Array(Math.max(argv.length, 16));
  const ends = new Int32Array(Math.max(argv.length, 16));
  let p = 0;
  for (const [i, a] of argv.entries()) {
    buf.write(a, p, "latin1");
    starts[i] = p;
    p += a.length;
    ends[i] = p;
  }
  return { buf, starts, ends, argc: argv.length };
}

/** Run one request on c; a command that replied with an error means the benchmark is wrong. */
function run(c: Context, r: Req): void {
  const a = c.args;
  a.buf = r.buf;
  a.base = 0;
  a.starts = r.starts;
  a.ends = r.ends;
  a.argc = r.argc;
  processCommand(c);
  if (c.failed) throw new Error(`benchmark command failed: ${Buffer.from(c.reply.buf.subarray(0, c.reply.pos)).toString("latin1")}`);
  c.reply.pos = 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** A measured operation: `make(size, round)` builds the batch; `undo` (untimed) restores the size. */
interface Op {
  readonly name: string;
  make(size: number, round: number): Req[];
  undo?(size: number, round: number): Req[];
}

/** ns/op for op on a value of the given size: one warm-up batch, then ROUNDS timed ones. */
function measure(c: Context, op: Op, size: number): number {
  const perOp: number[] = [];
  for (let round = -1; round < ROUNDS; round++) {
    const batch = op.make(size, round);
    const undo = op.undo?.(size, round) ?? [];
    const t0 = Bun.nanoseconds();
    for (const r of batch) run(c, r);
    const t1 = Bun.nanoseconds();
    for (const r of undo) run(c, r);
    if (round >= 0) perOp.push((t1 - t0) / batch.length);
  }
  return median(perOp);
}

/** BATCH requests from f(i). */
const many = (f: (i: number) => string[]): Req[] => Array.from({ length: BATCH }, (_, i) => req(...f(i)));
const rand = (n: number): number => Math.floor(Math.random() * n);
/** Fresh names per round so additions are always new. */
const fresh = (round: number, i: number): string => `new:${round + 1}:${i}`;

/** Fill key (of the given kind) with size elements, 1,000 per request. */
function build(c: Context, kind: "list" | "hash" | "set" | "zset", key: string, size: number): void {
  const order = Array.from({ length: size }, (_, i) => i);
  // Members go in in random order so the structures are not built in a best-case sequence.
  for (let i = size - 1; i > 0; i--) {
    const j = rand(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let at = 0; at < size; at += 1000) {
    const chunk = order.slice(at, at + 1000);
    if (kind === "list") run(c, req("RPUSH", key, ...chunk.map((i) => `e${i}`)));
    else if (kind === "hash") run(c, req("HSET", key, ...chunk.flatMap((i) => [`f${i}`, `v${i}`])));
    else if (kind === "set") run(c, req("SADD", key, ...chunk.map((i) => `m${i}`)));
    else run(c, req("ZADD", key, ...chunk.flatMap((i) => [String(i), `m${i}`])));
  }
}

const key = (kind: string, size: number): string => `${kind}:${size}`;

const groups: { kind: "list" | "hash" | "set" | "zset"; ops: Op[] }[] = [
  {
    kind: "list",
    ops: [
      // Each write is undone (untimed) after its batch, so the sizes stay within BATCH of 1k and 1M.
      { name: "LPUSH", make: (n) => many(() => ["LPUSH", key("list", n), "x"]), undo: (n) => many(() => ["LPOP", key("list", n)]) },
      { name: "LPOP", make: (n) => many(() => ["LPOP", key("list", n)]), undo: (n) => many(() => ["LPUSH", key("list", n), "x"]) },
      { name: "RPUSH", make: (n) => many(() => ["RPUSH", key("list", n), "x"]), undo: (n) => many(() => ["RPOP", key("list", n)]) },
      { name: "RPOP", make: (n) => many(() => ["RPOP", key("list", n)]), undo: (n) => many(() => ["RPUSH", key("list", n), "x"]) },
      { name: "LINDEX 0", make: (n) => many(() => ["LINDEX", key("list", n), "0"]) },
      { name: "LINDEX -1", make: (n) => many(() => ["LINDEX", key("list", n), "-1"]) },
      { name: "LINDEX middle", make: (n) => many(() => ["LINDEX", key("list", n), String(n >> 1)]) },
      // The fixed positions above stay in cache; a random one shows the memory latency at 1M.
      { name: "LINDEX random", make: (n) => many(() => ["LINDEX", key("list", n), String(rand(n))]) },
      { name: "LSET 5", make: (n) => many(() => ["LSET", key("list", n), "5", "y"]) },
      { name: "LSET -5", make: (n) => many(() => ["LSET", key("list", n), "-5", "y"]) },
    ],
  },
  {
    kind: "hash",
    ops: [
      { name: "HSET (new field)", make: (n, r) => many((i) => ["HSET", key("hash", n), fresh(r, i), "v"]), undo: (n, r) => many((i) => ["HDEL", key("hash", n), fresh(r, i)]) },
      { name: "HSET (update)", make: (n) => many(() => ["HSET", key("hash", n), `f${rand(n)}`, "w"]) },
      { name: "HGET", make: (n) => many(() => ["HGET", key("hash", n), `f${rand(n)}`]) },
    ],
  },
  {
    kind: "set",
    ops: [
      { name: "SADD (new member)", make: (n, r) => many((i) => ["SADD", key("set", n), fresh(r, i)]), undo: (n, r) => many((i) => ["SREM", key("set", n), fresh(r, i)]) },
      { name: "SISMEMBER", make: (n) => many(() => ["SISMEMBER", key("set", n), `m${rand(n)}`]) },
    ],
  },
  {
    kind: "zset",
    ops: [
      {
        name: "ZADD (new member)",
        make: (n, r) => many((i) => ["ZADD", key("zset", n), String(Math.random() * n), fresh(r, i)]),
        undo: (n, r) => many((i) => ["ZREM", key("zset", n), fresh(r, i)]),
      },
      { name: "ZADD (new score)", make: (n) => many(() => ["ZADD", key("zset", n), String(Math.random() * n), `m${rand(n)}`]) },
      { name: "ZRANGE 0 9", make: (n) => many(() => ["ZRANGE", key("zset", n), "0", "9"]) },
      { name: "ZRANGE middle +10", make: (n) => many(() => ["ZRANGE", key("zset", n), String(n >> 1), String((n >> 1) + 9)]) },
      { name: "ZRANGE -10 -1", make: (n) => many(() => ["ZRANGE", key("zset", n), "-10", "-1"]) },
      {
        name: "ZRANGE random +10",
        make: (n) => many(() => {
          const at = rand(n - 10);
          return ["ZRANGE", key("zset", n), String(at), String(at + 9)];
        }),
      },
      {
        name: "ZRANGEBYSCORE (10)",
        make: (n) => many(() => {
          const lo = rand(n - 20);
          return ["ZRANGEBYSCORE", key("zset", n), String(lo), "+inf", "LIMIT", "0", "10"];
        }),
      },
      { name: "ZRANK", make: (n) => many(() => ["ZRANK", key("zset", n), `m${rand(n)}`]) },
      { name: "ZSCORE", make: (n) => many(() => ["ZSCORE", key("zset", n), `m${rand(n)}`]) },
    ],
  },
];

function sh(cmd: string[]): string {
  const r = Bun.spawnSync(cmd, { cwd: root, stdout: "pipe", stderr: "pipe" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : "unknown";
}

const started = performance.now();
const commit = sh(["git", "rev-parse", "--short", "HEAD"]);
const cpu = cpus();
console.log(`kvserver ${commit} · Bun ${Bun.version} · ${cpu.length} cores, ${cpu[0]?.model ?? "unknown CPU"}`);
console.log(`in process through the dispatcher · median of ${ROUNDS} batches of ${BATCH} commands · ns/op`);
console.log("");

const config = new Config();
const logger = new Logger();
logger.silent = true;
const server = new Server({ config, logger });
const c = server.newClient();

const rows: [string, string, number, number][] = [];
for (const g of groups) {
  const t0 = performance.now();
  build(c, g.kind, key(g.kind, SMALL), SMALL);
  build(c, g.kind, key(g.kind, BIG), BIG);
  const buildMs = performance.now() - t0;
  for (const op of g.ops) {
    Bun.gc(true);
    const small = measure(c, op, SMALL);
    const big = measure(c, op, BIG);
    rows.push([g.kind, op.name, small, big]);
  }
  run(c, req("DEL", key(g.kind, SMALL), key(g.kind, BIG)));
  Bun.gc(true);
  console.error(`  (${g.kind}: built 1k + 1M in ${(buildMs / 1000).toFixed(1)} s)`);
}

const pad = (s: string, n: number): string => s.padEnd(n);
const num = (x: number): string => x.toFixed(0).padStart(10);
console.log(`${pad("type", 6)}${pad("operation", 22)}${"1k".padStart(10)}${"1M".padStart(10)}${"1M/1k".padStart(8)}`);
for (const [kind, name, small, big] of rows) {
  console.log(`${pad(kind, 6)}${pad(name, 22)}${num(small)}${num(big)}${(big / small).toFixed(2).padStart(8)}`);
}
console.log("");
console.log("O(n) would read ~1000 in the last column. Ratios of 2-20 at 1M come from cache misses (a 1M-element");
console.log("value is far larger than the CPU caches; fixed positions stay cached), not from the algorithm.");
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
