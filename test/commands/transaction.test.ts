// MULTI/EXEC/DISCARD/WATCH/UNWATCH against real redis-server: replies byte for byte, WATCH
// invalidation by other clients, expiry, FLUSH*/SWAPDB, and the propagated form of EXEC.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { RawConn } from "../support/conn.ts";
import { runBoth, startPair, transcript, type Pair } from "../support/oracle.ts";
import { startKv, startRedis } from "../support/servers.ts";
import type { Arg } from "../support/resp.ts";
import type { PropArg } from "../../src/propagation.ts";

let pair: Pair;
beforeAll(async () => {
  pair = await startPair({ "enable-debug-command": "yes" });
});
afterAll(async () => {
  await pair.stop();
});

async function same(cmds: Arg[][]): Promise<void> {
  const { kv, redis } = await runBoth(pair, cmds);
  expect(transcript(cmds, kv)).toEqual(transcript(cmds, redis));
}

test("queueing, EXECABORT, runtime errors in their slot, and the misuse errors", async () => {
  await same([
    ["MULTI"],
    ["SET", "tx:a", "1"],
    ["LPUSH", "tx:a", "x"],
    ["INCR", "tx:a"],
    ["GET", "tx:a"],
    ["EXEC"],
    ["EXEC"],
    ["DISCARD"],
    ["MULTI"],
    ["MULTI"],
    ["WATCH", "tx:a"],
    ["EXEC"],
    ["MULTI"],
    ["EXEC"],
    ["MULTI"],
    ["NOSUCH", "x"],
    ["SET", "tx:b", "1"],
    ["EXEC"],
    ["GET", "tx:b"],
    ["MULTI"],
    ["GET"],
    ["EXEC"],
    ["MULTI"],
    ["CONFIG", "NOSUCH"],
    ["EXEC"],
    ["MULTI"],
    ["SET", "tx:c", "1"],
    ["DISCARD"],
    ["GET", "tx:c"],
    ["MULTI"],
    ["SELECT", "99"],
    ["SELECT", "3"],
    ["SET", "tx:d", "db3"],
    ["EXEC"],
    ["GET", "tx:d"],
    ["SELECT", "0"],
    ["GET", "tx:d"],
    ["MULTI"],
    ["BLPOP", "tx:empty", "0"],
    ["BRPOPLPUSH", "tx:empty", "tx:x", "0"],
    ["BZPOPMIN", "tx:empty", "0"],
    ["EXEC"],
    ["MULTI"],
    ["SET", "tx:e", "1"],
    ["EXEC", "extra"],
    ["EXEC"],
    ["GET", "tx:e"],
    ["EXEC", "extra"],
    ["MULTI"],
    ["SAVE"],
    ["EXEC"],
    ["MULTI"],
    ["UNWATCH"],
    ["PING"],
    ["ECHO", "hi"],
    ["EXEC"],
  ]);
});

test("RESP3: a failed WATCH gives a RESP3 null, the replies inside EXEC follow the protocol", async () => {
  const [a, b] = await Promise.all([RawConn.connect(pair.kv.port), RawConn.connect(pair.redis.port)]);
  const [a2, b2] = await Promise.all([RawConn.connect(pair.kv.port), RawConn.connect(pair.redis.port)]);
  try {
    for (const [c, other] of [[a, a2], [b, b2]] as const) await c.call("HELLO", "3"), void other;
    const run = async (c: RawConn, other: RawConn) => {
      const out: string[] = [];
      out.push(await c.call("HSET", "tx3:h", "f", "v"));
      out.push(await c.call("MULTI"));
      out.push(await c.call("HGETALL", "tx3:h"));
      out.push(await c.call("GET", "tx3:none"));
      out.push(await c.call("EXEC"));
      out.push(await c.call("WATCH", "tx3:h"));
      await other.call("HSET", "tx3:h", "g", "w");
      out.push(await c.call("MULTI"));
      out.push(await c.call("HGETALL", "tx3:h"));
      out.push(await c.call("EXEC"));
      return out;
    };
    expect(await run(a, a2)).toEqual(await run(b, b2));
  } finally {
    for (const c of [a, b, a2, b2]) c.close();
  }
});

