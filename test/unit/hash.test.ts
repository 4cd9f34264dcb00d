// The hash value and the scan cursor registry, in-process: encodings, order, sampling, clone,
// cursor syntax; the packed form (small hashes) against a reference Map with Redis's conversion
// rules. Wire behaviour is compared with redis-server in test/commands/hash.test.ts.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { Hash, type HashLimits } from "../../src/types/hash.ts";
import { ScanCursors, parseScanCursor } from "../../src/util/scancursor.ts";

const LIM: HashLimits = { entries: 4, value: 8 };

test("set reports new fields, keeps insertion order and updates in place", () => {
  const h = new Hash();
  expect(h.set("a", "1", LIM)).toBe(true);
  expect(h.set("b", "2", LIM)).toBe(true);
  expect(h.set("a", "3", LIM)).toBe(false);
  expect([...h.entries()]).toEqual([["a", "3"], ["b", "2"]]);
  expect(h.delete("a")).toBe(true);
  expect(h.delete("a")).toBe(false);
  h.set("a", "4", LIM);
  expect([...h.keys()]).toEqual(["b", "a"]);
  expect(h.size).toBe(2);
  expect(h.type).toBe("hash");
});

test("encoding: listpack within the limits, hashtable past either, never back", () => {
  const h = new Hash();
  for (const f of ["a", "b", "c", "d"]) h.set(f, "v", LIM);
  expect(h.encoding()).toBe("listpack");
  h.set("e", "v", LIM);
  expect(h.encoding()).toBe("hashtable");
  for (const f of ["a", "b", "c", "d", "e"]) h.delete(f);
  h.set("a", "v", LIM);
  expect(h.encoding()).toBe("hashtable");

  const long = new Hash();
  long.set("f", "12345678", LIM);
  expect(long.encoding()).toBe("listpack");
  long.set("f", "123456789", LIM);
  expect(long.encoding()).toBe("hashtable");

  const longField = new Hash();
  longField.set("123456789", "v", LIM);
  expect(longField.encoding()).toBe("hashtable");

  const zero = new Hash();
  zero.set("a", "b", { entries: 0, value: 64 });
  expect(zero.encoding()).toBe("hashtable");
});

test("clone is deep and keeps the encoding", () => {
  const h = new Hash();
  h.set("a", "1", LIM);
  const small = h.clone();
  h.set("b", "123456789", LIM);
  expect(small.encoding()).toBe("listpack");
  expect([...small.entries()]).toEqual([["a", "1"]]);
  const big = h.clone();
  expect(big.encoding()).toBe("hashtable");
  big.delete("a");
  expect(h.get("a")).toBe("1");
});

test("binary fields and values round-trip", () => {
  const h = new Hash();
  const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");
  h.set(all, all, { entries: 10, value: 1000 });
  expect(h.get(all)).toBe(all);
  expect(h.has(all)).toBe(true);
});

test("random picks and samples stay within the hash (small and large)", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 3000 }), (n, want) => {
      const h = new Hash();
      for (let i = 0; i < n; i++) h.set(`f${i}`, `v${i}`, { entries: 128, value: 64 });
      const f = h.randomField();
      expect(f !== null && h.has(f)).toBe(true);
      const count = Math.min(want, n - 1);
      if (count <= 0) return;
      const d = h.sampleDistinct(count);
      expect(d.length).toBe(count);
      expect(new Set(d).size).toBe(count);
      for (const x of d) expect(h.has(x)).toBe(true);
      const o = h.sampleOrdered(count);
      expect(o.length).toBe(count);
      const order = [...h.keys()];
      const idx = o.map((x) => order.indexOf(x));
      expect(idx.every((v, i) => v >= 0 && (i === 0 || v > idx[i - 1]!))).toBe(true);
    }),
    { numRuns: 60 },
  );
  expect(new Hash().randomField()).toBeNull();
});

test("randomField reaches every field of a large hash", () => {
  const h = new Hash();
  for (let i = 0; i < 2000; i++) h.set(`f${i}`, "v", { entries: 128, value: 64 });
  const seen = new Set<string>();
  for (let i = 0; i < 200000 && seen.size < 2000; i++) seen.add(h.randomField()!);
  expect(seen.size).toBe(2000);
});

