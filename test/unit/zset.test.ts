// The sorted set value on its own: skiplist order, ranks, range searches, range removals,
// encoding switches and clone, checked against a sorted-array model with fast-check.
import { expect, test } from "bun:test";
import fc from "fast-check";
import {
  LEX_MAX,
  LEX_MIN,
  LEX_VALUE,
  ZSet,
  lexGteMin,
  lexLteMax,
  scoreGteMin,
  scoreLteMax,
  type LexKind,
  type LexRange,
  type ScoreRange,
  type ZNode,
} from "../../src/types/zset.ts";

const BIG = { entries: 1 << 30, value: 1 << 30 };
const SEED = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));

type Entry = [member: string, score: number];

function cmp(a: Entry, b: Entry): number {
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function walk(z: ZSet): Entry[] {
  const out: Entry[] = [];
  for (let x: ZNode | null = z.first(); x !== null; x = x.next[0] as ZNode | null) out.push([x.member, x.score]);
  return out;
}

function walkBack(z: ZSet): Entry[] {
  const out: Entry[] = [];
  for (let x: ZNode | null = z.last(); x !== null; x = x.backward) out.push([x.member, x.score]);
  return out;
}

test("order is by score, then by member bytes; ties and binary members", () => {
  const z = new ZSet();
  z.insert("b", 1, BIG);
  z.insert("a", 1, BIG);
  z.insert("\xff", 0, BIG);
  z.insert("\x00", 0, BIG);
  z.insert("c", -Infinity, BIG);
  z.insert("d", Infinity, BIG);
  expect(walk(z)).toEqual([["c", -Infinity], ["\x00", 0], ["\xff", 0], ["a", 1], ["b", 1], ["d", Infinity]]);
  expect(walkBack(z)).toEqual(walk(z).reverse());
  expect(z.rank("a")).toBe(3);
  expect(z.rank("a", true)).toBe(2);
  expect(z.rank("zz")).toBe(-1);
  expect(z.at(0)!.member).toBe("c");
  expect(z.at(5)!.member).toBe("d");
  expect(z.at(6)).toBeNull();
  expect(z.at(-1)).toBeNull();
});

test("encoding: listpack until the entry or value limit, then skiplist for good", () => {
  const lim = { entries: 3, value: 4 };
  const z = new ZSet();
  z.insert("a", 1, lim);
  z.insert("b", 2, lim);
  z.insert("c", 3, lim);
  expect(z.encoding()).toBe("listpack");
  z.insert("d", 4, lim);
  expect(z.encoding()).toBe("skiplist");
  z.remove("d");
  z.remove("c");
  expect(z.encoding()).toBe("skiplist");
  const w = new ZSet();
  w.insert("abcd", 1, lim);
  expect(w.encoding()).toBe("listpack");
  w.insert("abcde", 1, lim);
  expect(w.encoding()).toBe("skiplist");
  expect(new ZSet(false).encoding()).toBe("skiplist");
});

test("a listpack stores -0 as 0; a skiplist keeps -0; shrinkIfFits converts back and normalises", () => {
  const lp = new ZSet();
  lp.insert("a", -0, BIG);
  expect(Object.is(lp.score("a"), 0)).toBe(true);
  const sl = new ZSet(false);
  sl.insert("a", -0, BIG);
  sl.insert("b", 1, BIG);
  expect(Object.is(sl.score("a"), -0)).toBe(true);
  sl.shrinkIfFits({ entries: 1, value: 64 });
  expect(sl.encoding()).toBe("skiplist");
  sl.shrinkIfFits({ entries: 2, value: 0 });
  expect(sl.encoding()).toBe("skiplist");
  sl.shrinkIfFits({ entries: 2, value: 1 });
  expect(sl.encoding()).toBe("listpack");
  expect(Object.is(sl.score("a"), 0)).toBe(true);
  expect(Object.is(sl.first()!.score, 0)).toBe(true);
});

test("clone is deep and keeps the encoding", () => {
  const z = new ZSet(false);
  for (let i = 0; i < 50; i++) z.insert(`m${i}`, i % 7, BIG);
  const c = z.clone();
  expect(c.encoding()).toBe("skiplist");
  expect(walk(c)).toEqual(walk(z));
  c.remove("m1");
  c.update("m2", 2, 100);
  expect(z.size).toBe(50);
  expect(z.score("m2")).toBe(2);
  expect(c.size).toBe(49);
});

test("lex range helpers follow Redis's - + [ ( bounds", () => {
  const r = (minKind: LexKind, min: string, minex: boolean, maxKind: LexKind, max: string, maxex: boolean): LexRange => ({
    min, max, minKind, maxKind, minex, maxex,
  });
  const all = r(LEX_MIN, "", true, LEX_MAX, "", true);
  expect(lexGteMin("", all) && lexLteMax("\xff\xff", all)).toBe(true);
  const ab = r(LEX_VALUE, "a", false, LEX_VALUE, "b", true);
  expect(lexGteMin("a", ab)).toBe(true);
  expect(lexLteMax("b", ab)).toBe(false);
  expect(lexLteMax("az", ab)).toBe(true);
  const z = new ZSet();
  for (const m of ["a", "b", "c", "d"]) z.insert(m, 0, BIG);
  expect(z.countInLex(ab)).toBe(1);
  expect(z.countInLex(all)).toBe(4);
  expect(z.countInLex(r(LEX_MIN, "", true, LEX_MIN, "", true))).toBe(0);
  expect(z.countInLex(r(LEX_VALUE, "c", false, LEX_VALUE, "c", false))).toBe(1);
  expect(z.countInLex(r(LEX_VALUE, "c", true, LEX_VALUE, "c", false))).toBe(0);
  expect(z.firstInLex(r(LEX_VALUE, "bb", false, LEX_MAX, "", true))!.member).toBe("c");
  expect(z.lastInLex(r(LEX_MIN, "", true, LEX_VALUE, "bb", false))!.member).toBe("b");
});

// ---- model-based property ----

type Op =
  | { k: "add"; m: string; s: number }
  | { k: "rem"; m: string }
  | { k: "remRank"; a: number; b: number }
  | { k: "remScore"; r: ScoreRange }
  | { k: "remLex"; r: LexRange };

const member = fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h", "aa", "", "\xff", "\x00", "ab");
const score = fc.oneof(fc.integer({ min: -4, max: 4 }), fc.constantFrom(0.5, -0.5, Infinity, -Infinity, 1e300));
const scoreRange = fc.record({ min: score, max: score, minex: fc.boolean(), maxex: fc.boolean() });
const lexBound = fc.tuple(fc.constantFrom<LexKind>(LEX_MIN, LEX_VALUE, LEX_VALUE, LEX_MAX), member, fc.boolean());
const lexRange = fc.tuple(lexBound, lexBound).map(
  ([[minKind, min, minex], [maxKind, max, maxex]]): LexRange => ({
    minKind, min: minKind === LEX_VALUE ? min : "", minex: minKind === LEX_VALUE ? minex : true,
    maxKind, max: maxKind === LEX_VALUE ? max : "", maxex: maxKind === LEX_VALUE ? maxex : true,
  }),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant("add" as const), m: member, s: score }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("rem" as const), m: member }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("remRank" as const), a: fc.integer({ min: 0, max: 12 }), b: fc.integer({ min: 0, max: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("remScore" as const), r: scoreRange }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("remLex" as const), r: lexRange }) },
);