/**
 * One WATCH scenario run on both servers: `setup` on the watcher, `between` from another
 * client (or the watcher itself when self is true) between WATCH and EXEC.
 */
async function watchCase(watchKeys: string[], setup: Arg[][], between: Arg[][], opts: { self?: boolean; sleepMs?: number } = {}) {
  const out: string[][] = [];
  for (const port of [pair.kv.port, pair.redis.port]) {
    const w = await RawConn.connect(port);
    const o = await RawConn.connect(port);
    try {
      const log: string[] = [];
      await w.call("FLUSHALL");
      for (const cmd of setup) log.push(await w.call(...cmd));
      log.push(await w.call("WATCH", ...watchKeys));
      for (const cmd of between) log.push(await (opts.self ? w : o).call(...cmd));
      if (opts.sleepMs) await Bun.sleep(opts.sleepMs);
      log.push(await w.call("MULTI"));
      log.push(await w.call("SET", "tx:result", "done"));
      log.push(await w.call("EXEC"));
      log.push(await w.call("GET", "tx:result"));
      out.push(log);
    } finally {
      w.close();
      o.close();
    }
  }
  expect(out[0]).toEqual(out[1]!);
  return out[0]!;
}

test("WATCH is invalidated by writes from any client and not by reads or no-op writes", async () => {
  const nil = "*-1\r\n";
  // A write by another client aborts; so does one by the watcher itself.
  expect((await watchCase(["k"], [["SET", "k", "1"]], [["SET", "k", "2"]])).at(-2)).toBe(nil);
  expect((await watchCase(["k"], [["SET", "k", "1"]], [["INCR", "k"]], { self: true })).at(-2)).toBe(nil);
  // Reads and writes to other keys do not.
  expect((await watchCase(["k"], [["SET", "k", "1"]], [["GET", "k"], ["SET", "other", "1"], ["EXISTS", "k"]])).at(-2)).not.toBe(nil);
  // Deleting a missing key, a failed SET NX, an empty LPOP: no change, no abort.
  await watchCase(["k"], [], [["DEL", "k"], ["LPOP", "k"], ["SREM", "k", "x"]]);
  await watchCase(["k"], [["SET", "k", "1"]], [["SET", "k", "x", "NX"], ["EXPIRE", "k", "100", "XX"]]);
  // Every type and the generic key commands.
  for (const between of [
    [["LPUSH", "k", "a"]],
    [["HSET", "k", "f", "v"]],
    [["SADD", "k", "m"]],
    [["ZADD", "k", "1", "m"]],
    [["SET", "src", "v"], ["RENAME", "src", "k"]],
    [["SET", "src", "v"], ["COPY", "src", "k"]],
    [["EXPIRE", "k", "100"]],
    [["APPEND", "k", "x"]],
    [["SETRANGE", "k", "0", "x"]],
    [["SETBIT", "k", "3", "1"]],
    [["SELECT", "1"], ["SET", "k", "v"], ["MOVE", "k", "0"]],
    [["SELECT", "1"], ["SET", "k", "v"]],
  ]) {
    await watchCase(["k"], [], between);
  }
  await watchCase(["k"], [["SET", "k", "1"]], [["DEL", "k"]]);
  await watchCase(["k"], [["SET", "k", "1"]], [["RENAME", "k", "k2"]]);
  await watchCase(["k"], [["SET", "k", "1"]], [["GETDEL", "k"]]);
  await watchCase(["k"], [["SET", "k", "1", "EX", "100"]], [["PERSIST", "k"]]);
  await watchCase(["a", "k"], [["RPUSH", "k", "x"]], [["LMOVE", "k", "a", "LEFT", "LEFT"]]);
  await watchCase(["d"], [["SADD", "s1", "a"], ["SADD", "s2", "a"]], [["SINTERSTORE", "d", "s1", "s2"]]);
  await watchCase(["d"], [["ZADD", "z", "1", "a"]], [["ZUNIONSTORE", "d", "1", "z"]]);
});

