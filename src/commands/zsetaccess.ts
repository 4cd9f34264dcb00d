// What every sorted set command file shares: typed lookups, the bookkeeping after a write (events,
// emptied keys, STORE results), the encoding limits, long arguments and the member/score reply.
// Owns no command; the value itself is types/zset.ts and must not be reshaped here.
import { E } from "../errors.ts";
import { NOTIFY_GENERIC, NOTIFY_ZSET } from "../notifications.ts";
import { ZSet, type ZSetLimits } from "../types/zset.ts";
import type { Value } from "../types/value.ts";
import { string2ll } from "../util/number.ts";
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
    r.double(scores[i]!);
  }
}
