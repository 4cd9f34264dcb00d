// The active expiry cycle under a ManualClock: keys nobody reads are reclaimed by server.cron(),
// live keys are left alone, the cycle is bounded in time and fair across dbs, DEBUG
// SET-ACTIVE-EXPIRE's flag stops it, and replicas (which keep expired keys) are skipped.
import { expect, test } from "bun:test";
import { Server } from "../../src/server.ts";
import { Config } from "../../src/config.ts";
import { Logger } from "../../src/log.ts";
import { Db } from "../../src/keyspace/db.ts";
import { activeExpireCycle } from "../../src/keyspace/expire.ts";
import { ManualClock } from "../../src/util/clock.ts";

function server(clock: ManualClock): Server {
  const logger = new Logger();
  logger.silent = true;
  return new Server({ config: new Config(), clock, logger });
}

function fill(db: Db, clock: ManualClock, n: number, ttlMs: number | null, prefix = "k"): void {
  for (let i = 0; i < n; i++) {
    db.set(`${prefix}${i}`, "v");
    if (ttlMs !== null) db.setExpire(`${prefix}${i}`, clock.now() + ttlMs);
  }
}

test("cron reclaims expired keys nobody reads, propagating DEL and counting expired_keys", () => {
  const clock = new ManualClock(1_700_000_000_000);
  const srv = server(clock);
  const db = srv.dbs[0]!;
  fill(db, clock, 500, 1000, "short");
  fill(db, clock, 300, 60_000, "long");
  fill(db, clock, 200, null, "forever");
  const dels: string[] = [];
  srv.propagation.subscribe({ feed: (dbId, argv) => void (argv[0] === "DEL" && dbId === 0 && dels.push(String(argv[1]))) });
  srv.cron();
  expect(db.size).toBe(1000); // nothing is due yet
  clock.advance(1001);
  for (let i = 0; i < 200 && db.expires.size > 300; i++) srv.cron();
  expect(db.size).toBe(500);
  expect(db.expires.size).toBe(300);
  expect(dels.length).toBe(500);
  expect(dels.every((k) => k.startsWith("short"))).toBe(true);
  expect(srv.stats.expiredKeys).toBe(500);
  for (let i = 0; i < 300; i++) expect(db.dict.has(`long${i}`)).toBe(true);
  clock.advance(60_000);
  for (let i = 0; i < 200 && db.expires.size > 0; i++) srv.cron();
  expect(db.size).toBe(200);
  expect(db.expires.size).toBe(0);
});

test("a cycle keeps sampling while more than 10% of a sample had expired, and stops when few did", () => {
  const clock = new ManualClock(1_700_000_000_000);
  const srv = server(clock);
  const db = srv.dbs[0]!;
  fill(db, clock, 2000, 10);
  clock.advance(11);
  // All sampled keys are expired: a single cycle with a generous budget reclaims them all.
  const r = activeExpireCycle(srv.dbs, () => clock.now(), 10_000);
  expect(r).toEqual({ expired: 2000, sampled: 2000, timedOut: false });
  expect(db.size).toBe(0);
  // Few expired among many: one loop of 20 samples finds at most 10% and the cycle stops.
  fill(db, clock, 1000, 60_000, "live");
  fill(db, clock, 1, 5, "dead");
  clock.advance(6);
  const r2 = activeExpireCycle(srv.dbs, () => clock.now(), 10_000);
  expect(r2.sampled).toBe(20);
  expect(r2.timedOut).toBe(false);
});

test("higher active-expire-effort samples more keys per loop", () => {
  const clock = new ManualClock(1_700_000_000_000);
  const srv = server(clock);
  fill(srv.dbs[0]!, clock, 1000, 60_000);
  expect(activeExpireCycle(srv.dbs, () => clock.now(), 10_000, 1).sampled).toBe(20);
  expect(activeExpireCycle(srv.dbs, () => clock.now(), 10_000, 10).sampled).toBe(65);
});

test("the cycle is bounded in time and the next one resumes with the following db", () => {
  const clock = new ManualClock(1_700_000_000_000);
  const srv = server(clock);
  for (const db of srv.dbs.slice(0, 3)) fill(db, clock, 200, 1);
  clock.advance(2);
  // A zero budget stops after the first loop of one db...
  const r = activeExpireCycle(srv.dbs, () => clock.now(), -1);
  expect(r.timedOut).toBe(true);
  expect(r.sampled).toBe(20);
  expect(srv.dbs[0]!.size).toBe(180);
  // ...and the next cycle starts with db 1, so db 0 cannot starve the others.
  activeExpireCycle(srv.dbs, () => clock.now(), -1);
  expect(srv.dbs[1]!.size).toBe(180);
  expect(srv.dbs[0]!.size).toBe(180);
  activeExpireCycle(srv.dbs, () => clock.now(), -1);
  expect(srv.dbs[2]!.size).toBe(180);
});

test("DEBUG SET-ACTIVE-EXPIRE 0 (activeExpireEnabled) stops reclaiming; lazy expiry still applies", () => {
  const clock = new ManualClock(1_700_000_000_000);
  const srv = server(clock);
  const db = srv.dbs[0]!;
  fill(db, clock, 100, 1);
  clock.advance(2);
  srv.activeExpireEnabled = false;
  for (let i = 0; i < 20; i++) srv.cron();
  expect(db.size).toBe(100);
  expect(db.lookup("k5")).toBeUndefined();
  expect(db.size).toBe(99);
  srv.activeExpireEnabled = true;
  for (let i = 0; i < 20 && db.size > 0; i++) srv.cron();
  expect(db.size).toBe(0);
});

test("dbs that keep expired keys (replicas) are not swept", () => {
  const clock = new ManualClock(1_700_000_000_000);
  const expired: string[] = [];
  const db = new Db(0, clock, { expired: (_db, k) => void expired.push(k), keepExpired: () => true });
  fill(db, clock, 50, 1);
  clock.advance(2);
  const r = activeExpireCycle([db], () => clock.now(), 10_000);
  expect(r.sampled).toBe(0);
  expect(db.size).toBe(50);
  expect(expired).toEqual([]);
  // Reads still see them as gone, without deleting them.
  expect(db.lookup("k1")).toBeUndefined();
  expect(db.size).toBe(50);
});

test("keys whose TTL was removed or that were deleted meanwhile are never reported as expired", () => {
  const clock = new ManualClock(1_700_000_000_000);
  const srv = server(clock);
  const db = srv.dbs[0]!;
  fill(db, clock, 100, 10);
  for (let i = 0; i < 50; i++) db.persist(`k${i}`);
  for (let i = 50; i < 60; i++) db.delete(`k${i}`);
  clock.advance(11);
  for (let i = 0; i < 50 && db.expires.size > 0; i++) srv.cron();
  expect(srv.stats.expiredKeys).toBe(40);
  expect(db.size).toBe(50);
});