test("WATCH and FLUSHDB / FLUSHALL / SWAPDB: only keys that exist on either side change", async () => {
  await watchCase(["k"], [["SET", "k", "1"]], [["FLUSHDB"]]);
  await watchCase(["k"], [["SET", "k", "1"]], [["FLUSHALL"]]);
  await watchCase(["k"], [], [["FLUSHALL"]]);
  await watchCase(["k"], [], [["FLUSHDB"]]);
  await watchCase(["k"], [["SELECT", "1"], ["SET", "k", "1"], ["SELECT", "0"]], [["SWAPDB", "0", "1"]]);
  await watchCase(["k"], [["SET", "k", "1"]], [["SWAPDB", "0", "1"]]);
  await watchCase(["k"], [], [["SWAPDB", "0", "1"]]);
  await watchCase(["k"], [["SELECT", "2"], ["SET", "k", "1"], ["SELECT", "0"]], [["SWAPDB", "1", "2"]]);
});

test("WATCH and expiry: a key that expires meanwhile aborts; one already expired does not", async () => {
  // Expires between WATCH and EXEC (nobody touches it: EXEC finds it expired).
  await watchCase(["k"], [["SET", "k", "1", "PX", "40"]], [], { sleepMs: 80 });
  // Expires and is then read by another client (lazy deletion).
  await watchCase(["k"], [["SET", "k", "1", "PX", "40"]], [], { sleepMs: 80 });
  const w = await watchCase(["k"], [["SET", "k", "1", "PX", "40"]], [["DEBUG", "SLEEP", "0.08"], ["GET", "k"]]);
  expect(w.at(-2)).toBe("*-1\r\n");
  // Already expired when watched (kept by DEBUG SET-ACTIVE-EXPIRE 0), then lazily deleted.
  await watchCase(
    ["k"],
    [["DEBUG", "SET-ACTIVE-EXPIRE", "0"], ["SET", "k", "1", "PX", "1"], ["DEBUG", "SLEEP", "0.02"]],
    [["GET", "k"], ["DEBUG", "SET-ACTIVE-EXPIRE", "1"]],
  );
  // Already expired when watched, then set again: a change.
  await watchCase(
    ["k"],
    [["DEBUG", "SET-ACTIVE-EXPIRE", "0"], ["SET", "k", "1", "PX", "1"], ["DEBUG", "SLEEP", "0.02"]],
    [["SET", "k", "2"], ["DEBUG", "SET-ACTIVE-EXPIRE", "1"]],
  );
});

test("UNWATCH, DISCARD, EXEC and RESET forget watched keys; watches are per client", async () => {
  for (const forget of [["UNWATCH"], ["MULTI", "DISCARD"], ["MULTI", "EXEC"]]) {
    const out: string[][] = [];
    for (const port of [pair.kv.port, pair.redis.port]) {
      const w = await RawConn.connect(port);
      const o = await RawConn.connect(port);
      const log: string[] = [];
      log.push(await w.call("WATCH", "fk"));
      for (const c of forget) log.push(await w.call(c));
      log.push(await o.call("SET", "fk", "x"));
      log.push(await w.call("MULTI"));
      log.push(await w.call("GET", "fk"));
      log.push(await w.call("EXEC"));
      // Another client's MULTI never affects this one.
      log.push(await o.call("MULTI"));
      log.push(await w.call("SET", "fk", "y"));
      log.push(await o.call("GET", "fk"));
      log.push(await o.call("EXEC"));
      out.push(log);
      w.close();
      o.close();
    }
    expect(out[0]).toEqual(out[1]!);
  }
  const kv = await RawConn.connect(pair.kv.port);
  await kv.call("WATCH", "rk");
  await kv.call("RESET");
  const o = await RawConn.connect(pair.kv.port);
  await o.call("SET", "rk", "1");
  await kv.call("MULTI");
  expect(await kv.call("EXEC")).toBe("*0\r\n");
  kv.close();
  o.close();
  // A client that disconnects while watching leaves no watcher behind.
  const gone = await RawConn.connect(pair.kv.port);
  await gone.call("WATCH", "gk1", "gk2");
  gone.close();
  await Bun.sleep(50);
  expect(pair.kv.server.watches.empty).toBe(true);
});

