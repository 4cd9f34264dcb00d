// The RESP request parser fed directly: each protocol error, the limits, inline splitting, and
// fast-check properties for resumable parsing over arbitrary chunk boundaries. Expected replies
// and argv come from redis-server 7.0 (see test/integration/protocol.test.ts for the same cases
// run against the oracle over TCP).
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Args } from "../../src/resp/args.ts";
import { INLINE_MAX_SIZE, NEED_MORE, PROTO_ERROR, RequestParser, parseLongLong, splitArgs } from "../../src/resp/parser.ts";

interface Outcome {
  argvs: string[][];
  /** The error text if parsing stopped on a protocol error. */
  error: string | null;
  /** Bytes left unparsed (a request still waiting for more input). */
  pending: number;
}

const latin1 = (s: string): Buffer => Buffer.from(s, "latin1");

/**
 * Feed chunks one at a time the way net/client.ts does: parse from the start of the carried
 * input; on NEED_MORE keep the tail from the request start and re-feed it with the next chunk
 * appended; skip parsing while fewer bytes than parser.need are buffered.
 */
function drive(chunks: readonly Uint8Array[], setup?: (p: RequestParser) => void): Outcome {
  const parser = new RequestParser();
  setup?.(parser);
  const args = new Args();
  const argvs: string[][] = [];
  let carry: Buffer = Buffer.alloc(0);
  for (const chunk of chunks) {
    // A fresh buffer each time, so a parser that kept pointers into the old one would fail.
    const buf = Buffer.concat([carry, chunk]);
    if (carry.length > 0 && buf.length < parser.need) {
      carry = buf;
      continue;
    }
    let pos = 0;
    while (pos < buf.length) {
      const r = parser.parse(buf, pos, buf.length, args);
      if (r === NEED_MORE) break;
      if (r === PROTO_ERROR) return { argvs, error: parser.error, pending: 0 };
      expect(r).toBeGreaterThan(pos);
      if (args.argc > 0) argvs.push(args.toStrings());
      pos = r;
    }
    carry = Buffer.from(buf.subarray(pos));
  }
  return { argvs, error: null, pending: carry.length };
}

const one = (s: string, setup?: (p: RequestParser) => void): Outcome => drive([latin1(s)], setup);

/** Split bytes at the given cut points (any order, duplicates allowed). */
function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

function multibulk(args: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [latin1(`*${args.length}\r\n`)];
  for (const a of args) parts.push(latin1(`$${a.length}\r\n`), Buffer.from(a), latin1("\r\n"));
  return Buffer.concat(parts);
}

describe("multibulk requests", () => {
  test("a complete request yields its argv and the position after it", () => {
    const parser = new RequestParser();
    const args = new Args();
    const buf = latin1("*2\r\n$4\r\nECHO\r\n$3\r\na\r\n\r\nrest");
    expect(parser.parse(buf, 0, buf.length, args)).toBe(buf.length - 4);
    expect(args.toStrings()).toEqual(["ECHO", "a\r\n"]);
    expect(parser.midRequest).toBe(false);
    expect(parser.need).toBe(0);
  });

  test("empty and negative counts are skipped requests (matches Redis: *0 and *-5 are ignored)", () => {
    expect(one("*0\r\n*-1\r\n*-5\r\n*1\r\n$4\r\nPING\r\n")).toEqual({ argvs: [["PING"]], error: null, pending: 0 });
  });

  test("an empty bulk is an empty argument", () => {
    expect(one("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n").argvs).toEqual([["ECHO", ""]]);
  });

  test("the two bytes after a bulk are skipped, not checked (matches Redis)", () => {
    expect(one("*1\r\n$4\r\nPINGxxPING\r\n").argvs).toEqual([["PING"], ["PING"]]);
  });

  test("a header line ends at CR: the byte after it is not checked", () => {
    expect(one("*1\rx$4\r\nPING\r\n").argvs).toEqual([["PING"]]);
  });

  test("NEED_MORE keeps the place: midRequest and need tell how far the request got", () => {
    const parser = new RequestParser();
    const args = new Args();
    const full = latin1("*2\r\n$3\r\nGET\r\n$10\r\n0123456789\r\n");
    const part = full.subarray(0, 20);
    expect(parser.parse(part, 0, part.length, args)).toBe(NEED_MORE);
    expect(parser.midRequest).toBe(true);
    expect(parser.need).toBe(full.length);
    // Re-fed from another buffer at another offset: offsets are relative to the request start.
    const moved = Buffer.concat([latin1("junk"), full]);
    expect(parser.parse(moved, 4, moved.length, args)).toBe(moved.length);
    expect(args.toStrings()).toEqual(["GET", "0123456789"]);
    expect(parser.midRequest).toBe(false);
  });

  test("a large count does not preallocate for the count", () => {
    const parser = new RequestParser();
    const args = new Args();
    const buf = latin1("*2147483647\r\n$1\r\na\r\n");
    expect(parser.parse(buf, 0, buf.length, args)).toBe(NEED_MORE);
    expect(args.starts.length).toBeLessThanOrEqual(1 << 16);
  });
});

