// Hash commands against real redis-server: every command, option and error compared byte for
// byte (RESP2 and RESP3), encoding transitions, HRANDFIELD/HSCAN shapes, propagation of
// HINCRBYFLOAT, COMMAND INFO facts, and fast-check properties (random command sequences
// compared reply by reply; HSCAN's guarantee under concurrent writes).
import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RawConn } from "../support/conn.ts";
import { runBoth, startPair, transcript, type Pair } from "../support/oracle.ts";
import { startKv, startRedis, type KvRunning, type Running } from "../support/servers.ts";
import type { Arg } from "../support/resp.ts";
import type { PropArg } from "../../src/propagation.ts";
import type { TypedValue } from "../../src/types/value.ts";
import { aclCategories } from "../../src/commands/spec.ts";

let pair: Pair;
beforeAll(async () => {
  pair = await startPair();
});
afterAll(async () => {
  await pair.stop();
});

async function same(cmds: Arg[][]): Promise<void> {
  const { kv, redis } = await runBoth(pair, cmds);
  expect(transcript(cmds, kv)).toEqual(transcript(cmds, redis));
}

/**
 * Replies in RESP3 from both servers, after HELLO 3 (whose reply differs by design and is not
 * returned). Until kvserver has HELLO, its connection is switched to RESP3 in-process instead.
 */
async function runBoth3(cmds: readonly Arg[][]): Promise<{ kv: string[]; redis: string[] }> {
  const [a, b] = await Promise.all([RawConn.connect(pair.kv.port), RawConn.connect(pair.redis.port)]);
  try {
    expect((await b.call("HELLO", "3"))[0]).toBe("%");
    if ((await a.call("HELLO", "3"))[0] !== "%") {
      const newest = Math.max(...pair.kv.server.clients.keys());
      pair.kv.server.clients.get(newest)!.reply.proto = 3;
    }
    const kv: string[] = [];
    const redis: string[] = [];
    for (const cmd of cmds) {
      kv.push(await a.call(...cmd));
      redis.push(await b.call(...cmd));
    }
    return { kv, redis };
  } finally {
    a.close();
    b.close();
  }
}

async function same3(cmds: Arg[][]): Promise<void> {
  const { kv, redis } = await runBoth3(cmds);
  expect(transcript(cmds, kv)).toEqual(transcript(cmds, redis));
}

// ---- a small test-side RESP reader (independent of src/resp) ----

interface R {
  /** The RESP type byte: + - : $ * % ~ _ , # … */
  t: string;
  s: string | null;
  items: R[];
}

function parseAt(buf: string, pos: number): [R, number] {
  const t = buf[pos]!;
  const eol = buf.indexOf("\r\n", pos);
  const line = buf.slice(pos + 1, eol);
  let p = eol + 2;
  if (t === "$" || t === "=") {
    const n = Number(line);
    if (n < 0) return [{ t, s: null, items: [] }, p];
    return [{ t, s: buf.slice(p, p + n), items: [] }, p + n + 2];
  }
  if (t === "*" || t === "%" || t === "~") {
    const n = Number(line);
    if (n < 0) return [{ t, s: null, items: [] }, p];
    const items: R[] = [];
    for (let i = 0; i < (t === "%" ? 2 * n : n); i++) {
      const [r, q] = parseAt(buf, p);
      items.push(r);
      p = q;
    }
    return [{ t, s: null, items }, p];
  }
  return [{ t, s: line, items: [] }, p];
}

function parse(reply: string): R {
  const [r, end] = parseAt(reply, 0);
  expect(end).toBe(reply.length);
  return r;
}

/** Bulk strings of a flat array (or map) reply. */
function strings(reply: string): string[] {
  return parse(reply).items.map((i) => i.s!);
}

/** Field → value pairs of a flat [f, v, f, v …] list, sorted by field. */
function sortedPairs(flat: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
}

/** Our value's encoding, read in-process (OBJECT ENCODING lives with the keys commands). */
function kvEncoding(key: string, kv: KvRunning = pair.kv): string | null {
  const v = kv.server.dbs[0]!.peek(key);
  return v === undefined ? null : typeof v === "object" ? (v as TypedValue).encoding() : "string";
}

async function redisEncoding(key: string, port = pair.redis.port): Promise<string | null> {
  const c = await RawConn.connect(port);
  try {
    return parse(await c.call("OBJECT", "ENCODING", key)).s;
  } finally {
    c.close();
  }
}

async function expectEncoding(key: string, want: string): Promise<void> {
  expect(`${key}: ${await redisEncoding(key)}`).toBe(`${key}: ${want}`);
  expect(`${key}: ${kvEncoding(key)}`).toBe(`${key}: ${want}`);
}

/** CONFIG SET on both servers (kvserver in-process, so this does not depend on its CONFIG). */
async function configBoth(name: string, value: string): Promise<void> {
  expect(pair.kv.server.config.set(name, value)).toBeNull();
  const c = await RawConn.connect(pair.redis.port);
  try {
    expect(await c.call("CONFIG", "SET", name, value)).toBe("+OK\r\n");
  } finally {
    c.close();
  }
}

// ---- byte-exact differential cases ----

