// List commands: pushes, pops, ranges, edits, moves and LMPOP, plus the list moves and key specs
// that the blocking forms (listblocking.ts: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP) share. The value
// is types/list.ts; this file replies, marks writes dirty and signals keys blocked clients wait on.
import { E, wrongArity } from "../errors.ts";
import { List } from "../types/list.ts";
import type { Value } from "../types/value.ts";
import { string2ll } from "../util/number.ts";
import type { Context } from "./context.ts";
import type { CommandSpec, KeySpec, KeySpecFlag } from "./spec.ts";
import { NOTIFY_GENERIC, NOTIFY_LIST } from "../notifications.ts";

/** Which end of a list: LEFT (head) or RIGHT (tail). */
export type End = "LEFT" | "RIGHT";

const RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const COUNT_NEGATIVE = "ERR COUNT can't be negative";
const MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";
const NUMKEYS_POSITIVE = "ERR numkeys should be greater than 0";
const COUNT_POSITIVE = "ERR count should be greater than 0";

/** A list value, null for a missing key, or undefined for another type (WRONGTYPE). */
export function asList(v: Value | undefined): List | null | undefined {
  if (v === undefined) return null;
  return v instanceof List ? v : undefined;
}

/** Redis's getLongFromObject as a JS number (int64 beyond 2^53 keeps its sign and magnitude). */
function parseLong(s: string): number | null {
  const v = string2ll(s);
  return v === null ? null : Number(v);
}

/** LEFT/RIGHT, case-insensitive; null on anything else. */
export function parseEnd(c: Context, i: number): End | null {
  if (c.args.is(i, "left")) return "LEFT";
  if (c.args.is(i, "right")) return "RIGHT";
  return null;
}

/** The keyspace event of a push or pop at an end. */
const PUSH_EVENT: Record<End, string> = { LEFT: "lpush", RIGHT: "rpush" };
export const POP_EVENT: Record<End, string> = { LEFT: "lpop", RIGHT: "rpop" };

/** signalModifiedKey + the list event, as Redis pairs them after a list write. */
export function touched(c: Context, event: string, key: string): void {
  c.signalModified(key);
  c.notify(NOTIFY_LIST, event, key);
}

export function popEnd(l: List, where: End): string {
  return (where === "LEFT" ? l.popHead() : l.popTail())!;
}

/** Pop from where (the list is not empty) and reply with the element, copied from the list's chunk. */
function replyPop(c: Context, l: List, where: End): void {
  const i = where === "LEFT" ? 0 : l.length - 1;
  c.reply.bulkSlice(l.bufferOf(i), l.startOf(i), l.lengthOf(i));
  if (where === "LEFT") l.dropHead();
  else l.dropTail();
}

/** Tell blocked clients a list may now have elements (Redis's signalKeyAsReady). */
export function signalList(c: Context, key: string): void {
  c.server.blocking.signal(c.db.id, key);
}

/**
 * LPUSH/RPUSH/LPUSHX/RPUSHX. The hot path works from the key's bytes: the key string is made only
 * to create the list, for a blocked client waiting on it, or for WATCH/notifications (keyChanged).
 */
function push(c: Context, where: End, onlyExisting: boolean): void {
  const r = c.lookupWriteArg(1);
  let l: List;
  if (r !== 0) {
    const v = c.db.dict.value(r);
    if (!(v instanceof List)) return c.error(E.wrongType);
    l = v;
  } else {
    if (onlyExisting) return c.reply.int(0);
    l = new List();
    const a = c.args;
    c.db.setKeyBytes(a.buf, a.base + a.starts[1]!, a.base + a.ends[1]!, l);
  }
  const a = c.args;
  const argc = a.argc;
  const b = a.buf;
  const base = a.base;
  // Straight from the request bytes into the list's chunks: no string per element.
  if (where === "LEFT") for (let i = 2; i < argc; i++) l.pushHeadBytes(b, base + a.starts[i]!, base + a.ends[i]!);
  else for (let i = 2; i < argc; i++) l.pushTailBytes(b, base + a.starts[i]!, base + a.ends[i]!);
  c.dirty(argc - 2);
  // One check when nobody blocks on a list (the usual case): no key string.
  if (c.server.blocking.keyCount !== 0) signalList(c, a.str(1));
  c.keyChanged(1, NOTIFY_LIST, PUSH_EVENT[where]);
  c.reply.int(l.length);
}

