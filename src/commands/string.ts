// String commands: GET SET and the rest of Redis 7's string family (SET options, GETEX, ranges);
// the counters (counter.ts) and LCS (lcs.ts) are listed here too. Owns argument parsing, replies
// and deterministic propagation of these commands; values live in types/bytestring.ts.
import { ByteString, isStringValue, storeString, strLen, strOf, type StringValue } from "../types/bytestring.ts";
import { E, invalidExpire, wrongArity } from "../errors.ts";
import { INT64_MAX, string2ll } from "../util/number.ts";
import type { PropArg } from "../propagation.ts";
import type { Context } from "./context.ts";
import type { CommandSpec } from "./spec.ts";
import { counterCommands } from "./counter.ts";
import { lcsCommand } from "./lcs.ts";
import { NOTIFY_GENERIC, NOTIFY_STRING } from "../notifications.ts";

// SET / GETEX option bits.
const NX = 1;
const XX = 2;
const GET = 4;
const KEEPTTL = 8;
const PERSIST = 16;
const EX = 32;
const PX = 64;
const EXAT = 128;
const PXAT = 256;
const ANY_EXPIRE = EX | PX | EXAT | PXAT;

/** LLONG_MAX / 1000: the largest seconds count that still converts to milliseconds. */
const MAX_SECONDS = 9223372036854775;

/** Reply with a string value in the cheapest form for its representation. */
function replyString(c: Context, v: StringValue): void {
  if (typeof v === "string") c.reply.bulk(v);
  else if (typeof v === "number") c.reply.bulkInt(v);
  else c.reply.bulkBytes(v.bytes());
}

/** GET's reply for keyspace record r: inline bytes are copied straight into the reply. */
function replyRecord(c: Context, r: number): void {
  const t = c.db.dict;
  if (t.isInlineString(r)) return c.reply.bulkSlice(t.bytes, t.valueStart(r), t.valueLength(r));
  const v = t.value(r);
  if (!isStringValue(v)) return c.error(E.wrongType);
  replyString(c, v);
}

/**
 * Redis's getGenericCommand: reply with the value (or nil). Returns false when the key holds
 * another type (the error has been sent).
 */
function getGeneric(c: Context, key: string): boolean {
  const v = c.lookupRead(key);
  if (v === undefined) {
    c.reply.nil();
    return true;
  }
  if (!isStringValue(v)) {
    c.error(E.wrongType);
    return false;
  }
  replyString(c, v);
  return true;
}

interface ExtOptions {
  flags: number;
  /** Argument index of the expire value, or 0. */
  expireAt: number;
  /** Indexes of GET tokens (dropped from propagation). */
  getArgs: number[] | null;
}

/**
 * Parse SET's (getex=false) or GETEX's (getex=true) options from argument `from` on, as Redis 7
 * accepts them: NX/XX exclusive, one expire kind (repeating the same one is allowed, the last
 * value counts), KEEPTTL and PERSIST exclusive with any expire. Null on a syntax error.
 */
function parseExtOptions(c: Context, from: number, getex: boolean): ExtOptions | null {
  const a = c.args;
  const n = a.argc;
  let flags = 0;
  let expireAt = 0;
  let getArgs: number[] | null = null;
  for (let j = from; j < n; j++) {
    const len = a.len(j);
    const hasNext = j + 1 < n;
    let kind = 0;
    if (len === 2) {
      if (a.is(j, "nx")) {
        if (getex || flags & XX) return null;
        flags |= NX;
        continue;
      }
      if (a.is(j, "xx")) {
        if (getex || flags & NX) return null;
        flags |= XX;
        continue;
      }
      if (a.is(j, "ex")) kind = EX;
      else if (a.is(j, "px")) kind = PX;
    } else if (len === 3 && a.is(j, "get")) {
      if (getex) return null;
      flags |= GET;
      (getArgs ??= []).push(j);
      continue;
    } else if (len === 4) {
      if (a.is(j, "exat")) kind = EXAT;
      else if (a.is(j, "pxat")) kind = PXAT;
    } else if (len === 7) {
      if (a.is(j, "keepttl")) {
        if (getex || flags & (PERSIST | ANY_EXPIRE)) return null;
        flags |= KEEPTTL;
        continue;
      }
      if (a.is(j, "persist")) {
        if (!getex || flags & (KEEPTTL | ANY_EXPIRE)) return null;
        flags |= PERSIST;
        continue;
      }
    }
    if (kind === 0 || !hasNext || flags & (KEEPTTL | PERSIST | (ANY_EXPIRE & ~kind))) return null;
    flags |= kind;
    expireAt = ++j;
  }
  return { flags, expireAt, getArgs };
}

