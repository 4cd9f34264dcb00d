// Sorted set ranges: score and lex range parsing, ZRANGE and its legacy forms, ZRANGESTORE, the
// ZREMRANGEBY* removals, ZCOUNT and ZLEXCOUNT. Owns how a range is read (strtod bounds, "(" and
// "[" ends, LIMIT) and walked; the skiplist/listpack behind it is types/zset.ts and is not touched.
import { E } from "../errors.ts";
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
} from "../types/zset.ts";
import { string2d } from "../util/number.ts";
import type { Context } from "./context.ts";
import type { CommandSpec, KeySpec } from "./spec.ts";
import { deleteIfEmpty, limits, longArg, replyMembers, storeResult, touched, zsetForRead, zsetForWrite } from "./zsetaccess.ts";

const NOT_FLOAT_RANGE = "ERR min or max is not a float";
const NOT_LEX_RANGE = "ERR min or max not valid string range item";
const LIMIT_NEEDS_BY = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
const WITHSCORES_LEX = "ERR syntax error, WITHSCORES not supported in combination with BYLEX";

// ---- range arguments ----

const DEC = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const INF = /^[+-]?inf(?:inity)?$/i;
const HEX = /^[+-]?0[xX]/;

/**
 * A score range bound as Redis reads it with plain strtod: leading whitespace allowed, parsing
 * stops at a NUL byte, overflow gives ±inf, an empty string reads as 0, NaN is refused.
 */
function strtodBound(s: string): number | null {
  const nul = s.indexOf("\0");
  if (nul >= 0) s = s.slice(0, nul);
  if (s.length === 0) return 0;
  const t = s.replace(/^[ \t\n\v\f\r]+/, "");
  if (DEC.test(t)) return Number(t);
  if (INF.test(t)) return t.charCodeAt(0) === 45 ? -Infinity : Infinity;
  if (HEX.test(t)) return string2d(t);
  return null;
}

/** min and max of a score range ("(" marks an exclusive end); null when either is not a float. */
function parseScoreRange(c: Context, minIdx: number, maxIdx: number): ScoreRange | null {
  const a = c.args.str(minIdx);
  const b = c.args.str(maxIdx);
  const minex = a.charCodeAt(0) === 40;
  const maxex = b.charCodeAt(0) === 40;
  const min = strtodBound(minex ? a.slice(1) : a);
  const max = strtodBound(maxex ? b.slice(1) : b);
  if (min === null || max === null) return null;
  return { min, max, minex, maxex };
}

interface LexBound {
  kind: LexKind;
  value: string;
  ex: boolean;
}

function parseLexBound(s: string): LexBound | null {
  const c0 = s.charCodeAt(0);
  // Matches Redis: "+" and "-" must stand alone (it reads them as C strings, so "+\0…" passes).
  if (c0 === 43 || c0 === 45) {
    if (s.length > 1 && s.charCodeAt(1) !== 0) return null;
    return { kind: c0 === 43 ? LEX_MAX : LEX_MIN, value: "", ex: true };
  }
  if (c0 === 40) return { kind: LEX_VALUE, value: s.slice(1), ex: true };
  if (c0 === 91) return { kind: LEX_VALUE, value: s.slice(1), ex: false };
  return null;
}

function parseLexRange(c: Context, minIdx: number, maxIdx: number): LexRange | null {
  const a = parseLexBound(c.args.str(minIdx));
  const b = parseLexBound(c.args.str(maxIdx));
  if (a === null || b === null) return null;
  return { min: a.value, max: b.value, minKind: a.kind, maxKind: b.kind, minex: a.ex, maxex: b.ex };
}

// ---- ZRANGE and its family ----

const RANK = 0;
const SCORE = 1;
const LEX = 2;
type RangeKind = typeof RANK | typeof SCORE | typeof LEX;

/**
 * Redis's zrangeGenericCommand: the options after <src> <min> <max>, the range, then the
 * lookup. kind/reverse null mean "chosen by BYSCORE/BYLEX/REV" (ZRANGE, ZRANGESTORE); the legacy
 * commands fix them, which makes those words syntax errors. store is ZRANGESTORE's destination.
 */