/** The reference: one Map in insertion order plus Redis's one-way conversion rules. */
class Model {
  map = new Map<string, string>();
  listpack = true;
  set(f: string, v: string, lim: HashLimits): boolean {
    if (this.listpack && (f.length > lim.value || v.length > lim.value)) this.listpack = false;
    const size = this.map.size;
    this.map.set(f, v);
    if (this.listpack && this.map.size > lim.entries) this.listpack = false;
    return this.map.size !== size;
  }
}

/** Pairs in the hash's order while listpack-encoded (Redis's listpack keeps insertion order);
 * a hashtable's order is its own, in Redis as here, so it is compared sorted. */
function expectSame(h: Hash, m: Model, probes: readonly string[]): void {
  const ordered = m.listpack;
  const sortPairs = (xs: [string, string][]) => (ordered ? xs : xs.slice().sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  const sortStrs = (xs: string[]) => (ordered ? xs : xs.slice().sort());
  const pairs = sortPairs([...m.map]);
  expect(sortPairs([...h.entries()])).toEqual(pairs);
  expect(sortStrs([...h.keys()])).toEqual(sortStrs([...m.map.keys()]));
  expect(sortStrs([...h.values()])).toEqual(sortStrs([...m.map.values()]));
  const seen: [string, string][] = [];
  h.forEach((v, f) => seen.push([f, v]));
  expect(sortPairs(seen)).toEqual(pairs);
  // The three walks agree with each other in any encoding.
  expect([...h.keys()]).toEqual([...h.entries()].map(([f]) => f));
  expect(h.size).toBe(m.map.size);
  expect(h.encoding()).toBe(m.listpack ? "listpack" : "hashtable");
  expect(h.isListpack).toBe(m.listpack);
  for (const f of probes) {
    expect(h.get(f)).toBe(m.map.get(f));
    expect(h.has(f)).toBe(m.map.has(f));
  }
  const r = h.randomField();
  expect(r === null ? m.map.size === 0 : m.map.has(r)).toBe(true);
}

const bytes = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((a) => String.fromCharCode(...a));
// Fields that collide in the ways a packed lookup must tell apart: prefixes of each other,
// repeated bytes, the empty field, bytes that look like lengths, and values holding field text.
const fieldArb = fc.oneof(
  fc.constantFrom("", "a", "aa", "aaa", "f", "f1", "f10", "f100", "\x00", "\x01a", "\xff", "a\x00a"),
  fc.integer({ min: 0, max: 200 }).map((i) => `field:${i}`),
  bytes(0, 12),
  fc.constantFrom("x".repeat(65), "y".repeat(255), "z".repeat(256), "w".repeat(300)),
);
const valueArb = fc.oneof(
  fc.constantFrom("", "a", "aaaa", "field:1", "f1f1f1", "\x03a"),
  bytes(0, 20),
  fc.integer({ min: 0, max: 400 }).map((n) => "v".repeat(n)),
);
const limitsArb = fc.record({
  entries: fc.constantFrom(0, 1, 3, 10, 128, 129, 300, 300, 300),
  value: fc.constantFrom(0, 1, 8, 64, 255, 300, 1000),
});
const smallValueArb = fc.oneof(fc.constantFrom("", "a", "f1", "field:1"), bytes(0, 6));
const opArb = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(fc.constant("set" as const), fieldArb, smallValueArb) },
  { weight: 3, arbitrary: fc.tuple(fc.constant("set" as const), fieldArb, valueArb) },
  { weight: 4, arbitrary: fc.tuple(fc.constant("del" as const), fieldArb) },
  { weight: 1, arbitrary: fc.tuple(fc.constant("convert" as const)) },
  { weight: 1, arbitrary: fc.tuple(fc.constant("limits" as const), limitsArb) },
);