function check(z: ZSet, model: Entry[], ranges: { s: ScoreRange; l: LexRange }): void {
  const sorted = [...model].sort(cmp);
  expect(walk(z)).toEqual(sorted);
  expect(walkBack(z)).toEqual([...sorted].reverse());
  expect(z.size).toBe(sorted.length);
  sorted.forEach(([m, s], i) => {
    expect(z.rank(m)).toBe(i);
    expect(z.rank(m, true)).toBe(sorted.length - 1 - i);
    expect(z.at(i)!.member).toBe(m);
    expect(z.score(m)).toBe(s);
  });
  const inS = sorted.filter(([, s]) => scoreGteMin(s, ranges.s) && scoreLteMax(s, ranges.s));
  expect(z.countInScore(ranges.s)).toBe(inS.length);
  expect(z.firstInScore(ranges.s)?.member ?? null).toBe(inS[0]?.[0] ?? null);
  expect(z.lastInScore(ranges.s)?.member ?? null).toBe(inS.at(-1)?.[0] ?? null);
  // Lex ranges are defined over equal scores: check them on a copy with every score 0.
  const flat = new ZSet(z.isListpack);
  for (const [m] of sorted) flat.insert(m, 0, BIG);
  const inL = sorted.map(([m]) => m).sort().filter((m) => lexGteMin(m, ranges.l) && lexLteMax(m, ranges.l));
  expect(flat.countInLex(ranges.l)).toBe(inL.length);
  expect(flat.firstInLex(ranges.l)?.member ?? null).toBe(inL[0] ?? null);
  expect(flat.lastInLex(ranges.l)?.member ?? null).toBe(inL.at(-1) ?? null);
}

