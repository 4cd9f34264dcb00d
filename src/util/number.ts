// Strict number parsing exactly as Redis does it: string2ll (int64, no spaces, no '+', no
// leading zeros) and string2d/strtod (doubles: inf accepted, NaN and overflow refused).
// Owns text → number; formatting lives in util/format.ts.

export const INT64_MAX = (1n << 63n) - 1n;
export const INT64_MIN = -(1n << 63n);

/**
 * Redis's string2ll on a latin1 string. Returns a number when exactly representable (|v| ≤ 2^53),
 * a bigint for the rest of the int64 range, or null when s is not a canonical int64.
 */
export function string2ll(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    neg = true;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  let v = 0;
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j) - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  if (v <= Number.MAX_SAFE_INTEGER) return neg ? -v : v;
  const b = BigInt(s);
  if (b > INT64_MAX || b < INT64_MIN) return null;
  return b;
}

/** string2ll restricted to values that fit a JS number exactly; null otherwise. */
export function string2safe(s: string): number | null {
  const v = string2ll(s);
  return typeof v === "number" ? v : null;
}

/** Normalise a number|bigint int64 to a number when it is exactly representable. */
export function normInt(v: number | bigint): number | bigint {
  if (typeof v === "number") return v;
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

const DEC = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const HEX = /^[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?$/;
const INF = /^[+-]?inf(?:inity)?$/i;

/**
 * C's strtod over the whole string, as Redis's string2d/getDoubleFromObject use it: no leading
 * space, no trailing bytes, NaN refused, overflow (±HUGE_VAL from a finite literal) and
 * underflow to zero from a non-zero literal refused. Returns null when Redis would refuse.
 */
export function string2d(s: string): number | null {
  if (s.length === 0 || s.length > 5000) return null;
  if (DEC.test(s)) {
    const v = Number(s);
    if (!Number.isFinite(v)) return null; // ERANGE overflow
    if (v === 0 && /[1-9]/.test(s.replace(/[eE].*$/, ""))) return null; // ERANGE underflow
    return v;
  }
  if (INF.test(s)) return s.charCodeAt(0) === 45 ? -Infinity : Infinity;
  if (HEX.test(s)) return parseHexFloat(s);
  return null;
}

function parseHexFloat(s: string): number | null {
  let i = 0;
  let sign = 1;
  if (s[0] === "+" || s[0] === "-") {
    if (s[0] === "-") sign = -1;
    i = 1;
  }
  const body = s.slice(i + 2);
  const [mant, expPart] = body.split(/[pP]/);
  const [intPart, fracPart = ""] = mant!.split(".");
  let v = 0;
  for (const ch of intPart! + fracPart) v = v * 16 + parseInt(ch, 16);
  const exp = (expPart === undefined ? 0 : Number(expPart)) - 4 * fracPart.length;
  const r = sign * v * Math.pow(2, exp);
  return Number.isFinite(r) ? r : null;
}