/** Remove the key when its list became empty (Redis never keeps empty lists): a "del" event. */
export function deleteIfEmpty(c: Context, key: string, l: List): void {
  if (l.length !== 0) return;
  c.db.delete(key);
  c.notify(NOTIFY_GENERIC, "del", key);
}

/** LPOP/RPOP key [count]. Like push(), no key string unless the list empties or someone listens. */
function pop(c: Context, where: End): void {
  const argc = c.args.argc;
  if (argc > 3) return c.error(wrongArity(where === "LEFT" ? "lpop" : "rpop"));
  let count = -1;
  if (argc === 3) {
    const n = parseLong(c.args.str(2));
    if (n === null || n < 0) return c.error(E.notPositive);
    count = n;
  }
  const r = c.lookupWriteArg(1);
  if (r === 0) return count === -1 ? c.reply.nil() : c.reply.nilArray();
  const v = c.db.dict.value(r);
  if (!(v instanceof List)) return c.error(E.wrongType);
  const l = v;
  if (count === -1) {
    replyPop(c, l, where);
    c.dirty();
    c.keyChanged(1, NOTIFY_LIST, POP_EVENT[where]);
  } else {
    const n = Math.min(count, l.length);
    c.reply.array(n);
    for (let i = 0; i < n; i++) replyPop(c, l, where);
    if (n > 0) {
      c.dirty();
      c.keyChanged(1, NOTIFY_LIST, POP_EVENT[where]);
    }
  }
  if (l.length === 0) deleteIfEmpty(c, c.args.str(1), l);
}

/**
 * Pop up to count elements from where and reply [key, [elements]]: LMPOP and a served BLMPOP.
 * Returns the propagated form ([LR]POP key n) as Redis rewrites it.
 */
export function popRangeWithKey(c: Context, key: string, l: List, where: End, count: number): string[] {
  const n = Math.min(count, l.length);
  c.reply.array(2);
  c.reply.bulk(key);
  c.reply.array(n);
  for (let i = 0; i < n; i++) replyPop(c, l, where);
  touched(c, POP_EVENT[where], key);
  deleteIfEmpty(c, key, l);
  return [where === "LEFT" ? "LPOP" : "RPOP", key, String(n)];
}

/**
 * Move one element from src (already known non-empty) to dst (already type-checked):
 * LMOVE, RPOPLPUSH and their blocking forms. Replies with the element.
 */
export function moveElement(c: Context, src: string, sl: List, dst: string, dl: List | null, from: End, to: End): void {
  const v = popEnd(sl, from);
  if (dl === null) {
    dl = new List();
    c.db.set(dst, dl);
  }
  if (to === "LEFT") dl.pushHead(v);
  else dl.pushTail(v);
  // Matches Redis: the push is announced before the pop.
  touched(c, PUSH_EVENT[to], dst);
  touched(c, POP_EVENT[from], src);
  // Matches Redis: with src == dst the element is pushed back before the emptiness check.
  deleteIfEmpty(c, src, sl);
  signalList(c, dst);
  c.dirty();
  c.reply.bulk(v);
}

/** LMOVE/RPOPLPUSH body once the ends are known. */
function lmove(c: Context, from: End, to: End): void {
  const src = c.args.str(1);
  const dst = c.args.str(2);
  const sl = asList(c.lookupWrite(src));
  if (sl === undefined) return c.error(E.wrongType);
  if (sl === null) return c.reply.nil();
  const dl = asList(c.lookupWrite(dst));
  if (dl === undefined) return c.error(E.wrongType);
  moveElement(c, src, sl, dst, dl, from, to);
}

/** Parsed LMPOP/BLMPOP arguments after numkeys. */
export interface MpopArgs {
  keys: string[];
  where: End;
  count: number;
}

/** Parse "numkeys key… LEFT|RIGHT [COUNT n]" starting at argv[at]; replies and returns null on error. */
export function parseMpop(c: Context, at: number): MpopArgs | null {
  const argc = c.args.argc;
  const numkeys = parseLong(c.args.str(at));
  if (numkeys === null || numkeys <= 0) {
    c.error(NUMKEYS_POSITIVE);
    return null;
  }
  const whereIdx = at + numkeys + 1;
  if (whereIdx >= argc) {
    c.error(E.syntax);
    return null;
  }
  const where = parseEnd(c, whereIdx);
  if (where === null) {
    c.error(E.syntax);
    return null;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < argc; j++) {
    if (c.args.is(j, "count") && j + 1 < argc && count === -1) {
      const n = parseLong(c.args.str(++j));
      if (n === null || n <= 0) {
        c.error(COUNT_POSITIVE);
        return null;
      }
      count = n;
    } else {
      c.error(E.syntax);
      return null;
    }
  }
  const keys: string[] = [];
  for (let i = at + 1; i < whereIdx; i++) keys.push(c.args.str(i));
  return { keys, where, count: count === -1 ? 1 : count };
}

