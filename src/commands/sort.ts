// SORT and SORT_RO: sort (or just read) a list, set or sorted set, by the elements themselves or by
// keys and hash fields named after them (BY), fetch related values (GET), page (LIMIT), and with
// SORT … STORE keep the result as a list. Reads other families' values; writes only the STORE key.
import { E } from "../errors.ts";
import { isStringValue, strOf } from "../types/bytestring.ts";
import { Hash } from "../types/hash.ts";
import { List } from "../types/list.ts";
import { SetValue } from "../types/set.ts";
import type { Value } from "../types/value.ts";
import { ZSet, type ZNode } from "../types/zset.ts";
import { string2ll } from "../util/number.ts";
import type { Context } from "./context.ts";
import type { CommandSpec, KeySpec } from "./spec.ts";
import { NOTIFY_GENERIC, NOTIFY_LIST } from "../notifications.ts";

const NOT_DOUBLE = "ERR One or more scores can't be converted into double";

/** One element being sorted: its weight as a number, or (ALPHA BY) the looked-up text. */
interface Item {
  readonly elem: string;
  score: number;
  cmp: string | null;
}

/** Index of byte ch in s before its first NUL (C's strchr on the argument), or -1. */
function cIndexOf(s: string, ch: string, from = 0): number {
  const i = s.indexOf(ch, from);
  if (i < 0) return -1;
  const nul = s.indexOf("\0", from);
  return nul >= 0 && nul < i ? -1 : i;
}

/** s up to its first NUL byte: what C string functions see. */
function cString(s: string): string {
  const nul = s.indexOf("\0");
  return nul < 0 ? s : s.slice(0, nul);
}

/** Byte order of two strings (latin1 code units compare as bytes; a prefix sorts first). */
function cmpBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Matches Redis's ALPHA comparison of a reply (not stored) result: strcoll, which in the C and
 * C.UTF-8 locales compares bytes up to the first NUL.
 */
function cmpCollate(a: string, b: string): number {
  return cmpBytes(cString(a), cString(b));
}

/**
 * Redis's lookupKeyByPattern: "#" is the element itself; otherwise the first "*" of the pattern is
 * replaced by the element and the key read as a string, or, with "->field" after the "*", as a
 * hash field. Anything else (no "*", a missing key, another type) gives null.
 */
function lookupByPattern(c: Context, pattern: string, elem: string): string | null {
  // C string semantics: the pattern ends at a NUL byte for "#", "*" and "->" detection.
  if (pattern.charCodeAt(0) === 35 && (pattern.length === 1 || pattern.charCodeAt(1) === 0)) return elem;
  const star = cIndexOf(pattern, "*");
  if (star < 0) return null;
  const arrow = cIndexOf(pattern, "->", star + 1);
  const hasField = arrow >= 0 && arrow + 2 < pattern.length && pattern.charCodeAt(arrow + 2) !== 0;
  const key = pattern.slice(0, star) + elem + pattern.slice(star + 1, hasField ? arrow : pattern.length);
  const v = c.lookupRead(key);
  if (v === undefined) return null;
  if (!hasField) return isStringValue(v) ? strOf(v) : null;
  if (!(v instanceof Hash)) return null;
  return v.get(pattern.slice(arrow + 2)) ?? null;
}

const DEC = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)(?:[pP]([+-]?[0-9]+))?$/;
const INF = /^[+-]?inf(?:inity)?$/i;
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * A weight as SORT reads it: C's strtod up to the first NUL, leading whitespace allowed, nothing
 * after the number, and any ERANGE refused (overflow, and underflow to zero or to an inexact
 * subnormal). The empty string reads as 0. null when Redis reports a conversion error.
 */
export function sortWeight(text: string): number | null {
  const s = cString(text);
  if (s.length === 0) return 0;
  const t = s.replace(/^[ \t\n\v\f\r]+/, "");
  if (DEC.test(t)) {
    const v = Number(t);
    if (!Number.isFinite(v)) return null;
    if (v === 0) return /[1-9]/.test(t.replace(/[eE].*$/, "")) ? null : v;
    // A decimal literal rounding to a subnormal is inexact: strtod sets ERANGE.
    return Math.abs(v) < MIN_NORMAL ? null : v;
  }
  if (INF.test(t)) return t.charCodeAt(0) === 45 ? -Infinity : Infinity;
  const h = HEX.exec(t);
  if (h === null || h[2]! + h[3]! === "") return null;
  return hexWeight(h[1] === "-", h[2]!, h[3]!, h[4] === undefined ? 0 : Number(h[4]));
}

