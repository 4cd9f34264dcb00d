// The reply writer: every RESP2 and RESP3 encoding byte for byte (from the RESP spec, checked
// against redis-server 7.0 replies), buffer growth, and doubles formatted as C's "%.17g".
//
// test/unit/fixtures/format-g17.txt holds IEEE-754 bit patterns and glibc's printf("%.17g")
// output for them (the format Redis 7.0 uses for double replies). It was generated once with a
// tiny C program, so the tests need no compiler:
//   while (fgets(line, ...)) { sscanf(line, "%" SCNx64, &bits); memcpy(&d, &bits, 8);
//                              printf("%016" PRIx64 " %.17g\n", bits, d); }
// fed with special values, powers of ten, boundaries of the %g exponent switch, seeded random
// bit patterns, and exact ties (m/2^k whose decimal expansion is 18 digits ending in 5), where
// C rounds half to even and JS's toExponential/toFixed round half away from zero.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Reply, type Proto } from "../../src/resp/reply.ts";
import { formatG17 } from "../../src/util/format.ts";

function written(proto: Proto, fn: (r: Reply) => void, initial?: number): string {
  const r = new Reply(initial);
  r.proto = proto;
  fn(r);
  return r.buf.subarray(0, r.pos).toString("latin1");
}
const w2 = (fn: (r: Reply) => void) => written(2, fn);
const w3 = (fn: (r: Reply) => void) => written(3, fn);
const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");

describe("encodings shared by RESP2 and RESP3", () => {
  for (const proto of [2, 3] as const) {
    const w = (fn: (r: Reply) => void) => written(proto, fn);
    test(`RESP${proto}: simple strings, errors, integers`, () => {
      expect(w((r) => r.ok())).toBe("+OK\r\n");
      expect(w((r) => r.simple("PONG"))).toBe("+PONG\r\n");
      expect(w((r) => r.simple(""))).toBe("+\r\n");
      expect(w((r) => r.error("ERR unknown command"))).toBe("-ERR unknown command\r\n");
      expect(w((r) => r.error("WRONGTYPE Operation against a key holding the wrong kind of value"))).toBe(
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
      );
      // Matches Redis: CR and LF inside an error become spaces, keeping the reply one line.
      expect(w((r) => r.error("ERR a\r\nb\rc\nd"))).toBe("-ERR a  b c d\r\n");
      expect(w((r) => r.int(0))).toBe(":0\r\n");
      expect(w((r) => r.int(9999))).toBe(":9999\r\n");
      expect(w((r) => r.int(10000))).toBe(":10000\r\n");
      expect(w((r) => r.int(-1))).toBe(":-1\r\n");
      expect(w((r) => r.int(-2147483648))).toBe(":-2147483648\r\n");
      expect(w((r) => r.int(Number.MAX_SAFE_INTEGER))).toBe(":9007199254740991\r\n");
      expect(w((r) => r.int(9223372036854775807n))).toBe(":9223372036854775807\r\n");
      expect(w((r) => r.int(-9223372036854775808n))).toBe(":-9223372036854775808\r\n");
    });

    test(`RESP${proto}: bulk strings are binary-safe`, () => {
      expect(w((r) => r.bulk(""))).toBe("$0\r\n\r\n");
      expect(w((r) => r.bulk("hello"))).toBe("$5\r\nhello\r\n");
      expect(w((r) => r.bulk("a\r\nb"))).toBe("$4\r\na\r\nb\r\n");
      expect(w((r) => r.bulk(ALL_BYTES))).toBe(`$256\r\n${ALL_BYTES}\r\n`);
      expect(w((r) => r.bulkBytes(Buffer.from(ALL_BYTES, "latin1")))).toBe(`$256\r\n${ALL_BYTES}\r\n`);
      expect(w((r) => r.bulkBytes(new Uint8Array(0)))).toBe("$0\r\n\r\n");
      expect(w((r) => r.bulkInt(-42))).toBe("$3\r\n-42\r\n");
      expect(w((r) => r.bulkInt(12345678901234567890n))).toBe("$20\r\n12345678901234567890\r\n");
    });

    test(`RESP${proto}: arrays`, () => {
      expect(w((r) => r.array(0))).toBe("*0\r\n");
      expect(w((r) => r.array(3))).toBe("*3\r\n");
      expect(w((r) => r.array(123456))).toBe("*123456\r\n");
      expect(w((r) => r.bulkArray(["a", "", "\x00\xff"]))).toBe("*3\r\n$1\r\na\r\n$0\r\n\r\n$2\r\n\x00\xff\r\n");
      expect(w((r) => r.bulkArray([]))).toBe("*0\r\n");
      expect(w((r) => r.raw(Buffer.from("+raw\r\n")))).toBe("+raw\r\n");
    });
  }
});

