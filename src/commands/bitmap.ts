// Bitmap commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO, over string values.
// Readers work on any string form in place; writers turn the value into a ByteString once and
// edit its bytes. Bit arithmetic lives in types/bitops.ts.
import { ByteString, isStringValue, type StringValue } from "../types/bytestring.ts";
import {
  bitop, byteAt, countBits, fieldIncr, fieldSet, findBit, popcount, readField, writeField,
  FAIL, SAT, WRAP, type BitOp, type ByteSource, type Overflow,
} from "../types/bitops.ts";
import { string2ll } from "../util/number.ts";
import { E } from "../errors.ts";
import type { Context } from "./context.ts";
import type { CommandSpec } from "./spec.ts";
import { NOTIFY_GENERIC, NOTIFY_STRING } from "../notifications.ts";

const BAD_BITPOS_BIT = "ERR The bit argument must be 1 or 0.";
const BITOP_NOT_ARITY = "ERR BITOP NOT must be called with a single source key.";
const BAD_FIELD_TYPE =
  "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
const BAD_OVERFLOW = "ERR Invalid OVERFLOW type specified";
const RO_ONLY_GET = "ERR BITFIELD_RO only supports the GET subcommand";

/** The bytes of a string value without converting it (a number reads as its decimal text). */
function source(v: StringValue): ByteSource {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  return v.bytes();
}

/**
 * A bit offset argument, or -1 after replying with the error. Matches Redis: a canonical
 * non-negative int64 whose byte (offset/8) is below proto-max-bulk-len. With `bits` (BITFIELD),
 * "#N" means N*bits, multiplied in 64-bit two's complement as Redis does.
 */
function parseOffset(c: Context, i: number, bits = 0): number {
  const s = c.args.str(i);
  const hash = bits > 0 && s.charCodeAt(0) === 35;
  const v = string2ll(hash ? s.slice(1) : s);
  if (v === null) {
    c.error(E.bitOffset);
    return -1;
  }
  let off: number;
  if (!hash) off = Number(v);
  else if (typeof v === "number" && Math.abs(v * bits) <= Number.MAX_SAFE_INTEGER) off = v * bits;
  else off = Number(BigInt.asIntN(64, BigInt(v) * BigInt(bits)));
  if (off < 0 || Math.floor(off / 8) >= c.server.config.protoMaxBulkLen) {
    c.error(E.bitOffset);
    return -1;
  }
  return off;
}

/** An int64 argument, or null after replying "value is not an integer". */
function parseInt64(c: Context, i: number): number | bigint | null {
  const v = string2ll(c.args.str(i));
  if (v === null) c.error(E.notInteger);
  return v;
}

/** A BYTE|BIT unit argument: true for BIT, false for BYTE, null after a syntax error. */
function parseUnit(c: Context, i: number): boolean | null {
  if (c.args.is(i, "bit")) return true;
  if (c.args.is(i, "byte")) return false;
  c.error(E.syntax);
  return null;
}

/** int64 → number; values beyond 2^53 only matter by sign once lengths are added. */
function toNum(v: number | bigint): number {
  return typeof v === "number" ? v : Number(v);
}

/** Set by openForWrite: the key was created or its string grew (Redis counts that as a write). */
let grew = false;

/**
 * The string value of key prepared for writing bits up to byte `lastByte`: a ByteString grown
 * (zero-filled) to reach it, stored back when created or converted (update keeps the TTL).
 * Null after WRONGTYPE. Sets `grew`.
 */
function openForWrite(c: Context, key: string, lastByte: number): ByteString | null {
  const v = c.lookupWrite(key);
  if (v === undefined) {
    const bs = new ByteString("", lastByte + 1);
    bs.grow(lastByte + 1);
    c.db.set(key, bs);
    grew = true;
    return bs;
  }
  if (!isStringValue(v)) {
    c.error(E.wrongType);
    return null;
  }
  let bs: ByteString;
  if (typeof v === "object") {
    bs = v;
  } else {
    const s = typeof v === "string" ? v : String(v);
    bs = new ByteString(s, Math.max(0, lastByte + 1 - s.length));
    c.db.update(key, bs);
  }
  const before = bs.len;
  bs.grow(lastByte + 1);
  grew = bs.len !== before;
  return bs;
}