test("HSET HMSET HSETNX HGET HMGET: replies, updates, binary data, arity, WRONGTYPE", async () => {
  await same([
    ["HSET", "hs:a", "f1", "v1"],
    ["HSET", "hs:a", "f1", "v1b", "f2", "v2", "f3", "v3"],
    ["HSET", "hs:a", "f2", "x", "f2", "y"],
    ["HGET", "hs:a", "f1"],
    ["HGET", "hs:a", "f2"],
    ["HGET", "hs:a", "nope"],
    ["HGET", "hs:missing", "f1"],
    ["HMGET", "hs:a", "f1", "nope", "f3", "f1"],
    ["HMGET", "hs:missing", "a", "b"],
    ["HMSET", "hs:b", "a", "1", "b", "2"],
    ["HMSET", "hs:b", "a", "3"],
    ["HGETALL", "hs:b"],
    ["HSETNX", "hs:b", "a", "9"],
    ["HSETNX", "hs:b", "c", "9"],
    ["HSETNX", "hs:new", "c", "9"],
    ["HGETALL", "hs:b"],
    ["HGETALL", "hs:new"],
    ["HSET", "hs:bin", "\x00\xff\r\n", "", "", "\x00"],
    ["HGET", "hs:bin", "\x00\xff\r\n"],
    ["HGET", "hs:bin", ""],
    ["HGETALL", "hs:bin"],
    // arity (checked centrally) and HSET/HMSET's own pair check
    ["HSET", "hs:a"],
    ["HSET", "hs:a", "f"],
    ["HSET", "hs:a", "f", "v", "g"],
    ["HMSET", "hs:a", "f"],
    ["HMSET", "hs:a", "f", "v", "g"],
    ["HSETNX", "hs:a", "f"],
    ["HSETNX", "hs:a", "f", "v", "x"],
    ["HGET", "hs:a"],
    ["HGET", "hs:a", "f", "g"],
    ["HMGET", "hs:a"],
    // WRONGTYPE, and arity errors before the type check
    ["SET", "hs:str", "v"],
    ["HSET", "hs:str", "f", "v"],
    ["HSET", "hs:str", "f"],
    ["HSET", "hs:str", "f", "v", "g"],
    ["HMSET", "hs:str", "f", "v"],
    ["HSETNX", "hs:str", "f", "v"],
    ["HGET", "hs:str", "f"],
    ["HMGET", "hs:str", "f"],
    ["GET", "hs:str"],
    ["GET", "hs:a"],
  ]);
});

test("HDEL HLEN HSTRLEN HEXISTS: counts, duplicates, an emptied hash leaves the keyspace", async () => {
  await same([
    ["HSET", "hd:a", "a", "1", "b", "22", "c", "", "d", "4444"],
    ["HLEN", "hd:a"],
    ["HLEN", "hd:missing"],
    ["HSTRLEN", "hd:a", "b"],
    ["HSTRLEN", "hd:a", "c"],
    ["HSTRLEN", "hd:a", "nope"],
    ["HSTRLEN", "hd:missing", "b"],
    ["HEXISTS", "hd:a", "a"],
    ["HEXISTS", "hd:a", "nope"],
    ["HEXISTS", "hd:missing", "a"],
    ["HDEL", "hd:a", "a", "a", "nope"],
    ["HDEL", "hd:a", "nope"],
    ["HDEL", "hd:missing", "a"],
    ["HLEN", "hd:a"],
    ["HDEL", "hd:a", "b", "c", "d", "b"],
    ["HLEN", "hd:a"],
    ["HGETALL", "hd:a"],
    // The key is gone (not an empty hash): GET sees no key instead of WRONGTYPE.
    ["GET", "hd:a"],
    ["SET", "hd:a", "now a string"],
    ["GET", "hd:a"],
    ["HDEL", "hd:a"],
    ["HLEN"],
    ["HLEN", "hd:a", "x"],
    ["HSTRLEN", "hd:a"],
    ["HEXISTS", "hd:a"],
    ["HDEL", "hd:a", "x"],
    ["HLEN", "hd:a"],
    ["HSTRLEN", "hd:a", "x"],
    ["HEXISTS", "hd:a", "x"],
  ]);
});

test("HGETALL HKEYS HVALS: a small (listpack) hash replies in insertion order", async () => {
  await same([
    ["HSET", "ho:a", "z", "1", "a", "2", "m", "3"],
    ["HSET", "ho:a", "a", "2b", "q", "4"],
    ["HDEL", "ho:a", "z"],
    ["HSET", "ho:a", "z", "5"],
    ["HINCRBY", "ho:a", "n", "7"],
    ["HINCRBYFLOAT", "ho:a", "m", "0.5"],
    ["HGETALL", "ho:a"],
    ["HKEYS", "ho:a"],
    ["HVALS", "ho:a"],
    ["HGETALL", "ho:missing"],
    ["HKEYS", "ho:missing"],
    ["HVALS", "ho:missing"],
    ["HGETALL"],
    ["HKEYS", "ho:a", "x"],
    ["HVALS"],
    ["SET", "ho:str", "v"],
    ["HGETALL", "ho:str"],
    ["HKEYS", "ho:str"],
    ["HVALS", "ho:str"],
  ]);
});

test("a hashtable-encoded hash holds the same fields and values (compared sorted)", async () => {
  const cmds: Arg[][] = [];
  for (let i = 0; i < 300; i++) cmds.push(["HSET", "hb:a", `field:${i}`, `value:${i * 7}`]);
  for (let i = 0; i < 300; i += 3) cmds.push(["HDEL", "hb:a", `field:${i}`]);
  cmds.push(["HSET", "hb:a", "long", "x".repeat(100)]);
  await same(cmds);
  const { kv, redis } = await runBoth(pair, [["HGETALL", "hb:a"], ["HKEYS", "hb:a"], ["HVALS", "hb:a"], ["HLEN", "hb:a"]]);
  expect(sortedPairs(strings(kv[0]!))).toEqual(sortedPairs(strings(redis[0]!)));
  expect(strings(kv[1]!).sort()).toEqual(strings(redis[1]!).sort());
  expect(strings(kv[2]!).sort()).toEqual(strings(redis[2]!).sort());
  expect(kv[3]).toBe(redis[3]!);
  expect(strings(kv[0]!).length).toBe(2 * 201);
  await expectEncoding("hb:a", "hashtable");
});

