// Blocking sorted-set pops (BZPOPMIN, BZPOPMAX, BZMPOP) over real TCP with several clients: each
// scenario runs against kvserver and against redis-server, and the two transcripts (every reply,
// in order) must be identical. Also: immediate forms and errors (RESP2 and RESP3), EXEC, and the
// AOF form of immediate and served pops compared with redis-server's own AOF.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RawConn } from "../support/conn.ts";
import { startPair, type Pair } from "../support/oracle.ts";
import { startKv, startRedis } from "../support/servers.ts";
import { decodeAt } from "../support/value.ts";
import type { PropArg } from "../../src/propagation.ts";

let pair: Pair;
beforeAll(async () => {
  pair = await startPair();
});
afterAll(async () => {
  await pair.stop();
});

interface Env {
  readonly kv: boolean;
  /** A new connection and its client id. */
  client(): Promise<{ c: RawConn; id: number }>;
  /** Wait until exactly n clients are blocked. */
  blocked(n: number): Promise<void>;
}

const opened: RawConn[] = [];

async function until(what: string, f: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(2);
  }
}

function env(kv: boolean, port: number, blockedCount: (() => number) | null): Env {
  let probe: RawConn | null = null;
  return {
    kv,
    async client() {
      const c = await RawConn.connect(port);
      opened.push(c);
      const r = await c.call("CLIENT", "ID");
      return { c, id: Number(r.slice(1, -2)) };
    },
    async blocked(n) {
      if (blockedCount !== null) return until(`${n} blocked clients`, () => blockedCount() === n);
      probe ??= await RawConn.connect(port);
      opened.push(probe);
      const p = probe;
      await until(`${n} blocked clients`, async () => /blocked_clients:(\d+)/.exec(await p.call("INFO", "clients"))?.[1] === String(n));
    },
  };
}

const kvEnv = (): Env => env(true, pair.kv.port, () => pair.kv.server.blocking.count);
const redisEnv = (): Env => env(false, pair.redis.port, null);

let scenarioNo = 0;

/** Run a scenario against both servers (with fresh key prefixes) and compare transcripts. */
async function both(scenario: (e: Env, k: (name: string) => string) => Promise<string[]>): Promise<string[]> {
  const n = scenarioNo++;
  const k = (name: string): string => `zblk${n}:${name}`;
  const kv = await scenario(kvEnv(), k);
  for (const c of opened.splice(0)) c.close();
  const redis = await scenario(redisEnv(), k);
  for (const c of opened.splice(0)) c.close();
  expect(kv).toEqual(redis);
  return kv;
}

function cmd(...args: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, "latin1")];
  for (const a of args) parts.push(Buffer.from(`$${Buffer.byteLength(a, "latin1")}\r\n${a}\r\n`, "latin1"));
  return Buffer.concat(parts);
}

