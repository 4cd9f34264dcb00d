// The active expiry cycle (Redis's activeExpireCycle): sample keys that have a TTL, delete the
// expired ones, repeat while many were expired, bounded in time. Reports only through Db.
import type { Db } from "./db.ts";

const KEYS_PER_LOOP = 20;
const ACCEPTABLE_STALE = 10; // percent

export interface ExpireCycleResult {
  expired: number;
  sampled: number;
  timedOut: boolean;
}

/**
 * Where the next cycle over a set of dbs starts (Redis's current_db): a cycle that ran out of
 * time resumes with the db after the one it was in, so no db starves behind a busy one.
 */
const nextDb = new WeakMap<readonly Db[], number>();

/**
 * Run one cycle over dbs for at most timeLimitMs of real time. effort is active-expire-effort
 * (1..10): like Redis, each unit of effort samples more keys per loop and accepts fewer stale
 * keys. Each db is sampled in loops of keys-with-a-TTL, continuing where the previous loop (or
 * cycle) stopped; a db is left once a loop finds at most the acceptable share expired. Dbs
 * whose expired keys must be kept (replicas wait for their primary's DEL) are skipped.
 */
export function activeExpireCycle(dbs: readonly Db[], now: () => number, timeLimitMs: number, effort = 1): ExpireCycleResult {
  const e = Math.min(10, Math.max(1, effort)) - 1;
  const perLoop = KEYS_PER_LOOP + (KEYS_PER_LOOP / 4) * e;
  const staleLimit = ACCEPTABLE_STALE - e;
  const start = performance.now();
  const t = now();
  let expired = 0;
  let sampled = 0;
  const first = nextDb.get(dbs) ?? 0;
  for (let d = 0; d < dbs.length; d++) {
    const i = (first + d) % dbs.length;
    const db = dbs[i]!;
    if (db.keepsExpired()) continue;
    for (;;) {
      if (db.expires.size === 0) {
        db.expireIter = null;
        break;
      }
      let loopExpired = 0;
      let loopSampled = 0;
      const n = Math.min(perLoop, db.expires.size);
      for (let j = 0; j < n; j++) {
        db.expireIter ??= db.expires.entries();
        const r = db.expireIter.next();
        if (r.done) {
          db.expireIter = null;
          break;
        }
        loopSampled++;
        const [key, when] = r.value;
        if (when <= t && db.expireIfNeeded(key, t)) loopExpired++;
      }
      expired += loopExpired;
      sampled += loopSampled;
      if (performance.now() - start > timeLimitMs) {
        nextDb.set(dbs, (i + 1) % dbs.length);
        return { expired, sampled, timedOut: true };
      }
      // Repeat while more than the acceptable share of sampled keys had expired.
      if (loopSampled === 0 || (loopExpired * 100) / loopSampled <= staleLimit) break;
    }
  }
  nextDb.set(dbs, first);
  return { expired, sampled, timedOut: false };
}