test("HINCRBY: int64 arithmetic, overflow, non-integer values and increments", async () => {
  await same([
    ["HINCRBY", "hi:a", "n", "5"],
    ["HINCRBY", "hi:a", "n", "-12"],
    ["HINCRBY", "hi:a", "n", "0"],
    ["HSET", "hi:a", "big", "9223372036854775806", "small", "-9223372036854775807"],
    ["HINCRBY", "hi:a", "big", "1"],
    ["HINCRBY", "hi:a", "big", "1"],
    ["HINCRBY", "hi:a", "small", "-1"],
    ["HINCRBY", "hi:a", "small", "-1"],
    ["HINCRBY", "hi:a", "small", "9223372036854775807"],
    ["HINCRBY", "hi:a", "x", "-9223372036854775808"],
    ["HINCRBY", "hi:a", "x", "-1"],
    ["HINCRBY", "hi:a", "y", "9223372036854775807"],
    ["HINCRBY", "hi:a", "y", "1"],
    ["HINCRBY", "hi:a", "z", "9007199254740993"],
    ["HINCRBY", "hi:a", "z", "2"],
    ["HGETALL", "hi:a"],
    ["HSET", "hi:a", "s", "abc", "f", "1.5", "sp", " 1", "lead", "01", "e", "", "neg0", "-0", "long", "123456789012345678901"],
    ["HINCRBY", "hi:a", "s", "1"],
    ["HINCRBY", "hi:a", "f", "1"],
    ["HINCRBY", "hi:a", "sp", "1"],
    ["HINCRBY", "hi:a", "lead", "1"],
    ["HINCRBY", "hi:a", "e", "1"],
    ["HINCRBY", "hi:a", "neg0", "1"],
    ["HINCRBY", "hi:a", "long", "1"],
    ["HINCRBY", "hi:a", "n", "x"],
    ["HINCRBY", "hi:a", "n", "1.0"],
    ["HINCRBY", "hi:a", "n", "01"],
    ["HINCRBY", "hi:a", "n", "+1"],
    ["HINCRBY", "hi:a", "n", " 1"],
    ["HINCRBY", "hi:a", "n", "9223372036854775808"],
    ["HINCRBY", "hi:a", "n", ""],
    ["HINCRBY", "hi:missing", "n", "x"],
    ["HINCRBY", "hi:a", "n"],
    ["HINCRBY", "hi:a", "n", "1", "2"],
    ["SET", "hi:str", "1"],
    ["HINCRBY", "hi:str", "n", "1"],
    ["HINCRBY", "hi:str", "n", "x"],
    ["GET", "hi:str"],
  ]);
});

test("HINCRBYFLOAT: long double results and formatting, errors in Redis's order", async () => {
  await same([
    ["HINCRBYFLOAT", "hf:a", "x", "0.1"],
    ["HINCRBYFLOAT", "hf:a", "x", "0.2"],
    ["HINCRBYFLOAT", "hf:a", "x", "-0.3"],
    ["HINCRBYFLOAT", "hf:a", "y", "10.50"],
    ["HINCRBYFLOAT", "hf:a", "y", "1e3"],
    ["HINCRBYFLOAT", "hf:a", "y", "5.0e3"],
    ["HINCRBYFLOAT", "hf:a", "y", "-16500"],
    ["HINCRBYFLOAT", "hf:a", "z", "3.0"],
    ["HINCRBYFLOAT", "hf:a", "z", "-0"],
    ["HINCRBYFLOAT", "hf:a", "w", "-0.0"],
    ["HINCRBYFLOAT", "hf:a", "h", "0x10"],
    ["HINCRBYFLOAT", "hf:a", "h", "1.23456789012345678901234567890"],
    ["HINCRBYFLOAT", "hf:a", "t", "1e-20"],
    ["HINCRBYFLOAT", "hf:a", "u", "1e4000"],
    ["HINCRBYFLOAT", "hf:a", "v", "1.7976931348623157e308"],
    ["HINCRBYFLOAT", "hf:a", "v", "1.7976931348623157e308"],
    ["HSET", "hf:a", "int", "9223372036854775807", "s", "abc", "sp", " 1", "inf", "inf", "ninf", "-inf", "e", "", "big", "1e5000", "nul", "12\x00ab"],
    ["HINCRBYFLOAT", "hf:a", "int", "0.5"],
    ["HINCRBYFLOAT", "hf:a", "s", "1"],
    ["HINCRBYFLOAT", "hf:a", "sp", "1"],
    ["HINCRBYFLOAT", "hf:a", "inf", "1"],
    ["HINCRBYFLOAT", "hf:a", "ninf", "1"],
    ["HINCRBYFLOAT", "hf:a", "e", "1"],
    ["HINCRBYFLOAT", "hf:a", "big", "1"],
    ["HINCRBYFLOAT", "hf:a", "nul", "1"],
    ["HINCRBYFLOAT", "hf:a", "x", "abc"],
    ["HINCRBYFLOAT", "hf:a", "x", ""],
    ["HINCRBYFLOAT", "hf:a", "x", " 1"],
    ["HINCRBYFLOAT", "hf:a", "x", "1 "],
    ["HINCRBYFLOAT", "hf:a", "x", "nan"],
    ["HINCRBYFLOAT", "hf:a", "x", "inf"],
    ["HINCRBYFLOAT", "hf:a", "x", "-inf"],
    ["HINCRBYFLOAT", "hf:a", "x", "1e5000"],
    ["HINCRBYFLOAT", "hf:a", "x", "1e-5000"],
    ["HINCRBYFLOAT", "hf:missing", "x", "inf"],
    ["HINCRBYFLOAT", "hf:a", "x"],
    ["SET", "hf:str", "1"],
    ["HINCRBYFLOAT", "hf:str", "x", "1"],
    ["HINCRBYFLOAT", "hf:str", "x", "abc"],
    ["HINCRBYFLOAT", "hf:str", "x", "inf"],
  ]);
  // Long results made it a hashtable: compare its contents sorted.
  const { kv, redis } = await runBoth(pair, [["HGETALL", "hf:a"]]);
  expect(sortedPairs(strings(kv[0]!))).toEqual(sortedPairs(strings(redis[0]!)));
  await expectEncoding("hf:a", "hashtable");
});

