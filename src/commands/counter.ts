// Counters: INCR DECR INCRBY DECRBY on int64 values and INCRBYFLOAT in long double precision
// (listed with the string family in string.ts). Owns the integer fast path and the overflow
// checks; string storage is types/bytestring.ts and long double maths util/longdouble.ts.
import { E } from "../errors.ts";
import { isStringValue, storeString, strOf, type StringValue } from "../types/bytestring.ts";
import { NOTIFY_STRING } from "../notifications.ts";
import { incrLongDouble } from "../util/longdouble.ts";
import { INT64_MAX, INT64_MIN, string2ll } from "../util/number.ts";
import type { Context } from "./context.ts";
import type { CommandSpec } from "./spec.ts";

/** The int64 a string value holds, or null (Redis's getLongLongFromObject). */
function valueInt(v: StringValue): number | bigint | null {
  if (typeof v === "number") return v;
  return string2ll(typeof v === "string" ? v : v.toLatin1());
}

/** INCR/DECR/INCRBY/DECRBY: add incr to the int64 at key; the TTL is kept. */
function incrDecr(c: Context, incr: number | bigint): void {
  const r = c.lookupWriteArg(1);
  const v = r === 0 ? undefined : c.db.dict.value(r);
  let cur: number | bigint = 0;
  if (v !== undefined) {
    if (!isStringValue(v)) return c.error(E.wrongType);
    const n = valueInt(v);
    if (n === null) return c.error(E.notInteger);
    cur = n;
  }
  let stored: number | string;
  let out: number | bigint;
  const fast = typeof cur === "number" && typeof incr === "number" ? cur + incr : NaN;
  if (Number.isSafeInteger(fast)) {
    stored = out = fast;
  } else {
    const r = BigInt(cur) + BigInt(incr);
    if (r > INT64_MAX || r < INT64_MIN) return c.error(E.overflow);
    out = r;
    stored = r.toString();
  }
  const a = c.args;
  if (r === 0) c.db.setKeyBytes(a.buf, a.base + a.starts[1]!, a.base + a.ends[1]!, stored);
  else c.db.updateRecord(r, stored);
  c.dirty();
  c.keyChanged(1, NOTIFY_STRING, "incrby");
  c.reply.int(out);
}

/** An int64 argument, or null after replying "not an integer". */
function intArg(c: Context, i: number): number | bigint | null {
  const v = string2ll(c.args.str(i));
  if (v === null) c.error(E.notInteger);
  return v;
}

/** INCR DECR INCRBY DECRBY: the same declaration around their own run. */
const counterSpec = (name: string, arity: number, summary: string, run: (c: Context) => void): CommandSpec => ({
  name,
  arity,
  flags: ["write", "denyoom", "fast"],
  keys: [1, 1, 1],
  acl: ["string"],
  group: "string",
  since: "1.0.0",
  summary,
  complexity: "O(1)",
  run,
});

export const counterCommands: readonly CommandSpec[] = [
  counterSpec("incr", 2, "Adds one to the integer stored at a key.", (c) => incrDecr(c, 1)),
  counterSpec("decr", 2, "Subtracts one from the integer stored at a key.", (c) => incrDecr(c, -1)),
  counterSpec("incrby", 3, "Adds an integer to the integer stored at a key.", (c) => {
    const by = intArg(c, 2);
    if (by !== null) incrDecr(c, by);
  }),
  counterSpec("decrby", 3, "Subtracts an integer from the integer stored at a key.", (c) => {
    const by = intArg(c, 2);
    if (by === null) return;
    // Matches Redis: negating INT64_MIN is refused before looking at the key.
    if (by === INT64_MIN) return c.error("ERR decrement would overflow");
    incrDecr(c, -by);
  }),
  {
    name: "incrbyfloat",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    acl: ["string"],
    group: "string",
    since: "2.6.0",
    summary: "Adds a decimal number to the number stored at a key, in long double precision.",
    complexity: "O(1)",
    run(c) {
      const key = c.args.str(1);
      const v = c.lookupWrite(key);
      let cur: number | string = 0;
      if (v !== undefined) {
        if (!isStringValue(v)) return c.error(E.wrongType);
        cur = typeof v === "number" ? v : strOf(v);
      }
      const r = incrLongDouble(cur, c.args.str(2));
      if (!r.ok) return c.error(r.error === "nanOrInf" ? "ERR increment would produce NaN or Infinity" : E.notFloat);
      if (v === undefined) c.db.set(key, storeString(r.text));
      else c.db.update(key, storeString(r.text));
      c.dirty();
      c.signalModified(key);
      c.notify(NOTIFY_STRING, "incrbyfloat", key);
      // Matches Redis: propagated as the computed value, so replicas never redo the float maths.
      c.propagateAs = ["SET", key, r.text, "KEEPTTL"];
      c.reply.bulk(r.text);
    },
  },
];