test("EXEC is atomic for other clients, and wakes blocked clients only after it finished", async () => {
  for (const port of [pair.kv.port, pair.redis.port]) {
    const blocked = await RawConn.connect(port);
    const w = await RawConn.connect(port);
    await w.call("DEL", "q");
    await blocked.send("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n");
    await Bun.sleep(50);
    await w.call("MULTI");
    await w.call("RPUSH", "q", "a", "b");
    await w.call("LPOP", "q");
    await w.call("RPUSH", "q", "c");
    expect(await w.call("EXEC")).toBe("*3\r\n:2\r\n$1\r\na\r\n:2\r\n");
    // The waiter saw the final list (b c), not the first push's "a".
    expect(await blocked.read()).toBe("*2\r\n$1\r\nq\r\n$1\r\nb\r\n");
    expect(await w.call("LRANGE", "q", "0", "-1")).toBe("*1\r\n$1\r\nc\r\n");
    blocked.close();
    w.close();
  }
});

/** The write commands of real redis-server's AOF (after the first SELECT), as argv lists. */
function parseAof(text: string): string[][] {
  const out: string[][] = [];
  let i = 0;
  while (i < text.length) {
    const nl = text.indexOf("\r\n", i);
    const n = Number(text.slice(i + 1, nl));
    i = nl + 2;
    const argv: string[] = [];
    for (let k = 0; k < n; k++) {
      const nl2 = text.indexOf("\r\n", i);
      const len = Number(text.slice(i + 1, nl2));
      argv.push(text.slice(nl2 + 2, nl2 + 2 + len));
      i = nl2 + 2 + len + 2;
    }
    out.push(argv);
  }
  return out;
}

