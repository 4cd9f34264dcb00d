// What HSCAN, SSCAN and ZSCAN share: the cursor argument, the COUNT/MATCH options, the walk of a
// live iterator that parks between calls (util/scancursor.ts) and the [cursor, items] reply. The
// commands keep their own lookups and decide how a compact encoding is returned (whole, at once).
import { E } from "../errors.ts";
import { globMatch } from "../util/glob.ts";
import { string2ll } from "../util/number.ts";
import { ScanCursors, parseScanCursor } from "../util/scancursor.ts";
import type { Context } from "./context.ts";

export interface ScanOptions {
  /** How many elements one call visits (COUNT, default 10). */
  readonly count: number;
  /** MATCH pattern; null when absent or "*". */
  readonly pattern: string | null;
}

/** The cursor at argv[2], or null after replying Redis's "invalid cursor" error. */
export function scanCursorArg(c: Context): number | null {
  const cursor = parseScanCursor(c.args.str(2));
  if (cursor === null) c.error(E.invalidCursor);
  return cursor;
}

/**
 * COUNT and MATCH from argv[3…] in any order, the last of each winning; replies and returns null on
 * error (a non-integer COUNT, a COUNT below 1 or an unknown word is what Redis reports).
 */
export function parseScanOptions(c: Context): ScanOptions | null {
  const argc = c.args.argc;
  let count = 10;
  let pattern: string | null = null;
  for (let i = 3; i < argc; i += 2) {
    const more = argc - i >= 2;
    if (more && c.args.is(i, "count")) {
      const v = string2ll(c.args.str(i + 1));
      if (v === null) {
        c.error(E.notInteger);
        return null;
      }
      if (v < 1) {
        c.error(E.syntax);
        return null;
      }
      count = Number(v);
    } else if (more && c.args.is(i, "match")) {
      const p = c.args.str(i + 1);
      pattern = p === "*" ? null : p;
    } else {
      c.error(E.syntax);
      return null;
    }
  }
  return { count, pattern };
}

/** Does s pass the MATCH filter? */
export function scanMatches(o: ScanOptions, s: string): boolean {
  return o.pattern === null || globMatch(o.pattern, s);
}

/** One SCAN cursor registry per server (cursors of one server mean nothing to another). */
const registries = new WeakMap<object, ScanCursors<unknown>>();

function cursorsOf(c: Context): ScanCursors<unknown> {
  let s = registries.get(c.server);
  if (s === undefined) {
    s = new ScanCursors<unknown>();
    registries.set(c.server, s);
  }
  return s;
}

/**
 * Visit up to o.count elements of owner's iteration, resumed from cursor (or begun with start()),
 * calling visit for each. Returns the cursor to reply: 0 when the iteration ended, else a parked one.
 */
export function scanStep<T>(c: Context, owner: object, cursor: number, count: number, start: () => Iterator<T>, visit: (x: T) => void): number {
  const reg = cursorsOf(c);
  // The registry stores iterators of several element types; each owner only ever gets back its own.
  const it = reg.resume(owner, cursor, start) as Iterator<T>;
  for (let seen = 0; ; seen++) {
    if (seen === count) return reg.park(owner, it);
    const r = it.next();
    if (r.done === true) return 0;
    visit(r.value);
  }
}

/** The SCAN reply: the next cursor as a bulk string, then the items. */
export function replyScan(c: Context, next: number, items: readonly string[]): void {
  c.reply.array(2);
  c.reply.bulk(String(next));
  c.reply.bulkArray(items);
}