/**
 * The absolute expiry (ms) an expire argument denotes, or null after replying with Redis's
 * error: not an integer, not positive, or overflowing int64 milliseconds. A bigint is returned
 * only beyond 2^53 so that the propagated PXAT stays exact.
 */
function expireMs(c: Context, idx: number, unitSeconds: boolean, relative: boolean, cmd: string): number | bigint | null {
  const v = string2ll(c.args.str(idx));
  if (v === null) {
    c.error(E.notInteger);
    return null;
  }
  if (v <= 0 || (unitSeconds && v > MAX_SECONDS)) {
    c.error(invalidExpire(cmd));
    return null;
  }
  const now = relative ? c.server.clock.now() : 0;
  if (typeof v === "number") {
    const ms = (unitSeconds ? v * 1000 : v) + now;
    if (ms <= Number.MAX_SAFE_INTEGER) return ms;
  }
  const big = BigInt(v) * (unitSeconds ? 1000n : 1n) + BigInt(now);
  if (big > INT64_MAX) {
    c.error(invalidExpire(cmd));
    return null;
  }
  return big;
}

/**
 * Redis's setGenericCommand: SET, SETNX, SETEX, PSETEX. With an expire the write propagates as
 * SET key value PXAT <ms>; otherwise verbatim minus any GET tokens.
 */
function setGeneric(c: Context, o: ExtOptions, value: string, okReply: number, cmd: string): void {
  const key = c.args.str(1);
  const flags = o.flags;
  let when: number | bigint = 0;
  if (o.expireAt !== 0) {
    const w = expireMs(c, o.expireAt, (flags & (EX | EXAT)) !== 0, (flags & (EX | PX)) !== 0, cmd);
    if (w === null) return;
    when = w;
  }
  if (flags & GET && !getGeneric(c, key)) return;
  if (flags & (NX | XX)) {
    const found = c.lookupWrite(key) !== undefined;
    if ((flags & NX && found) || (flags & XX && !found)) {
      if (!(flags & GET)) {
        if (okReply < 0) c.reply.nil();
        else c.reply.int(0);
      }
      return;
    }
  }
  c.db.set(key, storeString(value), (flags & KEEPTTL) !== 0);
  c.dirty();
  c.signalModified(key);
  c.notify(NOTIFY_STRING, "set", key);
  if (o.expireAt !== 0) {
    c.db.setExpire(key, Number(when));
    c.notify(NOTIFY_GENERIC, "expire", key);
    c.propagateAs = ["SET", key, value, "PXAT", String(when)];
  } else if (o.getArgs !== null) {
    const argv: PropArg[] = [];
    for (let i = 0; i < c.args.argc; i++) if (!o.getArgs.includes(i)) argv.push(c.args.str(i));
    c.propagateAs = argv;
  }
  if (flags & GET) return;
  if (okReply < 0) c.reply.ok();
  else c.reply.int(okReply);
}

/** An int64 argument, or null after replying "not an integer". */
function intArg(c: Context, i: number): number | bigint | null {
  const v = string2ll(c.args.str(i));
  if (v === null) c.error(E.notInteger);
  return v;
}

/** GETRANGE/SUBSTR: Redis's inclusive range with negative indexes from the end. */
function getRange(c: Context): void {
  const s = intArg(c, 2);
  if (s === null) return;
  const e = intArg(c, 3);
  if (e === null) return;
  const v = c.lookupRead(c.args.str(1));
  if (v === undefined) return c.reply.bulk("");
  if (!isStringValue(v)) return c.error(E.wrongType);
  let start = Number(s);
  let end = Number(e);
  const len = strLen(v);
  if (start < 0 && end < 0 && start > end) return c.reply.bulk("");
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return c.reply.bulk("");
  if (typeof v === "object") c.reply.bulkBytes(v.buf.subarray(start, end + 1));
  else c.reply.bulk(strOf(v).slice(start, end + 1));
}

