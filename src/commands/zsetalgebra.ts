// Sorted set algebra: ZUNION ZINTER ZDIFF, their STORE forms and ZINTERCARD, over sorted sets and
// plain sets alike (a set member scores 1). Owns weights, AGGREGATE and the visiting order that
// fixes how floating-point sums are taken; it reads its sources and must not modify them.
import { E } from "../errors.ts";
import { SetValue } from "../types/set.ts";
import { ZSet } from "../types/zset.ts";
import { string2d, string2ll } from "../util/number.ts";
import type { Context } from "./context.ts";
import type { CommandSpec, KeySpec } from "./spec.ts";
import { limits, longArg, replyMembers, storeResult } from "./zsetaccess.ts";

const WEIGHT_NOT_FLOAT = "ERR weight value is not a float";
const LIMIT_NEGATIVE = "ERR LIMIT can't be negative";

function needsInputKey(name: string): string {
  return `ERR at least 1 input key is needed for '${name}' command`;
}

const UNION = 0;
const INTER = 1;
const DIFF = 2;
type SetOp = typeof UNION | typeof INTER | typeof DIFF;
const SUM = 0;
const MIN = 1;
const MAX = 2;

interface Source {
  z: ZSet | SetValue | null;
  weight: number;
}

function sourceSize(s: Source): number {
  return s.z === null ? 0 : s.z.size;
}

/** The score of member in a source (1 for a plain set member), or undefined. */
function sourceScore(s: Source, member: string): number | undefined {
  const z = s.z;
  if (z === null) return undefined;
  if (z instanceof ZSet) return z.score(member);
  return z.has(member) ? 1 : undefined;
}

/** Every (member, score) of a source, in its own order. */
function forEachMember(s: Source, f: (member: string, score: number) => void): void {
  const z = s.z;
  if (z === null) return;
  if (z instanceof ZSet) {
    const from = z.first();
    if (from !== null) {
      z.each(from, false, 0, (m, sc) => {
        f(m, sc);
        return true;
      });
    }
  } else {
    for (const m of z.values()) f(m, 1);
  }
}

/** Redis's zunionInterAggregate: a SUM of +inf and -inf is 0. */
function aggregate(acc: number, v: number, how: number): number {
  if (how === SUM) {
    const s = acc + v;
    return Number.isNaN(s) ? 0 : s;
  }
  if (how === MIN) return v < acc ? v : acc;
  return v > acc ? v : acc;
}