function zrangeGeneric(c: Context, at: number, store: string | null, fixedKind: RangeKind | null, fixedRev: boolean | null): void {
  const a = c.args;
  const argc = a.argc;
  let kind = fixedKind;
  let reverse = fixedRev;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = at + 3; j < argc; j++) {
    const left = argc - j - 1;
    if (store === null && a.is(j, "withscores")) {
      withScores = true;
    } else if (left >= 2 && a.is(j, "limit")) {
      const o = longArg(c, j + 1);
      if (o === null) return;
      const l = longArg(c, j + 2);
      if (l === null) return;
      offset = o;
      limit = l;
      j += 2;
    } else if (reverse === null && a.is(j, "rev")) {
      reverse = true;
    } else if (kind === null && a.is(j, "bylex")) {
      kind = LEX;
    } else if (kind === null && a.is(j, "byscore")) {
      kind = SCORE;
    } else {
      return c.error(E.syntax);
    }
  }
  const rev = reverse ?? false;
  const k = kind ?? RANK;
  if (limit !== -1 && k === RANK) return c.error(LIMIT_NEEDS_BY);
  if (withScores && k === LEX) return c.error(WITHSCORES_LEX);
  // A reversed score or lex range is written max first.
  let minIdx = at + 1;
  let maxIdx = at + 2;
  if (rev && k !== RANK) [minIdx, maxIdx] = [maxIdx, minIdx];
  let start = 0;
  let end = 0;
  let sr: ScoreRange | null = null;
  let lr: LexRange | null = null;
  if (k === RANK) {
    const s = longArg(c, minIdx);
    if (s === null) return;
    const e = longArg(c, maxIdx);
    if (e === null) return;
    start = s;
    end = e;
  } else if (k === SCORE) {
    sr = parseScoreRange(c, minIdx, maxIdx);
    if (sr === null) return c.error(NOT_FLOAT_RANGE);
  } else {
    lr = parseLexRange(c, minIdx, maxIdx);
    if (lr === null) return c.error(NOT_LEX_RANGE);
  }
  const z = zsetForRead(c, a.str(at));
  if (z === undefined) return;
  const members: string[] = [];
  const scores: number[] | null = withScores || store !== null ? [] : null;
  if (z !== null) {
    if (k === RANK) collectRank(z, start, end, rev, members, scores);
    else if (k === SCORE) collectScore(z, sr!, rev, offset, limit, members, scores);
    else collectLex(z, lr!, rev, offset, limit, members, scores);
  }
  if (store === null) return replyMembers(c, members, scores);
  const dst = new ZSet();
  const lim = limits(c);
  for (let i = 0; i < members.length; i++) dst.insert(members[i]!, scores![i]!, lim);
  storeResult(c, store, dst, "zrangestore");
}

export function collectRank(z: ZSet, start: number, end: number, rev: boolean, out: string[], scores: number[] | null): void {
  const len = z.size;
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return;
  if (end >= len) end = len - 1;
  z.rangeByRank(rev ? len - 1 - start : start, end - start + 1, rev, out, scores);
}

/** Matches Redis: a negative offset skips everything; a negative limit means no limit. */
function collectScore(z: ZSet, r: ScoreRange, rev: boolean, offset: number, limit: number, out: string[], scores: number[] | null): void {
  if (offset < 0 || (offset > 0 && offset >= z.size)) return;
  const n = rev ? z.lastInScore(r) : z.firstInScore(r);
  if (n === null) return;
  z.each(n, rev, offset, (m, s) => {
    if (limit-- === 0 || (rev ? !scoreGteMin(s, r) : !scoreLteMax(s, r))) return false;
    out.push(m);
    scores?.push(s);
    return true;
  });
}

function collectLex(z: ZSet, r: LexRange, rev: boolean, offset: number, limit: number, out: string[], scores: number[] | null): void {
  if (offset < 0) return;
  const n = rev ? z.lastInLex(r) : z.firstInLex(r);
  if (n === null) return;
  z.each(n, rev, offset, (m, s) => {
    if (limit-- === 0 || (rev ? !lexGteMin(m, r) : !lexLteMax(m, r))) return false;
    out.push(m);
    scores?.push(s);
    return true;
  });
}

// ---- range removals ----

function zremrange(c: Context, kind: RangeKind): void {
  let start = 0;
  let end = 0;
  let sr: ScoreRange | null = null;
  let lr: LexRange | null = null;
  if (kind === RANK) {
    const s = longArg(c, 2);
    if (s === null) return;
    const e = longArg(c, 3);
    if (e === null) return;
    start = s;
    end = e;
  } else if (kind === SCORE) {
    sr = parseScoreRange(c, 2, 3);
    if (sr === null) return c.error(NOT_FLOAT_RANGE);
  } else {
    lr = parseLexRange(c, 2, 3);
    if (lr === null) return c.error(NOT_LEX_RANGE);
  }
  const key = c.args.str(1);
  const z = zsetForWrite(c, key);
  if (z === undefined) return;
  if (z === null) return c.reply.int(0);
  let removed = 0;
  if (kind === RANK) {
    const len = z.size;
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (start > end || start >= len) return c.reply.int(0);
    if (end >= len) end = len - 1;
    removed = z.removeRankRange(start, end);
  } else if (kind === SCORE) {
    removed = z.removeScoreRange(sr!);
  } else {
    removed = z.removeLexRange(lr!);
  }
  if (removed > 0) {
    touched(c, kind === RANK ? "zremrangebyrank" : kind === SCORE ? "zremrangebyscore" : "zremrangebylex", key);
    deleteIfEmpty(c, key, z);
    c.dirty(removed);
  }
  c.reply.int(removed);
}

