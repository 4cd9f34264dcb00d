// Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SSCAN (the
// algebra, SINTER… and their STORE forms, is setalgebra.ts). The value is types/set.ts; this file
// reads the encoding limits from config, replies, marks writes dirty, removes emptied keys and
// rewrites SPOP's propagation so replicas and the AOF remove the same members.
import { E } from "../errors.ts";
import { paramDef } from "../config.ts";
import { SetValue, type SetLimits } from "../types/set.ts";
import type { Value } from "../types/value.ts";
import { INT64_MAX, string2ll } from "../util/number.ts";
import type { Context } from "./context.ts";
import { parseScanOptions, replyScan, scanCursorArg, scanMatches, scanStep } from "./scanargs.ts";
import type { CommandSpec, KeySpec } from "./spec.ts";
import { NOTIFY_GENERIC, NOTIFY_SET } from "../notifications.ts";

const COUNT_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

const isSet = (v: Value): v is SetValue => v instanceof SetValue;
const newSet = (): SetValue => new SetValue();

/** A set value, null for a missing key, or undefined for another type (WRONGTYPE). */
export function asSet(v: Value | undefined): SetValue | null | undefined {
  if (v === undefined) return null;
  return v instanceof SetValue ? v : undefined;
}

/**
 * Redis 7.0 (our oracle) has no listpack sets: set-max-listpack-* arrive in 7.2, so listpack
 * stays off unless the config knows those parameters.
 */
const LISTPACK_SETS = paramDef("set-max-listpack-entries") !== undefined;

/** The encoding limits, as configured now. */
export function limits(c: Context): SetLimits {
  const cfg = c.server.config;
  return {
    intsetEntries: cfg.num("set-max-intset-entries"),
    listpackEntries: LISTPACK_SETS ? cfg.num("set-max-listpack-entries") : 0,
    listpackValue: LISTPACK_SETS ? cfg.num("set-max-listpack-value") : 0,
  };
}

/** The set at key for a read: null when missing, undefined after a WRONGTYPE reply. */
function setForRead(c: Context, key: string): SetValue | null | undefined {
  const s = asSet(c.lookupRead(key));
  if (s === undefined) c.error(E.wrongType);
  return s;
}

/** Reply with members as a RESP3 set (an array in RESP2). */
export function replyMembers(c: Context, members: Iterable<string>, n: number): void {
  c.reply.set(n);
  for (const m of members) c.reply.bulk(m);
}

/** The empty set reply: `~0` in RESP3, `*0` in RESP2. */
function replyEmptySet(c: Context): void {
  c.reply.set(0);
}

// ---- SPOP / SRANDMEMBER ----

function spop(c: Context): void {
  const argc = c.args.argc;
  if (argc === 3) return spopWithCount(c);
  if (argc > 3) return c.error(E.syntax);
  const key = c.args.str(1);
  const s = asSet(c.lookupWrite(key));
  if (s === undefined) return c.error(E.wrongType);
  if (s === null) return c.reply.nil();
  const m = s.popRandom()!;
  c.signalModified(key);
  c.notify(NOTIFY_SET, "spop", key);
  if (s.size === 0) {
    c.db.delete(key);
    c.notify(NOTIFY_GENERIC, "del", key);
  }
  c.dirty();
  // Matches Redis: replicas and the AOF remove the member that was drawn here.
  c.propagateAs = ["SREM", key, m];
  c.reply.bulk(m);
}

function spopWithCount(c: Context): void {
  const n = string2ll(c.args.str(2));
  // Matches Redis: anything but a non-negative integer gets the "must be positive" error.
  if (n === null || n < 0) return c.error(E.notPositive);
  const key = c.args.str(1);
  const s = asSet(c.lookupWrite(key));
  if (s === undefined) return c.error(E.wrongType);
  if (s === null || n === 0) return replyEmptySet(c);
  const size = s.size;
  if (n >= size) {
    // The whole set goes: replied in its own order, propagated as DEL (as Redis does).
    replyMembers(c, s.ordered(), size);
    c.db.delete(key);
    c.signalModified(key);
    c.notify(NOTIFY_SET, "spop", key);
    c.notify(NOTIFY_GENERIC, "del", key);
    c.dirty(size);
    c.propagateAs = ["DEL", key];
    return;
  }
  const count = Number(n);
  const popped = s.sampleDistinct(count);
  for (const m of popped) s.delete(m);
  replyMembers(c, popped, count);
  c.dirty(count);
  c.signalModified(key);
  c.notify(NOTIFY_SET, "spop", key);
  // Redis 7.0 logs one SREM per member inside MULTI/EXEC; a single SREM of them all is the
  // same change in one command.
  c.propagateAs = ["SREM", key, ...popped];
}