/**
 * Serve LMPOP from the first non-empty list among keys. Returns true when it replied (served
 * or WRONGTYPE), false when every key is missing.
 */
export function mpopFirst(c: Context, a: MpopArgs): boolean {
  for (const key of a.keys) {
    const l = asList(c.lookupWrite(key));
    if (l === undefined) {
      c.error(E.wrongType);
      return true;
    }
    if (l === null) continue;
    c.propagateAs = popRangeWithKey(c, key, l, a.where, a.count);
    c.dirty();
    return true;
  }
  return false;
}

/** Resolve a possibly negative index against a length; out of range stays out of range. */
function absIndex(i: number, len: number): number {
  return i < 0 ? len + i : i;
}

function lpos(c: Context): void {
  const argc = c.args.argc;
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  let rankMin = false;
  for (let j = 3; j < argc; j++) {
    const more = j + 1 < argc;
    if (c.args.is(j, "rank") && more) {
      const r = parseLong(c.args.str(++j));
      if (r === null) return c.error(E.notInteger);
      if (r === 0) return c.error(RANK_ZERO);
      // Matches Redis: a rank of INT64_MIN cannot be negated; it finds matches from the tail
      // and its overflowing "enough matches" test never stops a COUNT early.
      rankMin = r < -Number.MAX_SAFE_INTEGER;
      rank = rankMin ? -1 : r;
    } else if (c.args.is(j, "count") && more) {
      const n = parseLong(c.args.str(++j));
      if (n === null || n < 0) return c.error(COUNT_NEGATIVE);
      count = n;
    } else if (c.args.is(j, "maxlen") && more) {
      const n = parseLong(c.args.str(++j));
      if (n === null || n < 0) return c.error(MAXLEN_NEGATIVE);
      maxlen = n;
    } else {
      return c.error(E.syntax);
    }
  }
  const l = asList(c.lookupRead(c.args.str(1)));
  if (l === undefined) return c.error(E.wrongType);
  if (l === null) return count === -1 ? c.reply.nil() : c.reply.array(0);
  if (rankMin && count > 0) count = 0;
  const elem = c.args.str(2);
  const len = l.length;
  const fromTail = rank < 0;
  const skip = Math.abs(rank) - 1;
  const limit = maxlen === 0 || maxlen > len ? len : maxlen;
  let matches = 0;
  const found: number[] = [];
  for (let k = 0; k < limit; k++) {
    const i = fromTail ? len - 1 - k : k;
    if (!l.equalsAt(i, elem)) continue;
    if (matches++ < skip) continue;
    found.push(i);
    if (count === -1 || (count !== 0 && found.length === count)) break;
  }
  if (count === -1) {
    if (found.length === 0) c.reply.nil();
    else c.reply.int(found[0]!);
    return;
  }
  c.reply.array(found.length);
  for (const i of found) c.reply.int(i);
}

function linsert(c: Context): void {
  let after: boolean;
  if (c.args.is(2, "after")) after = true;
  else if (c.args.is(2, "before")) after = false;
  else return c.error(E.syntax);
  const key = c.args.str(1);
  const l = asList(c.lookupWrite(key));
  if (l === undefined) return c.error(E.wrongType);
  if (l === null) return c.reply.int(0);
  const pivot = c.args.str(3);
  const len = l.length;
  for (let i = 0; i < len; i++) {
    if (!l.equalsAt(i, pivot)) continue;
    l.insert(after ? i + 1 : i, c.args.str(4));
    c.dirty();
    touched(c, "linsert", key);
    return c.reply.int(l.length);
  }
  c.reply.int(-1);
}

function lrem(c: Context): void {
  const n = parseLong(c.args.str(2));
  if (n === null) return c.error(E.notInteger);
  const key = c.args.str(1);
  const l = asList(c.lookupWrite(key));
  if (l === undefined) return c.error(E.wrongType);
  if (l === null) return c.reply.int(0);
  const elem = c.args.str(3);
  const len = l.length;
  const limit = n === 0 ? len : Math.abs(n);
  const idx: number[] = [];
  if (n >= 0) {
    for (let i = 0; i < len && idx.length < limit; i++) if (l.equalsAt(i, elem)) idx.push(i);
  } else {
    for (let i = len - 1; i >= 0 && idx.length < limit; i--) if (l.equalsAt(i, elem)) idx.push(i);
    idx.reverse();
  }
  if (idx.length > 0) {
    l.removeSorted(idx);
    c.dirty(idx.length);
    touched(c, "lrem", key);
    deleteIfEmpty(c, key, l);
  }
  c.reply.int(idx.length);
}