test("packed and Map forms behave as one insertion-ordered Map with Redis's conversions (fast-check)", () => {
  fc.assert(
    fc.property(limitsArb, fc.array(opArb, { maxLength: 200 }), (lim0, ops) => {
      let lim: HashLimits = lim0;
      const h = new Hash();
      const m = new Model();
      const probes = new Set<string>(["", "a", "f1", "field:1", "field:10", "missing"]);
      for (const op of ops) {
        if (op[0] === "set") {
          probes.add(op[1]);
          expect(h.set(op[1], op[2], lim)).toBe(m.set(op[1], op[2], lim));
        } else if (op[0] === "del") {
          probes.add(op[1]);
          expect(h.delete(op[1])).toBe(m.map.delete(op[1]));
        } else if (op[0] === "convert") {
          h.convert();
          m.listpack = false;
        } else {
          lim = op[1];
        }
        expectSame(h, m, [...probes]);
      }
      // A clone is equal and independent.
      const c = h.clone();
      expectSame(c, m, [...probes]);
      c.set("clone-only", "1", lim);
      expect(h.has("clone-only")).toBe(m.map.has("clone-only"));
    }),
    { numRuns: 400 },
  );
});

test("growing and shrinking through the packed bounds (entries, bytes) keeps every pair", () => {
  const lim: HashLimits = { entries: 1000, value: 1000 };
  for (const vlen of [0, 1, 20, 64, 200]) {
    const h = new Hash();
    const m = new Model();
    for (let i = 0; i < 300; i++) {
      const f = `f${i}`;
      const v = String(i % 10).repeat(vlen);
      expect(h.set(f, v, lim)).toBe(m.set(f, v, lim));
      if (i % 7 === 0) expect(h.delete(`f${i >> 1}`)).toBe(m.map.delete(`f${i >> 1}`));
      if (i % 5 === 0) expect(h.set(`f${i >> 2}`, "u".repeat(i % 40), lim)).toBe(m.set(`f${i >> 2}`, "u".repeat(i % 40), lim));
      // Probes include prefixes of stored fields ("f1" of "f10"…) and field text inside values.
      if (i % 9 === 0) expectSame(h, m, [`f${i}`, `f${i >> 1}`, `f${i >> 3}`, "f1", "f", "0", "u", "missing"]);
    }
    expectSame(h, m, Array.from({ length: 310 }, (_, i) => `f${i}`));
    for (let i = 0; i < 300; i++) expect(h.delete(`f${i}`)).toBe(m.map.delete(`f${i}`));
    expectSame(h, m, ["f1"]);
    expect(h.encoding()).toBe("listpack");
  }
});

test("lookups skip field bytes found inside other pairs (prefixes, values, across pairs)", () => {
  const lim: HashLimits = { entries: 128, value: 64 };
  const h = new Hash();
  const m = new Model();
  const put = (f: string, v: string) => expect(h.set(f, v, lim)).toBe(m.set(f, v, lim));
  for (let i = 10; i < 40; i++) put(`f${i}`, `f1f1f${i}`);
  put("x", "\x02f1");
  put("f1", "one");
  put("1", "f");
  put("f", "1");
  expect(h.encoding()).toBe("listpack");
  expect(h.get("f1")).toBe("one");
  expect(h.get("1f")).toBeUndefined();
  expect(h.get("\x02f1")).toBeUndefined();
  h.delete("f15");
  m.map.delete("f15");
  put("f12", "f1");
  expectSame(h, m, ["f1", "f", "1", "f12", "f15", "f19", "x", "\x02f1", "f1f1f19"]);
});

test("fromMap keeps order and encoding, packed or not", () => {
  for (const n of [0, 1, 3, 128, 129, 400]) {
    for (const vlen of [1, 100, 256]) {
      const map = new Map(Array.from({ length: n }, (_, i) => [`k${i}`, "v".repeat(vlen)] as [string, string]));
      for (const listpack of [true, false]) {
        const h = Hash.fromMap(new Map(map), listpack);
        const m = new Model();
        m.map = new Map(map);
        m.listpack = listpack;
        expectSame(h, m, ["k0", `k${n - 1}`, "nope"]);
        // Later writes follow the conversion rules from the stored encoding.
        const lim: HashLimits = { entries: 1000, value: 1000 };
        expect(h.set("new", "x", lim)).toBe(m.set("new", "x", lim));
        expect(h.set("k0", "changed", lim)).toBe(m.set("k0", "changed", lim));
        expectSame(h, m, ["k0", "new"]);
      }
    }
  }
});

