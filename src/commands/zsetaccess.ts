// What every sorted set command file shares: typed lookups, the bookkeeping after a write (events,
// emptied keys, STORE results), the encoding limits, long and score arguments and the member/score
// replies. Owns no command; the value itself is types/zset.ts and must not be reshaped here.
import { E } from "../errors.ts";
import { NOTIFY_GENERIC, NOTIFY_ZSET } from "../notifications.ts";
import { ZSet, type ZSetLimits } from "../types/zset.ts";
import type { Value } from "../types/value.ts";
import { string2d, string2ll } from "../util/number.ts";
import type { Args } from "../resp/args.ts";
import type { Reply } from "../resp/reply.ts";
import type { Context } from "./context.ts";

// ---- lookups ----

/** A sorted set value, null for a missing key, or undefined for another type (WRONGTYPE). */
export function asZSet(v: Value | undefined): ZSet | null | undefined {
  if (v === undefined) return null;
  return v instanceof ZSet ? v : undefined;
}

export function limits(c: Context): ZSetLimits {
  const cfg = c.server.config;
  return { entries: cfg.num("zset-max-listpack-entries"), value: cfg.num("zset-max-listpack-value") };
}

/** The sorted set at key for a read: null when missing, undefined after a WRONGTYPE reply. */
export function zsetForRead(c: Context, key: string): ZSet | null | undefined {
  const z = asZSet(c.lookupRead(key));
  if (z === undefined) c.error(E.wrongType);
  return z;
}

/**
 * The sorted set at argument i for a write, found by the key's bytes (no key string): null when
 * missing, undefined after a WRONGTYPE reply. The hot commands (ZADD, ZPOPMIN) look up this way.
 */
export function zsetArgForWrite(c: Context, i: number): ZSet | null | undefined {
  const r = c.lookupWriteArg(i);
  if (r === 0) return null;
  const v = c.db.dict.value(r);
  if (v instanceof ZSet) return v;
  c.error(E.wrongType);
  return undefined;
}

/** The sorted set at key for a write: null when missing, undefined after a WRONGTYPE reply. */
export function zsetForWrite(c: Context, key: string): ZSet | null | undefined {
  const z = asZSet(c.lookupWrite(key));
  if (z === undefined) c.error(E.wrongType);
  return z;
}

// ---- after a write ----

/** Matches Redis: a sorted set emptied by a command is removed (a "del" event). */
export function deleteIfEmpty(c: Context, key: string, z: ZSet): void {
  if (z.size !== 0) return;
  c.db.delete(key);
  c.notify(NOTIFY_GENERIC, "del", key);
}

/** signalModifiedKey + the sorted-set event, as Redis pairs them after a write. */
export function touched(c: Context, event: string, key: string): void {
  c.signalModified(key);
  c.notify(NOTIFY_ZSET, event, key);
}

/** Store a command's result at dst (or delete dst when empty); replies with its size. event: the command's keyspace event. */
export function storeResult(c: Context, dst: string, z: ZSet, event: string): void {
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

// ---- arguments and replies ----

/** A long argument (Redis's getLongFromObjectOrReply) as a JS number; replies and returns null. */
export function longArg(c: Context, i: number, msg: string = E.notInteger): number | null {
  const v = string2ll(c.args.str(i));
  if (v === null) {
    c.error(msg);
    return null;
  }
  return Number(v);
}

const TWO53 = 2 ** 53;
/** Exact powers of ten (up to 1e22 a double holds them exactly). */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * Argument i as a score (Redis's getDoubleFromObject: string2d's rules), NaN when Redis would
 * refuse it (string2d never yields NaN). Plain decimals ([+-]digits[.digits]) are read from the
 * request bytes without a string: while the digits form an integer below 2^53 and there are at
 * most 22 after the point, one division of two exact doubles is the correctly rounded value,
 * which is what strtod gives. Everything else (exponents, inf, hex, long digit runs) goes
 * through string2d.
 */
export function scoreArg(a: Args, i: number): number {
  const buf = a.buf;
  const s = a.base + a.starts[i]!;
  const e = a.base + a.ends[i]!;
  if (e - s > 30) return fromString(a, i);
  let p = s;
  let neg = false;
  if (p < e && (buf[p] === 45 || buf[p] === 43)) {
    neg = buf[p] === 45;
    p++;
  }
  let v = 0;
  let digits = 0;
  let frac = -1;
  for (; p < e; p++) {
    const d = buf[p]! - 48;
    if (d >= 0 && d <= 9) {
      v = v * 10 + d;
      digits++;
      if (frac >= 0) frac++;
    } else if (d === -2 && frac < 0) {
      frac = 0; // '.'
    } else {
      break;
    }
  }
  if (p === e && digits > 0 && v < TWO53 && frac <= 22) {
    if (frac > 0) v /= POW10[frac]!;
    return neg ? -v : v;
  }
  return fromString(a, i);
}

function fromString(a: Args, i: number): number {
  const d = string2d(a.str(i));
  return d === null ? NaN : d;
}

/**
 * A score reply, as Reply.double writes it (Redis 7.0's %.17g), with safe integers (not -0)
 * written as their digits directly: the %.17g of an integer below 2^53 is its decimal form.
 */
export function replyScore(r: Reply, d: number): void {
  if (!Number.isSafeInteger(d) || (d === 0 && 1 / d < 0)) return r.double(d);
  if (r.proto === 3) r.simpleRaw("," + d);
  else r.bulkInt(d);
}

/** Members, with scores when given: a flat array in RESP2, [member, score] pairs in RESP3. */
export function replyMembers(c: Context, members: readonly string[], scores: readonly number[] | null): void {
  const r = c.reply;
  if (scores === null) return r.bulkArray(members);
  const pairs = r.proto === 3;
  const n = members.length;
  r.array(pairs ? n : n * 2);
  for (let i = 0; i < n; i++) {
    if (pairs) r.array(2);
    r.bulk(members[i]!);
    replyScore(r, scores[i]!);
  }
}
