// Keyspace notifications against redis-server: a subscriber on each server (PSUBSCRIBE
// __key*__:*) records what every write publishes; the two message sequences must be identical,
// command by command. Scripted cases per family, expired/new/keymiss events, clients served by
// blocking pops, and a fast-check property over random write sequences and flag sets.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { RawConn } from "../support/conn.ts";
import { startPair, type Pair } from "../support/oracle.ts";
import { encodeCommand, type Arg } from "../support/resp.ts";
import { decode } from "../support/value.ts";

let pair: Pair;
beforeAll(async () => {
  pair = await startPair();
});
afterAll(async () => {
  await pair.stop();
});

let token = 0;

/** Frames conn received until the answer to a PING sent now (see test/commands/pubsub.test.ts). */
async function collect(conn: RawConn): Promise<string[]> {
  const t = `sync-${++token}`;
  await conn.send(encodeCommand(["PING", t]));
  const frames: string[] = [];
  for (;;) {
    const f = await conn.read();
    if (f.endsWith(`$${t.length}\r\n${t}\r\n`) && (f.startsWith("$") || f.includes("pong"))) return frames;
    frames.push(f);
  }
}

/** A pmessage frame as "channel payload". */
function message(frame: string): string {
  const v = decode(frame) as string[];
  return `${v[2]} ${v[3]}`;
}

/** A step: a command, or a pause (ms) before the next one. */
type Step = Arg[] | { sleep: number };

/**
 * On one server: flush, set the flags, subscribe, run steps; per command, its reply and the
 * notifications it caused. `blocker` commands run first on a third connection (blocking pops
 * that later writes serve).
 */
async function record(port: number, flags: string, steps: readonly Step[], blocker: readonly Arg[][] = []): Promise<string[]> {
  const w = await RawConn.connect(port);
  const sub = await RawConn.connect(port);
  const b = await RawConn.connect(port);
  try {
    await w.call("FLUSHALL");
    await w.call("CONFIG", "SET", "notify-keyspace-events", flags);
    await sub.call("PSUBSCRIBE", "__key*__:*");
    for (const cmd of blocker) await b.send(encodeCommand(cmd));
    if (blocker.length > 0) await Bun.sleep(50);
    const out: string[] = [];
    for (const s of steps) {
      if (!Array.isArray(s)) {
        await Bun.sleep(s.sleep);
        continue;
      }
      let reply = await w.call(...s);
      // Which members SPOP draws is random: compare how many.
      if (String(s[0]).toUpperCase() === "SPOP") reply = `spop of ${reply.startsWith("*") ? reply.split("\r\n")[0] : reply.startsWith("$-1") ? "nil" : "1"}`;
      const msgs = (await collect(sub)).map(message);
      out.push(`${s.map(String).join(" ")} => ${reply.length > 60 ? reply.slice(0, 60) + "…" : reply}\n    ${msgs.join(" | ")}`);
    }
    if (blocker.length > 0) out.push(`blocked client got: ${JSON.stringify(b.drain())}`);
    return out;
  } finally {
    await w.call("CONFIG", "SET", "notify-keyspace-events", "");
    w.close();
    sub.close();
    b.close();
  }
}

async function expectSameEvents(flags: string, steps: readonly Step[], blocker: readonly Arg[][] = []): Promise<void> {
  const kv = await record(pair.kv.port, flags, steps, blocker);
  const redis = await record(pair.redis.port, flags, steps, blocker);
  expect(kv).toEqual(redis);
}