describe("protocol errors (texts as redis-server 7.0 sends them)", () => {
  const cases: [string, string, string][] = [
    ["non-numeric count", "*abc\r\n", "ERR Protocol error: invalid multibulk length"],
    ["count above INT_MAX", "*2147483648\r\n", "ERR Protocol error: invalid multibulk length"],
    ["count past int64", "*9223372036854775808\r\n", "ERR Protocol error: invalid multibulk length"],
    ["empty count", "*\r\n", "ERR Protocol error: invalid multibulk length"],
    ["count with a leading zero", "*01\r\n$4\r\nPING\r\n", "ERR Protocol error: invalid multibulk length"],
    ["count with a plus sign", "*+1\r\n$4\r\nPING\r\n", "ERR Protocol error: invalid multibulk length"],
    ["count -0", "*-0\r\n", "ERR Protocol error: invalid multibulk length"],
    ["count with a space", "* 1\r\n", "ERR Protocol error: invalid multibulk length"],
    ["count ended by LF only (runs to the next CR)", "*1\n$4\r\nPING\r\n", "ERR Protocol error: invalid multibulk length"],
    ["bulk header without $", "*1\r\nx3\r\n", "ERR Protocol error: expected '$', got 'x'"],
    ["bulk header starting with a byte >= 0x80", "*1\r\n\xff3\r\n", "ERR Protocol error: expected '$', got '\xff'"],
    ["non-numeric bulk length", "*1\r\n$abc\r\n", "ERR Protocol error: invalid bulk length"],
    ["negative bulk length", "*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length"],
    ["empty bulk length", "*1\r\n$\r\n", "ERR Protocol error: invalid bulk length"],
    ["bulk length with a leading zero", "*1\r\n$04\r\nPING\r\n", "ERR Protocol error: invalid bulk length"],
    ["bulk length with a plus sign", "*1\r\n$+4\r\nPING\r\n", "ERR Protocol error: invalid bulk length"],
    ["bulk length above proto-max-bulk-len", "*1\r\n$536870913\r\n", "ERR Protocol error: invalid bulk length"],
    ["bulk length INT64_MAX", "*1\r\n$9223372036854775807\r\n", "ERR Protocol error: invalid bulk length"],
    ["bulk length past int64", "*1\r\n$9223372036854775808\r\n", "ERR Protocol error: invalid bulk length"],
    ["bulk length ended by LF only", "*1\r\n$4\nPING\r\n", "ERR Protocol error: invalid bulk length"],
    ["unbalanced double quote", 'PING "a\r\n', "ERR Protocol error: unbalanced quotes in request"],
    ["unbalanced single quote", "PING 'a\r\n", "ERR Protocol error: unbalanced quotes in request"],
    ["closing quote followed by a non-space", 'PING "a"b\r\n', "ERR Protocol error: unbalanced quotes in request"],
    ["a lone quote", '"\r\n', "ERR Protocol error: unbalanced quotes in request"],
    ["inline line longer than 64 KiB", "x".repeat(INLINE_MAX_SIZE + 1), "ERR Protocol error: too big inline request"],
    ["count line longer than 64 KiB", "*" + "1".repeat(INLINE_MAX_SIZE), "ERR Protocol error: too big mbulk count string"],
    ["bulk length line longer than 64 KiB", "*1\r\n$" + "1".repeat(INLINE_MAX_SIZE), "ERR Protocol error: too big bulk count string"],
    ["garbage where a bulk header goes, 64 KiB", "*1\r\n" + "x".repeat(INLINE_MAX_SIZE + 1), "ERR Protocol error: too big bulk count string"],
  ];
  for (const [name, input, error] of cases) {
    test(name, () => {
      expect(one(input).error).toBe(error);
    });
  }

  test("exactly 64 KiB without a line end still waits (the limit is 'more than')", () => {
    expect(one("x".repeat(INLINE_MAX_SIZE))).toEqual({ argvs: [], error: null, pending: INLINE_MAX_SIZE });
    expect(one("*" + "1".repeat(INLINE_MAX_SIZE - 1)).error).toBeNull();
  });

  test("the limits hold however the bytes are split", () => {
    const big = latin1("x".repeat(INLINE_MAX_SIZE + 10));
    expect(drive(splitAt(big, [1000, 30000, 65536, 65537])).error).toBe("ERR Protocol error: too big inline request");
  });

  test("requests before the error are returned", () => {
    expect(one("PING\r\nPING\r\n*1\r\nx\r\nPING\r\n")).toEqual({
      argvs: [["PING"], ["PING"]],
      error: "ERR Protocol error: expected '$', got 'x'",
      pending: 0,
    });
  });

  test("proto-max-bulk-len follows the parser's maxBulkLen", () => {
    const small = (p: RequestParser) => {
      p.maxBulkLen = 1024 * 1024;
    };
    expect(one(`*1\r\n$${1024 * 1024 + 1}\r\n`, small).error).toBe("ERR Protocol error: invalid bulk length");
    expect(one(`*1\r\n$${1024 * 1024}\r\n`, small)).toEqual({ argvs: [], error: null, pending: 14 });
  });

  test("unauthenticated clients: counts above 10 and bulks above 16384 are refused", () => {
    const auth = (p: RequestParser) => {
      p.authRequired = true;
    };
    expect(one("*11\r\n", auth).error).toBe("ERR Protocol error: unauthenticated multibulk length");
    expect(one("*10\r\n", auth).error).toBeNull();
    expect(one("*1\r\n$16385\r\n", auth).error).toBe("ERR Protocol error: unauthenticated bulk length");
    expect(one("*1\r\n$16384\r\n", auth).error).toBeNull();
    // The length checks come first.
    expect(one("*1\r\n$600000000\r\n", auth).error).toBe("ERR Protocol error: invalid bulk length");
    expect(one("*3000000000\r\n", auth).error).toBe("ERR Protocol error: invalid multibulk length");
    // Inline requests have no such limit.
    expect(one("PING " + "x".repeat(20000) + "\r\n", auth).argvs).toEqual([["PING", "x".repeat(20000)]]);
  });

  test("the parser is reusable after an error", () => {
    const parser = new RequestParser();
    const args = new Args();
    const bad = latin1("*1\r\n$4\r\nPI");
    expect(parser.parse(bad, 0, bad.length, args)).toBe(NEED_MORE);
    const worse = latin1("*1\r\n$x\r\n");
    const p2 = new RequestParser();
    expect(p2.parse(worse, 0, worse.length, args)).toBe(PROTO_ERROR);
    const ok = latin1("*1\r\n$4\r\nPING\r\n");
    expect(p2.parse(ok, 0, ok.length, args)).toBe(ok.length);
    expect(args.toStrings()).toEqual(["PING"]);
  });
});

