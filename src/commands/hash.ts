// Hash commands: HSET HSETNX HGET HMGET HMSET HGETALL HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS
// HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN. The value itself is types/hash.ts; this file reads
// the listpack limits from config, replies, marks writes dirty and removes emptied keys.
import { E, wrongArity } from "../errors.ts";
import { Hash, type HashLimits } from "../types/hash.ts";
import type { Value } from "../types/value.ts";
import { addLongDouble, formatLongDouble, longDoubleFromInt, parseLongDouble } from "../util/longdouble.ts";
import { INT64_MAX, INT64_MIN, string2ll } from "../util/number.ts";
import type { Context } from "./context.ts";
import { parseScanOptions, replyScan, scanCursorArg, scanMatches, scanStep } from "./scanargs.ts";
import type { CommandSpec } from "./spec.ts";
import { NOTIFY_GENERIC, NOTIFY_HASH } from "../notifications.ts";

const HASH_NOT_INTEGER = "ERR hash value is not an integer";
const HASH_NOT_FLOAT = "ERR hash value is not a float";
const INCR_NAN_OR_INF = "ERR value is NaN or Infinity";
const RESULT_NAN_OR_INF = "ERR increment would produce NaN or Infinity";
const COUNT_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
const VALUE_RANGE = "ERR value is out of range";
/** Above this many fields, a random pick walks a rotating iterator instead of indexing. */
const SMALL = 1024;

/** A hash value, null for a missing key, or undefined for another type (WRONGTYPE). */
export function asHash(v: Value | undefined): Hash | null | undefined {
  if (v === undefined) return null;
  return v instanceof Hash ? v : undefined;
}

function limits(c: Context): HashLimits {
  const cfg = c.server.config;
  return { entries: cfg.num("hash-max-listpack-entries"), value: cfg.num("hash-max-listpack-value") };
}

const isHash = (v: Value): v is Hash => v instanceof Hash;
const newHash = (): Hash => new Hash();

/** The hash at key for a write, created (and stored) if missing; undefined after a WRONGTYPE reply. */
function hashForWrite(c: Context, key: string): Hash | undefined {
  const v = c.lookupWrite(key);
  if (v === undefined) {
    const h = new Hash();
    c.db.set(key, h);
    return h;
  }
  if (v instanceof Hash) return v;
  c.error(E.wrongType);
  return undefined;
}

/** The hash at key for a read: null when missing, undefined after a WRONGTYPE reply. */
function hashForRead(c: Context, key: string): Hash | null | undefined {
  const h = asHash(c.lookupRead(key));
  if (h === undefined) c.error(E.wrongType);
  return h;
}

/** HSET and HMSET: the same write, different replies. */
function hset(c: Context, name: string): void {
  const argc = c.args.argc;
  if (argc % 2 === 1) return c.error(wrongArity(name));
  const h = c.valueForWrite(1, isHash, newHash);
  if (h === undefined) return;
  const a = c.args;
  const lim = limits(c);
  // Matches Redis: any over-long field or value converts before the first insert.
  if (h.isListpack) {
    for (let i = 2; i < argc; i++) {
      if (a.len(i) > lim.value) {
        h.convert();
        break;
      }
    }
  }
  let created = 0;
  // Pairs go from the request bytes into a large hash's table without strings.
  for (let i = 2; i < argc; i += 2) if (h.setBytes(a.buf, a.base + a.starts[i]!, a.base + a.ends[i]!, a.base + a.starts[i + 1]!, a.base + a.ends[i + 1]!, lim)) created++;
  c.dirty((argc - 2) / 2);
  c.keyChanged(1, NOTIFY_HASH, "hset");
  if (name === "hset") c.reply.int(created);
  else c.reply.ok();
}

/** HINCRBY's int64 sum, or null on overflow. */
function addInt64(a: number | bigint, b: number | bigint): number | bigint | null {
  if (typeof a === "number" && typeof b === "number") {
    const s = a + b;
    if (Number.isSafeInteger(s)) return s;
  }
  const s = BigInt(a) + BigInt(b);
  if (s > INT64_MAX || s < INT64_MIN) return null;
  return s >= -9007199254740991n && s <= 9007199254740991n ? Number(s) : s;
}

