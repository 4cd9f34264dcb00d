// Sorted set commands: ZADD/ZINCRBY, reads, ranks, the ZRANGE family and its legacy forms, range
// removals, pops and their blocking forms (BZPOPMIN/BZPOPMAX/BZMPOP, parked as ZSetWaiters in the
// keyspace's registry), ZRANDMEMBER, the union/inter/diff family and ZSCAN. The
// value itself is types/zset.ts; this file parses arguments as Redis does, replies, marks writes
// dirty, removes emptied keys and signals keys that blocked clients may wait on.
import { E, wrongArity } from "../errors.ts";
import { NOTIFY_GENERIC, NOTIFY_ZSET } from "../notifications.ts";
import { parseTimeoutSeconds, type Waiter } from "../keyspace/blocking.ts";
import { SetValue } from "../types/set.ts";
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
  type ZSetLimits,
} from "../types/zset.ts";
import type { Value } from "../types/value.ts";
import { formatG17 } from "../util/format.ts";
import { INT64_MAX, string2d, string2ll } from "../util/number.ts";
import type { Context } from "./context.ts";
import { parseScanOptions, replyScan, scanCursorArg, scanMatches, scanStep } from "./scanargs.ts";
import type { CommandSpec, KeySpec } from "./spec.ts";

const XX_NX = "ERR XX and NX options at the same time are not compatible";
const GT_LT_NX = "ERR GT, LT, and/or NX options at the same time are not compatible";
const INCR_PAIRS = "ERR INCR option supports a single increment-element pair";
const NAN_SCORE = "ERR resulting score is not a number (NaN)";
const NOT_FLOAT_RANGE = "ERR min or max is not a float";
const NOT_LEX_RANGE = "ERR min or max not valid string range item";
const LIMIT_NEEDS_BY = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
const WITHSCORES_LEX = "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
const WEIGHT_NOT_FLOAT = "ERR weight value is not a float";
const LIMIT_NEGATIVE = "ERR LIMIT can't be negative";
const NUMKEYS_POSITIVE = "ERR numkeys should be greater than 0";
const COUNT_POSITIVE = "ERR count should be greater than 0";
const COUNT_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
const VALUE_RANGE = "ERR value is out of range";
const HALF_LONG = 4611686018427387903n;

function needsInputKey(name: string): string {
  return `ERR at least 1 input key is needed for '${name}' command`;
}

// ---- lookups ----

/** A sorted set value, null for a missing key, or undefined for another type (WRONGTYPE). */
export function asZSet(v: Value | undefined): ZSet | null | undefined {
  if (v === undefined) return null;
  return v instanceof ZSet ? v : undefined;
}

function limits(c: Context): ZSetLimits {
  const cfg = c.server.config;
  return { entries: cfg.num("zset-max-listpack-entries"), value: cfg.num("zset-max-listpack-value") };
}

/** The sorted set at key for a read: null when missing, undefined after a WRONGTYPE reply. */
function zsetForRead(c: Context, key: string): ZSet | null | undefined {
  const z = asZSet(c.lookupRead(key));
  if (z === undefined) c.error(E.wrongType);
  return z;
}

/** The sorted set at key for a write: null when missing, undefined after a WRONGTYPE reply. */
function zsetForWrite(c: Context, key: string): ZSet | null | undefined {
  const z = asZSet(c.lookupWrite(key));
  if (z === undefined) c.error(E.wrongType);
  return z;
}

/** Matches Redis: a sorted set emptied by a command is removed (a "del" event). */
function deleteIfEmpty(c: Context, key: string, z: ZSet): void {
  if (z.size !== 0) return;
  c.db.delete(key);
  c.notify(NOTIFY_GENERIC, "del", key);
}

/** signalModifiedKey + the sorted-set event, as Redis pairs them after a write. */
function touched(c: Context, event: string, key: string): void {
  c.signalModified(key);
  c.notify(NOTIFY_ZSET, event, key);
}

