// Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER
// SINTERCARD SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE SSCAN. The value is types/set.ts;
// this file reads the encoding limits from config, replies, marks writes dirty, removes emptied
// keys and rewrites SPOP's propagation so replicas and the AOF remove the same members.
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
const NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0";
const NUMKEYS_TOO_MANY = "ERR Number of keys can't be greater than number of args";
const LIMIT_NEGATIVE = "ERR LIMIT can't be negative";

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
function limits(c: Context): SetLimits {
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
function replyMembers(c: Context, members: Iterable<string>, n: number): void {
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
  const m = s.random()!;
  s.delete(m);
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

// ---- SINTER / SUNION / SDIFF and friends ----

/**
 * The sets at argv[from, from+n): null for missing keys. Every key is type-checked, even after
 * a missing one (as Redis does); undefined after a WRONGTYPE reply.
 */
function lookupSets(c: Context, from: number, n: number): (SetValue | null)[] | undefined {
  const sets: (SetValue | null)[] = new Array<SetValue | null>(n);
  for (let i = 0; i < n; i++) {
    const s = asSet(c.lookupRead(c.args.str(from + i)));
    if (s === undefined) {
      c.error(E.wrongType);
      return undefined;
    }
    sets[i] = s;
  }
  return sets;
}

/**
 * Members common to all sets, in the order of the smallest (numeric when it is an intset, as in
 * Redis); stops after limit members when limit > 0. Any missing set makes it empty.
 */
function intersect(sets: readonly (SetValue | null)[], limit = 0): string[] {
  const out: string[] = [];
  let smallest: SetValue | null = null;
  for (const s of sets) {
    if (s === null) return out;
    if (smallest === null || s.size < smallest.size) smallest = s;
  }
  if (smallest === null) return out;
  outer: for (const m of smallest.ordered()) {
    for (const s of sets) if (s !== smallest && !s!.has(m)) continue outer;
    out.push(m);
    if (out.length === limit) break;
  }
  return out;
}

/** The union, built as Redis builds it: a fresh set taking every member in key order. */
function union(sets: readonly (SetValue | null)[], lim: SetLimits): SetValue {
  const out = new SetValue();
  for (const s of sets) if (s !== null) for (const m of s.ordered()) out.add(m, lim);
  return out;
}

/**
 * The first set minus the others, by Redis's cheaper of two ways (its choice shows in the
 * result's encoding): filter the first set's members, or copy it whole and remove the rest.
 * Copying passes through the first set's size, so a small result can still be a hashtable.
 */
function difference(sets: readonly (SetValue | null)[], lim: SetLimits): SetValue {
  const out = new SetValue();
  const first = sets[0];
  if (first === null || first === undefined) return out;
  let filterWork = 0;
  let copyWork = 0;
  for (const s of sets) {
    if (s === null) continue;
    filterWork += first.size;
    copyWork += s.size;
  }
  if (Math.floor(filterWork / 2) <= copyWork) {
    outer: for (const m of first.ordered()) {
      for (let i = 1; i < sets.length; i++) if (sets[i]?.has(m)) continue outer;
      out.add(m, lim);
    }
    return out;
  }
  for (const m of first.ordered()) out.add(m, lim);
  for (let i = 1; i < sets.length && out.size > 0; i++) {
    const s = sets[i];
    if (s !== null && s !== undefined) for (const m of s.ordered()) out.delete(m);
  }
  return out;
}

type SetOp = "inter" | "union" | "diff";

function compute(c: Context, op: SetOp, from: number): SetValue | undefined {
  const sets = lookupSets(c, from, c.args.argc - from);
  if (sets === undefined) return undefined;
  const lim = limits(c);
  if (op === "inter") return SetValue.of(intersect(sets), lim);
  return op === "union" ? union(sets, lim) : difference(sets, lim);
}

/** SINTER SUNION SDIFF. */
function setOp(c: Context, op: SetOp): void {
  if (op === "inter") {
    // Replied straight from the smallest set, as Redis does (no result set is built).
    const sets = lookupSets(c, 1, c.args.argc - 1);
    if (sets === undefined) return;
    const out = intersect(sets);
    return replyMembers(c, out, out.length);
  }
  const s = compute(c, op, 1);
  if (s !== undefined) replyMembers(c, s.ordered(), s.size);
}

/** SINTERSTORE SUNIONSTORE SDIFFSTORE: an empty result deletes the destination. */
function setOpStore(c: Context, op: SetOp): void {
  const s = compute(c, op, 2);
  if (s === undefined) return;
  const dst = c.args.str(1);
  if (s.size > 0) {
    c.db.set(dst, s);
    c.dirty();
    c.signalModified(dst);
    c.notify(NOTIFY_SET, op === "inter" ? "sinterstore" : op === "union" ? "sunionstore" : "sdiffstore", dst);
  } else if (c.db.delete(dst)) {
    c.dirty();
    c.signalModified(dst);
    c.notify(NOTIFY_GENERIC, "del", dst);
  }
  c.reply.int(s.size);
}

function sintercard(c: Context): void {
  const argc = c.args.argc;
  const n = string2ll(c.args.str(1));
  if (n === null || n <= 0) return c.error(NUMKEYS_NOT_POSITIVE);
  if (n > argc - 2) return c.error(NUMKEYS_TOO_MANY);
  const numkeys = Number(n);
  let limit = 0;
  for (let i = 2 + numkeys; i < argc; i++) {
    if (c.args.is(i, "limit") && i + 1 < argc) {
      const l = string2ll(c.args.str(++i));
      if (l === null || l < 0) return c.error(LIMIT_NEGATIVE);
      // A limit past any set's size is no limit at all.
      limit = l > Number.MAX_SAFE_INTEGER ? 0 : Number(l);
    } else {
      return c.error(E.syntax);
    }
  }
  const sets = lookupSets(c, 2, numkeys);
  if (sets === undefined) return;
  c.reply.int(intersect(sets, limit).length);
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
    const members = s.members;
    next = scanStep(c, members, cursor, o.count, () => members.values(), (m) => {
      if (scanMatches(o, m)) out.push(m);
    });
  }
  replyScan(c, next, out);
}

// ---- specs ----

const ONE_KEY = (flags: KeySpec["flags"], index: number): KeySpec => ({ flags, begin: { index }, find: { range: [0, 1, 0] } });
const SOURCES_FROM_2: KeySpec = { flags: ["RO", "access"], begin: { index: 2 }, find: { range: [-1, 1, 0] } };

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
      const key = c.args.str(1);
      const v = c.lookupWrite(key);
      let s: SetValue;
      if (v === undefined) {
        s = new SetValue();
        c.db.set(key, s);
      } else if (v instanceof SetValue) {
        s = v;
      } else {
        return c.error(E.wrongType);
      }
      const lim = limits(c);
      const argc = c.args.argc;
      let added = 0;
      for (let i = 2; i < argc; i++) if (s.add(c.args.str(i), lim)) added++;
      if (added > 0) {
        c.dirty(added);
        c.signalModified(key);
        c.notify(NOTIFY_SET, "sadd", key);
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
      const s = setForRead(c, c.args.str(1));
      if (s === undefined) return;
      c.reply.int(s !== null && s.has(c.args.str(2)) ? 1 : 0);
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
    name: "sinter",
    arity: -2,
    flags: ["readonly"],
    keys: [1, -1, 1],
    keyFlags: ["RO", "access"],
    acl: ["set"],
    tips: ["nondeterministic_output_order"],
    group: "set",
    since: "1.0.0",
    summary: "Returns the members common to all the given sets.",
    complexity: "O(N*M): N the smallest set's size, M the number of sets",
    run: (c) => setOp(c, "inter"),
  },
  {
    name: "sintercard",
    arity: -3,
    flags: ["readonly", "movablekeys"],
    keys: [0, 0, 0],
    acl: ["set"],
    group: "set",
    since: "7.0.0",
    summary: "Counts the members common to all the given sets, optionally stopping at a limit.",
    complexity: "O(N*M): N the smallest set's size, M the number of sets",
    keySpecs: [{ flags: ["RO", "access"], begin: { index: 1 }, find: { keynum: [0, 1, 1] } }],
    run: sintercard,
  },
  {
    name: "sunion",
    arity: -2,
    flags: ["readonly"],
    keys: [1, -1, 1],
    keyFlags: ["RO", "access"],
    acl: ["set"],
    tips: ["nondeterministic_output_order"],
    group: "set",
    since: "1.0.0",
    summary: "Returns the members of all the given sets together.",
    complexity: "O(N) for N members in all the sets",
    run: (c) => setOp(c, "union"),
  },
  {
    name: "sdiff",
    arity: -2,
    flags: ["readonly"],
    keys: [1, -1, 1],
    keyFlags: ["RO", "access"],
    acl: ["set"],
    tips: ["nondeterministic_output_order"],
    group: "set",
    since: "1.0.0",
    summary: "Returns the members of the first set that are in none of the others.",
    complexity: "O(N) for N members in all the sets",
    run: (c) => setOp(c, "diff"),
  },
  {
    name: "sinterstore",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 1],
    acl: ["set"],
    group: "set",
    since: "1.0.0",
    summary: "Stores the intersection of sets at a destination key; replies with its size.",
    complexity: "O(N*M): N the smallest set's size, M the number of sets",
    keySpecs: [ONE_KEY(["RW", "update"], 1), SOURCES_FROM_2],
    run: (c) => setOpStore(c, "inter"),
  },
  {
    name: "sunionstore",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 1],
    acl: ["set"],
    group: "set",
    since: "1.0.0",
    summary: "Stores the union of sets at a destination key; replies with its size.",
    complexity: "O(N) for N members in all the sets",
    keySpecs: [ONE_KEY(["OW", "update"], 1), SOURCES_FROM_2],
    run: (c) => setOpStore(c, "union"),
  },
  {
    name: "sdiffstore",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 1],
    acl: ["set"],
    group: "set",
    since: "1.0.0",
    summary: "Stores the difference of the first set and the others at a destination key; replies with its size.",
    complexity: "O(N) for N members in all the sets",
    keySpecs: [ONE_KEY(["OW", "update"], 1), SOURCES_FROM_2],
    run: (c) => setOpStore(c, "diff"),
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
