// C long double arithmetic as Redis's INCRBYFLOAT / HINCRBYFLOAT do it on x86-64: the x87
// 80-bit extended format (64-bit significand, 15-bit exponent), emulated exactly with BigInt.
// Owns text → long double (glibc strtold as Redis's string2ld uses it), correctly rounded
// addition, and "%.17Lf" output with trailing zeros stripped. Knows nothing of commands.

/** Significand width of the x87 extended format (explicit integer bit). */
const MANT_BITS = 64;
/** Largest unbiased exponent of a finite value's leading bit. */
const EMAX = 16383;
/** Exponent of the last significand bit of the smallest normal (and of every subnormal). */
const QMIN = -16382 - (MANT_BITS - 1);
/** string2ld refuses inputs of this many bytes or more (its stack buffer). */
const MAX_CHARS = 5 * 1024;

const TOP = 1n << BigInt(MANT_BITS);
const HALF_TOP = 1n << BigInt(MANT_BITS - 1);
const TEN17 = 10n ** 17n;

/** finite: (-1)^neg · m · 2^e; inf: ±∞; nan: not a number. */
export type LdKind = "finite" | "inf" | "nan";

export interface LongDouble {
  readonly kind: LdKind;
  readonly neg: boolean;
  /** Significand, 0 ≤ m < 2^64 (only meaningful when finite). */
  readonly m: bigint;
  readonly e: number;
}

const ZERO: LongDouble = { kind: "finite", neg: false, m: 0n, e: 0 };
const NEG_ZERO: LongDouble = { kind: "finite", neg: true, m: 0n, e: 0 };
const INF: LongDouble = { kind: "inf", neg: false, m: 0n, e: 0 };
const NEG_INF: LongDouble = { kind: "inf", neg: true, m: 0n, e: 0 };
const NAN: LongDouble = { kind: "nan", neg: false, m: 0n, e: 0 };

function zero(neg: boolean): LongDouble {
  return neg ? NEG_ZERO : ZERO;
}

function inf(neg: boolean): LongDouble {
  return neg ? NEG_INF : INF;
}

/** Number of significant bits of x > 0. */
function bitLength(x: bigint): number {
  if (x < 4294967296n) return 32 - Math.clz32(Number(x));
  const hex = x.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0]!, 16)));
}

/** floor(log2(num / den)) for num, den > 0. */
function floorLog2(num: bigint, den: bigint): number {
  const e = bitLength(num) - bitLength(den);
  const ge = e >= 0 ? num >= den << BigInt(e) : num << BigInt(-e) >= den;
  return ge ? e : e - 1;
}

/**
 * The long double nearest to (-1)^neg · num/den · 2^e2 (ties to even), with gradual
 * underflow to subnormals and overflow to infinity, as the FPU in round-to-nearest does.
 */
function round(neg: boolean, num: bigint, den: bigint, e2: number): LongDouble {
  if (num === 0n) return zero(neg);
  const top = floorLog2(num, den) + e2;
  if (top > EMAX) return inf(neg);
  let qe = top - (MANT_BITS - 1);
  if (qe < QMIN) qe = QMIN;
  if (top < QMIN - 1) return zero(neg); // below half the smallest subnormal
  const shift = qe - e2;
  let n = num;
  let d = den;
  if (shift < 0) n <<= BigInt(-shift);
  else if (shift > 0) d <<= BigInt(shift);
  let m = n / d;
  const twice = (n - m * d) << 1n;
  if (twice > d || (twice === d && (m & 1n) === 1n)) m += 1n;
  if (m === TOP) {
    m = HALF_TOP;
    qe += 1;
    if (qe + MANT_BITS - 1 > EMAX) return inf(neg);
  }
  if (m === 0n) return zero(neg);
  return { kind: "finite", neg, m, e: qe };
}

const DEC = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/;
const INF_RE = /^[+-]?(?:inf|infinity)$/i;

/** An exponent literal as a number, clamped far beyond any meaningful range. */
function expValue(s: string | undefined): number {
  if (s === undefined) return 0;
  const v = Number(s);
  return Number.isFinite(v) ? Math.max(-1e9, Math.min(1e9, v)) : s.startsWith("-") ? -1e9 : 1e9;
}

/** glibc strtold on a whole string; null when no number spans all of it, or on NaN. */
function strtold(s: string): LongDouble | null {
  let mt = DEC.exec(s);
  if (mt !== null) {
    const int = mt[2]!;
    const frac = mt[3] ?? "";
    if (int.length + frac.length === 0) return null;
    const neg = mt[1] === "-";
    let digits = (int + frac).replace(/^0+/, "");
    if (digits.length === 0) return zero(neg);
    let p = expValue(mt[4]) - frac.length;
    const trailing = digits.length - digits.replace(/0+$/, "").length;
    if (trailing > 0) {
      digits = digits.slice(0, digits.length - trailing);
      p += trailing;
    }
    const mag = p + digits.length; // value in [10^(mag-1), 10^mag)
    if (mag > 4934) return inf(neg);
    if (mag < -4955) return zero(neg);
    const d = BigInt(digits);
    if (p >= 0) return round(neg, d * 10n ** BigInt(p), 1n, 0);
    return round(neg, d, 10n ** BigInt(-p), 0);
  }
  mt = HEX.exec(s);
  if (mt !== null) {
    const int = mt[2]!;
    const frac = mt[3] ?? "";
    if (int.length + frac.length === 0) return null;
    const neg = mt[1] === "-";
    const digits = (int + frac).replace(/^0+/, "");
    if (digits.length === 0) return zero(neg);
    const e2 = expValue(mt[4]) - 4 * frac.length;
    const h = BigInt("0x" + digits);
    const mag = bitLength(h) + e2;
    if (mag > EMAX + 2) return inf(neg);
    if (mag < QMIN - 4) return zero(neg);
    return round(neg, h, 1n, e2);
  }
  if (INF_RE.test(s)) return inf(s.charCodeAt(0) === 45);
  return null;
}