function ltrim(c: Context): void {
  const s = parseLong(c.args.str(2));
  const e = parseLong(c.args.str(3));
  if (s === null || e === null) return c.error(E.notInteger);
  const key = c.args.str(1);
  const l = asList(c.lookupWrite(key));
  if (l === undefined) return c.error(E.wrongType);
  if (l === null) return c.reply.ok();
  const len = l.length;
  const start = Math.max(absIndex(s, len), 0);
  const stop = Math.min(absIndex(e, len), len - 1);
  touched(c, "ltrim", key);
  if (start > stop || start >= len) {
    c.db.delete(key);
    c.notify(NOTIFY_GENERIC, "del", key);
    c.dirty(len);
  } else {
    if (start > 0 || stop < len - 1) l.trim(start, stop);
    c.dirty(len - l.length);
  }
  c.reply.ok();
}

function lrange(c: Context): void {
  const s = parseLong(c.args.str(2));
  const e = parseLong(c.args.str(3));
  if (s === null || e === null) return c.error(E.notInteger);
  const l = asList(c.lookupRead(c.args.str(1)));
  if (l === undefined) return c.error(E.wrongType);
  if (l === null) return c.reply.array(0);
  const len = l.length;
  const start = Math.max(absIndex(s, len), 0);
  const stop = Math.min(absIndex(e, len), len - 1);
  if (start > stop || start >= len) return c.reply.array(0);
  c.reply.array(stop - start + 1);
  for (let i = start; i <= stop; i++) c.reply.bulkSlice(l.bufferOf(i), l.startOf(i), l.lengthOf(i));
}

/** Key specs as Redis 7.0 declares them: a popped source at argv[1] and a pushed destination at argv[2]. */
export const MOVE_KEYS: readonly KeySpec[] = [
  { flags: ["RW", "access", "delete"], begin: { index: 1 }, find: { range: [0, 1, 0] } },
  { flags: ["RW", "insert"], begin: { index: 2 }, find: { range: [0, 1, 0] } },
];

/** numkeys at argv[at], then the keys (LMPOP, BLMPOP). */
export const mpopKeys = (at: number): readonly KeySpec[] => [
  { flags: ["RW", "access", "delete"], begin: { index: at }, find: { keynum: [0, 1, 1] } },
];

export const POP_FLAGS: readonly KeySpecFlag[] = ["RW", "access", "delete"];

const pushSpec = (name: string, summary: string, where: End, onlyExisting: boolean): CommandSpec => ({
  name,
  arity: -3,
  flags: ["write", "denyoom", "fast"],
  keys: [1, 1, 1],
  acl: ["list"],
  group: "list",
  since: onlyExisting ? "2.2.0" : "1.0.0",
  summary,
  keyFlags: ["RW", "insert"],
  run: (c) => push(c, where, onlyExisting),
});

const popSpec = (name: string, summary: string, where: End): CommandSpec => ({
  name,
  arity: -2,
  flags: ["write", "fast"],
  keys: [1, 1, 1],
  acl: ["list"],
  group: "list",
  since: "1.0.0",
  summary,
  keyFlags: POP_FLAGS,
  run: (c) => pop(c, where),
});

