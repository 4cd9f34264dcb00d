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
 * Run one cycle over dbs for at most timeLimitMs. effort is active-expire-effort (1..10):
 * like Redis, each unit of effort samples more keys per loop and accepts fewer stale keys.
 */
export function activeExpireCycle(dbs: readonly Db[], now: () => number, timeLimitMs: number, effort = 1): ExpireCycleResult {
  const e = effort - 1;
  const perLoop = KEYS_PER_LOOP + (KEYS_PER_LOOP / 4) * e;
  const staleLimit = ACCEPTABLE_STALE - e;
  const start = performance.now();
  const t = now();
  let expired = 0;
  let sampled = 0;
  for (const db of dbs) {
    for (;;) {
      if (db.expires.size === 0) {
        db.expireIter = null;
        break;
      }
      let loopExpired = 0;
      let loopSampled = 0;
      const n = Math.min(perLoop, db.expires.size);
      for (let i = 0; i < n; i++) {
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
      if (performance.now() - start > timeLimitMs) return { expired, sampled, timedOut: true };
      // Repeat while more than the acceptable share of sampled keys had expired.
      if (loopSampled === 0 || (loopExpired * 100) / loopSampled <= staleLimit) break;
    }
  }
  return { expired, sampled, timedOut: false };
}
