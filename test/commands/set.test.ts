// Set commands against real redis-server 7.0: every command, option and error compared byte for
// byte (RESP2 and RESP3), intset order and encoding transitions (store results included),
// SPOP/SRANDMEMBER shapes, SPOP's propagation, SSCAN, COMMAND INFO facts, and fast-check
// properties (random command sequences over 3 keys compared reply by reply; SSCAN's guarantee).
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

/** Replies in RESP3 from both servers, after HELLO 3 (whose reply differs by design). */
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

/** Bulk strings of a flat aggregate reply. */
function strings(reply: string): string[] {
  return parse(reply).items.map((i) => i.s!);
}

/** An aggregate reply's type and elements sorted: for replies whose order is a hashtable's. */
function unordered(reply: string): string {
  const r = parse(reply);
  if (r.t !== "*" && r.t !== "~") return reply;
  if (r.items.length === 2 && r.items[1]!.t === "*") {
    // An SSCAN page: cursor, then members.
    return `${r.t}[${r.items[0]!.s}, ${JSON.stringify(r.items[1]!.items.map((i) => i.s!).sort())}]`;
  }
  return `${r.t}${JSON.stringify(r.items.map((i) => i.s!).sort())}`;
}

/** Replies of both servers compared as sorted contents (hashtable-encoded results). */
async function sameUnordered(cmds: Arg[][]): Promise<void> {
  const { kv, redis } = await runBoth(pair, cmds);
  expect(transcript(cmds, kv.map(unordered))).toEqual(transcript(cmds, redis.map(unordered)));
}

/** Our value's encoding, read in-process. */
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

