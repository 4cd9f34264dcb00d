// Round trip (fast-check): any sequence of writes — every type, several dbs, transactions,
// nondeterministic commands (SPOP, INCRBYFLOAT, SET EX), with rewrites started at random points
// and either base format — logged to the AOF and replayed at the next start gives back exactly
// the keyspace the server had. Then the same directory in real redis-server gives it too.
import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import fc from "fast-check";
import { RawConn } from "../support/conn.ts";
import type { Arg } from "../support/resp.ts";
import { dumpKeyspace, pipeline, rmDir, startKvAof, startRedisAof, tempDir } from "./aofdump.ts";

// Servers, files and child processes: generous limits on a loaded machine.
setDefaultTimeout(30000);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

const key = fc.constantFrom("k1", "k2", "k3", "bin\x00\xff", "list", "set", "zset", "hash");
const val = fc.oneof(
  fc.constantFrom("1", "-7", "42", "3.5", "", "x"),
  fc.string({ maxLength: 12 }),
  fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b).toString("latin1")),
  fc.integer({ min: 30, max: 200 }).map((n) => "v".repeat(n)),
);
const int = fc.integer({ min: -5, max: 5 }).map(String);
const score = fc.oneof(fc.constantFrom("0", "1.5", "-2", "inf", "-inf", "1e-5"), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map(String));
const db = fc.integer({ min: 0, max: 3 }).map(String);
const FAR = 4102444800000;

const write: fc.Arbitrary<Arg[]> = fc.oneof(
  fc.tuple(key, val).map(([k, v]) => ["SET", k, v]),
  fc.tuple(key, val, fc.integer({ min: 1000, max: 100000 })).map(([k, v, s]) => ["SET", k, v, "EX", String(s)]),
  fc.tuple(key, val).map(([k, v]) => ["APPEND", k, v]),
  fc.tuple(key, int).map(([k, n]) => ["INCRBY", k, n]),
  fc.tuple(key, score).map(([k, s]) => ["INCRBYFLOAT", k, s]),
  fc.tuple(key, fc.nat(20), val).map(([k, o, v]) => ["SETRANGE", k, String(o), v]),
  key.map((k) => ["DEL", k]),
  fc.tuple(key, fc.integer({ min: 0, max: 1e6 })).map(([k, t]) => ["PEXPIREAT", k, String(FAR + t)]),
  key.map((k) => ["PERSIST", k]),
  fc.tuple(key, fc.array(val, { minLength: 1, maxLength: 5 })).map(([k, vs]) => ["RPUSH", k, ...vs]),
  fc.tuple(key, fc.array(val, { minLength: 1, maxLength: 5 })).map(([k, vs]) => ["LPUSH", k, ...vs]),
  key.map((k) => ["LPOP", k]),
  fc.tuple(key, key).map(([a, b]) => ["LMOVE", a, b, "LEFT", "RIGHT"]),
  fc.tuple(key, fc.array(val, { minLength: 1, maxLength: 6 })).map(([k, vs]) => ["SADD", k, ...vs]),
  fc.tuple(key, val).map(([k, v]) => ["SREM", k, v]),
  key.map((k) => ["SPOP", k]),
  fc.tuple(key, key, val).map(([a, b, m]) => ["SMOVE", a, b, m]),
  fc.tuple(key, fc.array(fc.tuple(score, val), { minLength: 1, maxLength: 4 })).map(([k, ps]) => ["ZADD", k, ...ps.flat()]),
  fc.tuple(key, score, val).map(([k, s, m]) => ["ZINCRBY", k, s, m]),
  key.map((k) => ["ZPOPMIN", k]),
  fc.tuple(key, fc.array(fc.tuple(val, val), { minLength: 1, maxLength: 4 })).map(([k, ps]) => ["HSET", k, ...ps.flat()]),
  fc.tuple(key, val).map(([k, f]) => ["HDEL", k, f]),
  fc.tuple(key, val, score).map(([k, f, s]) => ["HINCRBYFLOAT", k, f, s]),
  fc.tuple(key, key).map(([a, b]) => ["RENAME", a, b]),
  fc.tuple(key, db).map(([k, d]) => ["MOVE", k, d]),
  fc.tuple(db, db).map(([a, b]) => ["SWAPDB", a, b]),
  db.map((d) => ["SELECT", d]),
  fc.constant<Arg[]>(["FLUSHDB"]),
);

/** A step: one command, a transaction, or a rewrite started now. */
const step: fc.Arbitrary<Arg[][]> = fc.oneof(
  { weight: 20, arbitrary: write.map((w) => [w]) },
  { weight: 2, arbitrary: fc.array(write, { minLength: 1, maxLength: 4 }).map((ws) => [["MULTI"], ...ws, ["EXEC"]]) },
  { weight: 1, arbitrary: fc.constant<Arg[][]>([["BGREWRITEAOF"]]) },
);

async function idle(port: number): Promise<void> {
  const c = await RawConn.connect(port);
  try {
    for (;;) {
      const info = await c.call("INFO", "persistence");
      if (info.includes("aof_rewrite_in_progress:0") && info.includes("aof_rewrite_scheduled:0")) return;
      await Bun.sleep(10);
    }
  } finally {
    c.close();
  }
}

describe("AOF round trip", () => {
  test("random writes → AOF → restart: the same keyspace", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 80 }),
        fc.constantFrom("yes", "no"),
        fc.constantFrom("always", "everysec", "no"),
        async (steps, preamble, fsync) => {
          const dir = tempDir();
          try {
            const kv = await startKvAof(dir, { "aof-use-rdb-preamble": preamble, appendfsync: fsync });
            let before: string;
            try {
              const c = await RawConn.connect(kv.port);
              // Pipelined in chunks: rewrites start between and during writes.
              const flat = steps.flat();
              for (let i = 0; i < flat.length; i += 17) await pipeline(c, flat.slice(i, i + 17));
              c.close();
              await idle(kv.port);
              before = await dumpKeyspace(kv.port, 4);
            } finally {
              await kv.stop();
            }
            const again = await startKvAof(dir);
            try {
              expect(await dumpKeyspace(again.port, 4)).toBe(before);
            } finally {
              await again.stop();
            }
          } finally {
            rmDir(dir);
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120000);

  test("the same directories load in real redis-server with the same keyspace", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), fc.constantFrom("yes", "no"), async (steps, preamble) => {
        const dir = tempDir();
        cleanups.push(() => rmDir(dir));
        const kv = await startKvAof(dir, { "aof-use-rdb-preamble": preamble });
        let before: string;
        try {
          const c = await RawConn.connect(kv.port);
          await pipeline(c, steps.flat());
          c.close();
          await idle(kv.port);
          before = await dumpKeyspace(kv.port, 4);
        } finally {
          await kv.stop();
        }
        const redis = await startRedisAof(dir);
        try {
          expect(await dumpKeyspace(redis.port, 4)).toBe(before);
        } finally {
          await redis.stop();
        }
      }),
      { numRuns: 15 },
    );
  }, 120000);
});