/** Reply with fields (and values) as HRANDFIELD does: RESP3 pairs are two-element arrays. */
function replyFields(c: Context, h: Hash, fields: readonly string[], withValues: boolean): void {
  const r = c.reply;
  if (!withValues) return r.bulkArray(fields);
  const pairs = r.proto === 3;
  r.array(pairs ? fields.length : fields.length * 2);
  for (const f of fields) {
    if (pairs) r.array(2);
    r.bulk(f);
    r.bulk(h.get(f)!);
  }
}

/** HRANDFIELD key count [WITHVALUES]. */
function hrandfieldWithCount(c: Context): void {
  const argc = c.args.argc;
  const n = string2ll(c.args.str(2));
  if (n === null) return c.error(E.notInteger);
  if (n < -INT64_MAX) return c.error(COUNT_RANGE);
  if (argc > 4 || (argc === 4 && !c.args.is(3, "withvalues"))) return c.error(E.syntax);
  const withValues = argc === 4;
  // Matches Redis: a negative count with values must leave room for count*2 replies.
  if (withValues && n < -(INT64_MAX / 2n)) return c.error(VALUE_RANGE);
  const h = hashForRead(c, c.args.str(1));
  if (h === undefined) return;
  if (h === null || n === 0 || n === 0n) return c.reply.array(0);
  const size = h.size;
  if (n < 0) {
    // Repeats allowed: count independent picks, written as they are drawn.
    const count = Number(-BigInt(n));
    const r = c.reply;
    const pairs = withValues && r.proto === 3;
    r.array(withValues && !pairs ? count * 2 : count);
    const all = size <= SMALL ? Array.from(h.keys()) : null;
    const vals = all !== null && withValues ? Array.from(h.values()) : null;
    for (let i = 0; i < count; i++) {
      const at = all !== null ? Math.floor(Math.random() * size) : 0;
      const f = all !== null ? all[at]! : h.randomField()!;
      if (pairs) r.array(2);
      r.bulk(f);
      if (withValues) r.bulk(vals !== null ? vals[at]! : h.get(f)!);
    }
    return;
  }
  const count = Number(n);
  if (count >= size) return replyFields(c, h, Array.from(h.keys()), withValues);
  // Matches Redis: a listpack-encoded hash yields its sample in listpack order.
  const fields = h.isListpack ? h.sampleOrdered(count) : h.sampleDistinct(count);
  replyFields(c, h, fields, withValues);
}

function hscan(c: Context): void {
  const cursor = scanCursorArg(c);
  if (cursor === null) return;
  const h = hashForRead(c, c.args.str(1));
  if (h === undefined) return;
  if (h === null) return replyScan(c, 0, []);
  const o = parseScanOptions(c);
  if (o === null) return;
  const out: string[] = [];
  let next = 0;
  if (h.isListpack) {
    // Matches Redis: a listpack-encoded hash is returned whole, whatever the cursor and COUNT.
    h.forEach((v, f) => {
      if (scanMatches(o, f)) out.push(f, v);
    });
  } else {
    next = scanStep(c, h, cursor, o.count, () => h.keys(), (f) => {
      if (scanMatches(o, f)) out.push(f, h.get(f)!);
    });
  }
  replyScan(c, next, out);
}