// ---- specs ----

const RO: KeySpec[] = [{ flags: ["RO", "access"], begin: { index: 1 }, find: { range: [0, 1, 0] } }];

const readRange = (name: string, since: string, summary: string, run: (c: Context) => void): CommandSpec => ({
  name,
  arity: -4,
  flags: ["readonly"],
  keys: [1, 1, 1],
  keySpecs: RO,
  acl: ["sortedset"],
  group: "sorted-set",
  since,
  summary,
  run,
});

const remRange = (name: string, since: string, summary: string, kind: RangeKind): CommandSpec => ({
  name,
  arity: 4,
  flags: ["write"],
  keys: [1, 1, 1],
  keyFlags: ["RW", "delete"],
  acl: ["sortedset"],
  group: "sorted-set",
  since,
  summary,
  run: (c) => zremrange(c, kind),
});

/** ZCOUNT ZLEXCOUNT key min max: the same declaration around their own run. */
const countSpec = (name: string, since: string, summary: string, run: (c: Context) => void): CommandSpec => ({
  name,
  arity: 4,
  flags: ["readonly", "fast"],
  keys: [1, 1, 1],
  keyFlags: ["RO", "access"],
  acl: ["sortedset"],
  group: "sorted-set",
  since,
  summary,
  complexity: "O(log(N))",
  run,
});

export const zsetRangeCommands: readonly CommandSpec[] = [
  countSpec("zcount", "2.0.0", "Counts the members whose score lies within a range.", (c) => {
    const r = parseScoreRange(c, 2, 3);
    if (r === null) return c.error(NOT_FLOAT_RANGE);
    const z = zsetForRead(c, c.args.str(1));
    if (z !== undefined) c.reply.int(z === null ? 0 : z.countInScore(r));
  }),
  countSpec("zlexcount", "2.8.9", "Counts the members within a lexicographical range (for members of equal score).", (c) => {
    const r = parseLexRange(c, 2, 3);
    if (r === null) return c.error(NOT_LEX_RANGE);
    const z = zsetForRead(c, c.args.str(1));
    if (z !== undefined) c.reply.int(z === null ? 0 : z.countInLex(r));
  }),
  readRange("zrange", "1.2.0", "Returns members in a range of positions, scores or lex values, optionally reversed or limited.", (c) =>
    zrangeGeneric(c, 1, null, null, null)),
  readRange("zrangebyscore", "1.0.5", "Returns members whose score lies in a range, lowest first.", (c) =>
    zrangeGeneric(c, 1, null, SCORE, false)),
  readRange("zrevrangebyscore", "2.2.0", "Returns members whose score lies in a range, highest first (max given first).", (c) =>
    zrangeGeneric(c, 1, null, SCORE, true)),
  readRange("zrangebylex", "2.8.9", "Returns members in a lexicographical range, in ascending order.", (c) =>
    zrangeGeneric(c, 1, null, LEX, false)),
  readRange("zrevrangebylex", "2.8.9", "Returns members in a lexicographical range, in descending order (max given first).", (c) =>
    zrangeGeneric(c, 1, null, LEX, true)),
  readRange("zrevrange", "1.2.0", "Returns members in a range of positions counted from the highest score.", (c) =>
    zrangeGeneric(c, 1, null, RANK, true)),
  {
    name: "zrangestore",
    arity: -5,
    flags: ["write", "denyoom"],
    keys: [1, 2, 1],
    keySpecs: [
      { flags: ["OW", "update"], begin: { index: 1 }, find: { range: [0, 1, 0] } },
      { flags: ["RO", "access"], begin: { index: 2 }, find: { range: [0, 1, 0] } },
    ],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "6.2.0",
    summary: "Stores a ZRANGE result (positions, scores or lex values) as a new sorted set.",
    complexity: "O(log(N)+M)",
    run: (c) => zrangeGeneric(c, 2, c.args.str(1), null, null),
  },
  remRange("zremrangebyrank", "2.0.0", "Removes the members in a range of positions.", RANK),
  remRange("zremrangebyscore", "1.2.0", "Removes the members whose score lies in a range.", SCORE),
  remRange("zremrangebylex", "2.8.9", "Removes the members in a lexicographical range.", LEX),
];
