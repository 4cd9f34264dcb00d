// Number formatting exactly as Redis prints numbers: integers, "%.17g" doubles, inf.
// Owns number → text; parsing lives in util/number.ts.

/** C's "%.17g" (used by Redis 7.0 for double replies), with inf/-inf/nan spelled as Redis does. */
export function formatG17(d: number): string {
  if (d === Infinity) return "inf";
  if (d === -Infinity) return "-inf";
  if (Number.isNaN(d)) return "nan";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  return formatG(d, 17);
}

/** C's "%.<p>g": scientific when exponent < -4 or >= p, trailing zeros removed. */
export function formatG(d: number, p: number): string {
  const exp = d.toExponential(p - 1); // d.ddddde±x, correctly rounded
  const ePos = exp.indexOf("e");
  const x = Number(exp.slice(ePos + 1));
  if (x < -4 || x >= p) {
    let mant = exp.slice(0, ePos);
    if (mant.includes(".")) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
    const ax = Math.abs(x);
    return `${mant}e${x < 0 ? "-" : "+"}${ax < 10 ? "0" : ""}${ax}`;
  }
  let fixed = d.toFixed(Math.max(0, p - 1 - x));
  if (fixed.includes(".")) fixed = fixed.replace(/0+$/, "").replace(/\.$/, "");
  return fixed;
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
