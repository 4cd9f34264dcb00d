// Random command sequences over a small key space (strings, keys, expiry, bitmaps), run on
// kvserver and on real redis-server: every reply must be identical. Replies that depend on time
// (TTL/PTTL) are compared within a tolerance. Rerun a failure with FC_SEED=<seed>.
import { afterAll, beforeAll, test } from "bun:test";
import fc from "fast-check";
import { RawConn } from "../support/conn.ts";
import { startPair, type Pair } from "../support/oracle.ts";

let pair: Pair;
let kv: RawConn;
let redis: RawConn;
beforeAll(async () => {
  pair = await startPair();
  kv = await RawConn.connect(pair.kv.port);
  redis = await RawConn.connect(pair.redis.port);
});
afterAll(async () => {
  kv.close();
  redis.close();
  await pair.stop();
});

const key = fc.constantFrom("a", "b", "c", "n");
const val = fc.oneof(
  fc.constantFrom("", "0", "1", "-1", "10", "9223372036854775806", "3.5", "abc", "\x00\xff"),
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.string({ maxLength: 6 }),
);
const int = fc.integer({ min: -5, max: 20 }).map(String);
const ttl = fc.constantFrom("100", "1000", "0", "-1", "abc");

const command = fc.oneof(
  fc.tuple(fc.constant("SET"), key, val),
  fc.tuple(fc.constant("SET"), key, val, fc.constantFrom("NX", "XX", "GET", "KEEPTTL")),
  fc.tuple(fc.constant("SET"), key, val, fc.constantFrom("EX", "PX"), ttl),
  fc.tuple(fc.constant("GET"), key),
  fc.tuple(fc.constant("GETSET"), key, val),
  fc.tuple(fc.constant("GETDEL"), key),
  fc.tuple(fc.constant("APPEND"), key, val),
  fc.tuple(fc.constant("STRLEN"), key),
  fc.tuple(fc.constantFrom("INCR", "DECR"), key),
  fc.tuple(fc.constantFrom("INCRBY", "DECRBY"), key, int),
  fc.tuple(fc.constant("INCRBYFLOAT"), key, fc.constantFrom("0.1", "-2.5", "1e3", "abc")),
  fc.tuple(fc.constant("GETRANGE"), key, int, int),
  fc.tuple(fc.constant("SETRANGE"), key, fc.integer({ min: 0, max: 10 }).map(String), val),
  fc.tuple(fc.constant("MSET"), key, val, key, val),
  fc.tuple(fc.constant("MSETNX"), key, val, key, val),
  fc.tuple(fc.constant("MGET"), key, key, key),
  fc.tuple(fc.constant("SETBIT"), key, fc.integer({ min: 0, max: 40 }).map(String), fc.constantFrom("0", "1")),
  fc.tuple(fc.constant("BITCOUNT"), key),
  fc.tuple(fc.constantFrom("DEL", "EXISTS", "TYPE", "PERSIST", "TTL", "PTTL"), key),
  fc.tuple(fc.constantFrom("RENAME", "RENAMENX", "COPY"), key, key),
  fc.tuple(fc.constantFrom("EXPIRE", "PEXPIRE"), key, ttl),
  fc.tuple(fc.constantFrom("EXPIRE"), key, ttl, fc.constantFrom("NX", "XX", "GT", "LT")),
  fc.tuple(fc.constant("DBSIZE")),
);

/** TTL/PTTL replies may differ by the time between the two calls. */
function close(cmd: string, a: string, b: string): boolean {
  if (a === b) return true;
  if (cmd !== "TTL" && cmd !== "PTTL") return false;
  const x = Number(a.slice(1));
  const y = Number(b.slice(1));
  return a[0] === ":" && b[0] === ":" && Math.abs(x - y) <= (cmd === "TTL" ? 1 : 50);
}

test("random string/key/expiry sequences give the same replies as redis-server", async () => {
  const seed = Number(process.env.FC_SEED ?? Date.now() % 1_000_000);
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40 }), async (cmds) => {
        await kv.call("FLUSHALL");
        await redis.call("FLUSHALL");
        for (const cmd of cmds) {
          const a = await kv.call(...cmd);
          const b = await redis.call(...cmd);
          if (!close(cmd[0], a, b)) {
            throw new Error(`${cmd.map((x) => JSON.stringify(x)).join(" ")}: kvserver ${JSON.stringify(a)} redis ${JSON.stringify(b)}`);
          }
        }
      }),
      { seed, numRuns: Number(process.env.FC_RUNS ?? 150) },
    );
  } catch (e) {
    console.error(`random conformance failed with FC_SEED=${seed}`);
    throw e;
  }
});