/** Store a command's result at dst (or delete dst when empty); replies with its size. event: the command's keyspace event. */
function storeResult(c: Context, dst: string, z: ZSet, event: string): void {
  if (z.size > 0) {
    c.db.set(dst, z);
    c.server.blocking.signal(c.db.id, dst);
    c.dirty();
    touched(c, event, dst);
    c.reply.int(z.size);
  } else {
    if (c.db.delete(dst)) {
      c.dirty();
      c.signalModified(dst);
      c.notify(NOTIFY_GENERIC, "del", dst);
    }
    c.reply.int(0);
  }
}

// ---- argument parsing ----

/** A long argument (Redis's getLongFromObjectOrReply) as a JS number; replies and returns null. */
function longArg(c: Context, i: number, msg: string = E.notInteger): number | null {
  const v = string2ll(c.args.str(i));
  if (v === null) {
    c.error(msg);
    return null;
  }
  return Number(v);
}

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

// ---- replies ----

/** Members, with scores when given: a flat array in RESP2, [member, score] pairs in RESP3. */
function replyMembers(c: Context, members: readonly string[], scores: readonly number[] | null): void {
  const r = c.reply;
  if (scores === null) return r.bulkArray(members);
  const pairs = r.proto === 3;
  const n = members.length;
  r.array(pairs ? n : n * 2);
  for (let i = 0; i < n; i++) {
    if (pairs) r.array(2);
    r.bulk(members[i]!);
    r.double(scores[i]!);
  }
}

// ---- ZADD / ZINCRBY ----

