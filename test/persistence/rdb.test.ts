// RDB encode/load as functions: round trips of random keyspaces (fast-check), the file layout,
// expiry at load, metadata opcodes, and every kind of malformed file failing with an
// RdbFormatError that names the offset (never another exception).
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Db } from "../../src/keyspace/db.ts";
import { ManualClock } from "../../src/util/clock.ts";
import type { Value } from "../../src/types/value.ts";
import { ByteString } from "../../src/types/bytestring.ts";
import { List } from "../../src/types/list.ts";
import { Hash } from "../../src/types/hash.ts";
import { SetValue } from "../../src/types/set.ts";
import { ZSet } from "../../src/types/zset.ts";
import { encodeRdb, loadRdb, RdbFormatError } from "../../src/persistence/rdb.ts";
import { crc64, Crc64 } from "../../src/persistence/crc64.ts";

const hooks = { expired() {}, keepExpired: () => false };
const NOW = 1_700_000_000_000;

function newDbs(n = 16, clock = new ManualClock(NOW)): Db[] {
  return Array.from({ length: n }, (_, i) => new Db(i, clock, hooks));
}

const LIMITS = { intsetEntries: 512, listpackEntries: 0, listpackValue: 0 };

/** A value's content in a comparable form. */
function canon(v: Value): unknown {
  if (typeof v === "string") return ["s", v];
  if (typeof v === "number") return ["s", String(v)];
  switch (v.type) {
    case "string": return ["s", (v as ByteString).toLatin1()];
    case "list": return ["l", (v as List).toArray()];
    case "set": return ["set", [...(v as SetValue).values()].sort()];
    case "hash": return ["h", [...(v as Hash).entries()]];
    case "zset": {
      const out: [string, number][] = [];
      // A listpack sorted set holds -0 as 0, and a load may pick listpack where the source was a
      // skiplist: compare scores with -0 as 0.
      for (let x = (v as ZSet).first(); x !== null; x = x.next[0] ?? null) out.push([x.member, x.score === 0 ? 0 : x.score]);
      return ["z", out];
    }
    default: return ["?", v.type];
  }
}