/** The commands a redis-server appended to its AOF, SELECTs left out. */
function aofCommands(dir: string): string[][] {
  const sub = join(dir, "appendonlydir");
  const file = readdirSync(sub).find((f) => f.endsWith(".incr.aof"))!;
  const text = readFileSync(join(sub, file)).toString("latin1");
  const out: string[][] = [];
  for (let p = 0; p < text.length; ) {
    const [r, q] = parseAt(text, p);
    p = q;
    const argv = r.items.map((i) => i.s!);
    if (argv[0]!.toUpperCase() !== "SELECT") out.push(argv);
  }
  return out;
}

test("HINCRBYFLOAT propagates as HSET with the result, as Redis writes it to its AOF", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kv-hash-aof-"));
  const redis = await startRedis(["--appendonly", "yes", "--dir", dir]);
  const kv = await startKv();
  const fed: string[][] = [];
  const off = kv.server.propagation.subscribe({
    feed: (_db: number, argv: readonly PropArg[]) => void fed.push(argv.map((a) => (typeof a === "string" ? a : Buffer.from(a).toString("latin1")))),
  });
  try {
    const cmds: Arg[][] = [
      ["HINCRBYFLOAT", "p:h", "f", "1.1"],
      ["HINCRBYFLOAT", "p:h", "f", "2e2"],
      ["HINCRBYFLOAT", "p:h", "f", "abc"],
      ["HINCRBY", "p:h", "g", "3"],
      ["HSETNX", "p:h", "g", "4"],
      ["HSET", "p:h", "a", "1", "b", "2"],
      ["HMSET", "p:h", "a", "3"],
      ["HDEL", "p:h", "zz"],
      ["HDEL", "p:h", "a", "b"],
      ["HGET", "p:h", "f"],
    ];
    for (const [port, _] of [[kv.port, 0], [redis.port, 1]] as const) {
      const c = await RawConn.connect(port);
      for (const cmd of cmds) await c.call(...cmd);
      c.close();
    }
    await Bun.sleep(50);
    expect(fed).toEqual(aofCommands(dir));
  } finally {
    off();
    await kv.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("OBJECT ENCODING: listpack until an entry or length limit is passed, then hashtable for good", async () => {
  await configBoth("hash-max-listpack-entries", "4");
  await configBoth("hash-max-listpack-value", "8");
  try {
    await same([
      ["HSET", "he:n", "a", "1", "b", "2", "c", "3", "d", "4"],
      ["HSET", "he:n2", "a", "1", "b", "2", "c", "3", "d", "4"],
      ["HSET", "he:v", "f", "12345678"],
      ["HSET", "he:v2", "f", "1", "g", "1"],
      ["HSET", "he:f", "12345678", "v"],
      ["HSETNX", "he:nx", "f", "1"],
      ["HSETNX", "he:nx", "f", "123456789"],
      ["HSETNX", "he:nx2", "f", "123456789"],
      ["HSET", "he:i", "f", "9999999"],
      ["HSET", "he:i2", "f", "99999999"],
      ["HINCRBY", "he:i", "f", "1"],
      ["HINCRBY", "he:i2", "f", "1"],
      ["HSET", "he:fl", "f", "1"],
      ["HSET", "he:fl2", "f", "1"],
      ["HINCRBYFLOAT", "he:fl", "f", "0.25"],
      ["HINCRBYFLOAT", "he:fl2", "f", "0.123456789"],
    ]);
    await expectEncoding("he:n", "listpack");
    await same([["HSET", "he:n", "a", "updated"], ["HSET", "he:n2", "e", "5"], ["HSET", "he:v2", "g", "123456789"]]);
    await expectEncoding("he:n", "listpack");
    await expectEncoding("he:n2", "hashtable");
    await expectEncoding("he:v", "listpack");
    await expectEncoding("he:v2", "hashtable");
    await expectEncoding("he:f", "listpack");
    await expectEncoding("he:nx", "listpack");
    await expectEncoding("he:nx2", "hashtable");
    await expectEncoding("he:i", "listpack");
    await expectEncoding("he:i2", "hashtable");
    await expectEncoding("he:fl", "listpack");
    await expectEncoding("he:fl2", "hashtable");
    // Never back: deleting down to one small field keeps the hashtable.
    await same([["HDEL", "he:n2", "a", "b", "c", "d"], ["HLEN", "he:n2"]]);
    await expectEncoding("he:n2", "hashtable");
    // An over-long argument converts before the write, even when the long one is a field.
    await same([["HSET", "he:pre", "a", "1"], ["HSET", "he:pre", "b", "2", "123456789", "3"]]);
    await expectEncoding("he:pre", "hashtable");
    // Lowering the limits later: an existing long field converts on HSET/HINCRBY, not on HSETNX.
    await configBoth("hash-max-listpack-value", "64");
    await same([
      ["HSET", "he:low1", "abcdefghij", "1", "b", "2"],
      ["HSET", "he:low2", "abcdefghij", "1", "b", "2"],
      ["HSET", "he:low3", "abcdefghij", "1", "b", "2"],
      ["HSET", "he:low4", "a", "1", "b", "2", "c", "3"],
    ]);
    await configBoth("hash-max-listpack-value", "5");
    await configBoth("hash-max-listpack-entries", "2");
    await same([
      ["HSET", "he:low1", "abcdefghij", "5"],
      ["HINCRBY", "he:low2", "abcdefghij", "1"],
      ["HSETNX", "he:low3", "abcdefghij", "5"],
      ["HINCRBYFLOAT", "he:low3", "b", "1"],
      ["HSET", "he:low4", "a", "5"],
    ]);
    await expectEncoding("he:low1", "hashtable");
    await expectEncoding("he:low2", "hashtable");
    await expectEncoding("he:low3", "listpack"); // two fields: not past the entry limit of 2
    await expectEncoding("he:low4", "hashtable");
    await configBoth("hash-max-listpack-entries", "0");
    await same([["HSET", "he:zero", "a", "1"]]);
    await expectEncoding("he:zero", "hashtable");
  } finally {
    await configBoth("hash-max-listpack-entries", "512");
    await configBoth("hash-max-listpack-value", "64");
  }
});

test("OBJECT ENCODING at the default limits: 512 entries, 64-byte strings", async () => {
  const cmds: Arg[][] = [];
  for (let i = 0; i < 512; i++) cmds.push(["HSET", "hd:512", `f${i}`, "v"], ["HSET", "hd:513", `f${i}`, "v"]);
  cmds.push(["HSET", "hd:513", "one-more", "v"], ["HSET", "hd:v64", "f", "x".repeat(64)], ["HSET", "hd:v65", "f", "x".repeat(65)]);
  const { kv, redis } = await runBoth(pair, [["CONFIG", "GET", "hash-max-listpack-*"]]);
  expect(sortedPairs(strings(kv[0]!))).toEqual(sortedPairs(strings(redis[0]!)));
  await same(cmds);
  await expectEncoding("hd:512", "listpack");
  await expectEncoding("hd:513", "hashtable");
  await expectEncoding("hd:v64", "listpack");
  await expectEncoding("hd:v65", "hashtable");
});

test("HRANDFIELD: errors, missing keys, count 0, and the deterministic cases byte for byte", async () => {
  const cmds: Arg[][] = [
    ["HSET", "hr:a", "a", "1", "b", "2", "c", "3"],
    ["HSET", "hr:one", "only", "v"],
    ["HRANDFIELD", "hr:missing"],
    ["HRANDFIELD", "hr:missing", "3"],
    ["HRANDFIELD", "hr:missing", "-3"],
    ["HRANDFIELD", "hr:missing", "3", "WITHVALUES"],
    ["HRANDFIELD", "hr:a", "0"],
    ["HRANDFIELD", "hr:a", "0", "withvalues"],
    ["HRANDFIELD", "hr:a", "3"],
    ["HRANDFIELD", "hr:a", "100", "WITHVALUES"],
    ["HRANDFIELD", "hr:a", "9223372036854775807"],
    ["HRANDFIELD", "hr:one"],
    ["HRANDFIELD", "hr:one", "-4"],
    ["HRANDFIELD", "hr:one", "-4", "WithValues"],
    ["HRANDFIELD", "hr:one", "1", "WITHVALUES"],
    ["HRANDFIELD", "hr:a", "x"],
    ["HRANDFIELD", "hr:a", "1.5"],
    ["HRANDFIELD", "hr:a", ""],
    ["HRANDFIELD", "hr:a", "-9223372036854775808"],
    ["HRANDFIELD", "hr:missing", "-9223372036854775808"],
    ["HRANDFIELD", "hr:a", "9223372036854775808"],
    ["HRANDFIELD", "hr:a", "-4611686018427387904", "WITHVALUES"],
    ["HRANDFIELD", "hr:a", "-9223372036854775807", "WITHVALUES"],
    ["HRANDFIELD", "hr:a", "-9223372036854775808", "WITHVALUES"],
    ["HRANDFIELD", "hr:a", "-4611686018427387904", "foo"],
    ["HRANDFIELD", "hr:a", "1", "foo"],
    ["HRANDFIELD", "hr:missing", "1", "foo"],
    ["HRANDFIELD", "hr:a", "1", "WITHVALUES", "x"],
    ["HRANDFIELD", "hr:a", "x", "WITHVALUES", "x"],
    ["HRANDFIELD", "hr:a", "x", "foo"],
    ["HRANDFIELD"],
    ["SET", "hr:str", "v"],
    ["HRANDFIELD", "hr:str"],
    ["HRANDFIELD", "hr:str", "1"],
    ["HRANDFIELD", "hr:str", "x"],
    ["HRANDFIELD", "hr:str", "1", "foo"],
    ["HRANDFIELD", "hr:str", "-4611686018427387904", "WITHVALUES"],
  ];
  await same(cmds);
  await same3(cmds);
});

test("HRANDFIELD: random replies have Redis's shape, distinct fields for a positive count", async () => {
  const fields: Arg[] = [];
  for (let i = 0; i < 10; i++) fields.push(`f${i}`, `v${i}`);
  const big: Arg[] = [];
  for (let i = 0; i < 600; i++) big.push(`g${i}`, `w${i}`);
  await same([["HSET", "hrr:small", ...fields], ["HSET", "hrr:big", ...big]]);
  await expectEncoding("hrr:small", "listpack");
  await expectEncoding("hrr:big", "hashtable");
  for (const key of ["hrr:small", "hrr:big"]) {
    const size = key === "hrr:small" ? 10 : 600;
    const value = (f: string) => (key === "hrr:small" ? "v" : "w") + f.slice(1);
    for (const proto of [2, 3]) {
      const cmds: Arg[][] = [
        ["HRANDFIELD", key],
        ["HRANDFIELD", key, "3"],
        ["HRANDFIELD", key, "3", "WITHVALUES"],
        ["HRANDFIELD", key, String(size - 1)],
        ["HRANDFIELD", key, "-25"],
        ["HRANDFIELD", key, "-25", "WITHVALUES"],
        ["HRANDFIELD", key, String(size - 1), "WITHVALUES"],
      ];
      const { kv, redis } = proto === 3 ? await runBoth3(cmds) : await runBoth(pair, cmds);
      for (let i = 0; i < cmds.length; i++) {
        const cmd = cmds[i]!;
        const [a, b] = [parse(kv[i]!), parse(redis[i]!)];
        const label = `${proto} ${cmd.join(" ")}`;
        // Same shape: type and length at every level.
        const shape = (r: R): string => `${r.t}${r.items.length}[${r.items.map(shape).join(",")}]`;
        expect(`${label}: ${shape(a)}`).toBe(`${label}: ${shape(b)}`);
        if (cmd.length === 2) {
          expect(a.s!.startsWith(key === "hrr:small" ? "f" : "g")).toBe(true);
          continue;
        }
        const withValues = cmd.length === 4;
        const pairs: [string, string | null][] = [];
        if (!withValues) for (const it of a.items) pairs.push([it.s!, null]);
        else if (proto === 3) for (const it of a.items) pairs.push([it.items[0]!.s!, it.items[1]!.s!]);
        else for (let j = 0; j < a.items.length; j += 2) pairs.push([a.items[j]!.s!, a.items[j + 1]!.s!]);
        for (const [f, v] of pairs) {
          expect(Number(f.slice(1))).toBeLessThan(size);
          if (v !== null) expect(v).toBe(value(f));
        }
        if (!cmd[2]!.toString().startsWith("-")) expect(new Set(pairs.map((p) => p[0])).size).toBe(pairs.length);
      }
    }
  }
});

test("HSCAN: errors, and a small (listpack) hash returned whole with cursor 0", async () => {
  const cmds: Arg[][] = [
    ["HSET", "hsc:a", "key:1", "a", "key:2", "b", "other", "c", "key:3", "d"],
    ["HSCAN", "hsc:a", "0"],
    ["HSCAN", "hsc:a", "0", "COUNT", "1"],
    ["HSCAN", "hsc:a", "0", "count", "2", "match", "key:*"],
    ["HSCAN", "hsc:a", "0", "MATCH", "*"],
    ["HSCAN", "hsc:a", "0", "MATCH", "nothing*"],
    ["HSCAN", "hsc:a", "0", "MATCH", "key:[13]", "MATCH", "*"],
    ["HSCAN", "hsc:a", "0", "MATCH", "*", "MATCH", "key:[13]"],
    ["HSCAN", "hsc:a", "0", "MATCH", "KEY:*"],
    ["HSCAN", "hsc:a", "12345"],
    ["HSCAN", "hsc:a", ""],
    ["HSCAN", "hsc:a", "+0"],
    ["HSCAN", "hsc:a", "-0"],
    ["HSCAN", "hsc:a", "-1"],
    ["HSCAN", "hsc:a", "18446744073709551615"],
    ["HSCAN", "hsc:a", "18446744073709551616"],
    ["HSCAN", "hsc:a", "0x1"],
    ["HSCAN", "hsc:a", " 0"],
    ["HSCAN", "hsc:a", "0 "],
    ["HSCAN", "hsc:a", "1.0"],
    ["HSCAN", "hsc:a", "0", "COUNT", "0"],
    ["HSCAN", "hsc:a", "0", "COUNT", "-1"],
    ["HSCAN", "hsc:a", "0", "COUNT", "x"],
    ["HSCAN", "hsc:a", "0", "COUNT", "9223372036854775807"],
    ["HSCAN", "hsc:a", "0", "COUNT", "9223372036854775808"],
    ["HSCAN", "hsc:a", "0", "COUNT"],
    ["HSCAN", "hsc:a", "0", "MATCH"],
    ["HSCAN", "hsc:a", "0", "COUNT", "1", "MATCH"],
    ["HSCAN", "hsc:a", "0", "FOO", "bar"],
    ["HSCAN", "hsc:a", "0", "NOVALUES"],
    ["HSCAN", "hsc:missing", "0"],
    ["HSCAN", "hsc:missing", "0", "COUNT", "0"],
    ["HSCAN", "hsc:missing", "0", "FOO"],
    ["HSCAN", "hsc:missing", "x"],
    ["HSCAN", "hsc:a"],
    ["HSET", "hsc:bin", "a\x00b", "\xff", "a\x00c", "v"],
    ["HSCAN", "hsc:bin", "0", "MATCH", "a\x00[b]"],
    ["SET", "hsc:str", "v"],
    ["HSCAN", "hsc:str", "0"],
    ["HSCAN", "hsc:str", "x"],
    ["HSCAN", "hsc:str", "0", "COUNT", "0"],
  ];
  await same(cmds);
  await same3(cmds);
});

/** A full HSCAN iteration over one connection: every field → value seen, and the call count. */
async function scanAll(port: number, key: string, extra: Arg[] = []): Promise<{ seen: Map<string, string>; calls: number }> {
  const c = await RawConn.connect(port);
  try {
    const seen = new Map<string, string>();
    let cursor = "0";
    let calls = 0;
    do {
      const r = parse(await c.call("HSCAN", key, cursor, ...extra));
      calls++;
      cursor = r.items[0]!.s!;
      const flat = r.items[1]!.items.map((i) => i.s!);
      for (let i = 0; i < flat.length; i += 2) seen.set(flat[i]!, flat[i + 1]!);
      expect(calls).toBeLessThan(10000);
    } while (cursor !== "0");
    return { seen, calls };
  } finally {
    c.close();
  }
}

test("HSCAN over a hashtable: a full iteration sees every field; COUNT and MATCH apply", async () => {
  const args: Arg[] = [];
  for (let i = 0; i < 600; i++) args.push(`k${i}`, `v${i}`);
  await same([["HSET", "hsc:big", ...args]]);
  await expectEncoding("hsc:big", "hashtable");
  for (const extra of [[], ["COUNT", "7"], ["COUNT", "1000"], ["MATCH", "k1*"], ["MATCH", "k1*", "COUNT", "3"]] as Arg[][]) {
    const [a, b] = await Promise.all([scanAll(pair.kv.port, "hsc:big", extra), scanAll(pair.redis.port, "hsc:big", extra)]);
    expect(sortedPairs([...a.seen].flat())).toEqual(sortedPairs([...b.seen].flat()));
    if (extra[0] === "COUNT" && extra[1] === "1000") expect(a.calls).toBe(1);
    if (extra.length === 0) expect(a.calls).toBeGreaterThan(10);
  }
  // One step of a hashtable scan: a non-zero cursor and about COUNT fields (Redis's may vary).
  const { kv } = await runBoth(pair, [["HSCAN", "hsc:big", "0", "COUNT", "5"]]);
  const r = parse(kv[0]!);
  expect(r.items[0]!.s).not.toBe("0");
  expect(r.items[1]!.items.length).toBe(10);
});

test("RESP3: HGETALL is a map, nils are RESP3 nulls, HSCAN stays arrays", async () => {
  await same3([
    ["HSET", "h3:a", "f", "v", "g", "w"],
    ["HGETALL", "h3:a"],
    ["HGETALL", "h3:missing"],
    ["HGET", "h3:a", "nope"],
    ["HGET", "h3:missing", "f"],
    ["HMGET", "h3:a", "f", "nope"],
    ["HKEYS", "h3:a"],
    ["HVALS", "h3:a"],
    ["HSCAN", "h3:a", "0"],
    ["HINCRBYFLOAT", "h3:a", "n", "1.5"],
    ["HINCRBY", "h3:a", "i", "2"],
    ["HEXISTS", "h3:a", "f"],
    ["HLEN", "h3:a"],
    ["HRANDFIELD", "h3:missing"],
    ["HSET", "h3:a", "f"],
  ]);
});

test("COMMAND INFO facts (arity, flags, key positions, ACL categories, tips, key specs) match redis-server", async () => {
  const names = ["hset", "hsetnx", "hget", "hmget", "hmset", "hgetall", "hdel", "hlen", "hstrlen", "hexists", "hkeys", "hvals", "hincrby", "hincrbyfloat", "hrandfield", "hscan"];
  const c = await RawConn.connect(pair.redis.port);
  try {
    for (const name of names) {
      const info = parse(await c.call("COMMAND", "INFO", name)).items[0]!.items;
      const spec = pair.kv.server.table.byName.get(name)!.spec;
      const ours: Record<string, unknown> = {
        name: spec.name,
        arity: spec.arity,
        flags: [...spec.flags].sort(),
        keys: spec.keys,
        acl: aclCategories(spec).map((a) => `@${a}`),
        tips: spec.tips ?? [],
        keyFlags: spec.keyFlags,
      };
      const spec0 = info[8]!.items[0]!.items;
      const theirs: Record<string, unknown> = {
        name: info[0]!.s,
        arity: Number(info[1]!.s),
        flags: info[2]!.items.map((i) => i.s!).sort(),
        keys: [Number(info[3]!.s), Number(info[4]!.s), Number(info[5]!.s)],
        acl: info[6]!.items.map((i) => i.s!),
        tips: info[7]!.items.map((i) => i.s!),
        keyFlags: spec0[1]!.items.map((i) => i.s!),
      };
      expect(ours).toEqual(theirs);
    }
  } finally {
    c.close();
  }
});

// ---- properties ----

const SEED = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));

