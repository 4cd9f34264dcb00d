// The incremental BGSAVE snapshot: whatever happens to the live databases between its slices
// (in-place edits of lists, hashes, sets, sorted sets and byte strings looked up as handlers do,
// new keys, deletes, renames, moves across dbs, SWAPDB, FLUSHALL, TTL changes), the file it
// produces holds exactly the keyspace of the moment it started.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Db } from "../../src/keyspace/db.ts";
import { ManualClock } from "../../src/util/clock.ts";
import type { Value } from "../../src/types/value.ts";
import { ByteString } from "../../src/types/bytestring.ts";
import { List } from "../../src/types/list.ts";
import { Hash } from "../../src/types/hash.ts";
import { SetValue } from "../../src/types/set.ts";
import { ZSet } from "../../src/types/zset.ts";
import { Snapshot } from "../../src/persistence/snapshot.ts";
import { loadRdb } from "../../src/persistence/rdb.ts";

const hooks = { expired() {}, keepExpired: () => false };
const NOW = 1_700_000_000_000;
const BIG = { entries: 1e9, value: 1e9 };
const SET_LIMITS = { intsetEntries: 512, listpackEntries: 0, listpackValue: 0 };

function newDbs(n = 4): Db[] {
  const clock = new ManualClock(NOW);
  return Array.from({ length: n }, (_, i) => new Db(i, clock, hooks));
}

function canon(v: Value): unknown {
  if (typeof v !== "object") return ["s", String(v)];
  switch (v.type) {
    case "string": return ["s", (v as ByteString).toLatin1()];
    case "list": return ["l", (v as List).toArray()];
    case "set": return ["set", [...(v as SetValue).values()].sort()];
    case "hash": return ["h", [...(v as Hash).entries()].sort()];
    case "zset": return ["z", [...(v as ZSet).entries()].sort()];
    default: return ["?"];
  }
}

function state(dbs: readonly Db[]): string[] {
  const out: string[] = [];
  for (const db of dbs) for (const [k, v] of db.dict.entries()) out.push(JSON.stringify([db.id, k, db.getExpire(k), canon(v)]));
  return out.sort();
}

function run(snap: Snapshot): Uint8Array {
  const parts: Uint8Array[] = [];
  while (!snap.step(Infinity)) {
    const c = snap.take();
    if (c) parts.push(c);
  }
  parts.push(snap.finish());
  return Buffer.concat(parts);
}

function loaded(bytes: Uint8Array, n = 4): string[] {
  const dbs = newDbs(n);
  loadRdb(bytes, dbs, NOW);
  return state(dbs);
}

/** A keyspace with every kind of value, spread over dbs. */
function seed(dbs: Db[], n: number): void {
  for (let i = 0; i < n; i++) {
    const db = dbs[i % dbs.length]!;
    const k = `k${i}`;
    switch (i % 7) {
      case 0: db.set(k, `str${i}`); break;
      case 1: db.set(k, i); break;
      case 2: db.set(k, List.from([`a${i}`, `b${i}`])); break;
      case 3: { const h = new Hash(); h.set("f", `v${i}`, BIG); db.set(k, h); break; }
      case 4: db.set(k, SetValue.of([String(i), "x"], SET_LIMITS)); break;
      case 5: { const z = new ZSet(); z.insert("m", i, BIG); db.set(k, z); break; }
      case 6: db.set(k, new ByteString(`bytes${i}`)); break;
    }
    if (i % 5 === 0) db.setExpire(k, NOW + 1000 + i);
  }
}

/** Change a live value in place, as a command handler does after lookup(). */
function mutate(db: Db, key: string, tag: string): void {
  const v = db.lookup(key);
  if (v === undefined || typeof v !== "object") return;
  switch (v.type) {
    case "list": (v as List).pushTail(tag); (v as List).set(0, tag); break;
    case "hash": (v as Hash).set("f", tag, BIG); (v as Hash).set(tag, tag, BIG); break;
    case "set": (v as SetValue).add(tag, SET_LIMITS); (v as SetValue).delete("x"); break;
    case "zset": (v as ZSet).insert(tag, 1, BIG); break;
    case "string": (v as ByteString).append(Buffer.from(tag)); break;
  }
}