/**
 * Redis's string2ld: the whole string must be a number strtold accepts, with no leading space; NaN, overflow to ±HUGE_VAL and underflow to
 * zero are refused. Infinity written out ("inf") is accepted. Returns null when refused.
 */
export function parseLongDouble(s: string): LongDouble | null {
  if (s.length === 0 || s.length >= MAX_CHARS) return null;
  const c = s; // a NUL byte anywhere is refused: no literal below admits one
  const c0 = c.charCodeAt(0);
  if (c0 === 32 || (c0 >= 9 && c0 <= 13)) return null;
  const v = strtold(c);
  if (v === null || v.kind === "nan") return null;
  if (v.kind === "inf" && !INF_RE.test(c)) return null; // ERANGE overflow
  if (v.kind === "finite" && v.m === 0n && /[1-9a-fA-F]/.test(mantissaPart(c))) return null; // ERANGE underflow
  return v;
}

/** The significand text of a numeric literal (no sign, prefix or exponent). */
function mantissaPart(s: string): string {
  const body = s.replace(/^[+-]/, "");
  if (/^0[xX]/.test(body)) return body.slice(2).replace(/[pP].*$/, "");
  return body.replace(/[eE].*$/, "");
}

/** The exact long double of an int64 (a long long converts exactly: 64-bit significand). */
export function longDoubleFromInt(v: number | bigint): LongDouble {
  const b = BigInt(v);
  if (b === 0n) return ZERO;
  return b < 0n ? { kind: "finite", neg: true, m: -b, e: 0 } : { kind: "finite", neg: false, m: b, e: 0 };
}

/** a + b, correctly rounded to nearest-even (x87 with 64-bit precision control). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.kind === "nan" || b.kind === "nan") return NAN;
  if (a.kind === "inf" || b.kind === "inf") {
    if (a.kind === "inf" && b.kind === "inf") return a.neg === b.neg ? a : NAN;
    return a.kind === "inf" ? a : b;
  }
  if (a.m === 0n) return b.m === 0n ? zero(a.neg && b.neg) : b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const am = a.m << BigInt(a.e - e);
  const bm = b.m << BigInt(b.e - e);
  const s = (a.neg ? -am : am) + (b.neg ? -bm : bm);
  if (s === 0n) return ZERO;
  return s < 0n ? round(true, -s, 1n, e) : round(false, s, 1n, e);
}

export function isFiniteLongDouble(x: LongDouble): boolean {
  return x.kind === "finite";
}

/**
 * "%.17Lf" (exact decimal expansion rounded half-even at 17 places, as glibc prints), then,
 * as Redis does for human-friendly output, trailing zeros and a bare point removed and "-0"
 * written "0". Infinities print as "inf"/"-inf", NaN as "nan".
 */
export function formatLongDouble(x: LongDouble): string {
  if (x.kind === "nan") return x.neg ? "-nan" : "nan";
  if (x.kind === "inf") return x.neg ? "-inf" : "inf";
  let n: bigint;
  if (x.e >= 0) {
    n = (x.m << BigInt(x.e)) * TEN17;
  } else {
    const k = BigInt(-x.e);
    const num = x.m * TEN17;
    n = num >> k;
    const r = num - (n << k);
    const half = 1n << (k - 1n);
    if (r > half || (r === half && (n & 1n) === 1n)) n += 1n;
  }
  let digits = n.toString();
  if (digits.length < 18) digits = "0".repeat(18 - digits.length) + digits;
  const int = digits.slice(0, digits.length - 17);
  const frac = digits.slice(digits.length - 17).replace(/0+$/, "");
  const out = frac.length === 0 ? int : `${int}.${frac}`;
  if (!x.neg || out === "0") return out;
  return "-" + out;
}

/** Outcome of an increment: the new value's text, or which operand Redis would refuse. */
export type LdIncr = { ok: true; text: string } | { ok: false; error: "value" | "increment" | "nanOrInf" };

/**
 * Redis's INCRBYFLOAT arithmetic on already-fetched operands: the current value (a number for
 * int-encoded strings, its text otherwise; absent keys count as 0) plus the increment text.
 */
export function incrLongDouble(current: number | bigint | string, increment: string): LdIncr {
  const a = typeof current === "string" ? parseLongDouble(current) : longDoubleFromInt(current);
  if (a === null) return { ok: false, error: "value" };
  const b = parseLongDouble(increment);
  if (b === null) return { ok: false, error: "increment" };
  const sum = addLongDouble(a, b);
  if (sum.kind !== "finite") return { ok: false, error: "nanOrInf" };
  return { ok: true, text: formatLongDouble(sum) };
}
