// The compact and old value forms Redis 7.0 reads but no longer writes (ziplist lists, hashes and
// sorted sets, quicklist v1, zipmap hashes, plain type-1 lists, text-score sorted sets, intsets
// of every width, quicklist 2 plain nodes, LZF-compressed blobs): payloads are built here from
// the format description and RESTOREd into kvserver and redis-server, which must agree.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RawConn } from "../support/conn.ts";
import { startPair, type Pair } from "../support/oracle.ts";
import { Crc64 } from "../../src/persistence/crc64.ts";
import { lzfCompress } from "../../src/persistence/lzf.ts";
import { decode, items, pairs } from "../support/value.ts";

// ---- a test-side encoder for the formats ----

function rdbLen(n: number): number[] {
  if (n < 64) return [n];
  if (n < 16384) return [0x40 | (n >> 8), n & 255];
  return [0x80, (n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
}
const rdbStr = (b: Buffer | string): number[] => {
  const buf = typeof b === "string" ? Buffer.from(b, "latin1") : b;
  return [...rdbLen(buf.length), ...buf];
};
function lzfBlob(b: Buffer): number[] {
  const out = Buffer.alloc(b.length);
  const end = lzfCompress(b, 0, b.length, out, 0, b.length - 4);
  if (end < 0) throw new Error("incompressible test blob");
  return [0xc3, ...rdbLen(end), ...rdbLen(b.length), ...out.subarray(0, end)];
}
const le = (v: bigint, n: number): number[] => Array.from({ length: n }, (_, i) => Number((BigInt.asUintN(64, v) >> BigInt(8 * i)) & 255n));

type ZlEntry = { s: string } | { i: bigint; enc: "imm" | "i8" | "i16" | "i24" | "i32" | "i64" };

function ziplist(entries: ZlEntry[]): Buffer {
  const body: number[] = [];
  let prev = 0;
  for (const e of entries) {
    const start = body.length;
    if (prev < 254) body.push(prev);
    else body.push(0xfe, ...le(BigInt(prev), 4));
    if ("s" in e) {
      const b = Buffer.from(e.s, "latin1");
      const n = b.length;
      if (n < 64) body.push(n);
      else if (n < 16384) body.push(0x40 | (n >> 8), n & 255);
      else body.push(0x80, (n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255);
      body.push(...b);
    } else {
      const v = e.i;
      switch (e.enc) {
        case "imm": body.push(0xf1 + Number(v)); break;
        case "i8": body.push(0xfe, ...le(v, 1)); break;
        case "i16": body.push(0xc0, ...le(v, 2)); break;
        case "i24": body.push(0xf0, ...le(v, 3)); break;
        case "i32": body.push(0xd0, ...le(v, 4)); break;
        case "i64": body.push(0xe0, ...le(v, 8)); break;
      }
    }
    prev = body.length - start;
  }
  const total = 10 + body.length + 1;
  // zltail: the offset of the last entry.
  const tail = entries.length === 0 ? 10 : 10 + lastEntryOffset(body, entries.length);
  return Buffer.from([...le(BigInt(total), 4), ...le(BigInt(tail), 4), ...le(BigInt(entries.length), 2), ...body, 0xff]);
}

/** Offset (within the entries) of the last of n entries, walking prevlen/encoding headers. */
function lastEntryOffset(body: number[], n: number): number {
  let p = 0;
  let last = 0;
  for (let i = 0; i < n; i++) {
    last = p;
    p += body[p]! < 254 ? 1 : 5;
    const e = body[p]!;
    if (e >> 6 === 0) p += 1 + (e & 63);
    else if (e >> 6 === 1) p += 2 + (((e & 63) << 8) | body[p + 1]!);
    else if (e === 0x80) p += 5 + ((body[p + 1]! << 24) | (body[p + 2]! << 16) | (body[p + 3]! << 8) | body[p + 4]!);
    else if (e === 0xc0) p += 3;
    else if (e === 0xd0) p += 5;
    else if (e === 0xe0) p += 9;
    else if (e === 0xf0) p += 4;
    else if (e === 0xfe) p += 2;
    else p += 1;
  }
  return last;
}

function zipmap(pairsIn: [string, string, number][]): Buffer {
  const out: number[] = [Math.min(pairsIn.length, 253)];
  const len = (n: number) => (n < 254 ? [n] : [254, ...le(BigInt(n), 4)]);
  for (const [k, v, free] of pairsIn) {
    out.push(...len(k.length), ...Buffer.from(k, "latin1"), ...len(v.length), free, ...Buffer.from(v, "latin1"), ...new Array<number>(free).fill(0));
  }
  out.push(0xff);
  return Buffer.from(out);
}

function intset(width: 2 | 4 | 8, values: bigint[]): Buffer {
  return Buffer.from([...le(BigInt(width), 4), ...le(BigInt(values.length), 4), ...values.flatMap((v) => le(v, width))]);
}

/** A RESTORE payload: type, body, RDB version, CRC-64. */
function payload(type: number, body: number[], version = 10): Buffer {
  const head = Buffer.from([type, ...body, version & 255, version >> 8]);
  const crc = new Crc64().update(head);
  const tail = Buffer.alloc(8);
  crc.writeLE(tail, 0);
  return Buffer.concat([head, tail]);
}

// ---- the vectors ----

const ALL_ZL: ZlEntry[] = [
  { s: "" }, { s: "short" }, { s: "x".repeat(63) }, { s: "y".repeat(64) }, { s: "z".repeat(300) },
  { i: 0n, enc: "imm" }, { i: 12n, enc: "imm" }, { i: -128n, enc: "i8" }, { i: 127n, enc: "i8" },
  { i: -32768n, enc: "i16" }, { i: 1000n, enc: "i16" }, { i: -8388608n, enc: "i24" }, { i: 8388607n, enc: "i24" },
  { i: -2147483648n, enc: "i32" }, { i: 2147483647n, enc: "i32" }, { i: -(1n << 63n), enc: "i64" }, { i: (1n << 63n) - 1n, enc: "i64" },
  { s: "after-a-long-entry" },
];

const CASES: [name: string, key: string, payload: Buffer][] = [
  ["list as a ziplist (every entry encoding)", "zl", payload(10, rdbStr(ziplist(ALL_ZL)))],
  ["list as an LZF-compressed ziplist", "zlz", payload(10, lzfBlob(ziplist(Array.from({ length: 40 }, (_, i) => ({ s: `element-${i % 4}` })))))],
  ["list as quicklist v1 (ziplist nodes)", "ql1", payload(14, [2, ...rdbStr(ziplist([{ s: "a" }, { i: 5n, enc: "imm" }])), ...rdbStr(ziplist([{ s: "b" }, { s: "c" }]))])],
  ["list as quicklist 2 with a plain node", "ql2", payload(18, [3, 2, ...rdbStr(lpOf(["a", "b"])), 1, ...rdbStr("a plain node element"), 2, ...rdbStr(lpOf(["z"]))])],
  ["list as a plain type-1 list", "l1", payload(1, [3, ...rdbStr("a"), ...rdbStr("b"), 0xc0, 7])],
  ["hash as a ziplist", "hz", payload(13, rdbStr(ziplist([{ s: "f1" }, { s: "v1" }, { s: "n" }, { i: -5n, enc: "i8" }, { s: "big" }, { i: 1n << 40n, enc: "i64" }])))],
  ["hash as a ziplist past the listpack limits", "hzbig", payload(13, rdbStr(ziplist([{ s: "f" }, { s: "v".repeat(100) }])))],
  ["hash as a zipmap (free bytes, 254+ lengths)", "zm", payload(9, rdbStr(zipmap([["a", "1", 0], ["bb", "22", 3], ["long", "L".repeat(300), 1]])))],
  ["sorted set as a ziplist", "zz", payload(12, rdbStr(ziplist([{ s: "d" }, { s: "-inf" }, { s: "e" }, { i: -70000n, enc: "i24" }, { s: "a" }, { i: 1n, enc: "imm" }, { s: "b" }, { s: "1.5" }, { s: "c" }, { s: "inf" }])))],
  ["sorted set as a ziplist with a long member", "zzlong", payload(12, rdbStr(ziplist([{ s: "m".repeat(100) }, { i: 1n, enc: "imm" }])))],
  ["sorted set with text scores (type 3)", "z3", payload(3, [4, ...rdbStr("a"), 3, ...Buffer.from("2.5"), ...rdbStr("b"), 254, ...rdbStr("c"), 255, ...rdbStr("d"), 5, ...Buffer.from("-1e10")])],
  ["set as a 16-bit intset", "is16", payload(11, rdbStr(intset(2, [-5n, 3n, 300n])))],
  ["set as a 32-bit intset", "is32", payload(11, rdbStr(intset(4, [-70000n, 1n, 70000n])))],
  ["set as a 64-bit intset", "is64", payload(11, rdbStr(intset(8, [-(1n << 63n), 0n, (1n << 63n) - 1n])))],
  ["plain set and hash (types 2 and 4)", "h4", payload(4, [2, ...rdbStr("f"), ...rdbStr("v"), ...rdbStr("g"), 0xc1, 0x39, 0x30])],
];

/** A listpack of plain short strings, built by hand. */
function lpOf(elems: string[]): Buffer {
  const body: number[] = [];
  for (const s of elems) body.push(0x80 | s.length, ...Buffer.from(s), s.length + 1);
  const total = 6 + body.length + 1;
  return Buffer.from([...le(BigInt(total), 4), ...le(BigInt(elems.length), 2), ...body, 0xff]);
}

async function read(c: RawConn, key: string): Promise<string> {
  const type = decode(await c.call("TYPE", key)) as string;
  const enc = decode(await c.call("OBJECT", "ENCODING", key));
  let v: unknown;
  switch (type) {
    case "list": v = decode(await c.call("LRANGE", key, 0, -1)); break;
    case "set": v = items(decode(await c.call("SMEMBERS", key))).map(String).sort(); break;
    case "hash": v = pairs(decode(await c.call("HGETALL", key))).map((p) => `${String(p[0])}=${String(p[1])}`).sort(); break;
    case "zset": v = decode(await c.call("ZRANGE", key, 0, -1, "WITHSCORES")); break;
    default: v = decode(await c.call("GET", key));
  }
  return JSON.stringify([type, type === "list" ? "" : enc, v]);
}

let pair: Pair;
beforeAll(async () => {
  pair = await startPair();
});
afterAll(async () => {
  await pair.stop();
});

describe("legacy and compact forms RESTORE the same in kvserver and redis-server", () => {
  for (const [name, key, p] of CASES) {
    test(name, async () => {
      const [a, b] = await Promise.all([RawConn.connect(pair.kv.port), RawConn.connect(pair.redis.port)]);
      try {
        const ra = await a.call("RESTORE", key, 0, p);
        const rb = await b.call("RESTORE", key, 0, p);
        expect(ra).toBe(rb);
        expect(ra).toBe("+OK\r\n");
        expect(await read(a, key)).toBe(await read(b, key));
      } finally {
        a.close();
        b.close();
      }
    });
  }

  test("a NaN text score is bad data in both", async () => {
    const p = payload(3, [1, ...rdbStr("a"), 253]);
    const [a, b] = await Promise.all([RawConn.connect(pair.kv.port), RawConn.connect(pair.redis.port)]);
    try {
      expect(await a.call("RESTORE", "nan", 0, p)).toBe(await b.call("RESTORE", "nan", 0, p));
    } finally {
      a.close();
      b.close();
    }
  });
});

describe("Redis 7.2 forms (RDB 11), which 7.0 cannot read", () => {
  test("set as a listpack (type 20)", async () => {
    const c = await RawConn.connect(pair.kv.port);
    try {
      expect(await c.call("RESTORE", "slp", 0, payload(20, rdbStr(lpOf(["a", "b", "c"])), 11))).toBe("+OK\r\n");
      expect(items(decode(await c.call("SMEMBERS", "slp"))).map(String).sort()).toEqual(["a", "b", "c"]);
      // Version 12 is beyond what we read.
      expect(await c.call("RESTORE", "v12", 0, payload(0, rdbStr("x"), 12))).toBe("-ERR DUMP payload version or checksum are wrong\r\n");
    } finally {
      c.close();
    }
  });
});