function zadd(c: Context, incrCommand: boolean): void {
  const a = c.args;
  const argc = a.argc;
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  let ch = false;
  let incr = incrCommand;
  let i = 2;
  if (!incrCommand) {
    for (; i < argc; i++) {
      if (a.is(i, "nx")) nx = true;
      else if (a.is(i, "xx")) xx = true;
      else if (a.is(i, "gt")) gt = true;
      else if (a.is(i, "lt")) lt = true;
      else if (a.is(i, "ch")) ch = true;
      else if (a.is(i, "incr")) incr = true;
      else break;
    }
  }
  const elements = argc - i;
  if (elements % 2 !== 0 || elements === 0) return c.error(E.syntax);
  if (nx && xx) return c.error(XX_NX);
  if ((gt && nx) || (lt && nx) || (gt && lt)) return c.error(GT_LT_NX);
  const pairs = elements / 2;
  if (incr && pairs > 1) return c.error(INCR_PAIRS);
  // Matches Redis: every score is parsed before anything is written.
  const scores = new Array<number>(pairs);
  for (let j = 0; j < pairs; j++) {
    const s = string2d(a.str(i + 2 * j));
    if (s === null) return c.error(E.notFloat);
    scores[j] = s;
  }
  const key = a.str(1);
  let z = zsetForWrite(c, key);
  if (z === undefined) return;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let last = 0;
  let nan = false;
  const lim = limits(c);
  if (z === null) {
    if (xx) return incr ? c.reply.nil() : c.reply.int(0);
    // Matches Redis: the new set starts as a skiplist when its first member could not fit a listpack.
    z = new ZSet(!(lim.entries === 0 || lim.value < a.len(i + 1)));
    c.db.set(key, z);
  }
  for (let j = 0; j < pairs; j++) {
    const member = a.str(i + 2 * j + 1);
    let score = scores[j]!;
    const cur = z.score(member);
    if (cur !== undefined) {
      if (nx) continue;
      if (incr) {
        score += cur;
        if (Number.isNaN(score)) {
          nan = true;
          break;
        }
      }
      if ((lt && score >= cur) || (gt && score <= cur)) continue;
      if (score !== cur) {
        z.update(member, cur, score);
        updated++;
      }
    } else if (!xx) {
      z.insert(member, score, lim);
      added++;
    } else {
      continue;
    }
    processed++;
    last = score;
  }
  if (added + updated > 0) {
    c.dirty(added + updated);
    c.server.blocking.signal(c.db.id, key);
    touched(c, incr ? "zincr" : "zadd", key);
  }
  if (nan) return c.error(NAN_SCORE);
  if (incr) {
    if (processed > 0) c.reply.double(last);
    else c.reply.nil();
  } else {
    c.reply.int(ch ? added + updated : added);
  }
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

function step(n: ZNode, rev: boolean): ZNode | null {
  return rev ? n.backward : (n.next[0] as ZNode | null);
}

function collectRank(z: ZSet, start: number, end: number, rev: boolean, out: string[], scores: number[] | null): void {
  const len = z.size;
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return;
  if (end >= len) end = len - 1;
  let n = z.at(rev ? len - 1 - start : start);
  for (let left = end - start + 1; n !== null && left > 0; left--) {
    out.push(n.member);
    scores?.push(n.score);
    n = step(n, rev);
  }
}

/** Matches Redis: a negative offset skips everything; a negative limit means no limit. */
function collectScore(z: ZSet, r: ScoreRange, rev: boolean, offset: number, limit: number, out: string[], scores: number[] | null): void {
  if (offset > 0 && offset >= z.size) return;
  let n = rev ? z.lastInScore(r) : z.firstInScore(r);
  while (n !== null && offset !== 0) {
    offset--;
    n = step(n, rev);
  }
  while (n !== null && limit !== 0) {
    limit--;
    if (rev ? !scoreGteMin(n.score, r) : !scoreLteMax(n.score, r)) break;
    out.push(n.member);
    scores?.push(n.score);
    n = step(n, rev);
  }
}

function collectLex(z: ZSet, r: LexRange, rev: boolean, offset: number, limit: number, out: string[], scores: number[] | null): void {
  let n = rev ? z.lastInLex(r) : z.firstInLex(r);
  while (n !== null && offset !== 0) {
    offset--;
    n = step(n, rev);
  }
  while (n !== null && limit !== 0) {
    limit--;
    if (rev ? !lexGteMin(n.member, r) : !lexLteMax(n.member, r)) break;
    out.push(n.member);
    scores?.push(n.score);
    n = step(n, rev);
  }
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

// ---- pops ----

/** What a pop took: the key and how many members (for the propagated ZPOPMIN/ZPOPMAX). */
interface Popped {
  readonly key: string;
  readonly n: number;
}

/**
 * Redis's genericZpopCommand: pop up to count from the first existing key among keys (a WRONGTYPE
 * on the way stops). count -1 is "no count given". withKey/nested shape the reply as ZMPOP's
 * (withKey alone: BZPOPMIN's flat key, member, score). Returns what was popped, or null.
 */
function zpop(c: Context, keys: readonly string[], max: boolean, count: number, withKey: boolean, nested: boolean, nilWhenEmpty: boolean): Popped | null {
  let z: ZSet | null = null;
  let key = "";
  for (const k of keys) {
    const v = zsetForWrite(c, k);
    if (v === undefined) return null;
    if (v !== null) {
      z = v;
      key = k;
      break;
    }
  }
  const r = c.reply;
  if (z === null) {
    if (nilWhenEmpty) r.nilArray();
    else r.array(0);
    return null;
  }
  if (count === 0) {
    r.array(0);
    return null;
  }
  const n = Math.min(count === -1 ? 1 : count, z.size);
  if (!nested && !withKey) r.array(n * 2);
  else if (nested && !withKey) r.array(n);
  else if (!nested) {
    r.array(1 + n * 2);
    r.bulk(key);
  } else {
    r.array(2);
    r.bulk(key);
    r.array(n);
  }
  for (let i = 0; i < n; i++) {
    const node = (max ? z.last() : z.first())!;
    const member = node.member;
    const score = node.score;
    z.remove(member);
    if (nested) r.array(2);
    r.bulk(member);
    r.double(score);
  }
  touched(c, max ? "zpopmax" : "zpopmin", key);
  deleteIfEmpty(c, key, z);
  c.dirty(n);
  return { key, n };
}

function zpopMinMax(c: Context, max: boolean): void {
  if (c.args.argc > 3) return c.error(E.syntax);
  let count = -1;
  if (c.args.argc === 3) {
    const v = string2ll(c.args.str(2));
    if (v === null || v < 0) return c.error(E.notPositive);
    count = Number(v);
  }
  zpop(c, [c.args.str(1)], max, count, false, c.reply.proto === 3 && count !== -1, false);
}

/** Parsed ZMPOP/BZMPOP arguments after numkeys. */
interface ZmpopArgs {
  readonly keys: string[];
  readonly max: boolean;
  readonly count: number;
}

/** Parse "numkeys key… MIN|MAX [COUNT n]" with numkeys at argv[at]; replies and returns null on error. */
function parseZmpop(c: Context, at: number): ZmpopArgs | null {
  const a = c.args;
  const argc = a.argc;
  const nk = string2ll(a.str(at));
  if (nk === null || nk < 1) {
    c.error(NUMKEYS_POSITIVE);
    return null;
  }
  const whereIdx = Number(nk) + at + 1;
  let max = false;
  if (whereIdx >= argc) {
    c.error(E.syntax);
    return null;
  }
  if (a.is(whereIdx, "max")) max = true;
  else if (!a.is(whereIdx, "min")) {
    c.error(E.syntax);
    return null;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < argc; j++) {
    if (count === -1 && a.is(j, "count") && j < argc - 1) {
      j++;
      const v = string2ll(a.str(j));
      if (v === null || v < 1) {
        c.error(COUNT_POSITIVE);
        return null;
      }
      count = Number(v);
    } else {
      c.error(E.syntax);
      return null;
    }
  }
  const keys: string[] = [];
  for (let j = at + 1; j < whereIdx; j++) keys.push(a.str(j));
  return { keys, max, count: count === -1 ? 1 : count };
}

/** Matches Redis: a pop with a count is propagated as ZPOPMIN/ZPOPMAX key n (n = members taken). */
function popArgv(max: boolean, p: Popped, withCount: boolean): string[] {
  const name = max ? "ZPOPMAX" : "ZPOPMIN";
  return withCount ? [name, p.key, String(p.n)] : [name, p.key];
}

function zmpop(c: Context): void {
  const m = parseZmpop(c, 1);
  if (m === null) return;
  const p = zpop(c, m.keys, m.max, m.count, true, true, true);
  if (p !== null) c.propagateAs = popArgv(m.max, p, true);
}

// ---- BZPOPMIN / BZPOPMAX / BZMPOP ----

/**
 * A client parked by BZPOPMIN/BZPOPMAX (count -1) or BZMPOP. Served by the registry after the
 * command that gave one of its keys a sorted set: it pops, replies on its own connection and
 * propagates the ZPOPMIN/ZPOPMAX that Redis 7.0 writes to its AOF for a served pop.
 */
class ZSetWaiter implements Waiter {
  readonly clientId: number;
  readonly dbId: number;

  constructor(
    readonly c: Context,
    readonly keys: readonly string[],
    readonly deadline: number,
    readonly max: boolean,
    readonly count: number,
  ) {
    this.clientId = c.id;
    this.dbId = c.db.id;
  }

  serve(key: string): boolean {
    const c = this.c;
    // Another type (a list for a BLPOP waiter, say) leaves this client waiting.
    const z = asZSet(c.db.lookup(key));
    if (z === undefined || z === null || z.size === 0) return false;
    const mpop = this.count !== -1;
    const p = zpop(c, [key], this.max, this.count, true, mpop, true);
    const prop = c.server.propagation;
    if (p !== null && prop.active) prop.emit(this.dbId, popArgv(this.max, p, mpop));
    this.#finish();
    return true;
  }

  timedOut(): void {
    this.c.reply.nilArray();
    this.#finish();
  }

  failed(message: string): void {
    this.c.error(message);
    this.#finish();
  }

  #finish(): void {
    const c = this.c;
    c.blocked = false;
    c.server.requestFlush(c);
    c.resume();
  }
}

/**
 * Pop from the first existing key at once (or reply WRONGTYPE), else wait for one to receive a
 * sorted set: timeoutMs 0 waits forever; with blocking denied (inside EXEC) reply as on timeout.
 * count -1 is BZPOPMIN/BZPOPMAX, whose reply and propagated pop carry no count.
 */
function bzpop(c: Context, keys: string[], timeoutMs: number, max: boolean, count: number): void {
  const mpop = count !== -1;
  for (const key of keys) {
    if (c.lookupWrite(key) === undefined) continue;
    const p = zpop(c, keys, max, count, true, mpop, true);
    if (p !== null) c.propagateAs = popArgv(max, p, mpop);
    return;
  }
  if (c.denyBlocking) return c.reply.nilArray();
  const deadline = timeoutMs === 0 ? 0 : c.server.clock.now() + timeoutMs;
  c.blocked = true;
  c.server.blocking.block(new ZSetWaiter(c, keys, deadline, max, count));
}

/** Timeout argument i in seconds → ms (0 = forever); replies and returns null when invalid. */
function timeoutArg(c: Context, i: number): number | null {
  const t = parseTimeoutSeconds(c.args.str(i));
  if (typeof t === "string") {
    c.error(t);
    return null;
  }
  return t;
}

/** BZPOPMIN/BZPOPMAX key… timeout. */
function bzpopMinMax(c: Context, max: boolean): void {
  const argc = c.args.argc;
  const t = timeoutArg(c, argc - 1);
  if (t === null) return;
  const keys: string[] = [];
  for (let i = 1; i < argc - 1; i++) keys.push(c.args.str(i));
  bzpop(c, keys, t, max, -1);
}

/** BZMPOP timeout numkeys key… MIN|MAX [COUNT n]: matches Redis, the timeout is checked last. */
function bzmpop(c: Context): void {
  const m = parseZmpop(c, 2);
  if (m === null) return;
  const t = timeoutArg(c, 1);
  if (t !== null) bzpop(c, m.keys, t, m.max, m.count);
}

// ---- ZRANDMEMBER ----

function randomNode(z: ZSet): ZNode {
  return z.at(Math.floor(Math.random() * z.size))!;
}

function zrandmember(c: Context): void {
  const a = c.args;
  const argc = a.argc;
  if (argc < 3) {
    const z = zsetForRead(c, a.str(1));
    if (z === undefined) return;
    if (z === null) return c.reply.nil();
    return c.reply.bulk(randomNode(z).member);
  }
  const l = string2ll(a.str(2));
  if (l === null) return c.error(E.notInteger);
  if (l < -INT64_MAX) return c.error(COUNT_RANGE);
  if (argc > 4 || (argc === 4 && !a.is(3, "withscores"))) return c.error(E.syntax);
  const withScores = argc === 4;
  if (withScores && (l < -HALF_LONG || l > HALF_LONG)) return c.error(VALUE_RANGE);
  const z = zsetForRead(c, a.str(1));
  if (z === undefined) return;
  if (z === null || l === 0 || l === 0n) return c.reply.array(0);
  const r = c.reply;
  const pairs = withScores && r.proto === 3;
  const size = z.size;
  if (l < 0 || l === 1 || l === 1n) {
    // Repeats allowed (or a single pick): independent draws, written as they are drawn.
    const count = l < 0 ? Number(-BigInt(l)) : 1;
    r.array(withScores && !pairs ? count * 2 : count);
    for (let i = 0; i < count; i++) {
      const n = randomNode(z);
      if (pairs) r.array(2);
      r.bulk(n.member);
      if (withScores) r.double(n.score);
    }
    return;
  }
  const count = Number(l);
  const members: string[] = [];
  const scores: number[] | null = withScores ? [] : null;
  if (count >= size) {
    // Matches Redis 7.0: asking for the whole set returns it from the highest score down.
    collectRank(z, 0, -1, true, members, scores);
  } else if (z.isListpack) {
    // Matches Redis: a listpack yields its sample in listpack (ascending) order.
    let left = size;
    let need = count;
    for (let n = z.first(); n !== null && need > 0; n = n.next[0] as ZNode | null, left--) {
      if (Math.random() * left < need) {
        members.push(n.member);
        scores?.push(n.score);
        need--;
      }
    }
  } else {
    const picked = new Set<number>();
    if (count * 3 > size) {
      const ranks = Array.from({ length: size }, (_, i) => i);
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(Math.random() * (size - i));
        [ranks[i], ranks[j]] = [ranks[j]!, ranks[i]!];
        picked.add(ranks[i]!);
      }
    } else {
      while (picked.size < count) picked.add(Math.floor(Math.random() * size));
    }
    for (const rank of picked) {
      const n = z.at(rank)!;
      members.push(n.member);
      scores?.push(n.score);
    }
  }
  replyMembers(c, members, scores);
}