/** The value as a mutable ByteString with room for `need` bytes, replacing it in the db. */
function unshare(c: Context, key: string, v: StringValue, need: number): ByteString {
  if (typeof v === "object") return v;
  const s = strOf(v);
  const bs = new ByteString(s, Math.max(0, need - s.length));
  c.db.update(key, bs);
  return bs;
}

/** Redis's checkStringLength: refuse results beyond proto-max-bulk-len. */
function tooLong(c: Context, total: number): boolean {
  if (total <= c.server.config.protoMaxBulkLen) return false;
  c.error(E.stringTooLong);
  return true;
}

/** MSET/MSETNX: store each key/value pair of argv[1..argc) as SET would. */
function storePairs(c: Context, argc: number): void {
  for (let i = 1; i < argc; i += 2) setArg(c, i);
  c.dirty((argc - 1) / 2);
}

/** SET of argument i to argument i + 1 straight from the request bytes (TTL dropped), and its signals. */
function setArg(c: Context, i: number): void {
  const a = c.args;
  const b = a.base;
  c.db.setBytes(a.buf, b + a.starts[i]!, b + a.ends[i]!, a.buf, b + a.starts[i + 1]!, b + a.ends[i + 1]!);
  c.keyChanged(i, NOTIFY_STRING, "set");
}

/** SETEX/PSETEX key ttl value: SET with EX or PX (unit), the TTL at argv[2]. */
const setexSpec = (name: string, unit: typeof EX | typeof PX, since: string, summary: string): CommandSpec => ({
  name,
  arity: 4,
  flags: ["write", "denyoom"],
  keys: [1, 1, 1],
  keyFlags: ["OW", "update"],
  acl: ["string"],
  group: "string",
  since,
  summary,
  complexity: "O(1)",
  run(c) {
    setGeneric(c, { flags: unit, expireAt: 2, getArgs: null }, c.args.str(3), -1, name);
  },
});