function srandmember(c: Context): void {
  const argc = c.args.argc;
  if (argc === 3) return srandmemberWithCount(c);
  if (argc > 3) return c.error(E.syntax);
  const s = setForRead(c, c.args.str(1));
  if (s === undefined) return;
  if (s === null) return c.reply.nil();
  c.reply.bulk(s.random()!);
}

function srandmemberWithCount(c: Context): void {
  const n = string2ll(c.args.str(2));
  if (n === null) return c.error(E.notInteger);
  if (n < -INT64_MAX) return c.error(COUNT_RANGE);
  const s = setForRead(c, c.args.str(1));
  if (s === undefined) return;
  const r = c.reply;
  if (s === null || n === 0) return r.array(0);
  const size = s.size;
  if (n < 0) {
    // Repeats allowed: count independent picks, written as they are drawn.
    const count = Number(-BigInt(n));
    r.array(count);
    const all = s.pickable();
    for (let i = 0; i < count; i++) r.bulk(all !== null ? all[Math.floor(Math.random() * size)]! : s.random()!);
    return;
  }
  // Matches Redis: unlike SPOP, SRANDMEMBER's reply is an array even in RESP3.
  if (n >= size) {
    r.array(size);
    for (const m of s.ordered()) r.bulk(m);
    return;
  }
  r.bulkArray(s.sampleDistinct(Number(n)));
}

// ---- SMOVE ----

function smove(c: Context): void {
  const srcKey = c.args.str(1);
  const dstKey = c.args.str(2);
  const src = asSet(c.lookupWrite(srcKey));
  const dst = asSet(c.lookupWrite(dstKey));
  // Matches Redis: a missing source answers 0 before the destination's type is looked at.
  if (src === null) return c.reply.int(0);
  if (src === undefined || dst === undefined) return c.error(E.wrongType);
  const m = c.args.str(3);
  if (src === dst) return c.reply.int(src.has(m) ? 1 : 0);
  if (!src.delete(m)) return c.reply.int(0);
  c.notify(NOTIFY_SET, "srem", srcKey);
  if (src.size === 0) {
    c.db.delete(srcKey);
    c.notify(NOTIFY_GENERIC, "del", srcKey);
  }
  let target = dst;
  if (target === null) {
    target = new SetValue();
    c.db.set(dstKey, target);
  }
  c.signalModified(srcKey);
  if (target.add(m, limits(c))) {
    c.signalModified(dstKey);
    c.notify(NOTIFY_SET, "sadd", dstKey);
  }
  c.dirty();
  c.reply.int(1);
}

// ---- SSCAN ----

function sscan(c: Context): void {
  const cursor = scanCursorArg(c);
  if (cursor === null) return;
  const s = setForRead(c, c.args.str(1));
  if (s === undefined) return;
  // Matches Redis: a missing key answers before the options are read.
  if (s === null) return replyScan(c, 0, []);
  const o = parseScanOptions(c);
  if (o === null) return;
  const out: string[] = [];
  let next = 0;
  if (!s.isHashtable) {
    // Matches Redis: a compact set (intset) is returned whole, whatever the cursor and COUNT.
    for (const m of s.ordered()) if (scanMatches(o, m)) out.push(m);
  } else {
    next = scanStep(c, s, cursor, o.count, () => s.values()[Symbol.iterator](), (m: string) => {
      if (scanMatches(o, m)) out.push(m);
    });
  }
  replyScan(c, next, out);
}

// ---- specs ----

const ONE_KEY = (flags: KeySpec["flags"], index: number): KeySpec => ({ flags, begin: { index }, find: { range: [0, 1, 0] } });