test("property: random hash command sequences over 2 keys and 6 fields reply exactly as redis-server", async () => {
  console.log(`hash differential property: FC_SEED=${SEED}`);
  const key = fc.constantFrom("k0", "k1");
  const field = fc.constantFrom("f0", "f1", "f2", "f3", "f4", "f5");
  const value = fc.constantFrom("0", "1", "-5", "10", "1.5", "abc", "", "9223372036854775807", "-9223372036854775808", "1e3", " 2", "\x00\xff", "0x10", "-0", "x".repeat(65));
  const incr = fc.constantFrom("1", "-1", "0", "100", "9223372036854775807", "-9223372036854775808", "x", "1.5", "01");
  const fincr = fc.constantFrom("0.1", "-1.5", "1e3", "inf", "abc", "0", "3", "-0.0001", "1e308", "5e-3", "1e4000");
  const pairs = fc.array(fc.tuple(field, value), { minLength: 1, maxLength: 3 }).map((ps) => ps.flat());
  // HSCAN's COUNT stays above the field count: a hashtable's partial pages (which fields, which
  // cursor) are Redis's own; they are covered by the HSCAN tests above.
  const command: fc.Arbitrary<string[]> = fc.oneof(
    fc.tuple(key, pairs).map(([k, p]) => ["HSET", k, ...p]),
    fc.tuple(key, pairs).map(([k, p]) => ["HMSET", k, ...p]),
    fc.tuple(key, field, value).map(([k, f, v]) => ["HSETNX", k, f, v]),
    fc.tuple(key, field).map(([k, f]) => ["HGET", k, f]),
    fc.tuple(key, fc.array(field, { minLength: 1, maxLength: 3 })).map(([k, fs]) => ["HMGET", k, ...fs]),
    fc.tuple(key, fc.array(field, { minLength: 1, maxLength: 3 })).map(([k, fs]) => ["HDEL", k, ...fs]),
    key.map((k) => ["HLEN", k]),
    fc.tuple(key, field).map(([k, f]) => ["HSTRLEN", k, f]),
    fc.tuple(key, field).map(([k, f]) => ["HEXISTS", k, f]),
    key.map((k) => ["HKEYS", k]),
    key.map((k) => ["HVALS", k]),
    key.map((k) => ["HGETALL", k]),
    fc.tuple(key, field, incr).map(([k, f, n]) => ["HINCRBY", k, f, n]),
    fc.tuple(key, field, fincr).map(([k, f, n]) => ["HINCRBYFLOAT", k, f, n]),
    fc.tuple(key, fc.constantFrom("6", "7", "0"), fc.boolean()).map(([k, n, wv]) => ["HRANDFIELD", k, n, ...(wv ? ["WITHVALUES"] : [])]),
    fc.tuple(key, fc.constantFrom([], ["MATCH", "f[0-2]"], ["COUNT", "100"])).map(([k, o]) => ["HSCAN", k, "0", ...o]),
    key.map((k) => ["SET", k, "str"]),
    key.map((k) => ["GETDEL", k]),
  );
  let run = 0;
  let total = 0;
  const [a, b] = await Promise.all([RawConn.connect(pair.kv.port), RawConn.connect(pair.redis.port)]);
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 60, size: "max" }), async (seq) => {
        const prefix = `fc${run++}:`;
        const cmds = seq.map((c) => c.map((x, i) => (i === 1 ? prefix + x : x)));
        const kv: string[] = [];
        const redis: string[] = [];
        for (const cmd of cmds) {
          let [x, y] = [await a.call(...cmd), await b.call(...cmd)];
          if (ORDERED.has(cmd[0]!) && y[0] !== "-") {
            // Redis's hashtable order is its own: compare those replies as sorted contents,
            // after checking that both servers chose the same encoding.
            const enc = parse(await b.call("OBJECT", "ENCODING", cmd[1]!)).s;
            expect(`${cmd[1]}: ${kvEncoding(cmd[1]!)}`).toBe(`${cmd[1]}: ${enc}`);
            if (enc === "hashtable") [x, y] = [normalized(cmd, x), normalized(cmd, y)];
          }
          kv.push(x);
          redis.push(y);
        }
        expect(transcript(cmds, kv)).toEqual(transcript(cmds, redis));
        total += cmds.length;
      }),
      { seed: SEED, numRuns: 300 },
    );
  } finally {
    a.close();
    b.close();
  }
  console.log(`  ${run} sequences, ${total} commands`);
});