const STRINGS: Step[] = [
  ["SET", "a", "1"], ["SET", "a", "2", "NX"], ["SET", "a", "3", "XX", "GET"], ["SET", "b", "3", "XX"],
  ["SET", "a", "4", "EX", "100"], ["SET", "a", "5", "KEEPTTL"], ["SETNX", "a", "x"], ["SETNX", "n", "x"],
  ["SETEX", "a", "100", "y"], ["PSETEX", "a", "100000", "y"], ["MSET", "a", "1", "b", "2"], ["MSETNX", "c", "1", "d", "2"],
  ["MSETNX", "c", "1", "e", "2"], ["GETSET", "a", "9"], ["GETSET", "g", "9"], ["GETDEL", "a"], ["GETDEL", "a"],
  ["SET", "a", "1"], ["GETEX", "a", "EX", "100"], ["GETEX", "a", "PERSIST"], ["GETEX", "a", "PERSIST"], ["GETEX", "a"],
  ["GETEX", "a", "PX", "0"], ["GETEX", "a", "EXAT", "1"], ["APPEND", "a", "x"], ["APPEND", "a", "x"], ["INCR", "a"],
  ["SET", "i", "1"], ["INCR", "i"], ["DECR", "i"], ["INCRBY", "i", "5"], ["DECRBY", "i", "5"], ["INCRBYFLOAT", "i", "1.5"],
  ["SETRANGE", "i", "1", "zz"], ["SETRANGE", "nn", "0", ""], ["SETRANGE", "nn", "2", "x"], ["SETRANGE", "i", "0", ""],
  ["SET", "a", "1", "EX", "0"], ["SET", "big", "1", "PXAT", "99999999999999"],
  ["SETBIT", "bt", "3", "1"], ["SETBIT", "bt", "3", "1"], ["SETBIT", "bt", "3", "0"], ["SETBIT", "bt", "100", "0"],
  ["SET", "s1", "abc"], ["BITOP", "AND", "d", "s1", "zz"], ["BITOP", "OR", "d", "s1"], ["BITOP", "AND", "d", "zz"],
  ["BITOP", "NOT", "e", "zz"], ["BITFIELD", "f", "GET", "u8", "0"], ["BITFIELD", "f", "SET", "u8", "0", "1"],
  ["BITFIELD", "f", "SET", "u8", "0", "1"], ["BITFIELD", "f", "INCRBY", "u8", "0", "0"],
  ["BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "255"], ["BITFIELD", "g2", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "256"],
  ["SET", "bb", "x"], ["SETBIT", "bb", "1", "1"],
];

const KEYS: Step[] = [
  ["SET", "a", "1"], ["DEL", "a", "b"], ["MSET", "a", "1", "b", "2", "c", "3"], ["DEL", "a", "b", "zz"], ["UNLINK", "c"],
  ["SET", "a", "1"], ["RENAME", "a", "b"], ["SET", "c", "1"], ["RENAME", "b", "c"], ["RENAME", "c", "c"], ["RENAMENX", "c", "c"],
  ["SET", "d", "1"], ["RENAMENX", "c", "d"], ["RENAMENX", "c", "e"], ["RENAME", "nokey", "x"], ["COPY", "e", "f"], ["COPY", "e", "f"],
  ["COPY", "e", "f", "REPLACE"], ["COPY", "e", "f", "DB", "2"], ["MOVE", "f", "1"], ["MOVE", "f", "1"], ["SET", "f", "1"],
  ["MOVE", "f", "1"], ["EXPIRE", "f", "100"], ["EXPIRE", "e", "100"], ["EXPIRE", "e", "100", "NX"], ["PEXPIRE", "e", "200000", "GT"],
  ["PEXPIRE", "e", "100", "GT"], ["EXPIREAT", "e", "99999999999"], ["PEXPIREAT", "e", "99999999999999"], ["PERSIST", "e"], ["PERSIST", "e"],
  ["EXPIRE", "e", "-1"], ["SET", "e", "1"], ["PEXPIREAT", "e", "1"], ["TOUCH", "d"], ["SELECT", "1"], ["DEL", "f"],
  ["SET", "x", "1"], ["COPY", "x", "y", "DB", "0"], ["SELECT", "0"], ["DEL", "y"],
];

const LISTS: Step[] = [
  ["LPUSHX", "l", "a"], ["RPUSH", "l", "a", "b", "c", "d"], ["LPUSHX", "l", "z"], ["RPUSHX", "l", "y"], ["LPOP", "l", "0"],
  ["LPOP", "l", "2"], ["RPOP", "l", "0"], ["LPOP", "nx", "2"], ["LINSERT", "l", "BEFORE", "c", "q"], ["LINSERT", "l", "AFTER", "nope", "q"],
  ["LSET", "l", "0", "v"], ["LREM", "l", "0", "nope"], ["LREM", "l", "0", "v"], ["LTRIM", "l", "0", "-1"], ["LTRIM", "l", "0", "0"],
  ["LTRIM", "l", "5", "1"], ["LTRIM", "nx", "0", "1"], ["RPUSH", "m", "1", "2"], ["LMOVE", "m", "m", "LEFT", "LEFT"],
  ["LMOVE", "m", "n", "LEFT", "LEFT"], ["LMOVE", "m", "n", "LEFT", "RIGHT"], ["LMPOP", "2", "x", "n", "RIGHT", "COUNT", "5"],
  ["RPUSH", "p", "1"], ["BLPOP", "p", "0"], ["RPUSH", "p", "1"], ["BLMOVE", "p", "p2", "LEFT", "RIGHT", "0"],
  ["BLMPOP", "0", "1", "p2", "LEFT"], ["RPUSH", "p", "1", "2", "3"], ["LREM", "p", "1", "2"], ["LREM", "p", "0", "1"],
  ["LREM", "p", "-1", "3"], ["RPUSH", "q", "1"], ["RPOPLPUSH", "q", "q"], ["RPOP", "q"], ["LPUSH", "q", "1", "2"],
  ["BRPOPLPUSH", "q", "r", "0"], ["BRPOP", "q", "r", "0"], ["LPOP", "r"], ["LPUSH", "s", "3", "1", "2"],
  ["SORT", "s", "STORE", "d"], ["SORT", "s", "STORE", "d"], ["SORT", "nx", "STORE", "d"], ["SORT", "nx", "STORE", "d"],
];

const HASHES: Step[] = [
  ["HSET", "h", "a", "1", "b", "2"], ["HSET", "h", "a", "1"], ["HSETNX", "h", "a", "1"], ["HSETNX", "h", "c", "1"],
  ["HMSET", "h", "a", "2"], ["HDEL", "h", "zz"], ["HDEL", "h", "a", "zz"], ["HINCRBY", "h", "n", "1"],
  ["HINCRBYFLOAT", "h", "f", "1.5"], ["HDEL", "h", "b", "c", "n", "f"], ["HINCRBY", "h2", "x", "0"], ["HSETNX", "h3", "a", "1"],
  ["HINCRBY", "h3", "a", "x"], ["HSET", "h3", "a", "x"], ["HINCRBY", "h3", "a", "1"], ["HINCRBYFLOAT", "h3", "a", "1"],
];

const SETS: Step[] = [
  ["SADD", "s", "a", "b", "c"], ["SADD", "s", "a"], ["SREM", "s", "zz"], ["SREM", "s", "a"], ["SPOP", "s", "0"],
  ["SPOP", "s", "10"], ["SADD", "s", "a", "b"], ["SMOVE", "s", "t", "a"], ["SMOVE", "s", "t", "zz"], ["SMOVE", "s", "t", "b"],
  ["SMOVE", "t", "t", "a"], ["SADD", "u", "1", "2"], ["SINTERSTORE", "d", "t", "u"], ["SUNIONSTORE", "d", "t", "u"],
  ["SUNIONSTORE", "d", "t", "u"], ["SDIFFSTORE", "d", "t", "u"], ["SINTERSTORE", "d", "nx"], ["SINTERSTORE", "d", "nx"],
  ["SADD", "v", "1"], ["SPOP", "v"], ["SADD", "w", "1", "2"], ["SADD", "w2", "1"], ["SMOVE", "w", "w2", "1"],
  ["SMOVE", "w", "w2", "2"], ["SREM", "w2", "1", "2"], ["SADD", "x", "1", "2", "3"], ["SPOP", "x", "2"], ["SPOP", "x", "1"],
];

const ZSETS: Step[] = [
  ["ZADD", "z", "1", "a", "2", "b"], ["ZADD", "z", "1", "a"], ["ZADD", "z", "NX", "5", "a"], ["ZADD", "z", "XX", "5", "zz"],
  ["ZADD", "z", "INCR", "1", "a"], ["ZADD", "z", "GT", "0", "a"], ["ZADD", "z2", "XX", "1", "a"], ["ZADD", "z2", "GT", "INCR", "1", "a"],
  ["ZADD", "z", "CH", "3", "a"], ["ZINCRBY", "z", "1", "a"], ["ZINCRBY", "z", "0", "q"], ["ZADD", "z", "INCR", "0", "a"],
  ["ZREM", "z", "nope"], ["ZREM", "z", "q"], ["ZREMRANGEBYSCORE", "z", "100", "200"], ["ZREMRANGEBYSCORE", "z", "0", "2"],
  ["ZADD", "z", "1", "a", "2", "b", "3", "c"], ["ZREMRANGEBYRANK", "z", "0", "0"], ["ZREMRANGEBYLEX", "z", "[a", "[b"],
  ["ZREMRANGEBYRANK", "z", "0", "-1"], ["ZADD", "z", "1", "a", "2", "b", "3", "c"], ["ZPOPMIN", "z"], ["ZPOPMAX", "z", "0"],
  ["ZPOPMAX", "z", "5"], ["ZPOPMIN", "nx"], ["ZADD", "y", "1", "a", "2", "b"], ["ZADD", "x", "1", "b"],
  ["ZUNIONSTORE", "d", "2", "x", "y"], ["ZINTERSTORE", "d", "2", "x", "y"], ["ZDIFFSTORE", "d", "2", "y", "x"],
  ["ZINTERSTORE", "d", "1", "nx"], ["ZINTERSTORE", "d", "1", "nx"], ["ZRANGESTORE", "d", "y", "0", "-1"],
  ["ZRANGESTORE", "d", "y", "5", "6"], ["ZMPOP", "1", "y", "MIN", "COUNT", "5"], ["ZADD", "y", "1", "a"], ["BZPOPMIN", "y", "0"],
  ["ZADD", "y", "1", "a"], ["BZMPOP", "0", "1", "y", "MAX"], ["ZREM", "x", "b"], ["ZADD", "w", "inf", "a"],
  ["ZADD", "w", "INCR", "-inf", "a"],
];

describe("every write family publishes Redis's events (KEA plus new keys)", () => {
  const families: [string, Step[]][] = [["strings and bitmaps", STRINGS], ["keys and expiry", KEYS], ["lists and SORT STORE", LISTS], ["hashes", HASHES], ["sets", SETS], ["sorted sets", ZSETS]];
  for (const [name, steps] of families) {
    test(name, async () => {
      await expectSameEvents("KEA", steps);
      await expectSameEvents("KEAn", steps);
    });
  }
});

describe("flag classes select what is published", () => {
  const mixed: Step[] = [
    ["SET", "a", "1"], ["EXPIRE", "a", "100"], ["RPUSH", "l", "x"], ["HSET", "h", "f", "v"], ["SADD", "s", "m"],
    ["ZADD", "z", "1", "m"], ["DEL", "a", "l", "h", "s", "z"], ["GET", "nokey"], ["SET", "b", "1", "PX", "1"], { sleep: 20 }, ["GET", "b"],
  ];
  for (const flags of ["", "K", "E", "g", "A", "KEA", "Kl", "Exe", "KEn", "K$", "Eg", "KEhzs", "KEm", "Km", "En", "Ax", "KEx", "tmdn", "KEAmn"]) {
    test(`flags "${flags}"`, async () => {
      await expectSameEvents(flags, mixed);
    });
  }
});

describe("expired, new and keymiss events", () => {
  test("a key that expires is reported as expired when accessed (or found by the active cycle)", async () => {
    await expectSameEvents("KEA", [
      ["SET", "e1", "v"], ["PEXPIRE", "e1", "1"], { sleep: 30 }, ["GET", "e1"],
      ["RPUSH", "e2", "v"], ["PEXPIRE", "e2", "1"], { sleep: 30 }, ["LPUSH", "e2", "w"],
      ["SET", "e3", "v", "PX", "1"], { sleep: 30 }, ["EXISTS", "e3"], ["SET", "e4", "v", "PX", "1"], { sleep: 30 }, ["SET", "e4", "w"],
    ]);
  });

  test("the active expire cycle reports expired keys nobody touches", async () => {
    const run = async (port: number) => {
      const w = await RawConn.connect(port);
      const sub = await RawConn.connect(port);
      try {
        await w.call("FLUSHALL");
        await w.call("CONFIG", "SET", "notify-keyspace-events", "Ex");
        await sub.call("SUBSCRIBE", "__keyevent@0__:expired");
        for (let i = 0; i < 5; i++) await w.call("SET", `ae:${i}`, "v", "PX", "10");
        const got: string[] = [];
        const deadline = Date.now() + 5000;
        while (got.length < 5 && Date.now() < deadline) got.push(...(await collect(sub)).map((f) => (decode(f) as string[])[2]!));
        return got.sort();
      } finally {
        await w.call("CONFIG", "SET", "notify-keyspace-events", "");
        w.close();
        sub.close();
      }
    };
    const [kv, redis] = await Promise.all([run(pair.kv.port), run(pair.redis.port)]);
    expect(kv).toEqual(["ae:0", "ae:1", "ae:2", "ae:3", "ae:4"]);
    expect(kv).toEqual(redis);
  });

  test("new: only with 'n', for every way a key is created (CONFIG GET still prints A without n)", async () => {
    await expectSameEvents("KEn", [
      ["SET", "n1", "v"], ["SET", "n1", "w"], ["RPUSH", "n2", "a"], ["HSET", "n3", "f", "v"], ["SADD", "n4", "m"], ["ZADD", "n5", "1", "m"],
      ["SETBIT", "n6", "1", "1"], ["INCR", "n7"], ["APPEND", "n8", "x"], ["RENAME", "n1", "n9"], ["COPY", "n9", "n10"],
      ["MOVE", "n10", "3"], ["LMOVE", "n2", "n11", "LEFT", "LEFT"], ["SUNIONSTORE", "n12", "n4"], ["ZUNIONSTORE", "n13", "1", "n5"],
      ["CONFIG", "GET", "notify-keyspace-events"], ["CONFIG", "SET", "notify-keyspace-events", "AKEn"],
      ["CONFIG", "GET", "notify-keyspace-events"], ["SET", "n14", "v"],
    ]);
  });

  test("keymiss: read lookups that find nothing (not write lookups, not OBJECT)", async () => {
    await expectSameEvents("KEm", [
      ["GET", "m1"], ["MGET", "m1", "m2"], ["EXISTS", "m1"], ["TYPE", "m1"], ["TTL", "m1"], ["PTTL", "m1"], ["TOUCH", "m1"],
      ["STRLEN", "m1"], ["GETRANGE", "m1", "0", "1"], ["GETDEL", "m1"], ["GETEX", "m1"], ["LRANGE", "m1", "0", "1"],
      ["LLEN", "m1"], ["LINDEX", "m1", "0"], ["HGET", "m1", "f"], ["HGETALL", "m1"], ["SMEMBERS", "m1"], ["SCARD", "m1"],
      ["SINTER", "m1", "m2"], ["ZSCORE", "m1", "a"], ["ZRANGE", "m1", "0", "1"], ["ZUNIONSTORE", "m3", "2", "m1", "m2"],
      ["SINTERSTORE", "m3", "m1"], ["OBJECT", "ENCODING", "m1"], ["SET", "m1", "v"], ["GET", "m1"], ["INCR", "m4"],
      ["LPUSH", "m5", "a"], ["GETBIT", "m6", "0"], ["BITCOUNT", "m6"], ["BITFIELD_RO", "m6", "GET", "u8", "0"],
    ]);
  });
});

describe("clients served by blocking pops publish their pops", () => {
  test("BLPOP, BLMOVE, BZPOPMIN and BLMPOP served by another client's write", async () => {
    await expectSameEvents("KEA", [["RPUSH", "bl1", "a", "b"], ["RPUSH", "bl2", "x"], ["ZADD", "bz", "1", "m"], ["RPUSH", "bl3", "1", "2", "3"]], [
      ["BLPOP", "bl1", "0"],
      ["BLMOVE", "bl2", "bl2dst", "RIGHT", "LEFT", "0"],
      ["BZPOPMIN", "bz", "0"],
      ["BLMPOP", "0", "1", "bl3", "RIGHT", "COUNT", "2"],
    ]);
  });
});

describe("property: random write sequences publish the same events on both servers", () => {
  const key = fc.constantFrom("k1", "k2", "k3", "k4");
  const val = fc.constantFrom("1", "2", "10", "a", "b");
  const cmd: fc.Arbitrary<Arg[]> = fc.oneof(
    // strings
    fc.tuple(key, val, fc.constantFrom([], ["NX"], ["XX"], ["GET"], ["EX", "100"], ["KEEPTTL"], ["PX", "100000", "GET"])).map(([k, v, o]) => ["SET", k, v, ...o]),
    fc.tuple(key, val).map(([k, v]) => ["SETNX", k, v]),
    fc.tuple(key, val, key, val).map(([k, v, k2, v2]) => ["MSET", k, v, k2, v2]),
    fc.tuple(key, val).map(([k, v]) => ["GETSET", k, v]),
    key.map((k) => ["GETDEL", k]),
    fc.tuple(key, fc.constantFrom(["EX", "100"], ["PERSIST"], [])).map(([k, o]) => ["GETEX", k, ...o]),
    fc.tuple(key, val).map(([k, v]) => ["APPEND", k, v]),
    fc.tuple(fc.constantFrom("INCR", "DECR"), key).map(([c, k]) => [c, k]),
    fc.tuple(key, fc.constantFrom("INCRBY", "INCRBYFLOAT"), fc.constantFrom("1", "-2", "0")).map(([k, c, n]) => [c, k, n]),
    fc.tuple(key, fc.constantFrom("0", "3"), val).map(([k, o, v]) => ["SETRANGE", k, o, v]),
    fc.tuple(key, fc.constantFrom("0", "7", "20"), fc.constantFrom("0", "1")).map(([k, o, b]) => ["SETBIT", k, o, b]),
    fc.tuple(fc.constantFrom("AND", "OR"), key, key).map(([op, d, s]) => ["BITOP", op, d, s]),
    fc.tuple(key, fc.constantFrom("0", "1", "300")).map(([k, v]) => ["BITFIELD", k, "SET", "u8", "0", v]),
    // keys and expiry
    fc.tuple(key, key).map(([a, b]) => ["DEL", a, b]),
    key.map((k) => ["UNLINK", k]),
    fc.tuple(fc.constantFrom("RENAME", "RENAMENX"), key, key).map(([c, a, b]) => [c, a, b]),
    fc.tuple(key, key, fc.constantFrom([], ["REPLACE"])).map(([a, b, o]) => ["COPY", a, b, ...o]),
    key.map((k) => ["MOVE", k, "1"]),
    key.map((k) => ["EXPIRE", k, "100"]),
    // Conditional forms use absolute times: "EXPIRE k 100 GT" right after "SET k v EX 100" ties
    // or not depending on whether a millisecond passed, on either server.
    fc.tuple(key, fc.constantFrom("4102444800", "4102444900"), fc.constantFrom([], ["NX"], ["XX"], ["GT"], ["LT"])).map(([k, t, o]) => ["EXPIREAT", k, t, ...o]),
    key.map((k) => ["PEXPIREAT", k, "1"]),
    key.map((k) => ["PERSIST", k]),
    // lists
    fc.tuple(fc.constantFrom("LPUSH", "RPUSH", "LPUSHX", "RPUSHX"), key, val).map(([c, k, v]) => [c, k, v]),
    fc.tuple(fc.constantFrom("LPOP", "RPOP"), key, fc.constantFrom([], ["2"], ["0"])).map(([c, k, o]) => [c, k, ...o]),
    fc.tuple(key, val, val).map(([k, p, v]) => ["LINSERT", k, "BEFORE", p, v]),
    fc.tuple(key, val).map(([k, v]) => ["LSET", k, "0", v]),
    fc.tuple(key, val).map(([k, v]) => ["LREM", k, "0", v]),
    fc.tuple(key, fc.constantFrom("0", "1", "5")).map(([k, s]) => ["LTRIM", k, s, "2"]),
    fc.tuple(key, key, fc.constantFrom("LEFT", "RIGHT"), fc.constantFrom("LEFT", "RIGHT")).map(([a, b, f, t]) => ["LMOVE", a, b, f, t]),
    fc.tuple(key, key).map(([a, b]) => ["RPOPLPUSH", a, b]),
    fc.tuple(key, key).map(([a, b]) => ["LMPOP", "2", a, b, "LEFT", "COUNT", "2"]),
    fc.tuple(key, key).map(([a, b]) => ["SORT", a, "STORE", b]),
    // hashes
    fc.tuple(key, val, val).map(([k, f, v]) => ["HSET", k, f, v]),
    fc.tuple(key, val, val).map(([k, f, v]) => ["HSETNX", k, f, v]),
    fc.tuple(key, val, val).map(([k, f, g]) => ["HDEL", k, f, g]),
    fc.tuple(fc.constantFrom("HINCRBY", "HINCRBYFLOAT"), key, val).map(([c, k, f]) => [c, k, f, "1"]),
    // sets
    fc.tuple(key, val, val).map(([k, a, b]) => ["SADD", k, a, b]),
    fc.tuple(key, val).map(([k, m]) => ["SREM", k, m]),
    key.map((k) => ["SPOP", k, "100"]),
    fc.tuple(key, key, val).map(([a, b, m]) => ["SMOVE", a, b, m]),
    fc.tuple(fc.constantFrom("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"), key, key, key).map(([c, d, a, b]) => [c, d, a, b]),
    // sorted sets
    fc.tuple(key, fc.constantFrom([], ["NX"], ["XX"], ["GT"], ["CH"], ["INCR"]), fc.constantFrom("1", "2", "-1"), val).map(([k, o, s, m]) => ["ZADD", k, ...o, s, m]),
    fc.tuple(key, val).map(([k, m]) => ["ZINCRBY", k, "1", m]),
    fc.tuple(key, val).map(([k, m]) => ["ZREM", k, m]),
    fc.tuple(key, fc.constantFrom(["ZREMRANGEBYSCORE", "0", "1"], ["ZREMRANGEBYRANK", "0", "0"], ["ZREMRANGEBYLEX", "-", "[b"])).map(([k, [c, a, b]]) => [c!, k, a!, b!]),
    fc.tuple(fc.constantFrom("ZPOPMIN", "ZPOPMAX"), key, fc.constantFrom([], ["2"])).map(([c, k, o]) => [c, k, ...o]),
    fc.tuple(fc.constantFrom("ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"), key, key, key).map(([c, d, a, b]) => [c, d, "2", a, b]),
    fc.tuple(key, key).map(([d, s]) => ["ZRANGESTORE", d, s, "0", "1"]),
    fc.tuple(key, key).map(([a, b]) => ["ZMPOP", "2", a, b, "MAX"]),
    // a few reads (keymiss events)
    fc.tuple(fc.constantFrom("GET", "LLEN", "SCARD", "ZCARD", "HLEN", "EXISTS", "TYPE", "TTL"), key).map(([c, k]) => [c, k]),
  );

  test("random commands under random flag sets", async () => {
    const flags = fc.constantFrom("KEA", "KEAn", "Kl", "Exe", "KEn", "Kg$", "Ehsz", "KEm", "AKEmn", "Kx");
    await fc.assert(
      fc.asyncProperty(flags, fc.array(cmd, { minLength: 10, maxLength: 60 }), async (f, steps) => {
        const kv = await record(pair.kv.port, f, steps);
        const redis = await record(pair.redis.port, f, steps);
        if (process.env.NOTIFY_DEBUG) console.log(f, steps.length, kv.length, kv.join("\n").length);
        expect(kv).toEqual(redis);
      }),
      { numRuns: Number(process.env.NOTIFY_RUNS ?? 60) },
    );
  }, 120_000);
});