// ---- ZUNION / ZINTER / ZDIFF (and STORE, ZINTERCARD) ----

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
    for (let n = z.first(); n !== null; n = n.next[0] as ZNode | null) f(n.member, n.score);
  } else {
    for (const m of z.members) f(m, 1);
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
        for (let n = z0.first(); n !== null; n = n.next[0] as ZNode | null) if (!each(n.member, n.score)) break;
      } else {
        for (const m of z0.members) if (!each(m, 1)) break;
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
  for (let n = result.first(); n !== null; n = n.next[0] as ZNode | null) {
    members.push(n.member);
    scores?.push(n.score);
  }
  replyMembers(c, members, scores);
}

// ---- ZSCAN ----

function zscan(c: Context): void {
  const cursor = scanCursorArg(c);
  if (cursor === null) return;
  const z = zsetForRead(c, c.args.str(1));
  if (z === undefined) return;
  if (z === null) return replyScan(c, 0, []);
  const o = parseScanOptions(c);
  if (o === null) return;
  // Scores are sent as text (bulk strings, in RESP3 too), as Redis 7.0 formats them.
  const out: string[] = [];
  let next = 0;
  if (z.isListpack) {
    // Matches Redis: a listpack is returned whole, in order, whatever the cursor and COUNT.
    for (let n = z.first(); n !== null; n = n.next[0] as ZNode | null) {
      if (scanMatches(o, n.member)) out.push(n.member, formatG17(n.score));
    }
  } else {
    const dict = z.dict;
    next = scanStep(c, dict, cursor, o.count, () => dict.keys(), (m) => {
      const s = dict.get(m);
      // A member removed since the cursor was parked is skipped (a live Map iterator skips it too).
      if (s !== undefined && scanMatches(o, m)) out.push(m, formatG17(s));
    });
  }
  replyScan(c, next, out);
}