test("an update converts a hash already past a lowered entries limit, as Redis does", () => {
  const h = new Hash();
  for (const f of ["a", "b", "c"]) h.set(f, "1", LIM);
  h.set("a", "2", { entries: 2, value: 64 });
  expect(h.encoding()).toBe("hashtable");
  expect([...h.entries()]).toEqual([["a", "2"], ["b", "1"], ["c", "1"]]);
});

test("random picks of a small hash are uniform over its fields", () => {
  for (const n of [5, 40]) {
    const h = new Hash();
    for (let i = 0; i < n; i++) h.set(`f${i}`, "v", { entries: 128, value: 64 });
    expect(h.encoding()).toBe("listpack");
    const counts = new Map<string, number>();
    const draws = n * 4000;
    for (let i = 0; i < draws; i++) {
      const f = h.randomField()!;
      counts.set(f, (counts.get(f) ?? 0) + 1);
    }
    expect(counts.size).toBe(n);
    for (const c of counts.values()) expect(Math.abs(c - 4000)).toBeLessThan(400);
  }
});

test("deleting down through the packed index boundary, from any position, keeps the rest", () => {
  const lim: HashLimits = { entries: 128, value: 64 };
  const orders: ((left: string[]) => string)[] = [
    (left) => left[0]!,
    (left) => left[left.length - 1]!,
    (left) => left[left.length >> 1]!,
    (left) => left[(left.length * 7) % left.length]!,
  ];
  for (const pick of orders) {
    const h = new Hash();
    const m = new Model();
    for (let i = 0; i < 24; i++) expect(h.set(`k${i}`, `val${i}`.repeat(1 + (i % 3)), lim)).toBe(m.set(`k${i}`, `val${i}`.repeat(1 + (i % 3)), lim));
    const all = [...m.map.keys()];
    let regrown = 0;
    while (m.map.size > 0) {
      const f = pick([...m.map.keys()]);
      expect(h.delete(f)).toBe(m.map.delete(f));
      expectSame(h, m, all);
      // Grow back by one now and then, so appends cross the boundary too.
      if ((m.map.size === 16 || m.map.size % 5 === 2) && regrown < 8) {
        const g = `again${regrown++}`;
        expect(h.set(g, "x", lim)).toBe(m.set(g, "x", lim));
        expectSame(h, m, all);
      }
    }
  }
});

test("parseScanCursor follows strtoul as Redis checks it", () => {
  expect(parseScanCursor("0")).toBe(0);
  expect(parseScanCursor("")).toBe(0);
  expect(parseScanCursor("+0")).toBe(0);
  expect(parseScanCursor("-0")).toBe(0);
  expect(parseScanCursor("00012")).toBe(12);
  expect(parseScanCursor("18446744073709551615")).toBeGreaterThan(0);
  expect(parseScanCursor("-1")).toBeGreaterThan(0);
  for (const bad of ["18446744073709551616", " 1", "1 ", "0x10", "+", "-", "1.0", "abc", "--1"]) {
    expect(parseScanCursor(bad)).toBeNull();
  }
});

test("ScanCursors resumes parked iterators only for their owner, and bounds how many it keeps", () => {
  const reg = new ScanCursors<string>();
  const a = new Map([["x", "1"], ["y", "2"], ["z", "3"]]);
  const b = new Map([["p", "1"]]);
  const it = a.keys();
  expect(it.next().value).toBe("x");
  const cur = reg.park(a, it);
  expect(cur).toBeGreaterThan(0);
  // Another owner presenting the cursor starts afresh, and the cursor is consumed.
  expect(reg.resume(b, cur, () => b.keys()).next().value).toBe("p");
  expect(reg.resume(a, cur, () => a.keys()).next().value).toBe("x");
  const cur2 = reg.park(a, it);
  expect(reg.resume(a, cur2, () => a.keys()).next().value).toBe("y");
  for (let i = 0; i < 5000; i++) reg.park(a, a.keys());
  expect(reg.size).toBeLessThanOrEqual(1024);
  reg.clear();
  expect(reg.size).toBe(0);
});
