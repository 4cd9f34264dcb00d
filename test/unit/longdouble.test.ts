// util/longdouble against real redis-server's INCRBYFLOAT (x87 long double, "%.17Lf"): random
// decimal, exponent, hexadecimal and edge-case operands must give the same reply byte for byte.
import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { startRedis, type Running } from "../support/servers.ts";
import { RawConn } from "../support/conn.ts";
import { encodeCommand } from "../support/resp.ts";
import {
  addLongDouble,
  formatLongDouble,
  incrLongDouble,
  isFiniteLongDouble,
  longDoubleFromInt,
  parseLongDouble,
} from "../../src/util/longdouble.ts";

let redis: Running;
let conn: RawConn;

beforeAll(async () => {
  redis = await startRedis();
  conn = await RawConn.connect(redis.port);
});
afterAll(async () => {
  conn.close();
  await redis.stop();
});

/** The RESP reply kvserver would send for INCRBYFLOAT of `current` by `inc`. */
function ours(current: string, inc: string): string {
  const r = incrLongDouble(current, inc);
  if (r.ok) return `$${r.text.length}\r\n${r.text}\r\n`;
  return r.error === "nanOrInf" ? "-ERR increment would produce NaN or Infinity\r\n" : "-ERR value is not a valid float\r\n";
}

/** Redis's replies to SET k current; INCRBYFLOAT k inc, for many cases in one pipeline. */
async function oracle(cases: readonly (readonly [string, string])[]): Promise<string[]> {
  const parts: Buffer[] = [];
  for (const [a, b] of cases) parts.push(encodeCommand(["SET", "ld", a]), encodeCommand(["INCRBYFLOAT", "ld", b]));
  await conn.send(Buffer.concat(parts));
  const out: string[] = [];
  for (let i = 0; i < cases.length; i++) {
    await conn.read();
    out.push(await conn.read());
  }
  return out;
}

async function expectOracle(cases: readonly (readonly [string, string])[]): Promise<void> {
  const want = await oracle(cases);
  const got = cases.map(([a, b]) => ours(a, b));
  const diff = cases.map((c, i) => [c, got[i], want[i]]).filter(([, g, w]) => g !== w);
  expect(diff.slice(0, 10)).toEqual([]);
}

const digits = (max: number) => fc.stringMatching(new RegExp(`^[0-9]{1,${max}}$`));
const sign = fc.constantFrom("", "-", "+");

/** Decimal literals across long double's whole range, including forms strtold accepts. */
const decimal = fc.oneof(
  fc.tuple(sign, digits(20), fc.option(fc.stringMatching(/^[0-9]{0,25}$/))).map(([s, i, f]) => `${s}${i}${f === null ? "" : "." + f}`),
  fc.tuple(sign, digits(4), fc.stringMatching(/^[0-9]{0,6}$/), fc.integer({ min: -4960, max: 4940 })).map(([s, i, f, e]) => `${s}${i}.${f}e${e}`),
  fc.tuple(sign, digits(3)).map(([s, f]) => `${s}.${f}`),
  fc.tuple(sign, fc.integer({ min: 1, max: (1 << 20) - 1 })).map(([s, k]) => `${s}${(k / 2 ** 18).toString()}`),
  fc.tuple(sign, fc.double({ noNaN: true, noDefaultInfinity: true })).map(([s, d]) => `${s}${Math.abs(d)}`),
);

const hex = fc
  .tuple(sign, fc.stringMatching(/^[0-9a-fA-F]{1,20}$/), fc.option(fc.integer({ min: -16500, max: 16400 })))
  .map(([s, h, p]) => `${s}0x${h}${p === null ? "" : "p" + p}`);

const oddities = fc.constantFrom(
  "", " 1", "1 ", "\t1", "1\x00", "\x00", "inf", "-inf", "+INF", "Infinity", "infinit", "nan", "-nan", "NAN(12)",
  "1e", "1e+", "e5", ".", "-.", "1..2", "0x", "0x.p1", "0x1p", "1e5000", "-1e5000", "1e-5000", "0e-99999", "-0",
  "1.18973149535723176502e4932", "1.18973149535723176508e4932", "3.6451995318824746025e-4951", "1.8e-4951",
  "9223372036854775807", "-9223372036854775808", "18446744073709551615", "18446744073709551617",
);

const operand = fc.oneof({ weight: 5, arbitrary: decimal }, { weight: 2, arbitrary: hex }, { weight: 1, arbitrary: oddities });

test("random decimal increments agree with redis-server (fast-check)", async () => {
  await fc.assert(
    fc.asyncProperty(decimal, decimal, async (a, b) => {
      const [want] = await oracle([[a, b]]);
      expect(ours(a, b)).toBe(want!);
    }),
    { numRuns: 300 },
  );
});

test("thousands of mixed operands (hex, extremes, subnormals, malformed) agree in one pipeline", async () => {
  const cases = fc.sample(fc.tuple(operand, operand), { numRuns: 4000, seed: 20240601 });
  await expectOracle(cases);
});

test("repeated increments accumulate exactly as long double does", async () => {
  const incs = fc.sample(decimal.filter((s) => !/e[0-9]{3}/.test(s)), { numRuns: 200, seed: 7 });
  let cur = "0";
  const cases: [string, string][] = [];
  for (const inc of incs) {
    cases.push([cur, inc]);
    const r = incrLongDouble(cur, inc);
    if (r.ok) cur = r.text;
  }
  await expectOracle(cases);
});

test("the documented examples", () => {
  expect(incrLongDouble("10.50", "0.1")).toEqual({ ok: true, text: "10.6" });
  const a = incrLongDouble(0, "0.1");
  expect(a.ok).toBe(true);
  expect(incrLongDouble(a.ok ? a.text : "", "0.2")).toEqual({ ok: true, text: "0.3" });
  expect(incrLongDouble("1", "nan")).toEqual({ ok: false, error: "increment" });
  expect(incrLongDouble("x", "1")).toEqual({ ok: false, error: "value" });
  expect(incrLongDouble("inf", "1")).toEqual({ ok: false, error: "nanOrInf" });
});

test("addition is commutative and has zero as identity; ints convert exactly", () => {
  const parsed = operand.map((s) => parseLongDouble(s)).filter((x) => x !== null);
  fc.assert(
    fc.property(parsed, parsed, (x, y) => {
      expect(formatLongDouble(addLongDouble(x!, y!))).toBe(formatLongDouble(addLongDouble(y!, x!)));
      const z = addLongDouble(x!, longDoubleFromInt(0));
      expect(formatLongDouble(z)).toBe(formatLongDouble(x!));
      expect(isFiniteLongDouble(z)).toBe(isFiniteLongDouble(x!));
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (n) => {
      expect(formatLongDouble(longDoubleFromInt(n))).toBe(n.toString());
      expect(formatLongDouble(parseLongDouble(n.toString())!)).toBe(n.toString());
    }),
  );
});