// ---- specs ----

const RO: KeySpec[] = [{ flags: ["RO", "access"], begin: { index: 1 }, find: { range: [0, 1, 0] } }];
const NUMKEYS_RO: readonly KeySpec[] = [{ flags: ["RO", "access"], begin: { index: 1 }, find: { keynum: [0, 1, 1] } }];
const STORE_NUMKEYS: readonly KeySpec[] = [
  { flags: ["OW", "update"], begin: { index: 1 }, find: { range: [0, 1, 0] } },
  { flags: ["RO", "access"], begin: { index: 2 }, find: { keynum: [0, 1, 1] } },
];

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

const popSpec = (name: string, max: boolean, summary: string): CommandSpec => ({
  name,
  arity: -2,
  flags: ["write", "fast"],
  keys: [1, 1, 1],
  keyFlags: ["RW", "access", "delete"],
  acl: ["sortedset"],
  group: "sorted-set",
  since: "5.0.0",
  summary,
  run: (c) => zpopMinMax(c, max),
});

const bzpopSpec = (name: string, max: boolean, summary: string): CommandSpec => ({
  name,
  arity: -3,
  flags: ["write", "noscript", "blocking", "fast"],
  keys: [1, -2, 1],
  keyFlags: ["RW", "access", "delete"],
  acl: ["sortedset"],
  group: "sorted-set",
  since: "5.0.0",
  summary,
  complexity: "O(log(N))",
  run: (c) => bzpopMinMax(c, max),
});

