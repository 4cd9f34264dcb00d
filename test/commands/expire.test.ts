// Expiry commands against real redis-server: EXPIRE PEXPIRE EXPIREAT PEXPIREAT with NX XX GT LT,
// TTL PTTL EXPIRETIME PEXPIRETIME PERSIST; int64 overflow; deletion by a past time; what is
// propagated (compared with redis-server's own AOF); and lazy expiry under a ManualClock.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/util/clock.ts";
import { RawConn } from "../support/conn.ts";
import { flushBoth, runBoth, startPair, transcript, type Pair } from "../support/oracle.ts";
import type { Arg } from "../support/resp.ts";
import { startKv, startRedis } from "../support/servers.ts";

type Cmd = readonly Arg[];

let pair: Pair;
beforeAll(async () => {
  pair = await startPair();
});
afterAll(async () => {
  await pair.stop();
});
beforeEach(async () => {
  await flushBoth(pair);
});

const TIME_CMDS = new Set(["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]);

/**
 * Compare replies; integer replies of time-reading commands may differ by the time that passes
 * between the two servers: 1 for seconds, 1000 for milliseconds.
 */
async function same(cmds: readonly Cmd[]): Promise<void> {
  const { kv, redis } = await runBoth(pair, cmds);
  const a = [...kv];
  const b = [...redis];
  for (let i = 0; i < cmds.length; i++) {
    const name = String(cmds[i]![0]).toUpperCase();
    if (!TIME_CMDS.has(name) || a[i] === b[i] || !a[i]!.startsWith(":") || !b[i]!.startsWith(":")) continue;
    const x = BigInt(a[i]!.slice(1, -2));
    const y = BigInt(b[i]!.slice(1, -2));
    const tol = name.startsWith("P") ? 1000n : 1n;
    if (x - y <= tol && y - x <= tol && x >= 0n && y >= 0n) a[i] = b[i]!;
  }
  expect(transcript(cmds, a)).toEqual(transcript(cmds, b));
}

test("options: unknown ones, incompatible pairs, and the order errors are reported in", async () => {
  await same([
    ["SET", "a", "1"],
    ["EXPIRE", "a", "10", "foo"],
    ["EXPIRE", "a", "10", "NX", "XX"],
    ["EXPIRE", "a", "10", "nx", "gt"],
    ["EXPIRE", "a", "10", "NX", "LT"],
    ["EXPIRE", "a", "10", "GT", "LT"],
    ["EXPIRE", "a", "10", "lt", "gt"],
    ["EXPIRE", "a", "10", "XX", "GT", "LT"],
    ["EXPIRE", "a", "abc", "foo"],
    ["EXPIRE", "a", "abc", "nx", "xx"],
    ["EXPIRE", "a", "9223372036854775807", "nx", "xx"],
    ["EXPIRE", "a", "10", "NX", "XX", "foo"],
    ["EXPIRE", "a", "10", "foo", "nx", "xx"],
    ["EXPIRE", "nokey", "10", "foo"],
    ["EXPIRE", "nokey", "abc"],
    ["EXPIRE", "nokey", "9223372036854775807"],
    ["EXPIRE", "a", "abc"],
    ["EXPIRE", "a", "1.5"],
    ["EXPIRE", "a", " 10"],
    ["EXPIRE", "a", "10 "],
    ["EXPIRE", "a", "+10"],
    ["EXPIRE", "a", ""],
    ["PEXPIRE", "a", "10", "bar"],
    ["EXPIREAT", "a", "10", "NX", "GT"],
    ["PEXPIREAT", "a", "x"],
    ["EXPIRE", "a"],
    ["PEXPIRE", "a"],
    ["EXPIREAT", "a"],
    ["PEXPIREAT", "a"],
    ["EXPIRE", "a", "10", "NX", "NX"],
    ["TTL", "a"],
  ]);
});

test("NX, XX, GT and LT: a key without a TTL counts as never expiring", async () => {
  await same([
    ["SET", "a", "1"],
    ["EXPIRE", "a", "100", "XX"],
    ["EXPIRE", "a", "100", "GT"],
    ["TTL", "a"],
    ["EXPIRE", "a", "100", "LT"],
    ["TTL", "a"],
    ["EXPIRE", "a", "50", "GT"],
    ["EXPIRE", "a", "200", "GT"],
    ["TTL", "a"],
    ["EXPIRE", "a", "300", "LT"],
    ["EXPIRE", "a", "150", "LT"],
    ["TTL", "a"],
    ["EXPIRE", "a", "100", "NX"],
    ["EXPIRE", "a", "120", "XX"],
    ["TTL", "a"],
    ["PEXPIRE", "a", "500000", "XX", "GT"],
    ["PTTL", "a"],
    ["PEXPIRE", "a", "400000", "XX", "GT"],
    ["EXPIRE", "a", "-1", "NX"],
    ["EXISTS", "a"],
    ["EXPIRE", "a", "-1", "GT"],
    ["EXISTS", "a"],
    ["EXPIRE", "a", "0", "LT"],
    ["EXISTS", "a"],
    ["SET", "b", "1"],
    ["EXPIRE", "b", "-1", "XX"],
    ["EXPIRE", "b", "-1", "GT"],
    ["EXISTS", "b"],
    ["EXPIRE", "b", "-1", "LT"],
    ["EXISTS", "b"],
    ["SET", "c", "1"],
    ["EXPIREAT", "c", "4102444800", "NX"],
    ["EXPIRETIME", "c"],
    ["EXPIREAT", "c", "4102444801", "NX"],
    ["EXPIREAT", "c", "4102444801", "LT"],
    ["EXPIREAT", "c", "4102444801", "GT"],
    ["PEXPIREAT", "c", "4102444801000", "GT"],
    ["PEXPIREAT", "c", "4102444801001", "GT"],
    ["PEXPIRETIME", "c"],
    ["PEXPIREAT", "c", "4102444800500", "lt", "xx"],
    ["EXPIRETIME", "c"],
    ["PEXPIRETIME", "c"],
    ["EXPIRE", "nokey", "100", "NX"],
  ]);
});

test("int64 limits: overflow errors per command, exact huge times, negative times delete", async () => {
  const set = (k: string): Cmd => ["SET", k, "v"];
  await same([
    set("a"),
    ["EXPIRE", "a", "9223372036854775807"],
    ["EXPIRE", "a", "9223372036854775"],
    ["EXPIRE", "a", "-9223372036854776"],
    ["EXPIRE", "a", "-9223372036854775808"],
    ["EXPIRE", "a", "9223372036854775808"],
    ["PEXPIRE", "a", "9223372036854775807"],
    ["PEXPIRE", "a", "9223372036854775808"],
    ["EXPIREAT", "a", "9223372036854776"],
    ["EXPIREAT", "a", "-9223372036854776"],
    ["PEXPIREAT", "a", "9223372036854775808"],
    ["EXPIRE", "a", "9223372036854"],
    ["TTL", "a"],
    ["EXPIREAT", "a", "9223372036854775"],
    ["EXPIRETIME", "a"],
    ["PEXPIRETIME", "a"],
    ["PEXPIREAT", "a", "9223372036854775807"],
    ["PEXPIRETIME", "a"],
    ["EXPIRETIME", "a"],
    ["TTL", "a"],
    ["PTTL", "a"],
    ["PEXPIREAT", "a", "9223372036854775806"],
    ["PEXPIRETIME", "a"],
    ["EXPIRETIME", "a"],
    ["PEXPIREAT", "a", "9007199254740993"],
    ["PEXPIRETIME", "a"],
    ["PEXPIREAT", "a", "9007199254740993", "GT"],
    ["PEXPIREAT", "a", "9007199254740992", "GT"],
    ["PEXPIREAT", "a", "9007199254740994", "GT"],
    ["PEXPIRETIME", "a"],
    ["PEXPIREAT", "a", "9007199254740993", "LT"],
    ["PEXPIRETIME", "a"],
    ["PERSIST", "a"],
    ["PEXPIRETIME", "a"],
    ["PEXPIREAT", "a", "-9223372036854775808"],
    ["EXISTS", "a"],
    set("b"),
    ["PEXPIRE", "b", "-9223372036854775808"],
    ["EXISTS", "b"],
    set("c"),
    ["EXPIRE", "c", "-9223372036854775"],
    ["EXISTS", "c"],
    set("d"),
    ["EXPIREAT", "d", "-9223372036854775"],
    ["EXISTS", "d"],
  ]);
});

test("a time already past deletes the key, for every command; on a missing key nothing happens", async () => {
  await same([
    ["SET", "a", "1"],
    ["EXPIRE", "a", "0"],
    ["EXISTS", "a"],
    ["SET", "a", "1"],
    ["PEXPIRE", "a", "-1"],
    ["EXISTS", "a"],
    ["SET", "a", "1"],
    ["EXPIREAT", "a", "1"],
    ["EXISTS", "a"],
    ["SET", "a", "1"],
    ["PEXPIREAT", "a", "0"],
    ["EXISTS", "a"],
    ["RPUSH", "l", "x"],
    ["EXPIRE", "l", "-100"],
    ["TYPE", "l"],
    ["EXPIRE", "nokey", "0"],
    ["EXPIRE", "nokey", "100"],
    ["PEXPIREAT", "nokey", "1"],
  ]);
});

test("TTL, PTTL, EXPIRETIME, PEXPIRETIME and PERSIST on missing keys, keys without TTL, and after SET", async () => {
  await same([
    ["TTL", "nokey"],
    ["PTTL", "nokey"],
    ["EXPIRETIME", "nokey"],
    ["PEXPIRETIME", "nokey"],
    ["PERSIST", "nokey"],
    ["SET", "a", "1"],
    ["TTL", "a"],
    ["PTTL", "a"],
    ["EXPIRETIME", "a"],
    ["PEXPIRETIME", "a"],
    ["PERSIST", "a"],
    ["EXPIRE", "a", "100"],
    ["TTL", "a"],
    ["PTTL", "a"],
    ["PEXPIRE", "a", "1499"],
    ["TTL", "a"],
    ["PEXPIRE", "a", "1501"],
    ["TTL", "a"],
    ["PERSIST", "a"],
    ["PERSIST", "a"],
    ["TTL", "a"],
    ["EXPIRE", "a", "100"],
    ["SET", "a", "2"],
    ["TTL", "a"],
    ["HSET", "h", "f", "v"],
    ["EXPIRE", "h", "100"],
    ["HSET", "h", "g", "w"],
    ["TTL", "h"],
    ["PERSIST", "h"],
    ["TTL"],
    ["TTL", "a", "b"],
    ["PTTL"],
    ["EXPIRETIME"],
    ["PEXPIRETIME", "a", "b"],
    ["PERSIST"],
    ["PERSIST", "a", "b"],
  ]);
});

/** Parse every RESP array in an AOF file into argv lists. */
function parseAof(text: string): string[][] {
  const out: string[][] = [];
  let pos = 0;
  const line = (): string => {
    const e = text.indexOf("\r\n", pos);
    const s = text.slice(pos, e);
    pos = e + 2;
    return s;
  };
  while (pos < text.length) {
    const n = Number(line().slice(1));
    const argv: string[] = [];
    for (let i = 0; i < n; i++) {
      const len = Number(line().slice(1));
      argv.push(text.slice(pos, pos + len));
      pos += len + 2;
    }
    out.push(argv);
  }
  return out;
}

test("propagation matches redis-server's AOF: PEXPIREAT with absolute ms, DEL for past times and expired keys", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kv-expire-aof-"));
  const redis = await startRedis(["--appendonly", "yes", "--appendfsync", "always", "--dir", dir]);
  const kv = await startKv({ config: { "enable-debug-command": "yes" } });
  const fed: string[][] = [];
  let lastDb = -1;
  kv.server.propagation.subscribe({
    feed(dbId, argv) {
      if (dbId !== lastDb) fed.push(["SELECT", String(dbId)]);
      lastDb = dbId;
      fed.push(argv.map((a) => (typeof a === "string" ? a : Buffer.from(a).toString("latin1"))));
    },
  });
  const cmds: Cmd[] = [
    ["SET", "a", "1"],
    ["EXPIRE", "a", "100", "nx"],
    ["PEXPIRE", "a", "200000", "XX", "gt"],
    ["EXPIREAT", "a", "4102444800"],
    ["PEXPIREAT", "a", "4102444800001", "GT"],
    ["EXPIRE", "a", "100", "NX"],
    ["EXPIRE", "a", "-1"],
    ["EXPIRE", "nokey", "0"],
    ["SET", "b", "1"],
    ["PEXPIREAT", "b", "1"],
    ["SET", "c", "1"],
    ["EXPIREAT", "c", "1", "LT"],
    ["SET", "d", "1"],
    ["PERSIST", "d"],
    ["EXPIRE", "d", "1000"],
    ["PERSIST", "d"],
    ["RENAME", "d", "e"],
    ["RENAME", "e", "e"],
    ["RENAMENX", "e", "e"],
    ["COPY", "e", "f", "DB", "1"],
    ["MOVE", "e", "2"],
    ["DEL", "nokey"],
    ["UNLINK", "f", "nokey"],
    ["TOUCH", "e"],
    ["SWAPDB", "0", "2"],
    ["FLUSHDB", "ASYNC"],
    ["FLUSHALL"],
    ["FLUSHALL"],
    ["CONFIG", "SET", "lazyfree-lazy-expire", "yes"],
    ["SET", "u", "1"],
    ["EXPIRE", "u", "-1"],
    ["SET", "v", "1"],
    ["PEXPIRE", "v", "1"],
    ["CONFIG", "SET", "lazyfree-lazy-expire", "no"],
    ["DEBUG", "SET-ACTIVE-EXPIRE", "0"],
    ["SET", "x", "1"],
    ["SET", "y", "1"],
    ["PEXPIRE", "x", "1"],
    ["PEXPIRE", "y", "1"],
  ];
  try {
    const [a, b] = await Promise.all([RawConn.connect(kv.port), RawConn.connect(redis.port)]);
    for (const cmd of cmds) {
      await a.call(...cmd);
      await b.call(...cmd);
    }
    // Only the oracle needs real time to pass for x and y to expire; kv's keys expire with it.
    await Bun.sleep(5);
    // KEYS leaves expired keys in place (nothing propagated); SCAN reclaims and propagates DEL;
    // v was reclaimed while lazyfree-lazy-expire was on: UNLINK.
    const after: Cmd[] = [
      ["KEYS", "*"],
      ["SCAN", "0", "MATCH", "x"],
      ["EXISTS", "y"],
      ["CONFIG", "SET", "lazyfree-lazy-expire", "yes"],
      ["EXISTS", "v"],
      ["CONFIG", "SET", "lazyfree-lazy-expire", "no"],
    ];
    for (const cmd of after) {
      await a.call(...cmd);
      await b.call(...cmd);
    }
    a.close();
    b.close();
    await Bun.sleep(50);
    const aof = parseAof(readFileSync(join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"), "latin1"));
    // Absolute times derived from "now" differ by the milliseconds between the two servers.
    const norm = (log: string[][]) =>
      log.map((argv) => {
        if (argv[0]!.toUpperCase() !== "PEXPIREAT") return argv;
        const t = Number(argv[2]);
        return [argv[0]!, argv[1]!, Math.abs(t - Date.now()) < 3_600_000 ? "<now+~>" : argv[2]!, ...argv.slice(3)];
      });
    expect(norm(fed)).toEqual(norm(aof));
    expect(fed.length).toBeGreaterThan(20);
  } finally {
    await kv.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("lazy expiry (ManualClock): every command treats an expired key exactly as Redis treats a missing one", async () => {
  const clock = new ManualClock(Date.now());
  const kv = await startKv({ clock, config: { "enable-debug-command": "yes" } });
  const redis = await startRedis();
  try {
    const a = await RawConn.connect(kv.port);
    const b = await RawConn.connect(redis.port);
    // Both hold the live keys; only kv holds the e* keys, which then expire under its clock.
    const live: Cmd[] = [["SET", "live", "v"], ["SET", "live3", "v"], ["SET", "live4", "v"], ["SET", "live5", "v"], ["SELECT", "1"], ["SET", "keep", "v"], ["SELECT", "0"], ["SET", "live2", "v"]];
    for (const cmd of live) {
      await a.call(...cmd);
      await b.call(...cmd);
    }
    for (let i = 1; i <= 20; i++) {
      await a.call("SET", `e${i}`, "v");
      await a.call("PEXPIRE", `e${i}`, 1000 + i);
    }
    await a.call("RPUSH", "el", "x");
    await a.call("EXPIRE", "el", "5");
    await a.call("SELECT", "1");
    for (const k of ["live2", "e18"]) {
      await a.call("SET", k, "v");
      await a.call("EXPIRE", k, "3");
    }
    await a.call("SELECT", "0");
    await a.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
    clock.advance(10_000);
    const cmds: Cmd[] = [
      ["EXISTS", "e1", "e2", "live"],
      ["TYPE", "e1"],
      ["TYPE", "el"],
      ["TTL", "e1"],
      ["PTTL", "e1"],
      ["EXPIRETIME", "e1"],
      ["PEXPIRETIME", "e1"],
      ["PERSIST", "e1"],
      ["EXPIRE", "e1", "100"],
      ["PEXPIRE", "e1", "100"],
      ["EXPIREAT", "e1", "4102444800"],
      ["PEXPIREAT", "e1", "1"],
      ["OBJECT", "ENCODING", "e2"],
      ["OBJECT", "REFCOUNT", "e2"],
      ["OBJECT", "IDLETIME", "e2"],
      ["OBJECT", "FREQ", "e2"],
      ["TOUCH", "e2", "e3", "live"],
      ["DEL", "e3"],
      ["UNLINK", "e4"],
      ["RENAME", "e5", "x"],
      ["RENAMENX", "e5", "x"],
      ["RENAME", "live", "e6"],
      ["GET", "e6"],
      ["RENAMENX", "live3", "e7"],
      ["GET", "e7"],
      ["MOVE", "e8", "1"],
      ["MOVE", "live2", "1"],
      ["COPY", "e9", "y"],
      ["COPY", "live4", "e10"],
      ["GET", "e10"],
      ["COPY", "live5", "e18", "DB", "1"],
      ["KEYS", "e1*"],
      ["SCAN", "0", "MATCH", "e1[1-5]", "COUNT", "1000"],
      ["SCAN", "0", "TYPE", "string", "MATCH", "e1[6-7]", "COUNT", "1000"],
      ["SCAN", "0", "TYPE", "list", "COUNT", "1000"],
      ["DEL", "e6", "e7", "e10", "live4", "live5", "y"],
      ["KEYS", "*"],
      ["SCAN", "0", "COUNT", "1000"],
      ["DBSIZE"],
      ["RANDOMKEY"],
      ["SELECT", "1"],
      ["KEYS", "e*"],
      ["EXISTS", "keep", "live2", "e18"],
      ["TTL", "live2"],
      ["GET", "e18"],
    ];
    const ra: string[] = [];
    const rb: string[] = [];
    for (const cmd of cmds) {
      ra.push(await a.call(...cmd));
      rb.push(await b.call(...cmd));
    }
    a.close();
    b.close();
    // KEYS and SCAN order is not comparable in general, but here at most one key is listed.
    expect(transcript(cmds, ra)).toEqual(transcript(cmds, rb));
  } finally {
    await kv.stop();
    await redis.stop();
  }
});

test("SCAN ... TYPE none reports an expired key once (it is reclaimed by the type lookup), as Redis does", async () => {
  const clock = new ManualClock(Date.now());
  const kv = await startKv({ clock, config: { "enable-debug-command": "yes" } });
  const redis = await startRedis();
  try {
    const cmds: Cmd[] = [["DEBUG", "SET-ACTIVE-EXPIRE", "0"], ["SET", "a", "1"], ["SET", "b", "1"], ["PEXPIRE", "a", "1"]];
    const a = await RawConn.connect(kv.port);
    const b = await RawConn.connect(redis.port);
    for (const cmd of cmds) {
      await a.call(...cmd);
      await b.call(...cmd);
    }
    clock.advance(10);
    await Bun.sleep(5); // the oracle's clock only
    const after: Cmd[] = [["DBSIZE"], ["SCAN", "0", "TYPE", "none"], ["DBSIZE"], ["SCAN", "0", "TYPE", "none"], ["SCAN", "0", "TYPE", "string"]];
    const ra: string[] = [];
    const rb: string[] = [];
    for (const cmd of after) {
      ra.push(await a.call(...cmd));
      rb.push(await b.call(...cmd));
    }
    a.close();
    b.close();
    expect(transcript(after, ra)).toEqual(transcript(after, rb));
  } finally {
    await kv.stop();
    await redis.stop();
  }
});