export const stringCommands: readonly CommandSpec[] = [
  {
    name: "get",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    acl: ["string"],
    group: "string",
    since: "1.0.0",
    summary: "Returns the string value of a key.",
    complexity: "O(1)",
    run(c) {
      const r = c.lookupReadArg(1);
      if (r === 0) return c.reply.nil();
      replyRecord(c, r);
    },
  },
  {
    name: "set",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    keySpecs: [
      {
        notes: "RW and ACCESS due to the optional `GET` argument",
        flags: ["RW", "access", "update", "variable_flags"],
        begin: { index: 1 },
        find: { range: [0, 1, 0] },
      },
    ],
    acl: ["string"],
    group: "string",
    since: "1.0.0",
    summary: "Stores a string at a key, optionally with a TTL, a condition, or returning the old value.",
    complexity: "O(1)",
    run(c) {
      if (c.args.argc === 3) {
        // The common case, kept free of option parsing and of JS strings.
        setArg(c, 1);
        c.dirty();
        return c.reply.ok();
      }
      const o = parseExtOptions(c, 3, false);
      if (o === null) return c.error(E.syntax);
      setGeneric(c, o, c.args.str(2), -1, "set");
    },
  },
  {
    name: "setnx",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["OW", "insert"],
    acl: ["string"],
    group: "string",
    since: "1.0.0",
    summary: "Stores a string only when the key does not exist yet.",
    complexity: "O(1)",
    run(c) {
      setGeneric(c, { flags: NX, expireAt: 0, getArgs: null }, c.args.str(2), 1, "setnx");
    },
  },
  setexSpec("setex", EX, "2.0.0", "Stores a string with a TTL in seconds."),
  setexSpec("psetex", PX, "2.6.0", "Stores a string with a TTL in milliseconds."),
  {
    name: "mget",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: [1, -1, 1],
    acl: ["string"],
    tips: ["request_policy:multi_shard"],
    group: "string",
    since: "1.0.0",
    summary: "Returns the string values of several keys; nil for missing or non-string keys.",
    complexity: "O(N) where N is the number of keys",
    run(c) {
      const n = c.args.argc - 1;
      c.reply.array(n);
      for (let i = 1; i <= n; i++) {
        const r = c.lookupReadArg(i);
        if (r === 0) c.reply.nil();
        else {
          const t = c.db.dict;
          if (t.isInlineString(r)) c.reply.bulkSlice(t.bytes, t.valueStart(r), t.valueLength(r));
          else {
            const v = t.value(r);
            if (isStringValue(v)) replyString(c, v);
            else c.reply.nil();
          }
        }
      }
    },
  },
  {
    name: "mset",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 2],
    keyFlags: ["OW", "update"],
    acl: ["string"],
    tips: ["request_policy:multi_shard", "response_policy:all_succeeded"],
    group: "string",
    since: "1.0.1",
    summary: "Stores several key/value pairs at once.",
    complexity: "O(N) where N is the number of keys",
    run(c) {
      const argc = c.args.argc;
      if (argc % 2 === 0) return c.error(wrongArity("mset"));
      storePairs(c, argc);
      c.reply.ok();
    },
  },
  {
    name: "msetnx",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 2],
    keyFlags: ["OW", "insert"],
    acl: ["string"],
    tips: ["request_policy:multi_shard", "response_policy:agg_min"],
    group: "string",
    since: "1.0.1",
    summary: "Stores several key/value pairs only when none of the keys exists.",
    complexity: "O(N) where N is the number of keys",
    run(c) {
      const argc = c.args.argc;
      if (argc % 2 === 0) return c.error(wrongArity("msetnx"));
      for (let i = 1; i < argc; i += 2) if (c.lookupWrite(c.args.str(i)) !== undefined) return c.reply.int(0);
      storePairs(c, argc);
      c.reply.int(1);
    },
  },
  {
    name: "getset",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    acl: ["string"],
    group: "string",
    since: "1.0.0",
    summary: "Stores a string and returns the previous value.",
    complexity: "O(1)",
    run(c) {
      const key = c.args.str(1);
      if (!getGeneric(c, key)) return;
      const value = c.args.str(2);
      c.db.set(key, storeString(value));
      c.dirty();
      c.signalModified(key);
      c.notify(NOTIFY_STRING, "set", key);
      c.propagateAs = ["SET", key, value];
    },
  },
  {
    name: "getdel",
    arity: 2,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "access", "delete"],
    acl: ["string"],
    group: "string",
    since: "6.2.0",
    summary: "Returns a string value and deletes its key.",
    complexity: "O(1)",
    run(c) {
      const key = c.args.str(1);
      const v = c.lookupRead(key);
      if (v === undefined) return c.reply.nil();
      if (!isStringValue(v)) return c.error(E.wrongType);
      replyString(c, v);
      c.db.delete(key);
      c.dirty();
      c.signalModified(key);
      c.notify(NOTIFY_GENERIC, "del", key);
      c.propagateAs = ["DEL", key];
    },
  },
  {
    name: "getex",
    arity: -2,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    keySpecs: [
      {
        notes: "RW and UPDATE because it changes the TTL",
        flags: ["RW", "access", "update"],
        begin: { index: 1 },
        find: { range: [0, 1, 0] },
      },
    ],
    acl: ["string"],
    group: "string",
    since: "6.2.0",
    summary: "Returns a string value and sets or removes its TTL.",
    complexity: "O(1)",
    run(c) {
      const o = parseExtOptions(c, 2, true);
      if (o === null) return c.error(E.syntax);
      const key = c.args.str(1);
      const v = c.lookupRead(key);
      if (v === undefined) return c.reply.nil();
      if (!isStringValue(v)) return c.error(E.wrongType);
      const flags = o.flags;
      let when: number | bigint = 0;
      if (o.expireAt !== 0) {
        const w = expireMs(c, o.expireAt, (flags & (EX | EXAT)) !== 0, (flags & (EX | PX)) !== 0, "getex");
        if (w === null) return;
        when = w;
      }
      replyString(c, v);
      if (flags & (EXAT | PXAT) && when <= c.server.clock.now()) {
        // An absolute time already past deletes the key (matches Redis: propagated as DEL).
        c.db.delete(key);
        c.dirty();
        c.signalModified(key);
        c.notify(NOTIFY_GENERIC, "del", key);
        c.propagateAs = ["DEL", key];
      } else if (o.expireAt !== 0) {
        c.db.setExpire(key, Number(when));
        c.dirty();
        c.signalModified(key);
        c.notify(NOTIFY_GENERIC, "expire", key);
        c.propagateAs = ["PEXPIREAT", key, String(when)];
      } else if (flags & PERSIST && c.db.persist(key)) {
        c.dirty();
        c.signalModified(key);
        c.notify(NOTIFY_GENERIC, "persist", key);
        c.propagateAs = ["PERSIST", key];
      }
    },
  },
  {
    name: "append",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "insert"],
    acl: ["string"],
    group: "string",
    since: "2.0.0",
    summary: "Appends bytes to a string, creating it when missing; returns the new length.",
    complexity: "O(1) amortised",
    run(c) {
      const key = c.args.str(1);
      const v = c.lookupWrite(key);
      let total: number;
      if (v === undefined) {
        // Matches Redis: a new key takes the argument as SET would store it (int/embstr/raw).
        const s = c.args.str(2);
        c.db.set(key, storeString(s));
        total = s.length;
      } else {
        if (!isStringValue(v)) return c.error(E.wrongType);
        const add = c.args.len(2);
        total = strLen(v) + add;
        if (tooLong(c, total)) return;
        unshare(c, key, v, total).append(c.args.bytes(2));
      }
      c.dirty();
      c.signalModified(key);
      c.notify(NOTIFY_STRING, "append", key);
      c.reply.int(total);
    },
  },
  {
    name: "strlen",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keyFlags: ["RO"],
    acl: ["string"],
    group: "string",
    since: "2.2.0",
    summary: "Returns the length in bytes of a string value.",
    complexity: "O(1)",
    run(c) {
      const v = c.lookupRead(c.args.str(1));
      if (v === undefined) return c.reply.int(0);
      if (!isStringValue(v)) return c.error(E.wrongType);
      c.reply.int(strLen(v));
    },
  },
  ...counterCommands,
  {
    name: "getrange",
    arity: 4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    acl: ["string"],
    group: "string",
    since: "2.4.0",
    summary: "Returns the bytes of a string between two inclusive offsets; negative ones count from the end.",
    complexity: "O(N) where N is the length of the returned string",
    run: getRange,
  },
  {
    name: "substr",
    arity: 4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    acl: ["string"],
    group: "string",
    since: "1.0.0",
    summary: "Returns a substring of a string value (old name of GETRANGE).",
    complexity: "O(N) where N is the length of the returned string",
    run: getRange,
  },
  {
    name: "setrange",
    arity: 4,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    keyFlags: ["RW", "update"],
    acl: ["string"],
    group: "string",
    since: "2.2.0",
    summary: "Overwrites part of a string at an offset, zero-padding as needed; returns the new length.",
    complexity: "O(1) not counting the copy of the new bytes",
    run(c) {
      const off = intArg(c, 2);
      if (off === null) return;
      if (off < 0) return c.error("ERR offset is out of range");
      const key = c.args.str(1);
      const add = c.args.len(3);
      const v = c.lookupWrite(key);
      let bs: ByteString;
      const total = Number(off) + add;
      if (v === undefined) {
        if (add === 0) return c.reply.int(0);
        if (tooLong(c, total)) return;
        bs = new ByteString("", total);
        c.db.set(key, bs);
      } else {
        if (!isStringValue(v)) return c.error(E.wrongType);
        if (add === 0) return c.reply.int(strLen(v));
        if (tooLong(c, total)) return;
        bs = unshare(c, key, v, total);
      }
      bs.grow(total);
      bs.buf.set(c.args.bytes(3), total - add);
      c.dirty();
      c.signalModified(key);
      c.notify(NOTIFY_STRING, "setrange", key);
      c.reply.int(bs.len);
    },
  },
  lcsCommand,
];