/**
 * ZRANK/ZREVRANK arity. The handler takes Redis 7.2's optional WITHSCORE, but the oracle (and
 * COMMAND INFO) is 7.0, where the arity is exactly 3 and a 4th argument is an arity error; set
 * this to -3 to expose WITHSCORE.
 */
const RANK_ARITY: number = 3;

const rankSpec = (name: string, reverse: boolean, summary: string): CommandSpec => ({
  name,
  arity: RANK_ARITY,
  flags: ["readonly", "fast"],
  keys: [1, 1, 1],
  keyFlags: ["RO", "access"],
  acl: ["sortedset"],
  group: "sorted-set",
  since: "2.0.0",
  summary,
  run(c) {
    const a = c.args;
    if (a.argc > 4) return c.error(wrongArity(name));
    let withScore = false;
    if (a.argc === 4) {
      if (!a.is(3, "withscore")) return c.error(E.syntax);
      withScore = true;
    }
    const z = zsetForRead(c, a.str(1));
    if (z === undefined) return;
    const rank = z === null ? -1 : z.rank(a.str(2), reverse);
    if (rank < 0) return withScore ? c.reply.nilArray() : c.reply.nil();
    if (withScore) c.reply.array(2);
    c.reply.int(rank);
    if (withScore) c.reply.double(z!.score(a.str(2))!);
  },
});