test("property: ZSet agrees with a sorted-array model under random edits (both encodings)", () => {
  console.log(`zset model property: FC_SEED=${SEED}`);
  fc.assert(
    fc.property(fc.boolean(), fc.array(op, { maxLength: 60 }), scoreRange, lexRange, (listpack, ops, sr, lr) => {
      const z = new ZSet(listpack);
      let model: Entry[] = [];
      for (const o of ops) {
        if (o.k === "add") {
          const cur = z.score(o.m);
          if (cur === undefined) z.insert(o.m, o.s, BIG);
          else z.update(o.m, cur, o.s);
          const s = listpack && o.s === 0 ? 0 : o.s;
          model = model.filter(([m]) => m !== o.m);
          model.push([o.m, s]);
        } else if (o.k === "rem") {
          expect(z.remove(o.m)).toBe(model.some(([m]) => m === o.m));
          model = model.filter(([m]) => m !== o.m);
        } else if (o.k === "remRank") {
          const sorted = [...model].sort(cmp);
          const end = Math.min(o.b, sorted.length - 1);
          if (o.a > end) continue;
          const gone = new Set(sorted.slice(o.a, end + 1).map(([m]) => m));
          expect(z.removeRankRange(o.a, end)).toBe(gone.size);
          model = model.filter(([m]) => !gone.has(m));
        } else if (o.k === "remScore") {
          const gone = model.filter(([, s]) => scoreGteMin(s, o.r) && scoreLteMax(s, o.r));
          expect(z.removeScoreRange(o.r)).toBe(gone.length);
          model = model.filter(([, s]) => !(scoreGteMin(s, o.r) && scoreLteMax(s, o.r)));
        } else {
          // Lex removal on the real (mixed-score) set is only defined for equal scores: apply it to
          // a flat copy and compare with the model there.
          const flat = new ZSet(listpack);
          for (const [m] of model) flat.insert(m, 0, BIG);
          const keep = model.filter(([m]) => !(lexGteMin(m, o.r) && lexLteMax(m, o.r)));
          expect(flat.removeLexRange(o.r)).toBe(model.length - keep.length);
          expect(walk(flat).map(([m]) => m)).toEqual(keep.map(([m]) => m).sort());
        }
      }
      check(z, model, { s: sr, l: lr });
      const c = z.clone();
      expect(walk(c)).toEqual(walk(z));
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test("large sets: ranks and positions stay right across many inserts, updates and removals", () => {
  const z = new ZSet(false);
  const model = new Map<string, number>();
  let r = 12345;
  const rnd = () => ((r = (r * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 20000; i++) {
    const m = `m${Math.floor(rnd() * 3000)}`;
    const s = Math.floor(rnd() * 500);
    const cur = z.score(m);
    if (rnd() < 0.2) {
      z.remove(m);
      model.delete(m);
    } else if (cur === undefined) {
      z.insert(m, s, BIG);
      model.set(m, s);
    } else {
      z.update(m, cur, s);
      model.set(m, s);
    }
  }
  const sorted = [...model].sort(cmp);
  expect(walk(z)).toEqual(sorted);
  for (let i = 0; i < sorted.length; i += 97) {
    expect(z.rank(sorted[i]![0])).toBe(i);
    expect(z.at(i)!.member).toBe(sorted[i]![0]);
  }
});