export const hashCommands: readonly CommandSpec[] = [
  {
    name: "hset",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "update"],
    acl: ["hash"],
    group: "hash",
    since: "2.0.0",
    summary: "Sets one or more fields of a hash, creating the key if needed; replies with how many fields are new.",
    complexity: "O(1) per field/value pair",
    run: (c) => hset(c, "hset"),
  },
  {
    name: "hsetnx",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "insert"],
    acl: ["hash"],
    group: "hash",
    since: "2.0.0",
    summary: "Sets a hash field only when that field does not exist yet.",
    complexity: "O(1)",
    run(c) {
      const key = c.args.str(1);
      const h = hashForWrite(c, key);
      if (h === undefined) return;
      const field = c.args.str(2);
      if (h.has(field)) return c.reply.int(0);
      h.set(field, c.args.str(3), limits(c));
      c.dirty();
      c.signalModified(key);
      c.notify(NOTIFY_HASH, "hset", key);
      c.reply.int(1);
    },
  },
  {
    name: "hget",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["hash"],
    group: "hash",
    since: "2.0.0",
    summary: "Returns the value stored in a hash field.",
    complexity: "O(1)",
    run(c) {
      const r = c.lookupReadArg(1);
      if (r === 0) return c.reply.nil();
      const h = c.db.dict.value(r);
      if (!(h instanceof Hash)) return c.error(E.wrongType);
      const v = h.get(c.args.str(2));
      if (v === undefined) c.reply.nil();
      else c.reply.bulk(v);
    },
  },
  {
    name: "hmget",
    arity: -3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["hash"],
    group: "hash",
    since: "2.0.0",
    summary: "Returns the values of several hash fields, nil for each missing one.",
    complexity: "O(N) where N is the number of fields requested",
    run(c) {
      const h = hashForRead(c, c.args.str(1));
      if (h === undefined) return;
      const argc = c.args.argc;
      c.reply.array(argc - 2);
      for (let i = 2; i < argc; i++) {
        const v = h === null ? undefined : h.get(c.args.str(i));
        if (v === undefined) c.reply.nil();
        else c.reply.bulk(v);
      }
    },
  },
  {
    name: "hmset",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "update"],
    acl: ["hash"],
    group: "hash",
    since: "2.0.0",
    summary: "Sets several hash fields (the older spelling of HSET, replying OK).",
    complexity: "O(N) where N is the number of fields being set",
    run: (c) => hset(c, "hmset"),
  },
  {
    name: "hgetall",
    arity: 2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["hash"],
    tips: ["nondeterministic_output_order"],
    group: "hash",
    since: "2.0.0",
    summary: "Returns every field and value of a hash.",
    complexity: "O(N) where N is the size of the hash",
    run(c) {
      const h = hashForRead(c, c.args.str(1));
      if (h === undefined) return;
      if (h === null) return c.reply.map(0);
      const r = c.reply;
      r.map(h.size);
      h.forEach((v, f) => {
        r.bulk(f);
        r.bulk(v);
      });
    },
  },
  {
    name: "hdel",
    arity: -3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "delete"],
    acl: ["hash"],
    group: "hash",
    since: "2.0.0",
    summary: "Removes fields from a hash, deleting the key once it is empty.",
    complexity: "O(N) where N is the number of fields to be removed",
    run(c) {
      const key = c.args.str(1);
      const h = asHash(c.lookupWrite(key));
      if (h === undefined) return c.error(E.wrongType);
      if (h === null) return c.reply.int(0);
      let deleted = 0;
      const argc = c.args.argc;
      for (let i = 2; i < argc; i++) {
        if (h.delete(c.args.str(i))) {
          deleted++;
          if (h.size === 0) break;
        }
      }
      // Matches Redis: an emptied hash is removed from the keyspace.
      if (deleted > 0) {
        c.signalModified(key);
        c.notify(NOTIFY_HASH, "hdel", key);
      }
      if (h.size === 0) {
        c.db.delete(key);
        c.notify(NOTIFY_GENERIC, "del", key);
      }
      if (deleted > 0) c.dirty(deleted);
      c.reply.int(deleted);
    },
  },
  {
    name: "hlen",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO"],
    acl: ["hash"],
    group: "hash",
    since: "2.0.0",
    summary: "Returns the number of fields in a hash.",
    complexity: "O(1)",
    run(c) {
      const h = hashForRead(c, c.args.str(1));
      if (h === undefined) return;
      c.reply.int(h === null ? 0 : h.size);
    },
  },
  {
    name: "hstrlen",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO"],
    acl: ["hash"],
    group: "hash",
    since: "3.2.0",
    summary: "Returns the length in bytes of a hash field's value.",
    complexity: "O(1)",
    run(c) {
      const h = hashForRead(c, c.args.str(1));
      if (h === undefined) return;
      const v = h === null ? undefined : h.get(c.args.str(2));
      c.reply.int(v === undefined ? 0 : v.length);
    },
  },
  {
    name: "hexists",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO"],
    acl: ["hash"],
    group: "hash",
    since: "2.0.0",
    summary: "Tells whether a field exists in a hash.",
    complexity: "O(1)",
    run(c) {
      const h = hashForRead(c, c.args.str(1));
      if (h === undefined) return;
      c.reply.int(h !== null && h.has(c.args.str(2)) ? 1 : 0);
    },
  },
  {
    name: "hkeys",
    arity: 2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["hash"],
    tips: ["nondeterministic_output_order"],
    group: "hash",
    since: "2.0.0",
    summary: "Returns every field name of a hash.",
    complexity: "O(N) where N is the size of the hash",
    run(c) {
      const h = hashForRead(c, c.args.str(1));
      if (h === undefined) return;
      if (h === null) return c.reply.array(0);
      c.reply.array(h.size);
      for (const f of h.keys()) c.reply.bulk(f);
    },
  },
  {
    name: "hvals",
    arity: 2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["hash"],
    tips: ["nondeterministic_output_order"],
    group: "hash",
    since: "2.0.0",
    summary: "Returns every value of a hash.",
    complexity: "O(N) where N is the size of the hash",
    run(c) {
      const h = hashForRead(c, c.args.str(1));
      if (h === undefined) return;
      if (h === null) return c.reply.array(0);
      c.reply.array(h.size);
      for (const v of h.values()) c.reply.bulk(v);
    },
  },
  {
    name: "hincrby",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "access", "update"],
    acl: ["hash"],
    group: "hash",
    since: "2.0.0",
    summary: "Adds an integer to the number held in a hash field (missing fields count as 0).",
    complexity: "O(1)",
    run(c) {
      const incr = string2ll(c.args.str(3));
      if (incr === null) return c.error(E.notInteger);
      const key = c.args.str(1);
      const h = asHash(c.lookupWrite(key));
      if (h === undefined) return c.error(E.wrongType);
      const field = c.args.str(2);
      let cur: number | bigint = 0;
      const old = h === null ? undefined : h.get(field);
      if (old !== undefined) {
        const v = string2ll(old);
        if (v === null) return c.error(HASH_NOT_INTEGER);
        cur = v;
      }
      const sum = addInt64(cur, incr);
      if (sum === null) return c.error(E.overflow);
      let target = h;
      if (target === null) {
        target = new Hash();
        c.db.set(key, target);
      }
      target.set(field, String(sum), limits(c));
      c.dirty();
      c.signalModified(key);
      c.notify(NOTIFY_HASH, "hincrby", key);
      c.reply.int(sum);
    },
  },
  {
    name: "hincrbyfloat",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "access", "update"],
    acl: ["hash"],
    group: "hash",
    since: "2.6.0",
    summary: "Adds a floating-point number to a hash field, computed in long double precision.",
    complexity: "O(1)",
    run(c) {
      const incr = parseLongDouble(c.args.str(3));
      if (incr === null) return c.error(E.notFloat);
      if (incr.kind !== "finite") return c.error(INCR_NAN_OR_INF);
      const key = c.args.str(1);
      const h = asHash(c.lookupWrite(key));
      if (h === undefined) return c.error(E.wrongType);
      const field = c.args.str(2);
      const old = h === null ? undefined : h.get(field);
      let cur = longDoubleFromInt(0);
      if (old !== undefined) {
        const v = parseLongDouble(old);
        if (v === null) return c.error(HASH_NOT_FLOAT);
        cur = v;
      }
      const sum = addLongDouble(cur, incr);
      if (sum.kind !== "finite") return c.error(RESULT_NAN_OR_INF);
      const text = formatLongDouble(sum);
      let target = h;
      if (target === null) {
        target = new Hash();
        c.db.set(key, target);
      }
      target.set(field, text, limits(c));
      c.dirty();
      c.signalModified(key);
      c.notify(NOTIFY_HASH, "hincrbyfloat", key);
      // Matches Redis 7: replicas and the AOF get the result, not the float arithmetic.
      c.propagateAs = ["HSET", key, field, text];
      c.reply.bulk(text);
    },
  },
  {
    name: "hrandfield",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["hash"],
    tips: ["nondeterministic_output"],
    group: "hash",
    since: "6.2.0",
    summary: "Returns random fields of a hash: distinct ones for a positive count, possibly repeated for a negative one.",
    complexity: "O(N) where N is the number of fields returned",
    run(c) {
      if (c.args.argc >= 3) return hrandfieldWithCount(c);
      const h = hashForRead(c, c.args.str(1));
      if (h === undefined) return;
      if (h === null) return c.reply.nil();
      c.reply.bulk(h.randomField()!);
    },
  },
  {
    name: "hscan",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keyFlags: ["RO", "access"],
    acl: ["hash"],
    tips: ["nondeterministic_output"],
    group: "hash",
    since: "2.8.0",
    summary: "Iterates over the fields and values of a hash with a cursor.",
    complexity: "O(1) per call, O(N) for a full iteration",
    run: hscan,
  },
];