/** Look a key up for reading as a string: the value, null when missing, undefined after WRONGTYPE. */
function readString(c: Context, key: string): StringValue | null | undefined {
  const v = c.lookupRead(key);
  if (v === undefined) return null;
  if (!isStringValue(v)) {
    c.error(E.wrongType);
    return undefined;
  }
  return v;
}

// ---- SETBIT / GETBIT ---------------------------------------------------------------------

function setbit(c: Context): void {
  const off = parseOffset(c, 2);
  if (off < 0) return;
  const on = string2ll(c.args.str(3));
  if (on !== 0 && on !== 1) return c.error(E.bitValue);
  const byte = Math.floor(off / 8);
  const key = c.args.str(1);
  const bs = openForWrite(c, key, byte);
  if (bs === null) return;
  const buf = bs.buf;
  const mask = 0x80 >> (off - byte * 8);
  const old = (buf[byte]! & mask) !== 0 ? 1 : 0;
  if (on === 1) buf[byte]! |= mask;
  else buf[byte]! &= ~mask;
  // Matches Redis 7.0.15: a SETBIT that neither creates, grows nor flips is not a write.
  if (grew || old !== on) {
    c.dirty();
    c.signalModified(key);
    c.notify(NOTIFY_STRING, "setbit", key);
  }
  c.reply.int(old);
}

function getbit(c: Context): void {
  const off = parseOffset(c, 2);
  if (off < 0) return;
  const v = readString(c, c.args.str(1));
  if (v === undefined) return;
  if (v === null) return c.reply.int(0);
  const byte = Math.floor(off / 8);
  const b = byteAt(source(v), byte);
  c.reply.int((b >> (7 - (off - byte * 8))) & 1);
}

// ---- BITCOUNT / BITPOS -------------------------------------------------------------------

/**
 * Clamp an inclusive [start, end] range given in `total` units (negative = from the end) the
 * way Redis does; returns [start, end] or null when empty.
 */
function clampRange(start: number, end: number, total: number): [number, number] | null {
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  return start > end ? null : [start, end];
}

function bitcount(c: Context): void {
  // Matches Redis 7.0: the key is looked up before the range is parsed, so a missing key
  // answers 0 whatever the arguments.
  const v = c.lookupRead(c.args.str(1));
  if (v === undefined) return c.reply.int(0);
  if (!isStringValue(v)) return c.error(E.wrongType);
  const src = source(v);
  const argc = c.args.argc;
  if (argc === 2) return c.reply.int(popcount(src, 0, src.length));
  if (argc !== 4 && argc !== 5) return c.error(E.syntax);
  const start = parseInt64(c, 2);
  if (start === null) return;
  const end = parseInt64(c, 3);
  if (end === null) return;
  let isBit = false;
  if (argc === 5) {
    const u = parseUnit(c, 4);
    if (u === null) return;
    isBit = u;
  }
  // Matches Redis: two negative indexes in reverse order count nothing (before clamping).
  if (start < 0 && end < 0 && start > end) return c.reply.int(0);
  const r = clampRange(toNum(start), toNum(end), isBit ? src.length * 8 : src.length);
  if (r === null) return c.reply.int(0);
  c.reply.int(isBit ? countBits(src, r[0], r[1]) : popcount(src, r[0], r[1] + 1));
}