/** A hex float; an exact subnormal is accepted, an inexact one (or a lost non-zero) is ERANGE. */
function hexWeight(neg: boolean, ip: string, fp: string, exp: number): number | null {
  let m = BigInt(`0x${ip + fp}`);
  if (m === 0n) return neg ? -0 : 0;
  let e = exp - 4 * fp.length;
  while ((m & 1n) === 0n) {
    m >>= 1n;
    e++;
  }
  const top = m.toString(2).length - 1 + e; // exponent of the leading bit
  if (top < -1022 && e < -1074) return null; // below the normal range and needing lost bits
  // Two power-of-two factors keep each exact even when e alone would overflow or underflow.
  const half = Math.trunc(e / 2);
  const r = Number(m) * Math.pow(2, half) * Math.pow(2, e - half);
  if (!Number.isFinite(r)) return null;
  return neg ? -r : r;
}

/** The options of one SORT call, as parsed. */
interface SortOptions {
  desc: boolean;
  alpha: boolean;
  offset: number;
  count: number;
  by: string | null;
  dontsort: boolean;
  gets: string[];
  store: string | null;
}

/** Parse argv[2…]; replies and returns null on a syntax or LIMIT error. */
function parseOptions(c: Context, readonly: boolean): SortOptions | null {
  const a = c.args;
  const argc = a.argc;
  const o: SortOptions = { desc: false, alpha: false, offset: 0, count: -1, by: null, dontsort: false, gets: [], store: null };
  for (let j = 2; j < argc; j++) {
    const left = argc - j - 1;
    if (a.is(j, "asc")) {
      o.desc = false;
    } else if (a.is(j, "desc")) {
      o.desc = true;
    } else if (a.is(j, "alpha")) {
      o.alpha = true;
    } else if (left >= 2 && a.is(j, "limit")) {
      const off = string2ll(a.str(j + 1));
      const cnt = off === null ? null : string2ll(a.str(j + 2));
      if (off === null || cnt === null) {
        c.error(E.notInteger);
        return null;
      }
      o.offset = Number(off);
      o.count = Number(cnt);
      j += 2;
    } else if (!readonly && left >= 1 && a.is(j, "store")) {
      o.store = a.str(++j);
    } else if (left >= 1 && a.is(j, "by")) {
      o.by = a.str(++j);
      // Matches Redis: a pattern without "*" means "do not sort", and that sticks even when a
      // later BY names a real pattern.
      if (cIndexOf(o.by, "*") < 0) o.dontsort = true;
    } else if (left >= 1 && a.is(j, "get")) {
      o.gets.push(a.str(++j));
    } else {
      c.error(E.syntax);
      return null;
    }
  }
  return o;
}

/** The elements to sort, or the requested slice of them when their own order is kept. */
function load(v: List | SetValue | ZSet | null, o: SortOptions, start: number, n: number): string[] {
  const out: string[] = [];
  if (v === null) return out;
  if (v instanceof List) {
    if (!o.dontsort) return v.toArray();
    // Kept order: walk from the first wanted index towards the far end (DESC walks backwards).
    const len = v.length;
    for (let k = 0; k < n; k++) out.push(v.at(o.desc ? len - 1 - start - k : start + k));
    return out;
  }
  if (v instanceof SetValue) {
    for (const m of v.ordered()) out.push(m);
    return out;
  }
  if (!o.dontsort) {
    for (let x = v.first(); x !== null; x = x.next[0] as ZNode | null) out.push(x.member);
    return out;
  }
  let x = o.desc ? v.at(v.size - 1 - start) : v.at(start);
  for (let k = 0; k < n && x !== null; k++) {
    out.push(x.member);
    x = o.desc ? x.backward : (x.next[0] as ZNode | null);
  }
  return out;
}