/** Commands whose reply order follows the hash's internal order. */
const ORDERED = new Set(["HKEYS", "HVALS", "HGETALL", "HSCAN", "HRANDFIELD"]);

/** An order-free rendering of an ORDERED command's reply (sorted fields or field/value pairs). */
function normalized(cmd: readonly string[], reply: string): string {
  const r = parse(reply);
  const withValues = cmd[0] === "HGETALL" || cmd[0] === "HSCAN" || cmd.includes("WITHVALUES");
  const flat = (cmd[0] === "HSCAN" ? r.items[1]!.items : r.items).flatMap((i) => (i.t === "*" ? i.items : [i])).map((i) => i.s!);
  const sorted = withValues ? sortedPairs(flat).map((p) => p.join("=")) : flat.sort();
  return `${r.t}${cmd[0] === "HSCAN" ? r.items[0]!.s : ""}:${JSON.stringify(sorted)}`;
}

describe_hscan_guarantee();

function describe_hscan_guarantee(): void {
  let kv: KvRunning;
  let redis: Running;
  beforeAll(async () => {
    // Every hash hashtable-encoded, so HSCAN really iterates in steps.
    [kv, redis] = await Promise.all([startKv({ config: { "hash-max-listpack-entries": "0" } }), startRedis(["--hash-max-listpack-entries", "0"])]);
  });
  afterAll(async () => {
    await Promise.all([kv.stop(), redis.stop()]);
  });

  test("property: HSCAN returns every field present for the whole iteration, under concurrent HSET/HDEL", async () => {
    console.log(`HSCAN guarantee property: FC_SEED=${SEED}`);
    const op = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 79 }));
    let run = 0;
    let scans = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 79 }), { minLength: 1, maxLength: 60, size: "max" }),
        fc.array(fc.array(op, { maxLength: 4, size: "max" }), { minLength: 1, maxLength: 30, size: "max" }),
        fc.integer({ min: 1, max: 8 }),
        async (initial, writes, count) => {
          const key = `scan:${run++}`;
          for (const port of [kv.port, redis.port]) {
            const c = await RawConn.connect(port);
            try {
              const present = new Set(initial.map((i) => `f${i}`));
              const everSet = new Set(present);
              const throughout = new Set(present);
              await c.call("HSET", key, ...initial.flatMap((i) => [`f${i}`, "v"]));
              const seen = new Set<string>();
              let cursor = "0";
              let step = 0;
              do {
                const r = parse(await c.call("HSCAN", key, cursor, "COUNT", String(count)));
                scans++;
                cursor = r.items[0]!.s!;
                const flat = r.items[1]!.items.map((i) => i.s!);
                for (let i = 0; i < flat.length; i += 2) seen.add(flat[i]!);
                for (const [add, n] of writes[step++ % writes.length]!) {
                  const f = `f${n}`;
                  if (add) {
                    await c.call("HSET", key, f, "v");
                    present.add(f);
                    everSet.add(f);
                  } else if (present.size > 1) {
                    await c.call("HDEL", key, f);
                    present.delete(f);
                    throughout.delete(f);
                  }
                }
                expect(step).toBeLessThan(5000);
              } while (cursor !== "0");
              for (const f of throughout) expect(`${port === kv.port ? "kv" : "redis"} saw ${f}: ${seen.has(f)}`).toEndWith("true");
              for (const f of seen) expect(everSet.has(f)).toBe(true);
              await c.call("HDEL", key, ...everSet);
            } finally {
              c.close();
            }
          }
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
    console.log(`  ${run} iterations, ${scans} HSCAN calls`);
  });
}