test("immediate pops, argument errors and WRONGTYPE need no waiting (RESP2 and RESP3)", async () => {
  for (const proto of ["2", "3"]) {
    await both(async (e, k) => {
      const { c: a } = await e.client();
      if (proto === "3") await a.call("HELLO", "3");
      const log: string[] = [];
      const run = async (...args: string[]): Promise<void> => void log.push(`${args.join(" ")} => ${JSON.stringify(await a.call(...args))}`);
      await run("ZADD", k("z"), "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f");
      await run("BZPOPMIN", k("none"), k("z"), "0");
      await run("BZPOPMAX", k("z"), k("none"), "1.5");
      await run("BZMPOP", "0", "2", k("none"), k("z"), "MIN");
      await run("BZMPOP", "0.5", "1", k("z"), "max", "COUNT", "2");
      await run("BZMPOP", "0", "1", k("z"), "MIN", "count", "100");
      await run("EXISTS", k("z"));
      await run("ZADD", k("z"), "-inf", "lo", "inf", "hi", "1.5", "mid");
      await run("BZPOPMIN", k("z"), k("z"), "0");
      await run("BZPOPMAX", k("z"), "0");
      for (const t of ["x", "-1", "-0.5", "nan", "inf", "1e400", "", " 1", "0x", "9223372036854776", "1e30"]) {
        await run("BZPOPMIN", k("none"), t);
        await run("BZMPOP", t, "1", k("none"), "MIN");
      }
      await run("BZMPOP", "0", "0", k("z"), "MIN");
      await run("BZMPOP", "0", "-1", k("z"), "MIN");
      await run("BZMPOP", "0", "x", k("z"), "MIN");
      await run("BZMPOP", "0", "1", k("z"), "UP");
      await run("BZMPOP", "0", "3", k("z"), "MIN");
      await run("BZMPOP", "0", "1", k("z"), "MIN", "COUNT", "0");
      await run("BZMPOP", "0", "1", k("z"), "MIN", "COUNT", "-1");
      await run("BZMPOP", "0", "1", k("z"), "MIN", "COUNT");
      await run("BZMPOP", "0", "1", k("z"), "MIN", "COUNT", "1", "COUNT", "1");
      await run("BZMPOP", "0", "1", k("z"), "MIN", "extra");
      // Redis checks BZMPOP's timeout after the other arguments.
      await run("BZMPOP", "x", "0", k("z"), "UP");
      await run("BZMPOP", "x", "1", k("z"), "UP");
      await run("BZMPOP", "x", "1", k("z"), "MIN", "COUNT", "0");
      await run("BZMPOP", "-1", "1", k("z"), "MIN", "extra");
      await run("BZMPOP", "-1", "1", k("none"), "MIN");
      await run("SET", k("s"), "v");
      await run("BZPOPMIN", k("none"), k("s"), k("z"), "0");
      await run("BZPOPMAX", k("s"), "0");
      await run("BZMPOP", "0", "2", k("none"), k("s"), "MIN");
      await run("RPUSH", k("l"), "x");
      await run("BZPOPMIN", k("l"), "0");
      await run("BZPOPMIN", k("z"));
      await run("BZPOPMIN", k("z"), k("z"));
      await run("BZMPOP", "0", "1", k("z"));
      await run("ZRANGE", k("z"), "0", "-1", "WITHSCORES");
      return log;
    });
  }
});

test("BZPOPMIN and BZPOPMAX are woken by another client's ZADD and take the lowest or highest", async () => {
  await both(async (e, k) => {
    const { c: a } = await e.client();
    const { c: b } = await e.client();
    const { c: p } = await e.client();
    const log: string[] = [];
    await a.send(cmd("BZPOPMIN", k("z"), "0"));
    await e.blocked(1);
    await b.send(cmd("BZPOPMAX", k("z"), "0"));
    await e.blocked(2);
    log.push(await p.call("ZADD", k("z"), "3", "c", "1", "a", "2", "b", "10", "j"));
    log.push(await a.read(), await b.read());
    log.push(await p.call("ZRANGE", k("z"), "0", "-1", "WITHSCORES"));
    // RESP3 replies of a served pop.
    await a.call("HELLO", "3");
    await a.send(cmd("BZPOPMAX", k("r3"), "0"));
    await e.blocked(1);
    log.push(await p.call("ZADD", k("r3"), "1.5", "x", "-2", "y"));
    log.push(await a.read());
    await a.send(cmd("BZMPOP", "0", "1", k("r3b"), "MIN", "COUNT", "2"));
    await e.blocked(1);
    log.push(await p.call("ZADD", k("r3b"), "1.5", "x", "-2", "y", "7", "z"));
    log.push(await a.read());
    return log;
  });
});

test("waiters are served in the order they blocked, one member each, FIFO per key", async () => {
  await both(async (e, k) => {
    const cs: RawConn[] = [];
    for (let i = 0; i < 3; i++) cs.push((await e.client()).c);
    const { c: p } = await e.client();
    const log: string[] = [];
    for (let i = 0; i < 3; i++) {
      await cs[i]!.send(cmd(i === 1 ? "BZPOPMAX" : "BZPOPMIN", k("q"), "0"));
      await e.blocked(i + 1);
    }
    log.push(await p.call("ZADD", k("q"), "1", "one", "2", "two"));
    log.push(await cs[0]!.read(), await cs[1]!.read());
    await e.blocked(1);
    await Bun.sleep(20);
    log.push(`third pending: ${JSON.stringify(cs[2]!.drain())}`);
    log.push(await p.call("ZADD", k("q"), "3", "three", "4", "four"));
    log.push(await cs[2]!.read());
    log.push(await p.call("ZRANGE", k("q"), "0", "-1"));
    return log;
  });
});