describe("NUL bytes in line ends (Redis searches its query buffer as a C string)", () => {
  test("a NUL before a header's CR makes the request wait", () => {
    expect(one("*1\x00\r\n$4\r\nPING\r\n")).toEqual({ argvs: [], error: null, pending: 15 });
    expect(one("*1\r\n$4\x00\r\nPING\r\n").error).toBeNull();
    expect(one("*1\r\nx\x00\r\n").error).toBeNull();
  });

  test("a NUL before an inline request's LF makes it wait, up to the 64 KiB limit", () => {
    expect(one("ECHO a\x00b\r\nPING\r\n").argvs).toEqual([]);
    expect(one("\x00" + "x".repeat(INLINE_MAX_SIZE)).error).toBe("ERR Protocol error: too big inline request");
  });

  test("NUL inside a bulk is data", () => {
    expect(one("*2\r\n$4\r\nECHO\r\n$3\r\n\x00\r\n\r\n").argvs).toEqual([["ECHO", "\x00\r\n"]]);
  });
});

describe("inline requests", () => {
  const cases: [string, string, string[][]][] = [
    ["CRLF", "PING\r\n", [["PING"]]],
    ["LF alone", "PING\nPING\r\n", [["PING"], ["PING"]]],
    ["empty lines are skipped", "\r\n\r\n\nPING\r\n", [["PING"]]],
    ["blank lines are skipped", " \t \r\nPING\r\n", [["PING"]]],
    ["surrounding spaces", "   PING   \r\n", [["PING"]]],
    ["CR before CRLF is a separator", "PING\r\r\n", [["PING"]]],
    ["tab and CR split arguments", "ECHO a\tb\rc\r\n", [["ECHO", "a", "b", "c"]]],
    ["vertical tab and form feed do not split", "ECHO a\vb\fc\r\n", [["ECHO", "a\vb\fc"]]],
    ["double quotes with escapes", 'ECHO "\\x41\\x4g\\n\\z\\r\\t\\b\\a\\"\\\\"\r\n', [["ECHO", 'Ax4g\nz\r\t\b\x07"\\']]],
    ["\\x needs two hex digits", 'ECHO "\\x" "\\x4" "\\xfF"\r\n', [["ECHO", "x", "x4", "\xff"]]],
    ["single quotes: only \\' is an escape", "ECHO 'a\\'b\\n'\r\n", [["ECHO", "a'b\\n"]]],
    ["empty quoted arguments", "ECHO \"\" ''\r\n", [["ECHO", "", ""]]],
    ["quotes start mid-word", 'ECHO a"b c"\r\n', [["ECHO", "ab c"]]],
    ["bytes >= 0x80 pass through", 'ECHO "\xff" \xe9\r\n', [["ECHO", "\xff", "\xe9"]]],
    ["a closing quote may end the line", 'ECHO "a"\r\n', [["ECHO", "a"]]],
  ];
  for (const [name, input, argvs] of cases) {
    test(name, () => {
      expect(one(input)).toEqual({ argvs, error: null, pending: 0 });
    });
  }

  test("an inline line waits for its LF", () => {
    expect(one("PING")).toEqual({ argvs: [], error: null, pending: 4 });
    expect(one('ECHO "a\\')).toEqual({ argvs: [], error: null, pending: 8 });
  });
});

