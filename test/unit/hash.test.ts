// The hash value and the scan cursor registry, in-process: encodings, order, sampling, clone,
// cursor syntax. Wire behaviour is compared with redis-server in test/commands/hash.test.ts.
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
  expect([...h.map]).toEqual([["a", "3"], ["b", "2"]]);
  expect(h.delete("a")).toBe(true);
  expect(h.delete("a")).toBe(false);
  h.set("a", "4", LIM);
  expect([...h.map.keys()]).toEqual(["b", "a"]);
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
  expect([...small.map]).toEqual([["a", "1"]]);
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
      const order = [...h.map.keys()];
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