test("EXEC propagates like Redis: one write alone, several as MULTI … EXEC, reads nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kv-txaof-"));
  const redis = await startRedis(["--appendonly", "yes", "--dir", dir]);
  const kv = await startKv();
  const fed: string[][] = [];
  let lastDb = -1;
  kv.server.propagation.subscribe({
    feed(dbId: number, argv: readonly PropArg[]) {
      // Render the bus the way Redis's AOF writes it: a SELECT whenever the db changes.
      if (dbId !== lastDb) fed.push(["SELECT", String(dbId)]);
      lastDb = dbId;
      fed.push(argv.map((a) => (typeof a === "string" ? a : Buffer.from(a).toString("latin1"))));
    },
  });
  const script: Arg[][] = [
    ["MULTI"], ["SET", "a", "1"], ["EXEC"],
    ["MULTI"], ["GET", "a"], ["EXEC"],
    ["MULTI"], ["SET", "b", "1"], ["SET", "c", "1"], ["GET", "b"], ["EXEC"],
    ["MULTI"], ["INCR", "a"], ["INCR", "nosuch:notint"], ["EXEC"],
    ["MULTI"], ["SELECT", "3"], ["SET", "x", "1"], ["SELECT", "0"], ["SET", "y", "1"], ["EXEC"],
    ["MULTI"], ["SET", "e", "1", "EX", "100"], ["LPUSH", "l", "1"], ["RPOP", "l"], ["EXEC"],
    ["MULTI"], ["SET", "k", "v", "NX"], ["SET", "k", "w", "NX"], ["EXEC"],
  ];
  try {
    for (const port of [kv.port, redis.port]) {
      const c = await RawConn.connect(port);
      await c.call("SET", "nosuch:notint", "x");
      for (const cmd of script) await c.call(...cmd);
      c.close();
    }
    await Bun.sleep(100);
    const aofDir = join(dir, "appendonlydir");
    const incr = readdirSync(aofDir).find((f) => f.includes(".incr."))!;
    const fromRedis = parseAof(readFileSync(join(aofDir, incr), "latin1"));
    // Redis writes SET EX as PXAT with an absolute time: compare its shape.
    const norm = (l: string[][]) => l.map((a) => (a[0] === "SET" && a[3] === "PXAT" ? [...a.slice(0, 4), "<t>"] : a));
    expect(norm(fed)).toEqual(norm(fromRedis));
  } finally {
    await kv.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("random transactions with WATCH from two clients match redis-server reply by reply", async () => {
  const keys = ["r:a", "r:b", "r:c"];
  let runs = 0;
  const key = fc.constantFrom(...keys);
  const write = fc.oneof(
    key.map((k): Arg[] => ["SET", k, "v"]),
    key.map((k): Arg[] => ["INCR", k]),
    key.map((k): Arg[] => ["DEL", k]),
    key.map((k): Arg[] => ["LPUSH", k, "x"]),
    key.map((k): Arg[] => ["SET", k, "v", "NX"]),
  );
  const read = fc.oneof(key.map((k): Arg[] => ["GET", k]), key.map((k): Arg[] => ["EXISTS", k]));
  const step = fc.oneof(
    { weight: 3, arbitrary: fc.record({ who: fc.constantFrom(0, 1), cmd: fc.oneof(write, read) }) },
    { weight: 1, arbitrary: fc.record({ who: fc.constantFrom(0, 1), cmd: key.map((k): Arg[] => ["WATCH", k]) }) },
    { weight: 1, arbitrary: fc.record({ who: fc.constantFrom(0, 1), cmd: fc.constantFrom<Arg[]>(["MULTI"], ["EXEC"], ["DISCARD"], ["UNWATCH"], ["GET"]) }) },
  );
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
      const logs: string[][] = [];
      for (const port of [pair.kv.port, pair.redis.port]) {
        const conns = [await RawConn.connect(port), await RawConn.connect(port)];
        await conns[0]!.call("DEL", ...keys);
        const log: string[] = [];
        for (const s of steps) log.push(`${s.who} ${s.cmd.join(" ")} => ${await conns[s.who]!.call(...s.cmd)}`);
        logs.push(log);
        runs++;
        for (const c of conns) c.close();
      }
      expect(logs[0]).toEqual(logs[1]!);
    }),
    { numRuns: 60, seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined },
  );
  expect(runs).toBe(120);
});

test("CLIENT LIST shows a client in MULTI (flags x, multi=<queued>) and a dirty WATCH (d) as Redis does", async () => {
  const out: string[][] = [];
  for (const port of [pair.kv.port, pair.redis.port]) {
    const a = await RawConn.connect(port);
    const b = await RawConn.connect(port);
    await a.call("CLIENT", "SETNAME", "txa");
    await a.call("WATCH", "cl:k");
    await b.call("SET", "cl:k", "1");
    await a.call("MULTI");
    await a.call("SET", "x", "1");
    await a.call("GET", "x");
    const list = await b.call("CLIENT", "LIST");
    const line = list.split("\n").find((l) => l.includes("name=txa"))!;
    out.push(["flags", "multi"].map((f) => line.match(new RegExp(` ${f}=(\\S+)`))![1]!));
    a.close();
    b.close();
  }
  expect(out[0]).toEqual(out[1]!);
});
