// `bun run bench:inprocess`: the server's own cost per command, without sockets or the kernel.
// Feeds a buffer of pipelined RESP requests (like redis-benchmark -P 16 sends) through the same
// parser → dispatcher → reply writer path a connection uses, and reports ns per command (median
// of several rounds). Use it to profile the hot path: `bun --cpu-prof bench/inprocess.ts`.
import { cpus } from "node:os";
import { Server } from "../src/server.ts";
import { NEED_MORE, PROTO_ERROR, RequestParser } from "../src/resp/parser.ts";
import { processCommand } from "../src/commands/dispatch.ts";
import { Config } from "../src/config.ts";
import { Logger } from "../src/log.ts";
import type { Context } from "../src/commands/context.ts";

const argv = process.argv.slice(2);
const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1]!.toUpperCase().split(",") : null;
const PIPELINE = 16;
const ROUNDS = 7;
const COMMANDS_PER_ROUND = 200_000;

function encode(args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a, "latin1")}\r\n${a}\r\n`;
  return s;
}

/** redis-benchmark's key pattern with -r 100000: key:000000012345. */
function key(i: number, prefix = "key"): string {
  return `${prefix}:${String(i % 100000).padStart(12, "0")}`;
}

const value3 = "xxx";
const value1k = "x".repeat(1024);

/** Each test: a function that gives the i-th request of the stream. */
const TESTS: Record<string, (i: number) => string[]> = {
  PING: () => ["PING"],
  SET: (i) => ["SET", key(i * 7919), value3],
  "SET 1KB": (i) => ["SET", key(i * 7919), value1k],
  GET: (i) => ["GET", key(i * 7919)],
  INCR: (i) => ["INCR", key(i * 7919, "counter")],
  LPUSH: (i) => ["LPUSH", "mylist", value3],
  RPUSH: (i) => ["RPUSH", "mylist", value3],
  LPOP: () => ["LPOP", "mylist"],
  RPOP: () => ["RPOP", "mylist"],
  SADD: (i) => ["SADD", "myset", `element:${i % 100000}`],
  HSET: (i) => ["HSET", "myhash", `element:${i % 100000}`, value3],
  HGET: (i) => ["HGET", "myhash", `element:${i % 100000}`],
  // 100000 small hashes (3 fields, as bench/memory.ts loads them): listpack-encoded in Redis.
  HSET_SMALL: (i) => ["HSET", key(i * 7919, "hash"), "name", `user${i}`, "city", "paris", "visits", String(i % 1000)],
  HGET_SMALL: (i) => ["HGET", key(i * 7919, "hash"), "city"],
  SPOP: () => ["SPOP", "myset"],
  // As redis-benchmark sends it: an independent random score and member, 12 digits each.
  ZADD: (i) => ["ZADD", "myzset", String((i * 7919) % 100000).padStart(12, "0"), key(i * 104729, "element")],
  ZPOPMIN: () => ["ZPOPMIN", "myzset"],
  LRANGE_100: () => ["LRANGE", "mylist", "0", "99"],
  MSET: (i) => {
    const a = ["MSET"];
    for (let k = 0; k < 10; k++) a.push(key((i * 10 + k) * 7919), value3);
    return a;
  },
};

function buildStream(gen: (i: number) => string[], n: number): Buffer[] {
  // One buffer per pipeline batch, as one socket read would deliver it.
  const out: Buffer[] = [];
  for (let i = 0; i < n; i += PIPELINE) {
    let s = "";
    for (let k = 0; k < PIPELINE; k++) s += encode(gen(i + k));
    out.push(Buffer.from(s, "latin1"));
  }
  return out;
}

/** What a connection does with one read: parse and run every request, then take the replies. */
function feed(c: Context, parser: RequestParser, buf: Buffer): number {
  let pos = 0;
  const end = buf.length;
  // As net/client.ts runs a batch: commands after the first are timed from the previous one's end.
  c.server.callChain = -2;
  while (pos < end) {
    const r = parser.parse(buf, pos, end, c.args);
    if (r === NEED_MORE || r === PROTO_ERROR) throw new Error("bad stream");
    pos = r;
    processCommand(c);
  }
  c.server.callChain = -1;
  const n = c.reply.pos;
  c.server.beforeReplies();
  c.reply.reset();
  return n;
}

function main(): void {
  const config = new Config();
  config.set("appendonly", "no", true);
  config.set("save", "", true);
  const logger = new Logger();
  logger.silent = true;
  const server = new Server({ config, logger });
  const c = server.newClient();
  const parser = new RequestParser();
  const sh = (cmd: string[]) => Bun.spawnSync(cmd).stdout.toString().trim();
  console.log(`kvserver in-process hot path: commit ${sh(["git", "rev-parse", "--short", "HEAD"])}, Bun ${Bun.version}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}`);
  console.log(`pipeline ${PIPELINE}, ${COMMANDS_PER_ROUND} commands per round, median of ${ROUNDS} rounds\n`);
  console.log("command        ns/cmd    Mcmd/s");
  for (const [name, gen] of Object.entries(TESTS)) {
    if (only && !only.includes(name.toUpperCase())) continue;
    const stream = buildStream(gen, COMMANDS_PER_ROUND);
    // Pops need something to pop: fill first.
    if (name === "LPOP" || name === "RPOP" || name === "LRANGE_100") for (const b of buildStream(TESTS.LPUSH!, COMMANDS_PER_ROUND * ROUNDS)) feed(c, parser, b);
    if (name === "SPOP") for (const b of buildStream(TESTS.SADD!, COMMANDS_PER_ROUND)) feed(c, parser, b);
    // Every round pops from a full set: as many distinct members as pops.
    if (name === "ZPOPMIN") for (const b of buildStream((i) => ["ZADD", "myzset", String(i % 100000), `member:${i}`], COMMANDS_PER_ROUND * ROUNDS)) feed(c, parser, b);
    if (name === "HGET") for (const b of buildStream(TESTS.HSET!, COMMANDS_PER_ROUND)) feed(c, parser, b);
    if (name === "HGET_SMALL") for (const b of buildStream(TESTS.HSET_SMALL!, COMMANDS_PER_ROUND)) feed(c, parser, b);
    const times: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = Bun.nanoseconds();
      for (const b of stream) feed(c, parser, b);
      times.push((Bun.nanoseconds() - t0) / COMMANDS_PER_ROUND);
    }
    times.sort((a, b) => a - b);
    const ns = times[ROUNDS >> 1]!;
    console.log(`${name.padEnd(12)} ${ns.toFixed(0).padStart(8)} ${(1000 / ns).toFixed(2).padStart(9)}`);
  }
}

main();
