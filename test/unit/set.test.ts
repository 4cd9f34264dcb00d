// The set value in-process: which members an intset holds, numeric order of intset members,
// encoding transitions (intset → hashtable as in Redis 7.0; the optional listpack step),
// clone independence and random sampling shapes. fast-check properties against BigInt.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { SetValue, compareInts, isIntsetMember, type SetLimits } from "../../src/types/set.ts";
import { string2ll } from "../../src/util/number.ts";

/** Redis 7.0's defaults: no listpack sets. */
const R70: SetLimits = { intsetEntries: 512, listpackEntries: 0, listpackValue: 0 };
/** Redis 7.2's defaults, with listpack sets. */
const R72: SetLimits = { intsetEntries: 512, listpackEntries: 128, listpackValue: 64 };

const SEED = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));

test("isIntsetMember accepts exactly the canonical int64 strings", () => {
  for (const s of ["0", "1", "-1", "9223372036854775807", "-9223372036854775808", "123", "-42"]) expect(isIntsetMember(s)).toBe(true);
  for (const s of ["", "-", "-0", "01", "+1", " 1", "1 ", "1.0", "1e3", "9223372036854775808", "-9223372036854775809", "a", "0x1", "99999999999999999999", "-00"]) {
    expect(`${s}: ${isIntsetMember(s)}`).toBe(`${s}: false`);
  }
});

test("property: isIntsetMember agrees with string2ll", () => {
  const digits = fc.stringMatching(/^-?[0-9]{0,21}$/);
  const near = fc.bigInt({ min: -(1n << 64n), max: 1n << 64n }).map(String);
  fc.assert(
    fc.property(fc.oneof(digits, near, fc.string({ maxLength: 4 })), (s) => {
      expect(isIntsetMember(s)).toBe(string2ll(s) !== null);
    }),
    { seed: SEED, numRuns: 3000 },
  );
});

test("property: compareInts orders canonical int64 strings numerically", () => {
  const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
  fc.assert(
    fc.property(int64, int64, (a, b) => {
      expect(Math.sign(compareInts(String(a), String(b)))).toBe(a < b ? -1 : a > b ? 1 : 0);
    }),
    { seed: SEED, numRuns: 3000 },
  );
});

test("an integer set stays an intset, iterates in numeric order, and becomes a hashtable on a non-integer", () => {
  const s = new SetValue();
  for (const m of ["10", "-3", "2", "9223372036854775807", "-9223372036854775808", "2"]) s.add(m, R70);
  expect(s.encoding()).toBe("intset");
  expect(s.size).toBe(5);
  expect([...s.ordered()]).toEqual(["-9223372036854775808", "-3", "2", "10", "9223372036854775807"]);
  expect(s.add("x", R70)).toBe(true);
  expect(s.encoding()).toBe("hashtable");
  // Never converts back, even when only integers remain.
  s.delete("x");
  expect(s.encoding()).toBe("hashtable");
  expect(new Set(s.ordered())).toEqual(new Set(["-9223372036854775808", "-3", "2", "10", "9223372036854775807"]));
});

test("more members than set-max-intset-entries make it a hashtable", () => {
  const lim: SetLimits = { ...R70, intsetEntries: 3 };
  const s = SetValue.of(["1", "2", "3"], lim);
  expect(s.encoding()).toBe("intset");
  s.add("4", lim);
  expect(s.encoding()).toBe("hashtable");
  expect(SetValue.of(["1"], { ...R70, intsetEntries: 0 }).encoding()).toBe("hashtable");
  // "-0", "01" and the like are strings, not integers.
  expect(SetValue.of(["1", "-0"], R70).encoding()).toBe("hashtable");
  expect(SetValue.of(["01"], R70).encoding()).toBe("hashtable");
});

test("with listpack limits (Redis 7.2): intset → listpack → hashtable", () => {
  const s = SetValue.of(["1", "2"], R72);
  expect(s.encoding()).toBe("intset");
  s.add("abc", R72);
  expect(s.encoding()).toBe("listpack");
  s.add("x".repeat(65), R72);
  expect(s.encoding()).toBe("hashtable");
  const big = new SetValue();
  for (let i = 0; i < 128; i++) big.add(`m${i}`, R72);
  expect(big.encoding()).toBe("listpack");
  big.add("m128", R72);
  expect(big.encoding()).toBe("hashtable");
  // Too many integers for a listpack when the intset gives up: straight to hashtable.
  const ints = SetValue.of(Array.from({ length: 513 }, (_, i) => String(i)), R72);
  expect(ints.encoding()).toBe("hashtable");
  expect(SetValue.of(["x".repeat(65)], R72).encoding()).toBe("hashtable");
});

test("clone is a deep copy keeping the encoding", () => {
  const a = SetValue.of(["3", "1", "2"], R70);
  const b = a.clone();
  b.add("0", R70);
  a.delete("3");
  expect([...a.ordered()]).toEqual(["1", "2"]);
  expect([...b.ordered()]).toEqual(["0", "1", "2", "3"]);
  expect(b.encoding()).toBe("intset");
  const h = SetValue.of(["a", "b"], R70);
  expect(h.clone().encoding()).toBe("hashtable");
});

test("property: ordered() of an intset stays sorted and equal to the members under random adds and deletes", () => {
  const op = fc.tuple(fc.boolean(), fc.integer({ min: -50, max: 50 }), fc.boolean());
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const s = new SetValue();
      const model = new Set<string>();
      for (const [add, n, look] of ops) {
        const m = String(n);
        if (add) expect(s.add(m, R70)).toBe(!model.has(m));
        else expect(s.delete(m)).toBe(model.has(m));
        if (add) model.add(m);
        else model.delete(m);
        // Reading the order (which builds the cache) in between exercises its upkeep.
        if (look) expect([...s.ordered()]).toEqual([...model].sort((x, y) => Number(x) - Number(y)));
      }
      expect(s.encoding()).toBe("intset");
      expect([...s.ordered()]).toEqual([...model].sort((x, y) => Number(x) - Number(y)));
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test("random picks and distinct samples come from the set, for small, intset and large sets", () => {
  const small = SetValue.of(["a", "b", "c", "d"], R70);
  const ints = SetValue.of(["5", "6", "7", "8", "9"], R70);
  const large = SetValue.of(Array.from({ length: 5000 }, (_, i) => `k${i}`), R70);
  for (const s of [small, ints, large]) {
    for (let i = 0; i < 200; i++) expect(s.has(s.random()!)).toBe(true);
    for (const count of [1, 2, s.size - 1]) {
      const sample = s.sampleDistinct(count);
      expect(sample.length).toBe(count);
      expect(new Set(sample).size).toBe(count);
      for (const m of sample) expect(s.has(m)).toBe(true);
    }
  }
  const fewOfMany = large.sampleDistinct(10);
  expect(new Set(fewOfMany).size).toBe(10);
  expect(new SetValue().random()).toBeNull();
  // Every member of a small set turns up eventually.
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) seen.add(small.random()!);
  expect(seen.size).toBe(4);
});
