// Set algebra: SINTER SUNION SDIFF, their STORE forms and SINTERCARD. Owns how Redis computes
// each result (the smallest set first, the cheaper of two ways for a difference) and the order it
// is replied in; it reads its sources and writes only a STORE destination.
import { E } from "../errors.ts";
import { SetValue, type SetLimits } from "../types/set.ts";
import { string2ll } from "../util/number.ts";
import type { Context } from "./context.ts";
import type { CommandSpec, KeySpec } from "./spec.ts";
import { NOTIFY_GENERIC, NOTIFY_SET } from "../notifications.ts";
import { asSet, limits, replyMembers } from "./set.ts";

const NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0";
const NUMKEYS_TOO_MANY = "ERR Number of keys can't be greater than number of args";
const LIMIT_NEGATIVE = "ERR LIMIT can't be negative";

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

/** The keyspace event of each STORE form. */
const STORE_EVENT: Record<SetOp, string> = { inter: "sinterstore", union: "sunionstore", diff: "sdiffstore" };

/**
 * SINTER SUNION SDIFF (sources from argv[1]) and, with store, SINTERSTORE SUNIONSTORE SDIFFSTORE
 * (destination argv[1], sources from argv[2]): an empty stored result deletes the destination.
 */
function setAlgebra(c: Context, op: SetOp, store: boolean): void {
  const from = store ? 2 : 1;
  const sets = lookupSets(c, from, c.args.argc - from);
  if (sets === undefined) return;
  if (op === "inter" && !store) {
    // Replied straight from the smallest set, as Redis does (no result set is built).
    const out = intersect(sets);
    return replyMembers(c, out, out.length);
  }
  const lim = limits(c);
  const s = op === "inter" ? SetValue.of(intersect(sets), lim) : op === "union" ? union(sets, lim) : difference(sets, lim);
  if (!store) return replyMembers(c, s.ordered(), s.size);
  const dst = c.args.str(1);
  if (s.size > 0) {
    c.db.set(dst, s);
    c.dirty();
    c.signalModified(dst);
    c.notify(NOTIFY_SET, STORE_EVENT[op], dst);
  } else if (c.db.delete(dst)) {
    c.dirty();
    c.signalModified(dst);
    c.notify(NOTIFY_GENERIC, "del", dst);
  }
  c.reply.int(s.size);
}

/** SINTERCARD numkeys key… [LIMIT n]: SINTER's lookups and intersection, counted and cut at the limit. */
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

// ---- specs ----

const SOURCES_FROM_2: KeySpec = { flags: ["RO", "access"], begin: { index: 2 }, find: { range: [-1, 1, 0] } };
const INTER_COST = "O(N*M): N the smallest set's size, M the number of sets";
const MEMBERS_COST = "O(N) for N members in all the sets";

const readSpec = (name: string, op: SetOp, summary: string, complexity: string): CommandSpec => ({
  name,
  arity: -2,
  flags: ["readonly"],
  keys: [1, -1, 1],
  keyFlags: ["RO", "access"],
  acl: ["set"],
  tips: ["nondeterministic_output_order"],
  group: "set",
  since: "1.0.0",
  summary,
  complexity,
  run: (c) => setAlgebra(c, op, false),
});

/** dstFlags: how Redis 7.0 declares the destination key (SINTERSTORE's is RW, the others' OW). */
const storeSpec = (name: string, op: SetOp, dstFlags: KeySpec["flags"], summary: string, complexity: string): CommandSpec => ({
  name,
  arity: -3,
  flags: ["write", "denyoom"],
  keys: [1, -1, 1],
  acl: ["set"],
  group: "set",
  since: "1.0.0",
  summary,
  complexity,
  keySpecs: [{ flags: dstFlags, begin: { index: 1 }, find: { range: [0, 1, 0] } }, SOURCES_FROM_2],
  run: (c) => setAlgebra(c, op, true),
});

export const setAlgebraCommands: readonly CommandSpec[] = [
  readSpec("sinter", "inter", "Returns the members common to all the given sets.", INTER_COST),
  {
    name: "sintercard",
    arity: -3,
    flags: ["readonly", "movablekeys"],
    keys: [0, 0, 0],
    acl: ["set"],
    group: "set",
    since: "7.0.0",
    summary: "Counts the members common to all the given sets, optionally stopping at a limit.",
    complexity: INTER_COST,
    keySpecs: [{ flags: ["RO", "access"], begin: { index: 1 }, find: { keynum: [0, 1, 1] } }],
    run: sintercard,
  },
  readSpec("sunion", "union", "Returns the members of all the given sets together.", MEMBERS_COST),
  readSpec("sdiff", "diff", "Returns the members of the first set that are in none of the others.", MEMBERS_COST),
  storeSpec("sinterstore", "inter", ["RW", "update"], "Stores the intersection of sets at a destination key; replies with its size.", INTER_COST),
  storeSpec("sunionstore", "union", ["OW", "update"], "Stores the union of sets at a destination key; replies with its size.", MEMBERS_COST),
  storeSpec(
    "sdiffstore",
    "diff",
    ["OW", "update"],
    "Stores the difference of the first set and the others at a destination key; replies with its size.",
    MEMBERS_COST,
  ),
];