describe("parseLongLong (Redis's string2ll)", () => {
  const p = (s: string) => parseLongLong(latin1(s), 0, s.length);
  test("accepts canonical int64 text", () => {
    expect(p("0")).toBe(0);
    expect(p("-1")).toBe(-1);
    expect(p("2147483647")).toBe(2147483647);
    expect(p("9223372036854775807")).toBe(9223372036854775807);
    expect(p("-9223372036854775808")).toBe(-9223372036854775808);
  });
  test("refuses everything else", () => {
    for (const s of ["", "-", "+1", "01", "-0", "00", " 1", "1 ", "1a", "9223372036854775808", "-9223372036854775809", "99999999999999999999", "123456789012345678901"]) {
      expect([s, p(s)]).toEqual([s, null]);
    }
  });
  test("agrees with BigInt on random decimal text", () => {
    const min = -(2n ** 63n);
    const max = 2n ** 63n - 1n;
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: min * 2n, max: max * 2n }).map(String), fc.stringMatching(/^-?[0-9]{0,21}$/)), (s) => {
        const canonical = /^(0|-?[1-9][0-9]*)$/.test(s);
        const inRange = canonical && BigInt(s) >= min && BigInt(s) <= max;
        const r = p(s);
        if (!inRange) expect(r).toBeNull();
        else expect(r).toBe(Number(BigInt(s)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("splitArgs (Redis's sdssplitargs, also used for config lines)", () => {
  const split = (s: string) => splitArgs(latin1(s), 0, s.length);
  test("a NUL ends the input", () => {
    expect(split("a b\x00c d")).toEqual(["a", "b"]);
    expect(split("a\x00")).toEqual(["a"]);
    expect(split('"a\x00"')).toBeNull();
  });
  test("only spaces gives no arguments", () => {
    expect(split("")).toEqual([]);
    expect(split(" \t\r\n\v\f")).toEqual([]);
  });
});

// ---- properties ----

/** An inline-safe word: no separators, quotes, NUL, and not starting a multibulk. */
const inlineWord = fc.stringMatching(/^[A-Za-z0-9_:.\-+=\u0080-\u00ff]{1,12}$/).filter((w) => !w.startsWith("*"));

/** Any bytes as a double-quoted inline argument using \xHH escapes. */
const quotedArg = fc.uint8Array({ maxLength: 12 }).map((b) => ({
  text: `"${Array.from(b, (x) => `\\x${x.toString(16).padStart(2, "0")}`).join("")}"`,
  value: Buffer.from(b).toString("latin1"),
}));

interface Req {
  bytes: Buffer;
  argv: string[] | null; // null: an empty request (skipped)
}

const multibulkReq: fc.Arbitrary<Req> = fc
  .array(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(latin1("\r\n"), latin1("*1\r\n$"), latin1("\r\n\r\n"))), {
    minLength: 1,
    maxLength: 6,
  })
  .map((args) => ({ bytes: multibulk(args), argv: args.map((a) => Buffer.from(a).toString("latin1")) }));

const inlineReq: fc.Arbitrary<Req> = fc
  .tuple(
    inlineWord,
    fc.array(fc.oneof(inlineWord.map((w) => ({ text: w, value: w })), quotedArg), { maxLength: 4 }),
    fc.constantFrom("\r\n", "\n"),
    fc.constantFrom(" ", "  ", "\t"),
  )
  .map(([cmd, rest, eol, sep]) => ({
    bytes: latin1([cmd, ...rest.map((r) => r.text)].join(sep) + eol),
    argv: [cmd, ...rest.map((r) => r.value)],
  }));

const emptyReq: fc.Arbitrary<Req> = fc.constantFrom("*0\r\n", "*-1\r\n", "\r\n", "\n", "  \r\n").map((s) => ({ bytes: latin1(s), argv: null }));

const requests = fc.array(fc.oneof({ weight: 5, arbitrary: multibulkReq }, { weight: 3, arbitrary: inlineReq }, { weight: 1, arbitrary: emptyReq }), {
  minLength: 1,
  maxLength: 25,
});

describe("properties", () => {
  test("valid requests split at arbitrary points parse to the same argv sequence", () => {
    fc.assert(
      fc.property(requests, fc.array(fc.nat(), { maxLength: 30 }), (reqs, cuts) => {
        const all = Buffer.concat(reqs.map((r) => r.bytes));
        const expected = reqs.filter((r) => r.argv !== null).map((r) => r.argv);
        expect(drive(splitAt(all, cuts))).toEqual({ argvs: expected as string[][], error: null, pending: 0 });
      }),
      { numRuns: 400 },
    );
  });

  test("valid requests fed one byte at a time parse the same", () => {
    fc.assert(
      fc.property(requests, (reqs) => {
        const all = Buffer.concat(reqs.map((r) => r.bytes));
        const bytes = Array.from({ length: all.length }, (_, i) => all.subarray(i, i + 1));
        const expected = reqs.filter((r) => r.argv !== null).map((r) => r.argv);
        expect(drive(bytes).argvs).toEqual(expected as string[][]);
      }),
      { numRuns: 60 },
    );
  });

  // Bytes biased toward protocol characters so headers, bulks and quotes are exercised.
  const protoByte = fc.oneof(
    fc.integer({ min: 0, max: 255 }),
    fc.constantFrom(...Array.from("*$\r\n0123456789-\"' \\x\x00", (c) => c.charCodeAt(0))),
  );
  const junk = fc.oneof(
    fc.array(protoByte, { maxLength: 300 }).map((a) => Uint8Array.from(a)),
    fc.uint8Array({ maxLength: 300 }),
  );

  test("arbitrary bytes never throw, and the outcome does not depend on how they are split", () => {
    fc.assert(
      fc.property(junk, fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
        const whole = drive([bytes]);
        const split = drive(splitAt(bytes, cuts));
        expect(split).toEqual(whole);
      }),
      { numRuns: 2000 },
    );
  });

  test("arbitrary bytes after valid requests never lose the valid ones", () => {
    fc.assert(
      fc.property(requests, junk, (reqs, tail) => {
        const all = Buffer.concat([...reqs.map((r) => r.bytes), tail]);
        const expected = reqs.filter((r) => r.argv !== null).map((r) => r.argv);
        expect(drive([all]).argvs.slice(0, expected.length)).toEqual(expected as string[][]);
      }),
      { numRuns: 300 },
    );
  });
});
