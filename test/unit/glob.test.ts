// globMatch against real redis-server: KEYS with random patterns over a fixed key set
// (case-sensitive), and COMMAND LIST FILTERBY PATTERN over command names (Redis's nocase match).
import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { globMatch } from "../../src/util/glob.ts";
import { RawConn } from "../support/conn.ts";
import { startRedis, type Running } from "../support/servers.ts";

let redis: Running;
let conn: RawConn;

/** Parse a RESP2 array of bulk strings (latin1). */
function parseBulkArray(r: string): string[] {
  if (!r.startsWith("*")) throw new Error(`not an array: ${JSON.stringify(r)}`);
  let pos = r.indexOf("\r\n");
  const n = Number(r.slice(1, pos));
  pos += 2;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const eol = r.indexOf("\r\n", pos);
    const len = Number(r.slice(pos + 1, eol));
    out.push(r.slice(eol + 2, eol + 2 + len));
    pos = eol + 2 + len + 2;
  }
  return out;
}

const KEYS = [
  "", "a", "b", "A", "ab", "abc", "aXc", "a*c", "a?c", "a[c", "a]c", "a\\c", "a-c", "a^c",
  "\xff", "\x80", "\x00", "z\xffz", "hello", "hallo", "hxllo", "h\\llo", "[", "]", "*", "?", "^", "-", "\\",
  "aaa", "aaaa", "ba", "Ab", "0", "9", "}", "\x7f",
];

beforeAll(async () => {
  redis = await startRedis();
  conn = await RawConn.connect(redis.port);
  for (const k of KEYS) expect(await conn.call("SET", k, "1")).toBe("+OK\r\n");
});
afterAll(async () => {
  conn.close();
  await redis.stop();
});

async function oracleKeys(pattern: string): Promise<string[]> {
  return parseBulkArray(await conn.call("KEYS", pattern)).sort();
}

/** KEYS's filter: the pattern "*" alone takes every key (even ""), without matching. */
function ours(pattern: string, keys: readonly string[], nocase = false): string[] {
  return keys.filter((k) => pattern === "*" || globMatch(pattern, k, nocase)).sort();
}

const patternChar = fc.constantFrom(
  "a", "b", "c", "A", "X", "h", "l", "o", "*", "*", "?", "[", "]", "^", "-", "\\", "\xff", "\x80", "\x00", "z", "0", "9",
);
const pattern = fc.array(patternChar, { maxLength: 9 }).map((cs) => cs.join(""));

test("KEYS with random patterns returns exactly the keys redis-server returns", async () => {
  await fc.assert(
    fc.asyncProperty(pattern, async (p) => {
      expect(ours(p, KEYS)).toEqual(await oracleKeys(p));
    }),
    { numRuns: 1500 },
  );
});

test("hand-picked patterns: sets, negation, reversed and signed ranges, escapes, unterminated sets", async () => {
  const pats = [
    "*", "**", "", "?", "a*", "*c", "a?c", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h[b-a]llo", "[]", "[]a]", "[^]",
    "a[", "a[^", "[a-", "[a-\xff]", "[\xff-a]", "[\x80-\xff]", "[^a-\xff]", "a\\*c", "a\\", "\\", "[\\]]", "[\\",
    "*a*a*a*", "[a-c-z]", "[--z]", "[\\a-c]", "a[\\-]c", "*[", "*\\", "[*]", "[?]",
  ];
  for (const p of pats) expect({ p, m: ours(p, KEYS) }).toEqual({ p, m: await oracleKeys(p) });
});

test("'*' nesting deeper than 1000 stops matching, as in Redis", async () => {
  const key = "a".repeat(3000);
  expect(await conn.call("SET", key, "1")).toBe("+OK\r\n");
  try {
    for (const n of [999, 1000, 1001, 1002]) {
      const p = "*a".repeat(n);
      const expected = (await oracleKeys(p)).includes(key);
      expect({ n, m: globMatch(p, key) }).toEqual({ n, m: expected });
    }
    // Runs of stars count once.
    expect(globMatch("a".repeat(10) + "*".repeat(5000), key)).toBe(true);
  } finally {
    await conn.call("DEL", key);
  }
});

test("pathological patterns stay fast (a failed '*' stops every enclosing '*')", () => {
  const key = "a".repeat(60);
  const p = "a*".repeat(30) + "b";
  const t0 = performance.now();
  expect(globMatch(p, key)).toBe(false);
  expect(performance.now() - t0).toBeLessThan(500);
});

test("nocase matching equals Redis's COMMAND LIST FILTERBY PATTERN over command names", async () => {
  const names = parseBulkArray(await conn.call("COMMAND", "LIST"));
  const nameChar = fc.constantFrom("g", "E", "t", "S", "*", "?", "[", "]", "^", "-", "\\", "a", "Z", "r", "|", "x");
  const pat = fc.array(nameChar, { maxLength: 6 }).map((cs) => cs.join(""));
  await fc.assert(
    fc.asyncProperty(pat, async (p) => {
      const theirs = parseBulkArray(await conn.call("COMMAND", "LIST", "FILTERBY", "PATTERN", p)).sort();
      expect(ours(p, names, true)).toEqual(theirs);
    }),
    { numRuns: 400 },
  );
  for (const p of ["GET", "g[A-F]t", "[Z-a]*", "*[^A-Z]", "S\\ET", "[\\S]et", "g?T*"]) {
    const theirs = parseBulkArray(await conn.call("COMMAND", "LIST", "FILTERBY", "PATTERN", p)).sort();
    expect({ p, m: ours(p, names, true) }).toEqual({ p, m: theirs });
  }
});