function bitpos(c: Context): void {
  const bit = parseInt64(c, 2);
  if (bit === null) return;
  if (bit !== 0 && bit !== 1) return c.error(BAD_BITPOS_BIT);
  // A missing key is an endless run of zeros.
  const v = c.lookupRead(c.args.str(1));
  if (v === undefined) return c.reply.int(bit === 1 ? -1 : 0);
  if (!isStringValue(v)) return c.error(E.wrongType);
  const src = source(v);
  const len = src.length;
  const argc = c.args.argc;
  let start: number | bigint = 0;
  let end: number | bigint = len - 1;
  let endGiven = false;
  let isBit = false;
  if (argc >= 4 && argc <= 6) {
    const s = parseInt64(c, 3);
    if (s === null) return;
    start = s;
    if (argc === 6) {
      const u = parseUnit(c, 5);
      if (u === null) return;
      isBit = u;
    }
    if (argc >= 5) {
      const e = parseInt64(c, 4);
      if (e === null) return;
      end = e;
      endGiven = true;
    }
  } else if (argc !== 3) {
    return c.error(E.syntax);
  }
  const r = clampRange(toNum(start), toNum(end), isBit ? len * 8 : len);
  if (r === null) return c.reply.int(-1);
  const first = isBit ? r[0] : r[0] * 8;
  const last = isBit ? r[1] : r[1] * 8 + 7;
  const pos = findBit(src, bit, first, last);
  // Matches Redis: looking for a clear bit with no end given, the string continues with zeros
  // past its end, so the first clear bit is the one just after it.
  if (pos === -1 && bit === 0 && !endGiven) return c.reply.int(len * 8);
  c.reply.int(pos);
}

// ---- BITOP -------------------------------------------------------------------------------

function bitopCmd(c: Context): void {
  let op: BitOp;
  if (c.args.is(1, "and")) op = "and";
  else if (c.args.is(1, "or")) op = "or";
  else if (c.args.is(1, "xor")) op = "xor";
  else if (c.args.is(1, "not")) op = "not";
  else return c.error(E.syntax);
  const argc = c.args.argc;
  if (op === "not" && argc !== 4) return c.error(BITOP_NOT_ARITY);
  const sources: ByteSource[] = [];
  let maxlen = 0;
  for (let i = 3; i < argc; i++) {
    const v = c.lookupRead(c.args.str(i));
    if (v === undefined) {
      sources.push("");
      continue;
    }
    if (!isStringValue(v)) return c.error(E.wrongType);
    const src = source(v);
    if (src.length > maxlen) maxlen = src.length;
    sources.push(src);
  }
  const dest = c.args.str(2);
  if (maxlen > 0) {
    const bs = new ByteString("", 0);
    bs.buf = bitop(op, sources, maxlen);
    bs.len = maxlen;
    c.db.set(dest, bs);
    c.dirty();
    c.signalModified(dest);
    c.notify(NOTIFY_STRING, "set", dest);
  } else if (c.db.delete(dest)) {
    // Matches Redis: an empty result deletes the destination.
    c.dirty();
    c.signalModified(dest);
    c.notify(NOTIFY_GENERIC, "del", dest);
  }
  c.reply.int(maxlen);
}

// ---- BITFIELD ----------------------------------------------------------------------------

const GET = 0;
const SET = 1;
const INCRBY = 2;

interface FieldOp {
  kind: typeof GET | typeof SET | typeof INCRBY;
  signed: boolean;
  bits: number;
  off: number;
  arg: number | bigint;
  ow: Overflow;
}

/** "i1".."i64" or "u1".."u63" as [signed, bits], or null after the type error. */
function parseFieldType(c: Context, i: number): [boolean, number] | null {
  const s = c.args.str(i);
  const t = s.charCodeAt(0);
  const bits = t === 105 || t === 117 ? string2ll(s.slice(1)) : null;
  const signed = t === 105;
  if (typeof bits !== "number" || bits < 1 || bits > (signed ? 64 : 63)) {
    c.error(BAD_FIELD_TYPE);
    return null;
  }
  return [signed, bits];
}

