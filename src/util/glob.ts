// Glob-style matching with Redis's exact semantics (KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE…)
// over latin1 byte strings: * ? [abc] [^a] [a-z] (reversed ranges allowed) and \ escapes.
// Pure function; knows nothing of keys or clients.

/** Redis gives up (no match) once '*' recursion nests deeper than this. */
const MAX_NESTING = 1000;

/**
 * Set when a '*' has tried every remaining suffix without success: no longer match can then
 * succeed either, so every enclosing '*' stops too (keeps pathological patterns linear).
 */
let exhausted = false;

/** True if the whole of str matches pattern. nocase folds ASCII A-Z only, as C's tolower does. */
export function globMatch(pattern: string, str: string, nocase = false): boolean {
  exhausted = false;
  return match(pattern, 0, str, 0, nocase, 0);
}

/** A byte as C's signed char sees it: range ends compare as signed values in Redis. */
function signed(b: number): number {
  return b >= 128 ? b - 256 : b;
}

function lower(b: number): number {
  return b >= 65 && b <= 90 ? b + 32 : b;
}

function match(p: string, pi: number, s: string, si: number, nocase: boolean, nesting: number): boolean {
  if (nesting > MAX_NESTING) return false;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const pc = p.charCodeAt(pi);
    switch (pc) {
      case 42: {
        // '*': a run of stars is one star; a trailing star matches everything left.
        while (pi + 1 < plen && p.charCodeAt(pi + 1) === 42) pi++;
        if (pi + 1 === plen) return true;
        for (; si < slen; si++) {
          if (match(p, pi + 1, s, si, nocase, nesting + 1)) return true;
          if (exhausted) return false;
        }
        exhausted = true;
        return false;
      }
      case 63: // '?'
        si++;
        break;
      case 91: {
        // '[': a set. An unterminated set ends with the pattern.
        pi++;
        const negate = pi < plen && p.charCodeAt(pi) === 94;
        if (negate) pi++;
        const c = s.charCodeAt(si);
        let hit = false;
        for (;;) {
          if (pi >= plen) {
            pi = plen - 1;
            break;
          }
          const a = p.charCodeAt(pi);
          if (a === 92 && plen - pi >= 2) {
            // Escaped member: compared exactly, even when matching without case.
            pi++;
            if (p.charCodeAt(pi) === c) hit = true;
          } else if (a === 93) {
            break;
          } else if (plen - pi >= 3 && p.charCodeAt(pi + 1) === 45) {
            let lo = signed(a);
            let hi = signed(p.charCodeAt(pi + 2));
            let x = signed(c);
            if (lo > hi) [lo, hi] = [hi, lo];
            if (nocase) {
              lo = lower(lo);
              hi = lower(hi);
              x = lower(x);
            }
            pi += 2;
            if (x >= lo && x <= hi) hit = true;
          } else if (nocase ? lower(a) === lower(c) : a === c) {
            hit = true;
          }
          pi++;
        }
        if (negate) hit = !hit;
        if (!hit) return false;
        si++;
        break;
      }
      default: {
        // '\\' escapes the next byte (a trailing backslash is literal); the rest match themselves.
        if (pc === 92 && plen - pi >= 2) pi++;
        const a = p.charCodeAt(pi);
        const b = s.charCodeAt(si);
        if (nocase ? lower(a) !== lower(b) : a !== b) return false;
        si++;
        break;
      }
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p.charCodeAt(pi) === 42) pi++;
      break;
    }
  }
  return pi === plen && si === slen;
}