test("a client blocked on several keys is served from the key that gets members", async () => {
  await both(async (e, k) => {
    const { c: a } = await e.client();
    const { c: b } = await e.client();
    const { c: p } = await e.client();
    const log: string[] = [];
    await a.send(cmd("BZPOPMIN", k("k1"), k("k2"), "0"));
    await e.blocked(1);
    await b.send(cmd("BZMPOP", "0", "2", k("k2"), k("k1"), "MAX", "COUNT", "5"));
    await e.blocked(2);
    log.push(await p.call("ZADD", k("k2"), "1", "x", "2", "y", "3", "z"));
    log.push(await a.read(), await b.read());
    log.push(await p.call("EXISTS", k("k2")));
    return log;
  });
});

test("BZMPOP with MIN, MAX and COUNT: each waiter takes up to its count from the key that fills", async () => {
  await both(async (e, k) => {
    const { c: a } = await e.client();
    const { c: b } = await e.client();
    const { c: c2 } = await e.client();
    const { c: p } = await e.client();
    const log: string[] = [];
    await a.send(cmd("BZMPOP", "0", "2", k("x"), k("y"), "MIN", "COUNT", "2"));
    await e.blocked(1);
    await b.send(cmd("BZMPOP", "0", "1", k("y"), "MAX"));
    await e.blocked(2);
    await c2.send(cmd("BZMPOP", "0", "1", k("y"), "max", "count", "10"));
    await e.blocked(3);
    log.push(await p.call("ZADD", k("y"), "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f"));
    log.push(await a.read(), await b.read(), await c2.read());
    log.push(await p.call("EXISTS", k("y")));
    return log;
  });
});

test("other writes that create a sorted set wake waiters: ZINCRBY, ZUNIONSTORE, ZRANGESTORE, ZADD INCR", async () => {
  await both(async (e, k) => {
    const { c: a } = await e.client();
    const { c: p } = await e.client();
    const log: string[] = [];
    await p.call("ZADD", k("src"), "1", "a", "2", "b", "3", "c");
    for (const write of [
      ["ZINCRBY", k("w"), "2.5", "m"],
      ["ZUNIONSTORE", k("w"), "1", k("src"), "WEIGHTS", "2"],
      ["ZRANGESTORE", k("w"), k("src"), "1", "2"],
      ["ZADD", k("w"), "INCR", "4", "n"],
      ["ZADD", k("w"), "NX", "CH", "4", "n", "5", "o"],
    ]) {
      await a.send(cmd("BZMPOP", "0", "1", k("w"), "MIN", "COUNT", "10"));
      await e.blocked(1);
      log.push(await p.call(...write));
      log.push(await a.read());
    }
    // Writes that leave the key missing or empty do not wake anyone.
    await a.send(cmd("BZPOPMIN", k("w"), "0"));
    await e.blocked(1);
    log.push(await p.call("ZADD", k("w"), "XX", "1", "a"));
    log.push(await p.call("ZINTERSTORE", k("w"), "2", k("src"), k("none")));
    log.push(await p.call("ZRANGESTORE", k("w"), k("src"), "5", "10"));
    await Bun.sleep(20);
    log.push(`pending: ${JSON.stringify(a.drain())}`);
    log.push(await p.call("ZADD", k("w"), "9", "last"));
    log.push(await a.read());
    return log;
  });
});

test("a key holding another type leaves a zset waiter blocked; list and zset waiters share a key", async () => {
  await both(async (e, k) => {
    const { c: a } = await e.client();
    const { c: b } = await e.client();
    const { c: p } = await e.client();
    const log: string[] = [];
    await a.send(cmd("BLPOP", k("m"), "0"));
    await e.blocked(1);
    await b.send(cmd("BZPOPMIN", k("m"), "0"));
    await e.blocked(2);
    log.push(await p.call("ZADD", k("m"), "1", "z1"));
    log.push(await b.read());
    await e.blocked(1);
    await b.send(cmd("BZPOPMIN", k("m"), "0"));
    await e.blocked(2);
    log.push(await p.call("RPUSH", k("m"), "l1"));
    log.push(await a.read());
    await e.blocked(1);
    log.push(await p.call("SET", k("m"), "str"));
    log.push(await p.call("DEL", k("m")));
    log.push(await p.call("ZADD", k("m"), "2", "z2"));
    log.push(await b.read());
    return log;
  });
});