function sortGeneric(c: Context, readonly: boolean): void {
  const o = parseOptions(c, readonly);
  if (o === null) return;
  const found: Value | undefined = c.lookupRead(c.args.str(1));
  let v: List | SetValue | ZSet | null;
  if (found === undefined) v = null;
  else if (found instanceof List || found instanceof SetValue || found instanceof ZSet) v = found;
  else return c.error(E.wrongType);

  // A set has no order of its own: SORT … STORE must store something deterministic (it is
  // propagated as is), so BY nosort on a set is turned into ALPHA.
  if (o.dontsort && v instanceof SetValue && o.store !== null) {
    o.dontsort = false;
    o.alpha = true;
    o.by = null;
  }
  // Matches Redis 7.0: SORT converts a listpack sorted set to a skiplist.
  if (v instanceof ZSet && v.isListpack) v.convert();

  const len = v === null ? 0 : v instanceof List ? v.length : v.size;
  // Redis's LIMIT arithmetic: start/end are inclusive indexes of the result.
  let start = o.offset < 0 ? 0 : o.offset;
  let end = o.count < 0 ? len - 1 : start + o.count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  // Lists and sorted sets that keep their order load only the slice asked for.
  const direct = o.dontsort && (v instanceof List || v instanceof ZSet);
  const n = direct && (start !== 0 || end !== len - 1) ? end - start + 1 : len;
  const elems = load(v, o, start, n);
  if (direct && end >= start) {
    end -= start;
    start = 0;
  }
  const items: Item[] = elems.map((elem) => ({ elem, score: 0, cmp: null }));

  let convError = false;
  if (!o.dontsort) {
    for (const it of items) {
      let w: string | null = it.elem;
      if (o.by !== null) {
        w = lookupByPattern(c, o.by, it.elem);
        if (w === null) continue;
      }
      if (o.alpha) {
        if (o.by !== null) it.cmp = w;
      } else {
        const s = sortWeight(w);
        if (s === null) convError = true;
        else it.score = s;
      }
    }
    items.sort(comparator(o));
  }

  if (convError) return c.error(NOT_DOUBLE);
  const rows = end - start + 1;
  const outputLen = o.gets.length > 0 ? o.gets.length * rows : rows;
  if (o.store === null) {
    const r = c.reply;
    r.array(outputLen);
    for (let j = start; j <= end; j++) {
      const elem = items[j]!.elem;
      if (o.gets.length === 0) r.bulk(elem);
      for (const g of o.gets) {
        const val = lookupByPattern(c, g, elem);
        if (val === null) r.nil();
        else r.bulk(val);
      }
    }
    return;
  }
  const dst = o.store;
  if (outputLen > 0) {
    const l = new List();
    for (let j = start; j <= end; j++) {
      const elem = items[j]!.elem;
      if (o.gets.length === 0) l.pushTail(elem);
      // Matches Redis: a missing GET value is stored as an empty string.
      for (const g of o.gets) l.pushTail(lookupByPattern(c, g, elem) ?? "");
    }
    c.db.set(dst, l);
    c.server.blocking.signal(c.db.id, dst);
    c.dirty(outputLen);
    c.signalModified(dst);
    c.notify(NOTIFY_LIST, "sortstore", dst);
  } else if (c.db.delete(dst)) {
    c.dirty();
    c.signalModified(dst);
    c.notify(NOTIFY_GENERIC, "del", dst);
  }
  c.reply.int(outputLen);
}

/**
 * Redis's sortCompare. Numbers: by weight, ties by the elements' bytes. ALPHA with BY: by the
 * looked-up text (missing first), ties kept in load order. ALPHA alone: by the elements. A
 * stored result compares whole byte strings; a replied one compares them as C strings.
 */
function comparator(o: SortOptions): (a: Item, b: Item) => number {
  const sign = o.desc ? -1 : 1;
  const text = o.store !== null ? cmpBytes : cmpCollate;
  if (!o.alpha) {
    return (a, b) => sign * (a.score > b.score ? 1 : a.score < b.score ? -1 : cmpBytes(a.elem, b.elem));
  }
  if (o.by !== null) {
    return (a, b) => {
      if (a.cmp === null || b.cmp === null) return sign * (a.cmp === b.cmp ? 0 : a.cmp === null ? -1 : 1);
      return sign * text(a.cmp, b.cmp);
    };
  }
  return (a, b) => sign * text(a.elem, b.elem);
}

/** Redis 7.0's key specs: the sorted key, then BY/GET and STORE keys that only parsing can find. */
const BY_GET_SPEC: KeySpec = {
  flags: ["RO", "access"],
  begin: { unknown: true },
  find: { unknown: true },
  notes: "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort",
};
const SORT_KEYS: readonly KeySpec[] = [
  { flags: ["RO", "access"], begin: { index: 1 }, find: { range: [0, 1, 0] } },
  BY_GET_SPEC,
  {
    flags: ["OW", "update"],
    begin: { unknown: true },
    find: { unknown: true },
    notes: "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array",
  },
];
const SORT_RO_KEYS: readonly KeySpec[] = [SORT_KEYS[0]!, BY_GET_SPEC];

export const sortCommands: readonly CommandSpec[] = [
  {
    name: "sort",
    arity: -2,
    flags: ["write", "denyoom", "movablekeys"],
    keys: [1, 1, 1],
    keySpecs: SORT_KEYS,
    acl: ["set", "sortedset", "list", "dangerous"],
    group: "generic",
    since: "1.0.0",
    summary: "Sorts a list, set or sorted set (numerically or as text, optionally by other keys), returning or storing the result.",
    complexity: "O(N+M*log(M)) where N is the number of elements to sort and M the number returned",
    run: (c) => sortGeneric(c, false),
  },
  {
    name: "sort_ro",
    arity: -2,
    flags: ["readonly", "movablekeys"],
    keys: [1, 1, 1],
    keySpecs: SORT_RO_KEYS,
    acl: ["set", "sortedset", "list", "dangerous"],
    group: "generic",
    since: "7.0.0",
    summary: "The read-only form of SORT: the same options except STORE.",
    complexity: "O(N+M*log(M)) where N is the number of elements to sort and M the number returned",
    run: (c) => sortGeneric(c, true),
  },
];