type Op =
  | { kind: "mutate" | "set" | "delete" | "expire" | "persist"; db: number; key: number }
  | { kind: "rename" | "move"; db: number; key: number; to: number; toDb: number }
  | { kind: "swap"; db: number; toDb: number }
  | { kind: "flush"; db: number }
  | { kind: "step"; n: number };

const KEYS = 60;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constantFrom("mutate" as const, "set" as const, "delete" as const, "expire" as const, "persist" as const), db: fc.nat(3), key: fc.nat(KEYS + 10) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom("rename" as const, "move" as const), db: fc.nat(3), key: fc.nat(KEYS), to: fc.nat(KEYS + 10), toDb: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("swap" as const), db: fc.nat(3), toDb: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("flush" as const), db: fc.nat(3) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("step" as const), n: fc.integer({ min: 1, max: 10 }) }) },
);

function apply(dbs: Db[], op: Op, i: number): void {
  if (op.kind === "step") return;
  const db = dbs[op.db]!;
  switch (op.kind) {
    case "mutate": return mutate(db, `k${op.key}`, `t${i}`);
    case "set": return db.set(`k${op.key}`, i % 2 === 0 ? `new${i}` : List.from([`new${i}`]));
    case "delete": void db.delete(`k${op.key}`); return;
    case "expire": return db.setExpire(`k${op.key}`, NOW + 99_999 + i);
    case "persist": void db.persist(`k${op.key}`); return;
    case "rename": if (db.has(`k${op.key}`)) db.rename(`k${op.key}`, `k${op.to}`); return;
    case "move": if (db.has(`k${op.key}`) && op.toDb !== op.db) db.moveTo(`k${op.key}`, dbs[op.toDb]!); return;
    case "swap": if (op.db !== op.toDb) db.swapWith(dbs[op.toDb]!); return;
    case "flush": db.flush(); return;
  }
}

describe("point in time", () => {
  test("any interleaving of writes and slices (fast-check)", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
        const dbs = newDbs();
        seed(dbs, KEYS);
        const before = state(dbs);
        const snap = new Snapshot(dbs, { now: NOW });
        const parts: Uint8Array[] = [];
        for (let i = 0; i < ops.length; i++) {
          const op = ops[i]!;
          if (op.kind === "step") {
            snap.step(Infinity, op.n);
            const c = snap.take();
            if (c) parts.push(c);
          } else {
            apply(dbs, op, i);
            // The object a handler mutated later must not leak either: mutate again after moves.
            if (op.kind === "rename" || op.kind === "move") mutate(dbs[op.kind === "move" ? op.toDb : op.db]!, `k${op.to ?? op.key}`, `late${i}`);
            if (op.kind === "swap") mutate(dbs[op.db]!, `k${i % KEYS}`, `swapped${i}`);
          }
        }
        parts.push(run(snap));
        expect(loaded(Buffer.concat(parts))).toEqual(before);
        // Nothing keeps observing the dbs afterwards.
        for (const db of dbs) expect(db.observers.length).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  test("keys created after the start are not in it; deleted ones are", () => {
    const dbs = newDbs(1);
    seed(dbs, 300);
    const before = state(dbs);
    const snap = new Snapshot(dbs, { now: NOW });
    snap.step(Infinity, 100);
    const first = snap.take()!;
    for (let i = 0; i < 300; i++) dbs[0]!.delete(`k${i}`);
    for (let i = 0; i < 50; i++) dbs[0]!.set(`fresh${i}`, "x");
    expect(loaded(Buffer.concat([first, run(snap)]), 1)).toEqual(before);
  });

  test("a value moved by SWAPDB and changed later is saved as it was", () => {
    const dbs = newDbs(2);
    dbs[0]!.set("a", List.from(["zero"]));
    dbs[1]!.set("b", List.from(["one"]));
    const before = state(dbs);
    const snap = new Snapshot(dbs, { now: NOW });
    dbs[0]!.swapWith(dbs[1]!);
    (dbs[0]!.lookup("b") as List).pushTail("changed");
    (dbs[1]!.lookup("a") as List).pushTail("changed");
    expect(loaded(run(snap), 2)).toEqual(before);
  });

  test("an empty keyspace makes a valid empty file", () => {
    const dbs = newDbs();
    expect(loadRdb(run(new Snapshot(dbs, { now: NOW })), newDbs(), NOW).keys).toBe(0);
  });
});