async function expectEncoding(key: string, want: string | null): Promise<void> {
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

const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

// ---- byte-exact differential cases ----

test("SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS: replies, intset order, arity, WRONGTYPE", async () => {
  await same([
    ["SADD", "s:a", "3", "1", "2"],
    ["SADD", "s:a", "2", "10", "-7", "10"],
    ["SADD", "s:a", "9223372036854775807", "-9223372036854775808"],
    ["SMEMBERS", "s:a"],
    ["SCARD", "s:a"],
    ["SISMEMBER", "s:a", "10"],
    ["SISMEMBER", "s:a", "11"],
    ["SISMEMBER", "s:a", "010"],
    ["SISMEMBER", "s:missing", "1"],
    ["SMISMEMBER", "s:a", "1", "nope", "3", "1"],
    ["SMISMEMBER", "s:missing", "1", "2"],
    ["SREM", "s:a", "1", "1", "nope", "-7"],
    ["SREM", "s:a", "nope"],
    ["SREM", "s:missing", "1"],
    ["SMEMBERS", "s:a"],
    ["SMEMBERS", "s:missing"],
    ["SCARD", "s:missing"],
    // An emptied set leaves the keyspace.
    ["SREM", "s:a", "2", "3", "10", "9223372036854775807", "-9223372036854775808", "99"],
    ["EXISTS", "s:a"],
    ["TYPE", "s:a"],
    // Binary-safe single members.
    ["SADD", "s:bin", "\x00\xff\r\n"],
    ["SADD", "s:bin", ""],
    ["SREM", "s:bin", ""],
    ["SMEMBERS", "s:bin"],
    ["SISMEMBER", "s:bin", "\x00\xff\r\n"],
    ["TYPE", "s:bin"],
    // arity (checked centrally)
    ["SADD", "s:a"],
    ["SREM", "s:a"],
    ["SMEMBERS"],
    ["SMEMBERS", "s:a", "x"],
    ["SISMEMBER", "s:a"],
    ["SISMEMBER", "s:a", "1", "2"],
    ["SMISMEMBER", "s:a"],
    ["SCARD"],
    ["SCARD", "s:a", "x"],
    // WRONGTYPE
    ["SET", "s:str", "v"],
    ["SADD", "s:str", "1"],
    ["SREM", "s:str", "1"],
    ["SMEMBERS", "s:str"],
    ["SISMEMBER", "s:str", "1"],
    ["SMISMEMBER", "s:str", "1"],
    ["SCARD", "s:str"],
    ["GET", "s:str"],
    ["HSET", "s:hash", "f", "v"],
    ["SADD", "s:hash", "1"],
    ["GET", "s:bin"],
  ]);
});

test("a hashtable-encoded set holds the same members (compared sorted)", async () => {
  const cmds: Arg[][] = [["SADD", "s:h", "b", "a", "1", "c"]];
  for (let i = 0; i < 300; i++) cmds.push(["SADD", "s:h", `m${i}`, String(i)]);
  for (let i = 0; i < 300; i += 3) cmds.push(["SREM", "s:h", `m${i}`, String(i + 1)]);
  cmds.push(["SCARD", "s:h"], ["SMEMBERS", "s:h"], ["SMISMEMBER", "s:h", "m1", "m3", "1", "2", "a"]);
  await sameUnordered(cmds);
  await expectEncoding("s:h", "hashtable");
});

test("OBJECT ENCODING: intset while all members are integers within set-max-intset-entries, then hashtable for good", async () => {
  await same([
    ["SADD", "se:i", ...range(1, 512)],
    ["SADD", "se:j", ...range(-3, 508)],
    ["SADD", "se:j", "509"],
    ["SADD", "se:s", "1", "x"],
    ["SADD", "se:x", "x", "1"],
    ["SADD", "se:neg0", "-0"],
    ["SADD", "se:lead", "1", "01"],
    ["SADD", "se:sp", " 1"],
    ["SADD", "se:big", "9223372036854775808"],
    ["SADD", "se:back", "1", "a"],
    ["SREM", "se:back", "a"],
    ["SMEMBERS", "se:back"],
  ]);
  await expectEncoding("se:i", "intset");
  await expectEncoding("se:j", "hashtable");
  for (const k of ["se:s", "se:x", "se:neg0", "se:lead", "se:sp", "se:big", "se:back"]) await expectEncoding(k, "hashtable");
  await configBoth("set-max-intset-entries", "3");
  try {
    await same([
      ["SADD", "se:c3", "3", "2", "1"],
      ["SADD", "se:c4", "3", "2", "1", "4"],
      ["SMEMBERS", "se:c3"],
      ["SPOP", "se:c3", "0"],
    ]);
    await expectEncoding("se:c3", "intset");
    await expectEncoding("se:c4", "hashtable");
    await configBoth("set-max-intset-entries", "0");
    await same([["SADD", "se:c0", "1"]]);
    await expectEncoding("se:c0", "hashtable");
  } finally {
    await configBoth("set-max-intset-entries", "512");
  }
});

test("SPOP and SRANDMEMBER: argument errors in Redis's order, missing keys, WRONGTYPE, deterministic cases", async () => {
  await same([
    ["SADD", "sp:a", "5", "3", "1"],
    ["SET", "sp:str", "v"],
    ["SPOP", "sp:a", "-1"],
    ["SPOP", "sp:a", "x"],
    ["SPOP", "sp:a", "01"],
    ["SPOP", "sp:a", "+1"],
    ["SPOP", "sp:a", "-0"],
    ["SPOP", "sp:a", "1.0"],
    ["SPOP", "sp:a", "9223372036854775808"],
    ["SPOP", "sp:a", "1", "2"],
    ["SPOP", "sp:missing", "x"],
    ["SPOP", "sp:str", "-1"],
    ["SPOP", "sp:str", "x"],
    ["SPOP", "sp:str"],
    ["SPOP", "sp:str", "0"],
    ["SPOP", "sp:str", "1"],
    ["SPOP", "sp:str", "1", "2"],
    ["SPOP", "sp:missing"],
    ["SPOP", "sp:missing", "0"],
    ["SPOP", "sp:missing", "3"],
    ["SPOP", "sp:a", "0"],
    ["SRANDMEMBER", "sp:a", "x"],
    ["SRANDMEMBER", "sp:a", "-0"],
    ["SRANDMEMBER", "sp:a", "1.5"],
    ["SRANDMEMBER", "sp:a", "9223372036854775808"],
    ["SRANDMEMBER", "sp:a", "-9223372036854775808"],
    ["SRANDMEMBER", "sp:a", "-9223372036854775809"],
    ["SRANDMEMBER", "sp:a", "1", "2"],
    ["SRANDMEMBER", "sp:a", "-5", "x"],
    ["SRANDMEMBER", "sp:missing", "x"],
    ["SRANDMEMBER", "sp:missing", "-9223372036854775808"],
    ["SRANDMEMBER", "sp:str", "x"],
    ["SRANDMEMBER", "sp:str"],
    ["SRANDMEMBER", "sp:str", "0"],
    ["SRANDMEMBER", "sp:str", "-1"],
    ["SRANDMEMBER", "sp:str", "1", "2"],
    ["SRANDMEMBER", "sp:missing"],
    ["SRANDMEMBER", "sp:missing", "5"],
    ["SRANDMEMBER", "sp:missing", "-5"],
    ["SRANDMEMBER", "sp:missing", "0"],
    ["SRANDMEMBER", "sp:a", "0"],
    // count ≥ size: the whole set, in intset order.
    ["SRANDMEMBER", "sp:a", "3"],
    ["SRANDMEMBER", "sp:a", "9223372036854775807"],
    ["SADD", "sp:one", "only"],
    ["SRANDMEMBER", "sp:one"],
    ["SRANDMEMBER", "sp:one", "-3"],
    ["SPOP", "sp:a", "3"],
    ["EXISTS", "sp:a"],
    ["SADD", "sp:b", "7", "8"],
    ["SPOP", "sp:b", "9223372036854775807"],
    ["EXISTS", "sp:b"],
    ["SPOP", "sp:one"],
    ["EXISTS", "sp:one"],
    ["SPOP"],
    ["SRANDMEMBER"],
  ]);
});

test("SPOP and SRANDMEMBER with random results: shape, membership and distinctness", async () => {
  for (const [key, members] of [["rnd:i", range(1, 20)], ["rnd:h", range(1, 20).map((m) => `m${m}`)], ["rnd:big", range(1, 3000)]] as const) {
    const c = await RawConn.connect(pair.kv.port);
    try {
      await c.call("SADD", key, ...members);
      const all = new Set<string>(members);
      for (let i = 0; i < 20; i++) expect(all.has(parse(await c.call("SRANDMEMBER", key)).s!)).toBe(true);
      for (const n of [1, 5, members.length - 1]) {
        const got = strings(await c.call("SRANDMEMBER", key, String(n)));
        expect(got.length).toBe(n);
        expect(new Set(got).size).toBe(n);
        for (const m of got) expect(all.has(m)).toBe(true);
      }
      const rep = strings(await c.call("SRANDMEMBER", key, "-50"));
      expect(rep.length).toBe(50);
      for (const m of rep) expect(all.has(m)).toBe(true);
      // A negative count may repeat members: with 1000 draws from 20 some must repeat.
      if (members.length === 20) expect(new Set(strings(await c.call("SRANDMEMBER", key, "-1000"))).size).toBeLessThan(1000);
      // SPOP removes what it returns, without repeats.
      const left = new Set(all);
      const one = parse(await c.call("SPOP", key)).s!;
      expect(left.delete(one)).toBe(true);
      for (const n of [1, 3, 7]) {
        const popped = strings(await c.call("SPOP", key, String(n)));
        expect(popped.length).toBe(n);
        for (const m of popped) expect(left.delete(m)).toBe(true);
      }
      expect(new Set(strings(await c.call("SMEMBERS", key)))).toEqual(left);
      expect(await c.call("SCARD", key)).toBe(`:${left.size}\r\n`);
      const rest = strings(await c.call("SPOP", key, "100000"));
      expect(new Set(rest)).toEqual(left);
      expect(await c.call("EXISTS", key)).toBe(":0\r\n");
    } finally {
      c.close();
    }
  }
});

test("SRANDMEMBER draws every member eventually, positive counts uniformly enough", async () => {
  const c = await RawConn.connect(pair.kv.port);
  try {
    await c.call("SADD", "rnd:u", "a", "b", "c", "d", "e");
    const hits = new Map<string, number>();
    for (let i = 0; i < 400; i++) for (const m of strings(await c.call("SRANDMEMBER", "rnd:u", "2"))) hits.set(m, (hits.get(m) ?? 0) + 1);
    expect(hits.size).toBe(5);
    for (const n of hits.values()) expect(n).toBeGreaterThan(80);
  } finally {
    c.close();
  }
});

test("SMOVE: moves, same key, missing source, WRONGTYPE in Redis's order, destination conversion", async () => {
  await same([
    ["SADD", "sm:a", "1", "2", "3"],
    ["SADD", "sm:b", "4"],
    ["SET", "sm:str", "v"],
    ["SMOVE", "sm:a", "sm:b", "1"],
    ["SMOVE", "sm:a", "sm:b", "1"],
    ["SMOVE", "sm:a", "sm:b", "99"],
    ["SMEMBERS", "sm:a"],
    ["SMEMBERS", "sm:b"],
    ["SMOVE", "sm:a", "sm:a", "2"],
    ["SMOVE", "sm:a", "sm:a", "99"],
    ["SMOVE", "sm:a", "sm:new", "2"],
    ["SMEMBERS", "sm:new"],
    ["SMOVE", "sm:a", "sm:new", "3"],
    ["EXISTS", "sm:a"],
    ["SMEMBERS", "sm:new"],
    ["SMOVE", "sm:missing", "sm:str", "1"],
    ["SMOVE", "sm:missing", "sm:b", "1"],
    ["SMOVE", "sm:missing", "sm:missing2", "1"],
    ["SMOVE", "sm:b", "sm:str", "1"],
    ["SMOVE", "sm:b", "sm:str", "99"],
    ["SMOVE", "sm:str", "sm:b", "1"],
    ["SMOVE", "sm:str", "sm:str", "1"],
    ["SMEMBERS", "sm:b"],
    ["SADD", "sm:s", "x"],
    ["SMOVE", "sm:s", "sm:b", "x"],
    ["SMOVE", "sm:b", "sm:t", "1"],
    ["SMOVE", "sm:a"],
    ["SMOVE", "sm:a", "sm:b"],
    ["SMOVE", "sm:a", "sm:b", "1", "2"],
  ]);
  await expectEncoding("sm:b", "hashtable");
  await expectEncoding("sm:t", "intset");
  await expectEncoding("sm:new", "intset");
});

test("SINTER SUNION SDIFF and their STORE forms over integer sets: exact replies, missing keys, WRONGTYPE", async () => {
  await same([
    ["SADD", "so:a", "1", "2", "3", "4", "5"],
    ["SADD", "so:b", "4", "5", "6", "-1"],
    ["SADD", "so:c", "5", "1", "7"],
    ["SET", "so:str", "v"],
    ["SINTER", "so:a", "so:b"],
    ["SINTER", "so:a", "so:b", "so:c"],
    ["SINTER", "so:a"],
    ["SINTER", "so:a", "so:a"],
    ["SINTER", "so:a", "so:missing"],
    ["SINTER", "so:missing", "so:a"],
    ["SINTER", "so:missing"],
    ["SUNION", "so:a", "so:b", "so:c"],
    ["SUNION", "so:a", "so:missing"],
    ["SUNION", "so:missing"],
    ["SDIFF", "so:a", "so:b"],
    ["SDIFF", "so:a", "so:b", "so:c"],
    ["SDIFF", "so:a", "so:missing"],
    ["SDIFF", "so:missing", "so:a"],
    ["SDIFF", "so:a", "so:a"],
    ["SDIFF", "so:b", "so:a", "so:b"],
    // Every key is type-checked, even after a missing one.
    ["SINTER", "so:missing", "so:str"],
    ["SINTER", "so:str", "so:missing"],
    ["SINTER", "so:a", "so:missing", "so:str"],
    ["SUNION", "so:missing", "so:str"],
    ["SDIFF", "so:missing", "so:str"],
    ["SDIFF", "so:a", "so:str"],
    ["SINTERSTORE", "so:d", "so:a", "so:b"],
    ["SMEMBERS", "so:d"],
    ["SUNIONSTORE", "so:d", "so:a", "so:b"],
    ["SMEMBERS", "so:d"],
    ["SDIFFSTORE", "so:d", "so:a", "so:b"],
    ["SMEMBERS", "so:d"],
    // The destination may be a source, and of any type: it is replaced.
    ["SUNIONSTORE", "so:d", "so:d", "so:c"],
    ["SMEMBERS", "so:d"],
    ["SET", "so:dstr", "v"],
    ["SINTERSTORE", "so:dstr", "so:a", "so:c"],
    ["TYPE", "so:dstr"],
    ["SET", "so:ttl", "v", "EX", "100"],
    ["SDIFFSTORE", "so:ttl", "so:a"],
    ["TTL", "so:ttl"],
    // An empty result deletes the destination (whatever it held).
    ["SINTERSTORE", "so:d", "so:a", "so:missing"],
    ["EXISTS", "so:d"],
    ["SET", "so:dstr", "v"],
    ["SDIFFSTORE", "so:dstr", "so:a", "so:a"],
    ["EXISTS", "so:dstr"],
    ["SET", "so:dstr", "v"],
    ["SUNIONSTORE", "so:dstr", "so:missing"],
    ["EXISTS", "so:dstr"],
    ["SINTERSTORE", "so:dstr", "so:missing"],
    ["SET", "so:dstr", "v"],
    ["SINTERSTORE", "so:dstr", "so:str", "so:a"],
    ["SUNIONSTORE", "so:dstr", "so:missing", "so:str"],
    ["SDIFFSTORE", "so:dstr", "so:a", "so:missing", "so:str"],
    ["GET", "so:dstr"],
    ["SINTERSTORE", "so:str", "so:a", "so:b"],
    ["TYPE", "so:str"],
    // arity
    ["SINTER"],
    ["SUNION"],
    ["SDIFF"],
    ["SINTERSTORE", "so:d"],
    ["SUNIONSTORE", "so:d"],
    ["SDIFFSTORE", "so:d"],
  ]);
});

test("SINTER SUNION SDIFF over string sets: same contents (hashtable order compared sorted)", async () => {
  await sameUnordered([
    ["SADD", "sx:a", "a", "b", "c", "1", "2", "\x00"],
    ["SADD", "sx:b", "b", "c", "d", "2", "3", "\x00"],
    ["SADD", "sx:c", "1", "2", "z"],
    ["SINTER", "sx:a", "sx:b"],
    ["SINTER", "sx:a", "sx:b", "sx:c"],
    ["SUNION", "sx:a", "sx:b", "sx:c"],
    ["SDIFF", "sx:a", "sx:b"],
    ["SDIFF", "sx:b", "sx:a", "sx:c"],
    ["SINTERSTORE", "sx:d", "sx:a", "sx:b"],
    ["SMEMBERS", "sx:d"],
    ["SUNIONSTORE", "sx:d", "sx:a", "sx:b"],
    ["SMEMBERS", "sx:d"],
    ["SDIFFSTORE", "sx:d", "sx:a", "sx:b"],
    ["SMEMBERS", "sx:d"],
    ["SINTERSTORE", "sx:i", "sx:a", "sx:b", "sx:c"],
    ["SMEMBERS", "sx:i"],
    ["SINTERCARD", "3", "sx:a", "sx:b", "sx:c"],
    ["SINTERCARD", "2", "sx:a", "sx:b"],
  ]);
  // A string set intersected down to integers is stored as an intset.
  await expectEncoding("sx:i", "intset");
  await same([["SMEMBERS", "sx:i"]]);
});

test("store results take the encoding Redis gives them (SDIFF's copying strategy included)", async () => {
  const p = ["SADD", "sd:p", ...range(1, 100)];
  await same([
    ["SADD", "sd:s600", ...range(1, 600)],
    p,
    ["SADD", "sd:h", ...range(1, 10), "x"],
    ["SADD", "sd:q", ...range(1, 150)],
    ["SADD", "sd:t", ...range(1, 300)],
    // Filtering the first set: the result never passes the limit.
    ["SDIFFSTORE", "sd:r1", "sd:s600", "sd:p"],
    // Missing keys add no work, so the choice stays the same.
    ["SDIFFSTORE", "sd:r2", "sd:s600", "sd:p", "sd:missing1", "sd:missing2"],
    // Copying the first set whole passes 512 members: a hashtable, even for 500 integers.
    ["SDIFFSTORE", "sd:r3", "sd:s600", "sd:p", "sd:p"],
    ["SDIFFSTORE", "sd:r4", "sd:t", "sd:q", "sd:q", "sd:q"],
    ["SINTERSTORE", "sd:r5", "sd:s600", "sd:h"],
    ["SUNIONSTORE", "sd:r6", "sd:p", "sd:q"],
    ["SUNIONSTORE", "sd:r7", "sd:p", "sd:h"],
    ["SINTERSTORE", "sd:r8", "sd:s600", "sd:s600"],
    ["SDIFFSTORE", "sd:r9", "sd:h", "sd:p"],
    ["SMEMBERS", "sd:r4"],
    ["SMEMBERS", "sd:r5"],
    ["SMEMBERS", "sd:r6"],
    ["SDIFF", "sd:t", "sd:q", "sd:q", "sd:q"],
    ["SDIFF", "sd:s600", "sd:p"],
  ]);
  const want: [string, string][] = [
    ["sd:r1", "intset"], ["sd:r2", "intset"], ["sd:r3", "hashtable"], ["sd:r4", "intset"], ["sd:r5", "intset"],
    ["sd:r6", "intset"], ["sd:r7", "hashtable"], ["sd:r8", "hashtable"], ["sd:r9", "hashtable"],
  ];
  for (const [k, enc] of want) await expectEncoding(k, enc);
  await sameUnordered([["SMEMBERS", "sd:r3"], ["SMEMBERS", "sd:r7"], ["SMEMBERS", "sd:r9"], ["SDIFF", "sd:s600", "sd:p", "sd:p"]]);
});

test("SINTERCARD: numkeys and LIMIT parsing, errors before type checks, missing keys", async () => {
  await same([
    ["SADD", "sc:a", "1", "2", "3", "4"],
    ["SADD", "sc:b", "2", "3", "4", "5"],
    ["SET", "sc:str", "v"],
    ["SINTERCARD", "2", "sc:a", "sc:b"],
    ["SINTERCARD", "1", "sc:a"],
    ["SINTERCARD", "2", "sc:a", "sc:a"],
    ["SINTERCARD", "2", "sc:a", "sc:missing"],
    ["SINTERCARD", "1", "sc:missing"],
    ["SINTERCARD", "2", "sc:a", "sc:b", "LIMIT", "0"],
    ["SINTERCARD", "2", "sc:a", "sc:b", "LIMIT", "1"],
    ["SINTERCARD", "2", "sc:a", "sc:b", "limit", "2"],
    ["SINTERCARD", "2", "sc:a", "sc:b", "LIMIT", "100"],
    ["SINTERCARD", "2", "sc:a", "sc:b", "LIMIT", "9223372036854775807"],
    ["SINTERCARD", "2", "sc:a", "sc:b", "LIMIT", "1", "LIMIT", "0"],
    ["SINTERCARD", "2", "sc:a", "sc:b", "LIMIT", "0", "LIMIT", "2"],
    ["SINTERCARD", "0", "sc:a"],
    ["SINTERCARD", "-1", "sc:a"],
    ["SINTERCARD", "x", "sc:a"],
    ["SINTERCARD", "01", "sc:a"],
    ["SINTERCARD", "9223372036854775808", "sc:a"],
    ["SINTERCARD", "3", "sc:a", "sc:b"],
    ["SINTERCARD", "2", "sc:a"],
    ["SINTERCARD", "1", "sc:a", "LIMIT", "-1"],
    ["SINTERCARD", "1", "sc:a", "LIMIT", "x"],
    ["SINTERCARD", "1", "sc:a", "LIMIT", "01"],
    ["SINTERCARD", "1", "sc:a", "LIMIT", "9223372036854775808"],
    ["SINTERCARD", "1", "sc:a", "LIMIT"],
    ["SINTERCARD", "1", "sc:a", "FOO", "1"],
    ["SINTERCARD", "1", "sc:a", "sc:b"],
    ["SINTERCARD", "2", "sc:missing", "sc:str"],
    ["SINTERCARD", "1", "sc:str"],
    ["SINTERCARD", "1", "sc:str", "LIMIT", "-1"],
    ["SINTERCARD", "2", "sc:a", "sc:str", "LIMIT", "x"],
    ["SINTERCARD", "2", "sc:a", "sc:str", "FOO"],
    ["SINTERCARD", "1"],
    ["SINTERCARD"],
  ]);
});

test("SSCAN: intsets whole in numeric order, MATCH, COUNT, cursor and option errors, WRONGTYPE", async () => {
  const cmds: Arg[][] = [
    ["SADD", "ss:a", "30", "4", "-2", "100", "14"],
    ["SSCAN", "ss:a", "0"],
    ["SSCAN", "ss:a", "0", "MATCH", "1*"],
    ["SSCAN", "ss:a", "0", "match", "*4", "count", "1"],
    ["SSCAN", "ss:a", "0", "COUNT", "1"],
    ["SSCAN", "ss:a", "0", "COUNT", "2", "COUNT", "100", "MATCH", "x*", "MATCH", "*"],
    ["SSCAN", "ss:a", "12345"],
    ["SSCAN", "ss:a", "-0"],
    ["SSCAN", "ss:a", "-1"],
    ["SSCAN", "ss:a", "18446744073709551615"],
    ["SSCAN", "ss:a", "18446744073709551616"],
    ["SSCAN", "ss:a", "0x1"],
    ["SSCAN", "ss:a", " 0"],
    ["SSCAN", "ss:a", "x"],
    ["SSCAN", "ss:a", "0", "COUNT", "0"],
    ["SSCAN", "ss:a", "0", "COUNT", "-1"],
    ["SSCAN", "ss:a", "0", "COUNT", "x"],
    ["SSCAN", "ss:a", "0", "COUNT"],
    ["SSCAN", "ss:a", "0", "MATCH"],
    ["SSCAN", "ss:a", "0", "COUNT", "1", "MATCH"],
    ["SSCAN", "ss:a", "0", "FOO", "bar"],
    ["SSCAN", "ss:a", "0", "NOVALUES"],
    ["SSCAN", "ss:missing", "0"],
    ["SSCAN", "ss:missing", "0", "COUNT", "0"],
    ["SSCAN", "ss:missing", "0", "FOO"],
    ["SSCAN", "ss:missing", "x"],
    ["SSCAN", "ss:a"],
    ["SADD", "ss:bin", "a\x00b"],
    ["SSCAN", "ss:bin", "0", "MATCH", "a\x00[b]"],
    ["SSCAN", "ss:bin", "0", "MATCH", "a?c"],
    ["SET", "ss:str", "v"],
    ["SSCAN", "ss:str", "0"],
    ["SSCAN", "ss:str", "x"],
    ["SSCAN", "ss:str", "0", "COUNT", "0"],
  ];
  await same(cmds);
  await same3(cmds);
});

/** A full SSCAN iteration over one connection: every member seen, and the call count. */
async function scanAll(port: number, key: string, extra: Arg[] = []): Promise<{ seen: Set<string>; calls: number }> {
  const c = await RawConn.connect(port);
  try {
    const seen = new Set<string>();
    let cursor = "0";
    let calls = 0;
    do {
      const r = parse(await c.call("SSCAN", key, cursor, ...extra));
      calls++;
      cursor = r.items[0]!.s!;
      for (const i of r.items[1]!.items) seen.add(i.s!);
      expect(calls).toBeLessThan(10000);
    } while (cursor !== "0");
    return { seen, calls };
  } finally {
    c.close();
  }
}

test("SSCAN over a hashtable: a full iteration sees every member; COUNT and MATCH apply", async () => {
  const members: string[] = [];
  for (let i = 0; i < 600; i++) members.push(`k${i}`);
  await same([["SADD", "ssc:big", ...members]]);
  await expectEncoding("ssc:big", "hashtable");
  for (const extra of [[], ["COUNT", "7"], ["COUNT", "1000"], ["MATCH", "k1*"], ["MATCH", "k1*", "COUNT", "3"]] as Arg[][]) {
    const [a, b] = await Promise.all([scanAll(pair.kv.port, "ssc:big", extra), scanAll(pair.redis.port, "ssc:big", extra)]);
    expect([...a.seen].sort()).toEqual([...b.seen].sort());
    if (extra[0] === "COUNT" && extra[1] === "1000") expect(a.calls).toBe(1);
    if (extra.length === 0) expect(a.calls).toBeGreaterThan(10);
  }
  const { kv } = await runBoth(pair, [["SSCAN", "ssc:big", "0", "COUNT", "5"]]);
  const r = parse(kv[0]!);
  expect(r.items[0]!.s).not.toBe("0");
  expect(r.items[1]!.items.length).toBe(5);
  // A cursor from another key (or never issued) starts afresh rather than failing.
  const cursor = r.items[0]!.s!;
  const other = await runBoth(pair, [["SADD", "ssc:other", "a", "b"], ["SSCAN", "ssc:other", cursor, "COUNT", "100"]]);
  expect(unordered(other.kv[1]!)).toBe(unordered(`*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n`));
});

test("RESP3: set replies are sets, SRANDMEMBER and SMISMEMBER stay arrays, nils are nulls", async () => {
  await same3([
    ["SADD", "s3:a", "3", "1", "2"],
    ["SADD", "s3:b", "2", "3", "4"],
    ["SMEMBERS", "s3:a"],
    ["SMEMBERS", "s3:missing"],
    ["SINTER", "s3:a", "s3:b"],
    ["SINTER", "s3:a", "s3:missing"],
    ["SUNION", "s3:a", "s3:b"],
    ["SUNION", "s3:missing"],
    ["SDIFF", "s3:a", "s3:b"],
    ["SDIFF", "s3:missing", "s3:a"],
    ["SMISMEMBER", "s3:a", "1", "9"],
    ["SRANDMEMBER", "s3:a", "5"],
    ["SRANDMEMBER", "s3:a", "0"],
    ["SRANDMEMBER", "s3:missing", "5"],
    ["SRANDMEMBER", "s3:missing", "-5"],
    ["SRANDMEMBER", "s3:missing"],
    ["SPOP", "s3:missing"],
    ["SPOP", "s3:missing", "2"],
    ["SPOP", "s3:a", "0"],
    ["SPOP", "s3:a", "3"],
    ["SINTERCARD", "1", "s3:b"],
    ["SINTERSTORE", "s3:d", "s3:b"],
    ["SSCAN", "s3:b", "0"],
    ["SCARD", "s3:b"],
    ["SISMEMBER", "s3:b", "4"],
    ["SADD", "s3:a"],
  ]);
});

test("COMMAND INFO and COMMAND GETKEYS of every set command match redis-server byte for byte", async () => {
  const names = ["sadd", "srem", "smembers", "sismember", "smismember", "scard", "spop", "srandmember", "smove", "sinter", "sintercard", "sunion", "sdiff", "sinterstore", "sunionstore", "sdiffstore", "sscan"];
  const cmds: Arg[][] = names.map((n) => ["COMMAND", "INFO", n]);
  cmds.push(
    ["COMMAND", "GETKEYS", "SINTERCARD", "2", "a", "b", "LIMIT", "1"],
    ["COMMAND", "GETKEYS", "SINTERCARD", "1", "a"],
    ["COMMAND", "GETKEYS", "SINTERSTORE", "d", "a", "b"],
    ["COMMAND", "GETKEYS", "SMOVE", "a", "b", "m"],
    ["COMMAND", "GETKEYS", "SUNION", "a", "b", "c"],
    ["COMMAND", "GETKEYSANDFLAGS", "SDIFFSTORE", "d", "a", "b"],
    ["COMMAND", "GETKEYSANDFLAGS", "SMOVE", "a", "b", "m"],
  );
  await same(cmds);
  await same3(cmds.slice(0, names.length));
});

// ---- propagation ----

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

test("writes propagate as Redis writes them to its AOF; SPOP as the SREM (or DEL) of what it popped", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kv-set-aof-"));
  const redis = await startRedis(["--appendonly", "yes", "--dir", dir]);
  const kv = await startKv();
  const fed: string[][] = [];
  const off = kv.server.propagation.subscribe({
    feed: (_db: number, argv: readonly PropArg[]) => void fed.push(argv.map((a) => (typeof a === "string" ? a : Buffer.from(a).toString("latin1")))),
  });
  try {
    // Deterministic writes (and no-ops, which must not propagate): logged the same way.
    const cmds: Arg[][] = [
      ["SADD", "p:a", "1", "2", "3", "4", "5"],
      ["SADD", "p:a", "1"],
      ["SREM", "p:a", "9"],
      ["SREM", "p:a", "5"],
      ["SREM", "p:missing", "1"],
      ["SMOVE", "p:a", "p:b", "4"],
      ["SMOVE", "p:a", "p:b", "9"],
      ["SMOVE", "p:a", "p:a", "1"],
      ["SINTERSTORE", "p:c", "p:a", "p:a"],
      ["SUNIONSTORE", "p:c", "p:a", "p:b"],
      ["SDIFFSTORE", "p:c", "p:a", "p:b"],
      ["SINTERSTORE", "p:c", "p:a", "p:missing"],
      ["SINTERSTORE", "p:c", "p:a", "p:missing"],
      ["SUNIONSTORE", "p:none", "p:missing"],
      ["SPOP", "p:missing"],
      ["SPOP", "p:a", "0"],
      ["SPOP", "p:missing", "3"],
      ["SPOP", "p:b", "5"],
      ["SADD", "p:z", "x"],
      ["SPOP", "p:z", "1"],
      ["SINTERCARD", "1", "p:a"],
      ["SMEMBERS", "p:a"],
    ];
    for (const port of [kv.port, redis.port]) {
      const c = await RawConn.connect(port);
      for (const cmd of cmds) await c.call(...cmd);
      c.close();
    }
    await Bun.sleep(50);
    expect(fed).toEqual(aofCommands(dir));

    // Random pops: kvserver propagates exactly the members it replied with.
    fed.length = 0;
    const c = await RawConn.connect(kv.port);
    try {
      await c.call("SADD", "p:r", ...range(1, 10));
      fed.length = 0;
      const one = parse(await c.call("SPOP", "p:r")).s!;
      expect(fed).toEqual([["SREM", "p:r", one]]);
      const three = strings(await c.call("SPOP", "p:r", "3"));
      expect(fed[1]).toEqual(["SREM", "p:r", ...three]);
      const rest = strings(await c.call("SPOP", "p:r", "6"));
      expect(rest.length).toBe(6);
      expect(fed[2]).toEqual(["DEL", "p:r"]);
      await c.call("SADD", "p:last", "only");
      fed.length = 0;
      await c.call("SPOP", "p:last");
      expect(fed).toEqual([["SREM", "p:last", "only"]]);
    } finally {
      c.close();
    }
  } finally {
    off();
    await kv.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- properties ----

const SEED = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** Commands whose reply is a set of members, in an order that may be a hashtable's. */
const SET_VALUED = new Set(["SMEMBERS", "SINTER", "SUNION", "SDIFF", "SSCAN", "SRANDMEMBER", "SPOP"]);

describe_differential_property();

function describe_differential_property(): void {
  let kv: KvRunning;
  let redis: Running;
  beforeAll(async () => {
    // A small intset limit, so sequences cross the intset → hashtable line often.
    [kv, redis] = await Promise.all([startKv({ config: { "set-max-intset-entries": "4" } }), startRedis(["--set-max-intset-entries", "4"])]);
  });
  afterAll(async () => {
    await Promise.all([kv.stop(), redis.stop()]);
  });

  test("property: random set command sequences over 3 keys reply exactly as redis-server", async () => {
    console.log(`set differential property: FC_SEED=${SEED}`);
    const key = fc.constantFrom("k0", "k1", "k2");
    const member = fc.constantFrom("1", "2", "3", "-5", "10", "007", "a", "b", "", "\x00\xff", "9223372036854775807", "-0");
    const members = fc.array(member, { minLength: 1, maxLength: 4 });
    const keys = fc.array(key, { minLength: 1, maxLength: 3 });
    const command: fc.Arbitrary<string[]> = fc.oneof(
      fc.tuple(key, members).map(([k, m]) => ["SADD", k, ...m]),
      fc.tuple(key, members).map(([k, m]) => ["SADD", k, ...m]),
      fc.tuple(key, members).map(([k, m]) => ["SREM", k, ...m]),
      key.map((k) => ["SMEMBERS", k]),
      fc.tuple(key, member).map(([k, m]) => ["SISMEMBER", k, m]),
      fc.tuple(key, members).map(([k, m]) => ["SMISMEMBER", k, ...m]),
      key.map((k) => ["SCARD", k]),
      fc.tuple(key, fc.constantFrom([], ["0"], ["1"], ["2"], ["100"], ["-1"], ["x"])).map(([k, n]) => ["SPOP", k, ...n]),
      fc.tuple(key, fc.constantFrom([], ["0"], ["2"], ["100"], ["-3"], ["x"])).map(([k, n]) => ["SRANDMEMBER", k, ...n]),
      fc.tuple(key, key, member).map(([a, b, m]) => ["SMOVE", a, b, m]),
      keys.map((ks) => ["SINTER", ...ks]),
      keys.map((ks) => ["SUNION", ...ks]),
      keys.map((ks) => ["SDIFF", ...ks]),
      fc.tuple(keys, fc.constantFrom([], ["LIMIT", "1"], ["LIMIT", "0"])).map(([ks, o]) => ["SINTERCARD", String(ks.length), ...ks, ...o]),
      fc.tuple(key, keys).map(([d, ks]) => ["SINTERSTORE", d, ...ks]),
      fc.tuple(key, keys).map(([d, ks]) => ["SUNIONSTORE", d, ...ks]),
      fc.tuple(key, keys).map(([d, ks]) => ["SDIFFSTORE", d, ...ks]),
      fc.tuple(key, fc.constantFrom(["COUNT", "100"], ["MATCH", "[0-9]*", "COUNT", "100"])).map(([k, o]) => ["SSCAN", k, "0", ...o]),
      key.map((k) => ["SET", k, "str"]),
      key.map((k) => ["DEL", k]),
    );
    let run = 0;
    let total = 0;
    const [a, b] = await Promise.all([RawConn.connect(kv.port), RawConn.connect(redis.port)]);
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 50, size: "max" }), async (seq) => {
          const prefix = `fc${run++}:`;
          const cmds = seq.map((c) => c.map((x, i) => (isKeyArg(c, i) ? prefix + x : x)));
          const kvR: string[] = [];
          const redisR: string[] = [];
          for (const cmd of cmds) {
            const [x, y] = await step(a, b, cmd);
            kvR.push(x);
            redisR.push(y);
            // Both servers chose the same encoding for every key after every command.
            for (const k of ["k0", "k1", "k2"]) {
              const [p, q] = [await a.call("OBJECT", "ENCODING", prefix + k), await b.call("OBJECT", "ENCODING", prefix + k)];
              expect(`${JSON.stringify(cmd)} → ${k}: ${JSON.stringify(p)}`).toBe(`${JSON.stringify(cmd)} → ${k}: ${JSON.stringify(q)}`);
            }
          }
          expect(transcript(cmds, kvR)).toEqual(transcript(cmds, redisR));
          total += cmds.length;
        }),
        { seed: SEED, numRuns: 200 },
      );
    } finally {
      a.close();
      b.close();
    }
    console.log(`  ${run} sequences, ${total} commands`);
  });

  /**
   * Run one command on both servers; returns comparable replies. Random commands are checked
   * here for shape and membership; SPOP's pops are replayed on redis-server as SREM, so the
   * two keyspaces stay equal.
   */
  async function step(a: RawConn, b: RawConn, cmd: string[]): Promise<[string, string]> {
    const name = cmd[0]!;
    const key = cmd[1]!;
    if (name === "SPOP" || name === "SRANDMEMBER") {
      const before = await b.call("SMEMBERS", key);
      const x = await a.call(...cmd);
      const r = parse(x);
      const random = r.t === "$" ? r.s !== null : (r.t === "*" || r.t === "~") && r.items.length > 0;
      if (!random) return [x, await b.call(...cmd)];
      const pool = before[0] === "*" ? strings(before) : [];
      const got = r.t === "$" ? [r.s!] : r.items.map((i) => i.s!);
      for (const m of got) expect(pool).toContain(m);
      const n = cmd.length > 2 ? Number(cmd[2]) : 1;
      if (n > 0) expect(new Set(got).size).toBe(got.length);
      expect(got.length).toBe(cmd.length === 2 ? 1 : n < 0 ? -n : Math.min(n, pool.length));
      if (name === "SPOP") expect(await b.call("SREM", key, ...got)).toBe(`:${got.length}\r\n`);
      // RESP2: one bulk string without a count, else an array.
      const want = cmd.length === 2 ? "$" : "*";
      return [`${r.t} ${got.length}`, `${want} ${got.length}`];
    }
    // An intset's order is numeric in both: SMEMBERS and SSCAN of one are compared exactly.
    const exact = (name === "SMEMBERS" || name === "SSCAN") && (await b.call("OBJECT", "ENCODING", key)) === "$6\r\nintset\r\n";
    let [x, y] = [await a.call(...cmd), await b.call(...cmd)];
    if (SET_VALUED.has(name) && y[0] !== "-" && !exact) [x, y] = [unordered(x), unordered(y)];
    return [x, y];
  }
}