function dbCanon(dbs: readonly Db[]): unknown[] {
  const out: unknown[] = [];
  for (const db of dbs) {
    for (const [k, v] of db.dict.entries()) out.push([db.id, k, String(db.getExpireExact(k)), canon(v)]);
  }
  return out.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

// Arbitraries: latin1 strings (every byte), integer-looking strings, doubles.
const latin1 = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const intStr = fc.oneof(
  fc.integer({ min: -300, max: 300 }).map(String),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map(String),
  fc.constantFrom("0", "-0", "007", "9223372036854775808", "-9223372036854775809", "1e3", " 1", "9007199254740993", "9999999999999999", "-9999999999999999", "-999999999999999", "999999999999999", "4294967296"),
);
const elem = fc.oneof(latin1, intStr, fc.constantFrom("x".repeat(100), "ab".repeat(3000)));
const score = fc.oneof(fc.double({ noNaN: true }), fc.integer().map(Number), fc.constantFrom(Infinity, -Infinity, 0, -0, 1e-300, 0.1));

const valueArb: fc.Arbitrary<Value> = fc.oneof(
  elem,
  fc.integer({ min: -1e15, max: 1e15 }),
  elem.map((s) => new ByteString(s)),
  fc.array(elem, { minLength: 1, maxLength: 30 }).map((a) => List.from(a)),
  fc.array(intStr, { minLength: 1, maxLength: 20 }).map((a) => SetValue.of(a, LIMITS)),
  fc.array(elem, { minLength: 1, maxLength: 20 }).map((a) => SetValue.of(a, LIMITS)),
  fc.array(fc.tuple(elem, elem), { minLength: 1, maxLength: 20 }).map((pairs) => {
    const h = new Hash();
    for (const [f, v] of pairs) h.set(f, v, { entries: 8, value: 30 });
    return h;
  }),
  fc.array(fc.tuple(elem, score), { minLength: 1, maxLength: 20 }).map((pairs) => {
    const z = new ZSet();
    for (const [m, s] of pairs) if (z.score(m) === undefined) z.insert(m, s, { entries: 8, value: 30 });
    return z;
  }),
);

const keyspaceArb = fc.array(
  fc.record({
    db: fc.integer({ min: 0, max: 3 }),
    key: latin1,
    value: valueArb,
    ttl: fc.option(fc.oneof(fc.integer({ min: 1, max: 1e10 }), fc.constant(2 ** 60)), { nil: null }),
  }),
  { maxLength: 40 },
);

function fill(dbs: Db[], entries: { db: number; key: string; value: Value; ttl: number | null }[]): void {
  for (const e of entries) {
    const db = dbs[e.db]!;
    db.set(e.key, e.value);
    if (e.ttl !== null) db.setExpire(e.key, e.ttl === 2 ** 60 ? (1n << 60n) + 1n : NOW + e.ttl);
  }
}

describe("crc64", () => {
  test("Redis's check value, and chunking does not matter", () => {
    expect(crc64(Buffer.from("123456789"))).toBe(0xe9c6d914c4b8d9can);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (b, cut) => {
        const at = Math.min(cut, b.length);
        const c = new Crc64().update(b, 0, at).update(b, at, b.length);
        expect(c.value).toBe(crc64(b));
        // A plain bitwise reference implementation agrees.
        let r = 0n;
        for (const x of b) {
          r ^= BigInt(x);
          for (let k = 0; k < 8; k++) r = r & 1n ? (r >> 1n) ^ 0x95ac9329ac4bc9b5n : r >> 1n;
        }
        expect(c.value).toBe(r);
      }),
    );
  });

  test("fast enough for a million-key dump", () => {
    const b = new Uint8Array(32 * 1024 * 1024);
    const t0 = performance.now();
    crc64(b);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

describe("round trip", () => {
  test("any keyspace → RDB → keyspace is identical (fast-check)", () => {
    fc.assert(
      fc.property(keyspaceArb, fc.boolean(), fc.boolean(), fc.constantFrom(-2, -1, 1, 3), (entries, compression, checksum, listFill) => {
        const src = newDbs(4);
        fill(src, entries);
        const bytes = encodeRdb(src, { compression, checksum, listFill, now: NOW });
        const dst = newDbs(4);
        const r = loadRdb(bytes, dst, NOW);
        expect(r.end).toBe(bytes.length);
        expect(r.keys).toBe(src.reduce((n, d) => n + d.size, 0));
        expect(dbCanon(dst)).toEqual(dbCanon(src));
      }),
      { numRuns: 300 },
    );
  });

  test("loaded values take Redis's encodings for the limits", () => {
    const src = newDbs(1);
    const big = new Hash();
    for (let i = 0; i < 600; i++) big.set(`f${i}`, "v", { entries: 1e9, value: 64 });
    src[0]!.set("h", big);
    const small = new Hash();
    small.set("a", "b", { entries: 512, value: 64 });
    small.convert();
    src[0]!.set("h2", small);
    src[0]!.set("s", SetValue.of(["1", "2", "x"], LIMITS));
    src[0]!.set("i", SetValue.of(["1", "2", "3"], LIMITS));
    const z = new ZSet(false);
    z.insert("m", 1, { entries: 128, value: 64 });
    src[0]!.set("z", z);
    const dst = newDbs(1);
    loadRdb(encodeRdb(src), dst, NOW);
    const enc = (k: string) => (dst[0]!.peek(k) as Hash).encoding();
    expect([enc("h"), enc("h2"), enc("s"), enc("i"), enc("z")]).toEqual(["hashtable", "listpack", "hashtable", "intset", "listpack"]);
  });

  test("the file starts with REDIS0010 and Redis 7.0's AUX fields", () => {
    const bytes = Buffer.from(encodeRdb(newDbs(1), { now: NOW, aofBase: true }));
    expect(bytes.subarray(0, 9).toString("latin1")).toBe("REDIS0010");
    const r = loadRdb(bytes, newDbs(1), NOW);
    expect([...r.aux.keys()]).toEqual(["redis-ver", "redis-bits", "ctime", "used-mem", "aof-base"]);
    expect(r.aux.get("ctime")).toBe(String(NOW / 1000));
    expect(r.aux.get("aof-base")).toBe("1");
    expect(r.aux.get("redis-bits")).toBe("64");
  });

  test("rdbchecksum no writes a zero trailer, which loads", () => {
    const src = newDbs(1);
    src[0]!.set("k", "v");
    const bytes = encodeRdb(src, { checksum: false });
    expect([...bytes.subarray(bytes.length - 8)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(loadRdb(bytes, newDbs(1), NOW).keys).toBe(1);
  });

  test("rdbcompression: long repetitive strings shrink only when it is on", () => {
    const src = newDbs(1);
    src[0]!.set("k", "ab".repeat(5000));
    expect(encodeRdb(src, { compression: true }).length).toBeLessThan(500);
    expect(encodeRdb(src, { compression: false }).length).toBeGreaterThan(10000);
  });
});

describe("expiry at load", () => {
  test("keys whose TTL passed are skipped and counted; keepExpired loads them", () => {
    const src = newDbs(1);
    src[0]!.set("old", "v");
    src[0]!.setExpire("old", NOW - 1);
    src[0]!.set("now", "v");
    src[0]!.setExpire("now", NOW);
    src[0]!.set("new", "v");
    src[0]!.setExpire("new", NOW + 1);
    const bytes = encodeRdb(src);
    const dst = newDbs(1);
    // Matches Redis: only a time strictly before now is expired at load.
    expect(loadRdb(bytes, dst, NOW)).toMatchObject({ keys: 2, expired: 1 });
    expect([...dst[0]!.dict.keys()].sort()).toEqual(["new", "now"]);
    expect(loadRdb(bytes, newDbs(1), NOW, { keepExpired: true })).toMatchObject({ keys: 3, expired: 0 });
  });
});

/** A minimal RDB around a body of opcodes and entries (version 10, zero checksum). */
function rdbWith(body: number[], version = "0010"): Buffer {
  return Buffer.from([...Buffer.from(`REDIS${version}`), ...body, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]);
}
const str = (s: string) => [s.length, ...Buffer.from(s, "latin1")];

describe("opcodes", () => {
  test("EXPIRETIME in seconds, IDLE and FREQ", () => {
    const sec = Math.floor(NOW / 1000) + 100;
    const le32 = [sec & 255, (sec >> 8) & 255, (sec >> 16) & 255, sec >>> 24];
    const clock = new ManualClock(NOW);
    const dbs = newDbs(1, clock);
    loadRdb(rdbWith([0xfd, ...le32, 0, ...str("a"), ...str("v"), 0xf8, 0x40, 100, 0, ...str("b"), ...str("v")]), dbs, NOW);
    expect(dbs[0]!.getExpire("a")).toBe(sec * 1000);
    expect(dbs[0]!.idleMs("b")).toBe(100_000);
    const lfu = newDbs(1, clock);
    lfu[0]!.lfu = true;
    loadRdb(rdbWith([0xf9, 77, 0, ...str("c"), ...str("v")]), lfu, NOW, { lfu: true });
    expect(lfu[0]!.lfuFreq("c")).toBe(77);
  });

  test("SELECTDB, RESIZEDB and AUX anywhere", () => {
    const dbs = newDbs(4);
    loadRdb(rdbWith([0xfa, ...str("x"), ...str("y"), 0xfe, 3, 0xfb, 1, 0, 0, ...str("k"), ...str("v")]), dbs, NOW);
    expect(dbs[3]!.peek("k")).toBe("v");
  });
});

/** Load that must fail with an RdbFormatError; returns it. */
function loadFails(bytes: Uint8Array, dbs = newDbs(4)): RdbFormatError {
  try {
    loadRdb(bytes, dbs, NOW);
  } catch (e) {
    if (!(e instanceof RdbFormatError)) throw e;
    expect(e.message).toContain(`at offset ${e.offset}`);
    return e;
  }
  throw new Error("load succeeded");
}

describe("malformed files fail with the offset", () => {
  const sample = (() => {
    const src = newDbs(2);
    fill(src, [
      { db: 0, key: "s", value: "hello world, hello world, hello world", ttl: 1000 },
      { db: 0, key: "l", value: List.from(["a", "1", "x".repeat(30)]), ttl: null },
      { db: 1, key: "z", value: (() => { const z = new ZSet(); z.insert("m", 1.5, { entries: 128, value: 64 }); return z; })(), ttl: null },
      { db: 1, key: "n", value: 12345, ttl: null },
    ]);
    return encodeRdb(src, { now: NOW });
  })();

  test("every truncation", () => {
    for (let n = 0; n < sample.length; n++) loadFails(sample.subarray(0, n));
  });

  test("any single corrupted byte (checksum or format)", () => {
    fc.assert(
      fc.property(fc.nat(sample.length - 1), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const b = Buffer.from(sample);
        b[at]! ^= x;
        loadFails(b);
      }),
      { numRuns: 3000 },
    );
  });

  test("without a checksum, corrupted bytes load or fail as a format error, never crash", () => {
    const src = newDbs(2);
    fill(src, [
      { db: 0, key: "h", value: (() => { const h = new Hash(); h.set("f", "v".repeat(30), { entries: 512, value: 64 }); return h; })(), ttl: null },
      { db: 0, key: "l", value: List.from(Array.from({ length: 50 }, (_, i) => `element ${i % 3}`)), ttl: 5 },
      { db: 1, key: "s", value: SetValue.of(["1", "2", "300000"], LIMITS), ttl: null },
      { db: 1, key: "big", value: SetValue.of(["a", "b", "c"], LIMITS), ttl: null },
    ]);
    const bytes = encodeRdb(src, { now: NOW, checksum: false });
    fc.assert(
      fc.property(fc.nat(bytes.length - 9), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const b = Buffer.from(bytes);
        b[at]! ^= x;
        try {
          loadRdb(b, newDbs(4), NOW);
        } catch (e) {
          if (!(e instanceof RdbFormatError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });

  test("checksum mismatch names both values", () => {
    const b = Buffer.from(sample);
    b[b.length - 1]! ^= 1;
    const e = loadFails(b);
    expect(e.reason).toMatch(/^wrong RDB checksum \(expected [0-9a-f]+, file has [0-9a-f]+\)$/);
    expect(e.offset).toBe(b.length - 8);
  });

  test("signature, version, unknown type, streams, modules, functions, db range, duplicates", () => {
    expect(loadFails(Buffer.from("RADIS0010\xff")).reason).toBe("not an RDB file (wrong signature)");
    expect(loadFails(rdbWith([], "0012")).reason).toBe("can't handle RDB format version 12");
    expect(loadFails(rdbWith([], "00x1")).reason).toBe("not an RDB file (bad version digits)");
    const unknown = loadFails(rdbWith([42, ...str("key")]));
    expect(unknown.reason).toBe("unknown value type 42 for key 'key'");
    expect(unknown.offset).toBe(14);
    expect(loadFails(rdbWith([15, ...str("st")])).reason).toBe("key 'st' holds a stream (RDB type 15), which kvserver does not support");
    expect(loadFails(rdbWith([7, ...str("m")])).reason).toContain("module value");
    expect(loadFails(rdbWith([0xf7, 2, 0, 0])).reason).toContain("MODULE_AUX");
    const fn = loadFails(rdbWith([0xf6, ...str("#!lua name=x")]));
    expect(fn.reason).toContain("function libraries");
    expect(fn.offset).toBe(9);
    expect(loadFails(rdbWith([0xfe, 20])).reason).toBe("database 20 is out of range (this server has 4 databases)");
    expect(loadFails(rdbWith([0, ...str("k"), ...str("v"), 0, ...str("k"), ...str("w")])).reason).toBe("duplicate key 'k' in database 0");
    expect(loadFails(rdbWith([2, ...str("s"), 2, ...str("a"), ...str("a")])).reason).toBe("duplicate set member in key 's'");
  });
});