export const listCommands: readonly CommandSpec[] = [
  pushSpec("lpush", "Prepends one or more elements to a list, creating it if needed.", "LEFT", false),
  pushSpec("rpush", "Appends one or more elements to a list, creating it if needed.", "RIGHT", false),
  pushSpec("lpushx", "Prepends elements to a list only when the list already exists.", "LEFT", true),
  pushSpec("rpushx", "Appends elements to a list only when the list already exists.", "RIGHT", true),
  popSpec("lpop", "Removes and returns the first elements of a list; the key goes with the last one.", "LEFT"),
  popSpec("rpop", "Removes and returns the last elements of a list; the key goes with the last one.", "RIGHT"),
  {
    name: "llen",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    acl: ["list"],
    group: "list",
    since: "1.0.0",
    summary: "Returns how many elements a list holds.",
    keyFlags: ["RO"],
    run(c) {
      const l = asList(c.lookupRead(c.args.str(1)));
      if (l === undefined) return c.error(E.wrongType);
      c.reply.int(l === null ? 0 : l.length);
    },
  },
  {
    name: "lrange",
    arity: 4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    acl: ["list"],
    group: "list",
    since: "1.0.0",
    summary: "Returns the elements between two indices of a list (inclusive, negatives count from the end).",
    keyFlags: ["RO", "access"],
    run: lrange,
  },
  {
    name: "lindex",
    arity: 3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    acl: ["list"],
    group: "list",
    since: "1.0.0",
    summary: "Returns the element at an index of a list.",
    keyFlags: ["RO", "access"],
    run(c) {
      const l = asList(c.lookupRead(c.args.str(1)));
      if (l === undefined) return c.error(E.wrongType);
      if (l === null) return c.reply.nil();
      const n = parseLong(c.args.str(2));
      if (n === null) return c.error(E.notInteger);
      const i = absIndex(n, l.length);
      if (i < 0 || i >= l.length) return c.reply.nil();
      c.reply.bulkSlice(l.bufferOf(i), l.startOf(i), l.lengthOf(i));
    },
  },
  {
    name: "lset",
    arity: 4,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    acl: ["list"],
    group: "list",
    since: "1.0.0",
    summary: "Replaces the element at an index of a list.",
    keyFlags: ["RW", "update"],
    run(c) {
      const key = c.args.str(1);
      const l = asList(c.lookupWrite(key));
      if (l === undefined) return c.error(E.wrongType);
      if (l === null) return c.error(E.noSuchKey);
      const n = parseLong(c.args.str(2));
      if (n === null) return c.error(E.notInteger);
      const i = absIndex(n, l.length);
      if (i < 0 || i >= l.length) return c.error(E.outOfRange);
      l.set(i, c.args.str(3));
      c.dirty();
      touched(c, "lset", key);
      c.reply.ok();
    },
  },
  {
    name: "linsert",
    arity: 5,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    acl: ["list"],
    group: "list",
    since: "2.2.0",
    summary: "Inserts an element before or after the first occurrence of a pivot element.",
    keyFlags: ["RW", "insert"],
    run: linsert,
  },
  {
    name: "lrem",
    arity: 4,
    flags: ["write"],
    keys: [1, 1, 1],
    acl: ["list"],
    group: "list",
    since: "1.0.0",
    summary: "Removes occurrences of an element: from the head (count > 0), the tail (< 0) or all (0).",
    keyFlags: ["RW", "delete"],
    run: lrem,
  },
  {
    name: "ltrim",
    arity: 4,
    flags: ["write"],
    keys: [1, 1, 1],
    acl: ["list"],
    group: "list",
    since: "1.0.0",
    summary: "Keeps only the elements between two indices of a list, deleting the rest.",
    keyFlags: ["RW", "delete"],
    run: ltrim,
  },
  {
    name: "lpos",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    acl: ["list"],
    group: "list",
    since: "6.0.6",
    summary: "Returns the indices of matching elements, optionally skipping matches and bounding the scan.",
    keyFlags: ["RO", "access"],
    run: lpos,
  },
  {
    name: "lmove",
    arity: 5,
    flags: ["write", "denyoom"],
    keys: [1, 2, 1],
    acl: ["list"],
    group: "list",
    since: "6.2.0",
    summary: "Pops an element from one end of a list and pushes it onto an end of another, returning it.",
    keySpecs: MOVE_KEYS,
    run(c) {
      const from = parseEnd(c, 3);
      const to = parseEnd(c, 4);
      if (from === null || to === null) return c.error(E.syntax);
      lmove(c, from, to);
    },
  },
  {
    name: "rpoplpush",
    arity: 3,
    flags: ["write", "denyoom"],
    keys: [1, 2, 1],
    acl: ["list"],
    group: "list",
    since: "1.2.0",
    summary: "Pops the last element of a list and pushes it to the head of another, returning it.",
    keySpecs: MOVE_KEYS,
    run: (c) => lmove(c, "RIGHT", "LEFT"),
  },
  {
    name: "lmpop",
    arity: -4,
    flags: ["write", "movablekeys"],
    keys: [0, 0, 0],
    acl: ["list"],
    group: "list",
    since: "7.0.0",
    summary: "Pops elements from the first non-empty list among several keys.",
    keySpecs: mpopKeys(1),
    run(c) {
      const a = parseMpop(c, 1);
      if (a === null) return;
      if (!mpopFirst(c, a)) c.reply.nilArray();
    },
  },
];
