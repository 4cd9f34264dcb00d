// LCS: the longest common subsequence of two string values, its length or its matching index
// ranges, as Redis 7 computes and reports them. Owns only this command (listed with the string
// family in string.ts); it reads its keys and must not write the keyspace.
import { E } from "../errors.ts";
import { isStringValue, type StringValue } from "../types/bytestring.ts";
import { string2ll } from "../util/number.ts";
import type { Context } from "./context.ts";
import type { CommandSpec } from "./spec.ts";

/**
 * LCS of a and b by dynamic programming, walked back from the end as Redis does, so the
 * reported ranges (and the string among equal-length candidates) are the same.
 */
function lcs(c: Context, a: Uint8Array, b: Uint8Array, idx: boolean, lenOnly: boolean, minLen: number, withLen: boolean): void {
  const alen = a.length;
  const blen = b.length;
  const w = blen + 1;
  if (lenOnly) {
    // Only the length: two rows suffice.
    let prev = new Uint32Array(w);
    let row = new Uint32Array(w);
    for (let i = 1; i <= alen; i++) {
      const ai = a[i - 1];
      for (let j = 1; j <= blen; j++) {
        row[j] = ai === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, row[j - 1]!);
      }
      [prev, row] = [row, prev];
    }
    return c.reply.int(prev[blen]!);
  }
  let t: Uint32Array;
  try {
    t = new Uint32Array((alen + 1) * w);
  } catch {
    return c.error("ERR Insufficient memory, failed allocating transient memory for LCS");
  }
  for (let i = 1; i <= alen; i++) {
    const ai = a[i - 1];
    const r = i * w;
    const p = r - w;
    for (let j = 1; j <= blen; j++) {
      t[r + j] = ai === b[j - 1] ? t[p + j - 1]! + 1 : Math.max(t[p + j]!, t[r + j - 1]!);
    }
  }
  const total = t[alen * w + blen]!;
  const out = new Uint8Array(total);
  const ranges: number[] = []; // aStart, aEnd, bStart, bEnd per match
  let k = total;
  let i = alen;
  let j = blen;
  let aStart = -1;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  while (i > 0 && j > 0) {
    let close = false;
    if (a[i - 1] === b[j - 1]) {
      out[--k] = a[i - 1]!;
      if (aStart < 0) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else {
        aStart--;
        bStart--;
      }
      if (aStart === 0 || bStart === 0) close = true;
      i--;
      j--;
    } else {
      if (t[(i - 1) * w + j]! > t[i * w + j - 1]!) i--;
      else j--;
      if (aStart >= 0) close = true;
    }
    if (close) {
      if (idx && (minLen === 0 || aEnd - aStart + 1 >= minLen)) ranges.push(aStart, aEnd, bStart, bEnd);
      aStart = -1;
    }
  }
  if (!idx) return c.reply.bulkBytes(out);
  c.reply.map(2);
  c.reply.bulk("matches");
  c.reply.array(ranges.length / 4);
  for (let m = 0; m < ranges.length; m += 4) {
    c.reply.array(withLen ? 3 : 2);
    c.reply.array(2);
    c.reply.int(ranges[m]!);
    c.reply.int(ranges[m + 1]!);
    c.reply.array(2);
    c.reply.int(ranges[m + 2]!);
    c.reply.int(ranges[m + 3]!);
    if (withLen) c.reply.int(ranges[m + 1]! - ranges[m]! + 1);
  }
  c.reply.bulk("len");
  c.reply.int(total);
}

function valueBytes(v: StringValue | undefined): Uint8Array {
  if (v === undefined) return new Uint8Array(0);
  if (typeof v === "object") return v.bytes();
  return Buffer.from(typeof v === "number" ? String(v) : v, "latin1");
}

export const lcsCommand: CommandSpec = {
  name: "lcs",
  arity: -3,
  flags: ["readonly"],
  keys: [1, 2, 1],
  acl: ["string"],
  group: "string",
  since: "7.0.0",
  summary: "Finds the longest common subsequence of two string values, its length or its matching ranges.",
  complexity: "O(N*M) where N and M are the lengths of the two strings",
  run(c) {
    const va = c.lookupRead(c.args.str(1));
    const vb = c.lookupRead(c.args.str(2));
    if ((va !== undefined && !isStringValue(va)) || (vb !== undefined && !isStringValue(vb))) {
      return c.error("ERR The specified keys must contain string values");
    }
    let idx = false;
    let len = false;
    let withLen = false;
    let minLen = 0;
    const argc = c.args.argc;
    for (let j = 3; j < argc; j++) {
      if (c.args.is(j, "idx")) idx = true;
      else if (c.args.is(j, "len")) len = true;
      else if (c.args.is(j, "withmatchlen")) withLen = true;
      else if (c.args.is(j, "minmatchlen") && j + 1 < argc) {
        const m = string2ll(c.args.str(++j));
        if (m === null) return c.error(E.notInteger);
        minLen = m < 0 ? 0 : Number(m);
      } else return c.error(E.syntax);
    }
    if (idx && len) return c.error("ERR If you want both the length and indexes, please just use IDX.");
    const a = valueBytes(va);
    const b = valueBytes(vb);
    // Matches Redis: the DP table (4 bytes a cell) may not exceed proto-max-bulk-len.
    if ((a.length + 1) * (b.length + 1) * 4 > c.server.config.protoMaxBulkLen) {
      return c.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    }
    lcs(c, a, b, idx, len && !idx, minLen, withLen);
  },
};