export const zsetCommands: readonly CommandSpec[] = [
  {
    name: "zadd",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "update"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "1.2.0",
    summary: "Adds members with scores to a sorted set, or updates their scores; options restrict or report the change.",
    complexity: "O(log(N)) per added member",
    run: (c) => zadd(c, false),
  },
  {
    name: "zincrby",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "access", "update"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "1.2.0",
    summary: "Adds an increment to a member's score (creating the member at the increment) and replies with the new score.",
    complexity: "O(log(N))",
    run: (c) => zadd(c, true),
  },
  {
    name: "zrem",
    arity: -3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "delete"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "1.2.0",
    summary: "Removes members from a sorted set; replies with how many were there.",
    complexity: "O(M*log(N))",
    run(c) {
      const key = c.args.str(1);
      const z = zsetForWrite(c, key);
      if (z === undefined) return;
      if (z === null) return c.reply.int(0);
      let removed = 0;
      for (let i = 2; i < c.args.argc; i++) if (z.remove(c.args.str(i))) removed++;
      if (removed > 0) {
        touched(c, "zrem", key);
        deleteIfEmpty(c, key, z);
        c.dirty(removed);
      }
      c.reply.int(removed);
    },
  },
  {
    name: "zcard",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "1.2.0",
    summary: "Returns how many members a sorted set has.",
    complexity: "O(1)",
    run(c) {
      const z = zsetForRead(c, c.args.str(1));
      if (z !== undefined) c.reply.int(z === null ? 0 : z.size);
    },
  },
  {
    name: "zcount",
    arity: 4,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "2.0.0",
    summary: "Counts the members whose score lies within a range.",
    complexity: "O(log(N))",
    run(c) {
      const r = parseScoreRange(c, 2, 3);
      if (r === null) return c.error(NOT_FLOAT_RANGE);
      const z = zsetForRead(c, c.args.str(1));
      if (z !== undefined) c.reply.int(z === null ? 0 : z.countInScore(r));
    },
  },
  {
    name: "zlexcount",
    arity: 4,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "2.8.9",
    summary: "Counts the members within a lexicographical range (for members of equal score).",
    complexity: "O(log(N))",
    run(c) {
      const r = parseLexRange(c, 2, 3);
      if (r === null) return c.error(NOT_LEX_RANGE);
      const z = zsetForRead(c, c.args.str(1));
      if (z !== undefined) c.reply.int(z === null ? 0 : z.countInLex(r));
    },
  },
  {
    name: "zscore",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "1.2.0",
    summary: "Returns a member's score.",
    complexity: "O(1)",
    run(c) {
      const z = zsetForRead(c, c.args.str(1));
      if (z === undefined) return;
      const s = z === null ? undefined : z.score(c.args.str(2));
      if (s === undefined) c.reply.nil();
      else c.reply.double(s);
    },
  },
  {
    name: "zmscore",
    arity: -3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "6.2.0",
    summary: "Returns the scores of several members, null for those absent.",
    complexity: "O(N)",
    run(c) {
      const z = zsetForRead(c, c.args.str(1));
      if (z === undefined) return;
      const argc = c.args.argc;
      c.reply.array(argc - 2);
      for (let i = 2; i < argc; i++) {
        const s = z === null ? undefined : z.score(c.args.str(i));
        if (s === undefined) c.reply.nil();
        else c.reply.double(s);
      }
    },
  },
  rankSpec("zrank", false, "Returns a member's 0-based position counted from the lowest score."),
  rankSpec("zrevrank", true, "Returns a member's 0-based position counted from the highest score."),
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
  popSpec("zpopmin", false, "Removes and returns the members with the lowest scores."),
  popSpec("zpopmax", true, "Removes and returns the members with the highest scores."),
  {
    name: "zmpop",
    arity: -4,
    flags: ["write", "movablekeys"],
    keys: [0, 0, 0],
    keySpecs: [{ flags: ["RW", "access", "delete"], begin: { index: 1 }, find: { keynum: [0, 1, 1] } }],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "7.0.0",
    summary: "Pops the lowest or highest members of the first non-empty sorted set among several keys.",
    complexity: "O(K) + O(M*log(N))",
    run: zmpop,
  },
  bzpopSpec("bzpopmin", false, "Pops the lowest-scored member of the first non-empty sorted set, waiting for one if all are empty."),
  bzpopSpec("bzpopmax", true, "Pops the highest-scored member of the first non-empty sorted set, waiting for one if all are empty."),
  {
    name: "bzmpop",
    arity: -5,
    flags: ["write", "blocking", "movablekeys"],
    keys: [0, 0, 0],
    keySpecs: [{ flags: ["RW", "access", "delete"], begin: { index: 2 }, find: { keynum: [0, 1, 1] } }],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "7.0.0",
    summary: "Like ZMPOP, but waits for one of the sorted sets to receive members when all are empty.",
    complexity: "O(K) + O(M*log(N))",
    run: bzmpop,
  },
  {
    name: "zrandmember",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "6.2.0",
    summary: "Returns random members (distinct for a positive count, possibly repeated for a negative one).",
    complexity: "O(N) where N is the number of members returned",
    tips: ["nondeterministic_output"],
    run: zrandmember,
  },
  opRead("zunion", UNION, "Returns the union of sorted sets (and sets), scores combined by weight and aggregate."),
  opRead("zinter", INTER, "Returns the intersection of sorted sets (and sets), scores combined by weight and aggregate."),
  opRead("zdiff", DIFF, "Returns the members of the first sorted set that no other input holds."),
  opStore("zunionstore", UNION, "2.0.0", "Stores the union of sorted sets (and sets) at a destination key."),
  opStore("zinterstore", INTER, "2.0.0", "Stores the intersection of sorted sets (and sets) at a destination key."),
  opStore("zdiffstore", DIFF, "6.2.0", "Stores the difference of the first input and the others at a destination key."),
  opRead("zintercard", INTER, "Counts the members of the intersection of sorted sets, stopping at an optional limit.", true),
  {
    name: "zscan",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["sortedset"],
    group: "sorted-set",
    since: "2.8.0",
    summary: "Iterates over a sorted set's members and scores with a cursor, optionally filtered by a pattern.",
    complexity: "O(1) per call",
    tips: ["nondeterministic_output"],
    run: zscan,
  },
];