/** Redis's zunionInterDiffGenericCommand; dst is the STORE destination, cardOnly is ZINTERCARD. */
function zsetOp(c: Context, name: string, op: SetOp, dst: string | null, numkeysIdx: number, cardOnly: boolean): void {
  const a = c.args;
  const argc = a.argc;
  const nk = longArg(c, numkeysIdx);
  if (nk === null) return;
  if (nk < 1) return c.error(needsInputKey(name));
  if (nk > argc - (numkeysIdx + 1)) return c.error(E.syntax);
  const src: Source[] = [];
  let j = numkeysIdx + 1;
  for (let i = 0; i < nk; i++, j++) {
    const key = a.str(j);
    // Matches Redis 7.0: sources are read lookups (hits, misses, keymiss events) even when storing.
    const v = c.lookupRead(key);
    if (v === undefined) src.push({ z: null, weight: 1 });
    else if (v instanceof ZSet || v instanceof SetValue) src.push({ z: v, weight: 1 });
    else return c.error(E.wrongType);
  }
  let how = SUM;
  let withScores = false;
  let limit = 0;
  while (j < argc) {
    const left = argc - j;
    if (op !== DIFF && !cardOnly && left >= nk + 1 && a.is(j, "weights")) {
      j++;
      for (let i = 0; i < nk; i++, j++) {
        const w = string2d(a.str(j));
        if (w === null) return c.error(WEIGHT_NOT_FLOAT);
        src[i]!.weight = w;
      }
    } else if (op !== DIFF && !cardOnly && left >= 2 && a.is(j, "aggregate")) {
      j++;
      if (a.is(j, "sum")) how = SUM;
      else if (a.is(j, "min")) how = MIN;
      else if (a.is(j, "max")) how = MAX;
      else return c.error(E.syntax);
      j++;
    } else if (dst === null && !cardOnly && a.is(j, "withscores")) {
      j++;
      withScores = true;
    } else if (cardOnly && left >= 2 && a.is(j, "limit")) {
      const v = string2ll(a.str(j + 1));
      if (v === null || v < 0) return c.error(LIMIT_NEGATIVE);
      limit = Number(v);
      j += 2;
    } else {
      return c.error(E.syntax);
    }
  }
  // Matches Redis: UNION and INTER visit inputs from the smallest up (a stable sort), which fixes
  // the order floating-point sums are taken in.
  if (op !== DIFF) src.sort((x, y) => sourceSize(x) - sourceSize(y));
  const out = new Map<string, number>();
  const big = { entries: Infinity, value: Infinity };
  let card = 0;
  if (op === INTER) {
    const first = src[0]!;
    if (sourceSize(first) > 0) {
      const z0 = first.z!;
      const each = (member: string, score0: number): boolean => {
        let score = first.weight * score0;
        if (Number.isNaN(score)) score = 0;
        for (let i = 1; i < src.length; i++) {
          const s = src[i]!;
          const v = s.z === z0 ? score0 : sourceScore(s, member);
          if (v === undefined) return true;
          score = aggregate(score, v * s.weight, how);
        }
        if (cardOnly) {
          card++;
          return limit === 0 || card < limit;
        }
        out.set(member, score);
        return true;
      };
      if (z0 instanceof ZSet) {
        const from = z0.first();
        if (from !== null) z0.each(from, false, 0, each);
      } else {
        for (const m of z0.values()) if (!each(m, 1)) break;
      }
    }
  } else if (op === UNION) {
    for (const s of src) {
      forEachMember(s, (member, score0) => {
        let score = s.weight * score0;
        if (Number.isNaN(score)) score = 0;
        const cur = out.get(member);
        out.set(member, cur === undefined ? score : aggregate(cur, score, how));
      });
    }
  } else {
    const first = src[0]!;
    forEachMember(first, (member, score) => {
      for (let i = 1; i < src.length; i++) if (sourceScore(src[i]!, member) !== undefined) return;
      out.set(member, score);
    });
  }
  if (cardOnly) return c.reply.int(card);
  // Build the ordered structure from the collected scores.
  const result = new ZSet(false);
  for (const [m, s] of out) result.insert(m, s, big);
  if (dst !== null) {
    result.shrinkIfFits(limits(c));
    return storeResult(c, dst, result, name);
  }
  const members: string[] = [];
  const scores: number[] | null = withScores ? [] : null;
  result.rangeByRank(0, result.size, false, members, scores);
  replyMembers(c, members, scores);
}

// ---- specs ----

const NUMKEYS_RO: readonly KeySpec[] = [{ flags: ["RO", "access"], begin: { index: 1 }, find: { keynum: [0, 1, 1] } }];
const STORE_NUMKEYS: readonly KeySpec[] = [
  { flags: ["OW", "update"], begin: { index: 1 }, find: { range: [0, 1, 0] } },
  { flags: ["RO", "access"], begin: { index: 2 }, find: { keynum: [0, 1, 1] } },
];

const opRead = (name: string, op: SetOp, summary: string, cardOnly = false): CommandSpec => ({
  name,
  arity: -3,
  flags: ["readonly", "movablekeys"],
  keys: [0, 0, 0],
  keySpecs: NUMKEYS_RO,
  acl: ["sortedset"],
  group: "sorted-set",
  since: cardOnly ? "7.0.0" : "6.2.0",
  summary,
  run: (c) => zsetOp(c, name, op, null, 1, cardOnly),
});

const opStore = (name: string, op: SetOp, since: string, summary: string): CommandSpec => ({
  name,
  arity: -4,
  flags: ["write", "denyoom", "movablekeys"],
  keys: [1, 1, 1],
  keySpecs: STORE_NUMKEYS,
  acl: ["sortedset"],
  group: "sorted-set",
  since,
  summary,
  run: (c) => zsetOp(c, name, op, c.args.str(1), 2, false),
});

export const zsetAlgebraCommands: readonly CommandSpec[] = [
  opRead("zunion", UNION, "Returns the union of sorted sets (and sets), scores combined by weight and aggregate."),
  opRead("zinter", INTER, "Returns the intersection of sorted sets (and sets), scores combined by weight and aggregate."),
  opRead("zdiff", DIFF, "Returns the members of the first sorted set that no other input holds."),
  opStore("zunionstore", UNION, "2.0.0", "Stores the union of sorted sets (and sets) at a destination key."),
  opStore("zinterstore", INTER, "2.0.0", "Stores the intersection of sorted sets (and sets) at a destination key."),
  opStore("zdiffstore", DIFF, "6.2.0", "Stores the difference of the first input and the others at a destination key."),
  opRead("zintercard", INTER, "Counts the members of the intersection of sorted sets, stopping at an optional limit.", true),
];