test("timeouts: fractional seconds end the wait with a null reply; tiny negative ones wait forever", async () => {
  await both(async (e, k) => {
    const { c: a } = await e.client();
    const { c: b } = await e.client();
    const log: string[] = [];
    for (const c of [
      ["BZPOPMIN", k("t"), "0.1"],
      ["BZPOPMAX", k("t"), k("u"), ".1"],
      ["BZMPOP", "0.1", "2", k("t"), k("u"), "MAX", "COUNT", "2"],
    ]) {
      const t0 = performance.now();
      log.push(await a.call(...c));
      const ms = performance.now() - t0;
      log.push(`${c[0]} waited about 100ms: ${ms >= 90 && ms < 1500}`);
    }
    await a.call("HELLO", "3");
    log.push(await a.call("BZPOPMIN", k("t"), "0.01"), await a.call("BZMPOP", "0.01", "1", k("t"), "MIN"));
    for (const t of ["0.0001", "1e-400"]) log.push(await a.call("BZPOPMAX", k("z"), t));
    await a.send(cmd("BZPOPMIN", k("z"), "-0.0001"));
    await e.blocked(1);
    await Bun.sleep(50);
    log.push(`pending: ${JSON.stringify(a.drain())}`);
    log.push(await b.call("ZADD", k("z"), "1", "v"));
    log.push(await a.read());
    return log;
  });
});

test("a blocked client that disconnects is forgotten: the next waiter gets the member", async () => {
  await both(async (e, k) => {
    const { c: a } = await e.client();
    const { c: b } = await e.client();
    const { c: p } = await e.client();
    const log: string[] = [];
    await a.send(cmd("BZPOPMIN", k("d"), "0"));
    await e.blocked(1);
    await b.send(cmd("BZMPOP", "0", "1", k("d"), "MIN", "COUNT", "5"));
    await e.blocked(2);
    a.close();
    await e.blocked(1);
    log.push(await p.call("ZADD", k("d"), "1", "v1", "2", "v2"));
    log.push(await b.read());
    b.close();
    await e.blocked(0);
    log.push(await p.call("ZCARD", k("d")));
    return log;
  });
});

test("CLIENT UNBLOCK ends a wait as a timeout or with the UNBLOCKED error", async () => {
  await both(async (e, k) => {
    const { c: a, id: ida } = await e.client();
    const { c: b, id: idb } = await e.client();
    const { c: p } = await e.client();
    const log: string[] = [];
    await a.send(cmd("BZPOPMIN", k("u"), "0"));
    await b.send(cmd("BZMPOP", "0", "1", k("u2"), "MAX"));
    await e.blocked(2);
    log.push(await p.call("CLIENT", "UNBLOCK", String(ida)));
    log.push(await a.read());
    log.push(await p.call("CLIENT", "UNBLOCK", String(idb), "ERROR"));
    log.push(await b.read());
    log.push(await p.call("CLIENT", "UNBLOCK", String(idb), "TIMEOUT"));
    await e.blocked(0);
    log.push(await a.call("PING"));
    log.push(await p.call("ZADD", k("u"), "1", "x"));
    log.push(await p.call("ZCARD", k("u")));
    return log;
  });
});

test("pipelined commands after a blocking pop wait until it is served, then run in order", async () => {
  await both(async (e, k) => {
    const { c: a } = await e.client();
    const { c: b } = await e.client();
    const log: string[] = [];
    await a.send(Buffer.concat([cmd("BZPOPMIN", k("p"), "0"), cmd("PING"), cmd("BZMPOP", "0", "1", k("p"), "MAX"), cmd("ECHO", "end")]));
    await e.blocked(1);
    await Bun.sleep(20);
    log.push(`pending: ${JSON.stringify(a.drain())}`);
    log.push(await b.call("ZADD", k("p"), "1", "first"));
    log.push(await a.read(), await a.read());
    await e.blocked(1);
    log.push(await b.call("ZADD", k("p"), "2", "second", "3", "third"));
    log.push(await a.read(), await a.read());
    log.push(await b.call("ZRANGE", k("p"), "0", "-1"));
    return log;
  });
});

test("inside EXEC an empty BZPOPMIN/BZMPOP replies like a timeout at once (blocking denied)", async () => {
  const r = await RawConn.connect(pair.redis.port);
  await r.call("MULTI");
  await r.call("BZPOPMIN", "zdeny:k", "0");
  await r.call("BZPOPMAX", "zdeny:k", "zdeny:k2", "0");
  await r.call("BZMPOP", "0", "1", "zdeny:k", "MIN");
  const execReply = await r.call("EXEC");
  r.close();
  expect(execReply).toBe("*3\r\n*-1\r\n*-1\r\n*-1\r\n");
  const { c: a, id } = await kvEnv().client();
  const ctx = pair.kv.server.clients.get(id)!;
  ctx.denyBlocking = true;
  const replies = [
    await a.call("BZPOPMIN", "zdeny:k", "0"),
    await a.call("BZPOPMAX", "zdeny:k", "zdeny:k2", "0"),
    await a.call("BZMPOP", "0", "1", "zdeny:k", "MIN"),
  ];
  expect(`*3\r\n${replies.join("")}`).toBe(execReply);
  expect(pair.kv.server.blocking.count).toBe(0);
  for (const c of opened.splice(0)) c.close();
});