export const setCommands: readonly CommandSpec[] = [
  {
    name: "sadd",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "insert"],
    acl: ["set"],
    group: "set",
    since: "1.0.0",
    summary: "Adds members to a set, creating it if needed; replies with how many were not there yet.",
    complexity: "O(1) per member added",
    run(c) {
      const s = c.valueForWrite(1, isSet, newSet);
      if (s === undefined) return;
      const a = c.args;
      const argc = a.argc;
      let lim: SetLimits | null = null;
      let added = 0;
      for (let i = 2; i < argc; i++) {
        // A hashtable set takes members straight from the request bytes.
        const isNew = s.isHashtable ? s.addBytes(a.buf, a.base + a.starts[i]!, a.base + a.ends[i]!, null) : s.add(a.str(i), (lim ??= limits(c)));
        if (isNew) added++;
      }
      if (added > 0) {
        c.dirty(added);
        c.keyChanged(1, NOTIFY_SET, "sadd");
      }
      c.reply.int(added);
    },
  },
  {
    name: "srem",
    arity: -3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "delete"],
    acl: ["set"],
    group: "set",
    since: "1.0.0",
    summary: "Removes members from a set, deleting the key once it is empty; replies with how many were removed.",
    complexity: "O(N) for N members to remove",
    run(c) {
      const key = c.args.str(1);
      const s = asSet(c.lookupWrite(key));
      if (s === undefined) return c.error(E.wrongType);
      if (s === null) return c.reply.int(0);
      const argc = c.args.argc;
      let removed = 0;
      for (let i = 2; i < argc; i++) {
        if (s.delete(c.args.str(i))) {
          removed++;
          if (s.size === 0) break;
        }
      }
      if (removed > 0) {
        c.signalModified(key);
        c.notify(NOTIFY_SET, "srem", key);
      }
      // Matches Redis: an emptied set is removed from the keyspace.
      if (s.size === 0) {
        c.db.delete(key);
        c.notify(NOTIFY_GENERIC, "del", key);
      }
      if (removed > 0) c.dirty(removed);
      c.reply.int(removed);
    },
  },
  {
    name: "smembers",
    arity: 2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["set"],
    tips: ["nondeterministic_output_order"],
    group: "set",
    since: "1.0.0",
    summary: "Returns every member of a set (integer sets in numeric order).",
    complexity: "O(N) for a set of N members",
    run(c) {
      const s = setForRead(c, c.args.str(1));
      if (s === undefined) return;
      if (s === null) return replyEmptySet(c);
      replyMembers(c, s.ordered(), s.size);
    },
  },
  {
    name: "sismember",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO"],
    acl: ["set"],
    group: "set",
    since: "1.0.0",
    summary: "Tells whether a value is a member of a set.",
    complexity: "O(1)",
    run(c) {
      const r = c.lookupReadArg(1);
      if (r === 0) return c.reply.int(0);
      const s = c.db.dict.value(r);
      if (!(s instanceof SetValue)) return c.error(E.wrongType);
      const a = c.args;
      c.reply.int(s.hasBytes(a.buf, a.base + a.starts[2]!, a.base + a.ends[2]!) ? 1 : 0);
    },
  },
  {
    name: "smismember",
    arity: -3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["set"],
    group: "set",
    since: "6.2.0",
    summary: "Tells, for each of several values, whether it is a member of a set.",
    complexity: "O(N) for N values checked",
    run(c) {
      const s = setForRead(c, c.args.str(1));
      if (s === undefined) return;
      const argc = c.args.argc;
      c.reply.array(argc - 2);
      for (let i = 2; i < argc; i++) c.reply.int(s !== null && s.has(c.args.str(i)) ? 1 : 0);
    },
  },
  {
    name: "scard",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO"],
    acl: ["set"],
    group: "set",
    since: "1.0.0",
    summary: "Returns the number of members of a set.",
    complexity: "O(1)",
    run(c) {
      const s = setForRead(c, c.args.str(1));
      if (s === undefined) return;
      c.reply.int(s === null ? 0 : s.size);
    },
  },
  {
    name: "spop",
    arity: -2,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "access", "delete"],
    acl: ["set"],
    tips: ["nondeterministic_output"],
    group: "set",
    since: "1.0.0",
    summary: "Removes and returns random members of a set (one, or up to count of them).",
    complexity: "O(1) without count, else O(N) for N = count",
    run: spop,
  },
  {
    name: "srandmember",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["set"],
    tips: ["nondeterministic_output"],
    group: "set",
    since: "1.0.0",
    summary: "Returns random members of a set: distinct ones for a positive count, possibly repeated for a negative one.",
    complexity: "O(1) without count, else O(N) for N = |count|",
    run: srandmember,
  },
  {
    name: "smove",
    arity: 4,
    flags: ["write", "fast"],
    keys: [1, 2, 1],
    acl: ["set"],
    group: "set",
    since: "1.0.0",
    summary: "Moves a member from one set to another; replies 1 if it was moved.",
    complexity: "O(1)",
    keySpecs: [ONE_KEY(["RW", "access", "delete"], 1), ONE_KEY(["RW", "insert"], 2)],
    run: smove,
  },
  {
    name: "sscan",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["set"],
    tips: ["nondeterministic_output"],
    group: "set",
    since: "2.8.0",
    summary: "Iterates over the members of a set with a cursor.",
    complexity: "O(1) per call, O(N) for a full iteration",
    run: sscan,
  },
];
