// Number formatting exactly as Redis prints numbers: integers, "%.17g" doubles, inf.
// Owns number → text; parsing lives in util/number.ts.

/** C's "%.17g" (used by Redis 7.0 for double replies), with inf/-inf/nan spelled as Redis does. */
export function formatG17(d: number): string {
  if (d === Infinity) return "inf";
  if (d === -Infinity) return "-inf";
  if (Number.isNaN(d)) return "nan";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  // A safe integer has at most 16 digits: %.17g prints it exactly, in plain digits.
  if (Number.isSafeInteger(d)) return String(d);
  return formatG(d, 17);
}

/** C's "%.<p>g": scientific when exponent < -4 or >= p, trailing zeros removed. */
export function formatG(d: number, p: number): string {
  // toExponential rounds correctly except on exact ties, which it rounds away from zero where
  // C's printf rounds half to even: exactTie() corrects those few values.
  let exp = d.toExponential(p - 1); // d.ddddde±x
  const ePos = exp.indexOf("e");
  let digits = exp.slice(0, ePos).replace("-", "").replace(".", "");
  let x = Number(exp.slice(ePos + 1));
  const tie = exactTie(d, p);
  if (tie !== null) {
    digits = tie.digits;
    x = tie.x;
  }
  const sign = d < 0 ? "-" : "";
  if (x < -4 || x >= p) {
    const frac = digits.slice(1).replace(/0+$/, "");
    const ax = Math.abs(x);
    return `${sign}${digits[0]}${frac ? "." + frac : ""}e${x < 0 ? "-" : "+"}${ax < 10 ? "0" : ""}${ax}`;
  }
  let int: string;
  let frac: string;
  if (x >= 0) {
    int = digits.slice(0, x + 1);
    frac = digits.slice(x + 1);
  } else {
    int = "0";
    frac = "0".repeat(-x - 1) + digits;
  }
  frac = frac.replace(/0+$/, "");
  return `${sign}${int}${frac ? "." + frac : ""}`;
}

const LOG10_5 = Math.log10(5);

/**
 * When |d| lies exactly halfway between two p-digit decimals and the lower one ends in an even
 * digit (C rounds down there, JS up), the p digits and exponent C prints; otherwise null.
 * A tie needs an exact decimal expansion of p+1 digits ending in 5: d = m/2^k with m odd and
 * m*5^k of p+1 digits, so k <= (p+1)/log10(5) — other doubles skip the exact arithmetic.
 */
function exactTie(d: number, p: number): { digits: string; x: number } | null {
  const a = Math.abs(d);
  if (Number.isInteger(a)) return null; // integers with more than 17 digits are even: never a tie
  const k = Math.floor((p + 1) / LOG10_5);
  const scaled = a * 2 ** k; // exact: a power-of-two scale
  if (!Number.isInteger(scaled)) return null;
  const all = (BigInt(scaled) * 5n ** BigInt(k)).toString(); // exact digits of a * 10^k
  const x = all.length - 1 - k;
  const s = all.replace(/0+$/, "");
  if (s.length !== p + 1 || !s.endsWith("5")) return null;
  const last = s.charCodeAt(p - 1) - 48;
  if (last % 2 === 1) return null; // odd: both round up
  return { digits: s.slice(0, p), x };
}

/** Redis's human-readable byte sizes (INFO used_memory_human): "1.00M" style. */
export function bytesToHuman(n: number): string {
  const units = ["B", "K", "M", "G", "T", "P"];
  if (n < 1024) return `${n}B`;
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(2)}${units[i]}`;
}