test("immediate and served pops propagate as ZPOPMIN/ZPOPMAX exactly as redis-server writes its AOF", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kv-zblk-aof-"));
  const redis = await startRedis(["--appendonly", "yes", "--dir", dir]);
  const kv = await startKv();
  const fed: string[][] = [];
  const off = kv.server.propagation.subscribe({
    feed: (_db: number, argv: readonly PropArg[]) => void fed.push(argv.map((a) => (typeof a === "string" ? a : Buffer.from(a).toString("latin1")))),
  });
  try {
    const scenario = async (e: Env): Promise<void> => {
      const { c: a } = await e.client();
      const { c: p } = await e.client();
      await p.call("ZADD", "pr:z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");
      await p.call("BZPOPMIN", "pr:z", "0");
      await p.call("BZPOPMAX", "pr:none", "pr:z", "0");
      await p.call("BZMPOP", "0", "1", "pr:z", "MIN", "COUNT", "10");
      await p.call("BZMPOP", "0.01", "1", "pr:z", "MIN");
      // ZMPOP shares the rewrite: the count logged is the number of members taken.
      await p.call("ZADD", "pr:m", "1", "a", "2", "b");
      await p.call("ZMPOP", "1", "pr:m", "MAX", "COUNT", "9");
      for (const [block, write] of [
        [["BZPOPMIN", "pr:w1", "pr:w2", "0"], ["ZADD", "pr:w2", "1", "x", "2", "y"]],
        [["BZPOPMAX", "pr:w3", "0"], ["ZADD", "pr:w3", "1", "x", "2", "y"]],
        [["BZMPOP", "0", "2", "pr:w4", "pr:w5", "MIN", "COUNT", "10"], ["ZADD", "pr:w5", "1", "x", "2", "y"]],
        [["BZMPOP", "0", "1", "pr:w6", "max"], ["ZADD", "pr:w6", "1", "x", "2", "y"]],
      ] as const) {
        await a.send(cmd(...block));
        await e.blocked(1);
        await p.call(...write);
        await a.read();
      }
      for (const c of opened.splice(0)) c.close();
    };
    await scenario(env(true, kv.port, () => kv.server.blocking.count));
    await scenario(env(false, redis.port, null));
    await Bun.sleep(50);
    const sub = join(dir, "appendonlydir");
    const file = readdirSync(sub).find((f) => f.endsWith(".incr.aof"))!;
    const text = readFileSync(join(sub, file)).toString("latin1");
    const aof: string[][] = [];
    for (let p = 0; p < text.length; ) {
      const [v, q] = decodeAt(text, p);
      p = q;
      const argv = v as string[];
      if (argv[0]!.toUpperCase() !== "SELECT") aof.push(argv);
    }
    expect(fed).toEqual(aof);
    expect(aof).toContainEqual(["ZPOPMIN", "pr:w5", "2"]);
  } finally {
    off();
    await kv.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("COMMAND INFO of BZPOPMIN, BZPOPMAX and BZMPOP matches redis-server 7.0", async () => {
  const [a, b] = await Promise.all([RawConn.connect(pair.kv.port), RawConn.connect(pair.redis.port)]);
  try {
    for (const name of ["bzpopmin", "bzpopmax", "bzmpop"]) {
      expect(await a.call("COMMAND", "INFO", name)).toBe(await b.call("COMMAND", "INFO", name));
      expect(await a.call("COMMAND", "GETKEYS", name.toUpperCase(), ...(name === "bzmpop" ? ["0", "2", "k1", "k2", "MIN"] : ["k1", "k2", "0"])))
        .toBe(await b.call("COMMAND", "GETKEYS", name.toUpperCase(), ...(name === "bzmpop" ? ["0", "2", "k1", "k2", "MIN"] : ["k1", "k2", "0"])));
    }
  } finally {
    a.close();
    b.close();
  }
});
