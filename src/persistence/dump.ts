// DUMP/RESTORE payloads in Redis's format: the value's RDB type byte and body, the RDB version
// as 2 bytes little-endian, and the CRC-64 of all that as 8 bytes little-endian.
import type { Value } from "../types/value.ts";
import { Crc64 } from "./crc64.ts";
import { typeByte } from "./rdbwriter.ts";
import { newWriter, type RdbSaveOptions } from "./rdb.ts";
import { RdbReader, type EncodingLimits } from "./rdbreader.ts";
import { RdbFormatError } from "./rdberror.ts";
import * as K from "./rdbconst.ts";

/** Serialise a value as DUMP does. */
export function encodeDump(v: Value, opts: RdbSaveOptions = {}): Uint8Array {
  const w = newWriter(opts, 256);
  w.byte(typeByte(v));
  w.valueBody(v);
  w.byte(K.RDB_VERSION & 0xff);
  w.byte(K.RDB_VERSION >> 8);
  const crc = new Crc64().update(w.buf, 0, w.pos);
  w.ensure(8);
  crc.writeLE(w.buf, w.pos);
  w.pos += 8;
  return Uint8Array.prototype.slice.call(w.buf, 0, w.pos);
}

/** Redis's verifyDumpPayload: a known RDB version and a matching CRC-64 footer. */
export function verifyDump(p: Uint8Array): boolean {
  if (p.length < 10) return false;
  const footer = p.length - 10;
  const version = p[footer]! | (p[footer + 1]! << 8);
  if (version > K.RDB_MAX_VERSION) return false;
  return new Crc64().update(p, 0, p.length - 8).equalsLE(p, p.length - 8);
}

/**
 * Decode a verified payload's value; null when the body is malformed ("Bad data format"), an
 * empty container, or a type we do not hold (streams, modules).
 */
export function decodeDump(p: Uint8Array, key: string, limits: EncodingLimits): Value | null {
  // Matches Redis: the value is read from the whole payload, so a body that runs into the footer
  // is not an error, and bytes left after the value are not checked.
  const r = new RdbReader(p, 0, p.length, limits);
  try {
    const type = r.byte();
    return r.value(type, key);
  } catch (e) {
    if (e instanceof RdbFormatError || e instanceof RangeError) return null;
    throw e;
  }
}