/** Which arguments of a generated command are keys (to give each sequence its own keys). */
function isKeyArg(cmd: readonly string[], i: number): boolean {
  if (i === 0) return false;
  switch (cmd[0]) {
    case "SINTER": case "SUNION": case "SDIFF": case "SINTERSTORE": case "SUNIONSTORE": case "SDIFFSTORE":
      return true;
    case "SMOVE":
      return i <= 2;
    case "SINTERCARD":
      return i >= 2 && i < 2 + Number(cmd[1]);
    default:
      return i === 1;
  }
}

describe_sscan_guarantee();

function describe_sscan_guarantee(): void {
  let kv: KvRunning;
  let redis: Running;
  beforeAll(async () => {
    [kv, redis] = await Promise.all([startKv(), startRedis()]);
  });
  afterAll(async () => {
    await Promise.all([kv.stop(), redis.stop()]);
  });

  test("property: SSCAN returns every member present for the whole iteration, under concurrent SADD/SREM", async () => {
    console.log(`SSCAN guarantee property: FC_SEED=${SEED}`);
    const op = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 79 }));
    let run = 0;
    let scans = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 79 }), { minLength: 1, maxLength: 60, size: "max" }),
        fc.array(fc.array(op, { maxLength: 4, size: "max" }), { minLength: 1, maxLength: 30, size: "max" }),
        fc.integer({ min: 1, max: 8 }),
        async (initial, writes, count) => {
          // Non-integer members: a hashtable, so SSCAN really iterates in steps.
          const key = `scan:${run++}`;
          for (const port of [kv.port, redis.port]) {
            const c = await RawConn.connect(port);
            try {
              const present = new Set(initial.map((i) => `m${i}`));
              const everAdded = new Set(present);
              const throughout = new Set(present);
              await c.call("SADD", key, ...present);
              const seen = new Set<string>();
              let cursor = "0";
              let step = 0;
              do {
                const r = parse(await c.call("SSCAN", key, cursor, "COUNT", String(count)));
                scans++;
                cursor = r.items[0]!.s!;
                for (const i of r.items[1]!.items) seen.add(i.s!);
                for (const [add, n] of writes[step++ % writes.length]!) {
                  const m = `m${n}`;
                  if (add) {
                    await c.call("SADD", key, m);
                    present.add(m);
                    everAdded.add(m);
                  } else if (present.size > 1) {
                    await c.call("SREM", key, m);
                    present.delete(m);
                    throughout.delete(m);
                  }
                }
                expect(step).toBeLessThan(5000);
              } while (cursor !== "0");
              for (const m of throughout) expect(`${port === kv.port ? "kv" : "redis"} saw ${m}: ${seen.has(m)}`).toEndWith("true");
              for (const m of seen) expect(everAdded.has(m)).toBe(true);
              await c.call("DEL", key);
            } finally {
              c.close();
            }
          }
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
    console.log(`  ${run} iterations, ${scans} SSCAN calls`);
  });
}