function bitfield(c: Context, readOnlyCmd: boolean): void {
  const argc = c.args.argc;
  const ops: FieldOp[] = [];
  let ow: Overflow = WRAP;
  let writes = false;
  let highest = 0;
  // Parse every operation first: any error aborts the command before it touches the key.
  for (let j = 2; j < argc; j++) {
    const rem = argc - j - 1;
    let kind: FieldOp["kind"];
    if (c.args.is(j, "get") && rem >= 2) kind = GET;
    else if (c.args.is(j, "set") && rem >= 3) kind = SET;
    else if (c.args.is(j, "incrby") && rem >= 3) kind = INCRBY;
    else if (c.args.is(j, "overflow") && rem >= 1) {
      j++;
      if (c.args.is(j, "wrap")) ow = WRAP;
      else if (c.args.is(j, "sat")) ow = SAT;
      else if (c.args.is(j, "fail")) ow = FAIL;
      else return c.error(BAD_OVERFLOW);
      continue;
    } else return c.error(E.syntax);
    const type = parseFieldType(c, j + 1);
    if (type === null) return;
    const [signed, bits] = type;
    const off = parseOffset(c, j + 2, bits);
    if (off < 0) return;
    let arg: number | bigint = 0;
    if (kind !== GET) {
      writes = true;
      if (off + bits - 1 > highest) highest = off + bits - 1;
      const v = parseInt64(c, j + 3);
      if (v === null) return;
      arg = v;
    }
    ops.push({ kind, signed, bits, off, arg, ow });
    j += kind === GET ? 2 : 3;
  }

  const key = c.args.str(1);
  if (!writes) {
    const v = readString(c, key);
    if (v === undefined) return;
    const src = v === null ? "" : source(v);
    c.reply.array(ops.length);
    for (const op of ops) c.reply.int(readField(src, op.off, op.bits, op.signed));
    return;
  }
  if (readOnlyCmd) return c.error(RO_ONLY_GET);
  const bs = openForWrite(c, key, Math.floor(highest / 8));
  if (bs === null) return;
  const grown = grew;
  const buf = bs.buf;
  const view = bs.bytes();
  let changes = 0;
  c.reply.array(ops.length);
  for (const op of ops) {
    const old = readField(view, op.off, op.bits, op.signed);
    if (op.kind === GET) {
      c.reply.int(old);
      continue;
    }
    const next = op.kind === SET
      ? fieldSet(op.arg, op.bits, op.signed, op.ow)
      : fieldIncr(old, op.arg, op.bits, op.signed, op.ow);
    if (next === null) {
      c.reply.nil();
      continue;
    }
    writeField(buf, op.off, op.bits, next);
    c.reply.int(op.kind === SET ? old : next);
    // Matches Redis 7.0.15: a field write counts when the string was created or grown, or
    // when the field's value changed.
    if (grown || old != next) changes++;
  }
  if (changes > 0) {
    c.dirty(changes);
    c.signalModified(key);
    c.notify(NOTIFY_STRING, "setbit", key);
  }
}

export const bitmapCommands: readonly CommandSpec[] = [
  {
    name: "setbit",
    arity: 4,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    acl: ["bitmap"],
    group: "bitmap",
    since: "2.2.0",
    summary: "Sets or clears one bit of a string value, returning its previous value.",
    complexity: "O(1)",
    run: setbit,
  },
  {
    name: "getbit",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    acl: ["bitmap"],
    group: "bitmap",
    since: "2.2.0",
    summary: "Reads one bit of a string value.",
    complexity: "O(1)",
    run: getbit,
  },
  {
    name: "bitcount",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    acl: ["bitmap"],
    group: "bitmap",
    since: "2.6.0",
    summary: "Counts the set bits of a string value, optionally within a byte or bit range.",
    complexity: "O(N)",
    run: bitcount,
  },
  {
    name: "bitpos",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    acl: ["bitmap"],
    group: "bitmap",
    since: "2.8.7",
    summary: "Finds the position of the first set or clear bit of a string value.",
    complexity: "O(N)",
    run: bitpos,
  },
  {
    name: "bitop",
    arity: -4,
    flags: ["write", "denyoom"],
    keys: [2, -1, 1],
    acl: ["bitmap"],
    group: "bitmap",
    since: "2.6.0",
    summary: "Combines string values bit by bit (AND, OR, XOR, NOT) into a destination key.",
    complexity: "O(N)",
    run: bitopCmd,
  },
  {
    name: "bitfield",
    arity: -2,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    acl: ["bitmap"],
    group: "bitmap",
    since: "3.2.0",
    summary: "Reads, writes and increments integer fields of any width stored inside a string.",
    complexity: "O(1) for each subcommand specified",
    run: (c) => bitfield(c, false),
  },
  {
    name: "bitfield_ro",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    acl: ["bitmap"],
    group: "bitmap",
    since: "6.0.0",
    summary: "Reads integer fields stored inside a string; the read-only form of BITFIELD.",
    complexity: "O(1) for each subcommand specified",
    run: (c) => bitfield(c, true),
  },
];