describe("encodings that differ between RESP2 and RESP3", () => {
  test("null bulk and null array", () => {
    expect(w2((r) => r.nil())).toBe("$-1\r\n");
    expect(w2((r) => r.nilArray())).toBe("*-1\r\n");
    expect(w3((r) => r.nil())).toBe("_\r\n");
    expect(w3((r) => r.nilArray())).toBe("_\r\n");
  });

  test("maps: %n in RESP3, a flat array of 2n in RESP2", () => {
    expect(w2((r) => r.map(2))).toBe("*4\r\n");
    expect(w2((r) => r.map(0))).toBe("*0\r\n");
    expect(w3((r) => r.map(2))).toBe("%2\r\n");
    expect(w3((r) => r.map(0))).toBe("%0\r\n");
  });

  test("sets: ~n in RESP3, an array in RESP2", () => {
    expect(w2((r) => r.set(3))).toBe("*3\r\n");
    expect(w3((r) => r.set(3))).toBe("~3\r\n");
    expect(w3((r) => r.set(0))).toBe("~0\r\n");
  });

  test("pushes: >n in RESP3, an array in RESP2", () => {
    expect(w2((r) => r.push(3))).toBe("*3\r\n");
    expect(w3((r) => r.push(3))).toBe(">3\r\n");
  });

  test("doubles: ,d in RESP3, a bulk string in RESP2 (redis-server 7.0: ZSCORE of 0.1, inf)", () => {
    expect(w2((r) => r.double(0.1))).toBe("$19\r\n0.10000000000000001\r\n");
    expect(w3((r) => r.double(0.1))).toBe(",0.10000000000000001\r\n");
    expect(w2((r) => r.double(Infinity))).toBe("$3\r\ninf\r\n");
    expect(w3((r) => r.double(Infinity))).toBe(",inf\r\n");
    expect(w3((r) => r.double(-Infinity))).toBe(",-inf\r\n");
    expect(w3((r) => r.double(0))).toBe(",0\r\n");
    expect(w2((r) => r.double(1.5))).toBe("$3\r\n1.5\r\n");
    expect(w3((r) => r.double(1e300))).toBe(",1.0000000000000001e+300\r\n");
  });

  test("booleans: #t/#f in RESP3, :1/:0 in RESP2", () => {
    expect(w2((r) => r.bool(true))).toBe(":1\r\n");
    expect(w2((r) => r.bool(false))).toBe(":0\r\n");
    expect(w3((r) => r.bool(true))).toBe("#t\r\n");
    expect(w3((r) => r.bool(false))).toBe("#f\r\n");
  });

  test("verbatim strings: =len txt: in RESP3, a bulk in RESP2", () => {
    expect(w2((r) => r.verbatim("a\r\nb"))).toBe("$4\r\na\r\nb\r\n");
    expect(w3((r) => r.verbatim("a\r\nb"))).toBe("=8\r\ntxt:a\r\nb\r\n");
    expect(w3((r) => r.verbatim(""))).toBe("=4\r\ntxt:\r\n");
    expect(w3((r) => r.verbatim("x", "mkd"))).toBe("=5\r\nmkd:x\r\n");
  });

  test("simpleRaw writes a literal line", () => {
    expect(w3((r) => r.simpleRaw("#t"))).toBe("#t\r\n");
  });

  test("switching protocol mid-buffer affects only later replies", () => {
    const r = new Reply();
    r.nil();
    r.proto = 3;
    r.nil();
    r.map(1);
    expect(r.buf.subarray(0, r.pos).toString("latin1")).toBe("$-1\r\n_\r\n%1\r\n");
  });
});

describe("buffer growth", () => {
  test("starts tiny (even empty) and grows to fit any reply", () => {
    for (const initial of [0, 1, 3, 16]) {
      expect(written(2, (r) => r.ok(), initial)).toBe("+OK\r\n");
      expect(written(2, (r) => r.int(-9223372036854775808n), initial)).toBe(":-9223372036854775808\r\n");
      expect(written(3, (r) => r.verbatim("hello"), initial)).toBe("=9\r\ntxt:hello\r\n");
      expect(written(3, (r) => r.double(-1.7976931348623157e308), initial)).toBe(",-1.7976931348623157e+308\r\n");
    }
  });

  test("many small replies and one large one keep every byte in order", () => {
    const r = new Reply(64);
    const expected: string[] = [];
    for (let i = 0; i < 5000; i++) {
      r.int(i * 7919);
      expected.push(`:${i * 7919}\r\n`);
      if (i % 1000 === 0) {
        const big = String.fromCharCode(i % 256).repeat(70000 + i);
        r.bulk(big);
        expected.push(`$${big.length}\r\n${big}\r\n`);
      }
    }
    expect(r.buf.subarray(0, r.pos).toString("latin1")).toBe(expected.join(""));
  });

  test("a 20 MB bulk", () => {
    const big = Buffer.alloc(20 * 1024 * 1024, 0xab);
    const r = new Reply();
    r.bulkBytes(big);
    expect(r.pos).toBe(big.length + "$20971520\r\n".length + 2);
    expect(r.buf.subarray(0, 11).toString("latin1")).toBe("$20971520\r\n");
    expect(r.buf.subarray(11, 11 + big.length).equals(big)).toBe(true);
    expect(r.buf.subarray(r.pos - 2, r.pos).toString("latin1")).toBe("\r\n");
  });

  test("reset empties the buffer and gives back a large one", () => {
    const r = new Reply();
    r.bulk("x".repeat(3 * 1024 * 1024));
    expect(r.buf.length).toBeGreaterThan(3 * 1024 * 1024);
    r.reset();
    expect(r.pos).toBe(0);
    expect(r.buf.length).toBeLessThanOrEqual(1024 * 1024);
    r.ok();
    expect(r.buf.subarray(0, r.pos).toString("latin1")).toBe("+OK\r\n");
  });

  test("property: any sequence of replies equals the concatenation of each written alone", () => {
    type Op = [string, (r: Reply) => void];
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.string({ unit: "binary-ascii", maxLength: 300 }).map((s): Op => [`b${s.length}`, (r) => r.bulk(s)]),
      fc.integer().map((n): Op => [`i${n}`, (r) => r.int(n)]),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n): Op => [`I${n}`, (r) => r.int(n)]),
      fc.double().map((d): Op => [`d${d}`, (r) => r.double(d)]),
      fc.nat(100000).map((n): Op => [`a${n}`, (r) => r.array(n)]),
      fc.constant<Op>(["nil", (r) => r.nil()]),
      fc.stringMatching(/^[ -~]{0,40}$/).map((s): Op => [`s${s}`, (r) => r.simple(s)]),
    );
    fc.assert(
      fc.property(fc.constantFrom<Proto>(2, 3), fc.integer({ min: 0, max: 64 }), fc.array(op, { maxLength: 60 }), (proto, initial, ops) => {
        const together = written(proto, (r) => ops.forEach(([, f]) => f(r)), initial);
        const alone = ops.map(([, f]) => written(proto, f)).join("");
        expect(together).toBe(alone);
      }),
      { numRuns: 300 },
    );
  });
});

describe("formatG17 (C's %.17g, as redis-server 7.0 prints doubles)", () => {
  const table = readFileSync(join(import.meta.dir, "fixtures", "format-g17.txt"), "latin1")
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const [hex, text] = l.split(" ") as [string, string];
      const dv = new DataView(new ArrayBuffer(8));
      dv.setBigUint64(0, BigInt(`0x${hex}`));
      return { hex, d: dv.getFloat64(0), text };
    });

  test("the fixture table is all there", () => {
    expect(table.length).toBeGreaterThan(700);
  });

  test("every value in the glibc fixture table formats identically", () => {
    const wrong = table.filter(({ d, text }) => formatG17(d) !== text).map(({ hex, d, text }) => `${hex} ${d}: want ${text}, got ${formatG17(d)}`);
    expect(wrong).toEqual([]);
  });

  test("named cases", () => {
    expect(formatG17(0)).toBe("0");
    expect(formatG17(-0)).toBe("-0");
    expect(formatG17(Infinity)).toBe("inf");
    expect(formatG17(-Infinity)).toBe("-inf");
    expect(formatG17(0.0001)).toBe("0.0001");
    expect(formatG17(0.00001)).toBe("1.0000000000000001e-05");
    expect(formatG17(1e16)).toBe("10000000000000000");
    expect(formatG17(1e17)).toBe("1e+17");
    expect(formatG17(123456789012345678)).toBe("1.2345678901234568e+17");
    expect(formatG17(5e-324)).toBe("4.9406564584124654e-324");
    expect(formatG17(1e100)).toBe("1e+100");
    // redis-server 7.0: ZADD z 737938000000000.125 m; ZSCORE z m → ties round half to even.
    expect(formatG17(737938000000000.125)).toBe("737938000000000.12");
    expect(formatG17(737938000000000.375)).toBe("737938000000000.38");
  });

  test("property: the text parses back to the same double (17 significant digits round-trip)", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (d) => {
        const s = formatG17(d);
        const back = s === "inf" ? Infinity : s === "-inf" ? -Infinity : Number(s);
        expect(Object.is(back, d)).toBe(true);
        expect(s).toMatch(/^(-?inf|-?[0-9](\.[0-9]*[1-9])?e[+-][0-9]{2,3}|-?[0-9]+(\.[0-9]*[1-9])?)$/);
      }),
      { numRuns: 3000 },
    );
  });
});
