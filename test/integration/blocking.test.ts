// Blocking list pops over real TCP with several clients: each scenario runs against kvserver
// and against redis-server, and the two transcripts (every reply, in order) must be identical.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { RawConn } from "../support/conn.ts";
import { startPair, type Pair } from "../support/oracle.ts";
import type { PropArg } from "../../src/propagation.ts";
import { BlockingRegistry, parseTimeoutSeconds, type Waiter } from "../../src/keyspace/blocking.ts";
import { ManualClock } from "../../src/util/clock.ts";

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
  /** CLIENT UNBLOCK id [ERROR]; the reply as a transcript line. */
  unblock(by: RawConn, id: number, withError: boolean): Promise<string>;
}

const opened: RawConn[] = [];

async function until(what: string, f: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(2);
  }
}

function kvEnv(): Env {
  const srv = pair.kv.server;
  return {
    kv: true,
    async client() {
      const c = await RawConn.connect(pair.kv.port);
      opened.push(c);
      await c.call("PING");
      return { c, id: Math.max(...srv.clients.keys()) };
    },
    async blocked(n) {
      await until(`${n} blocked clients`, () => srv.blocking.count === n);
    },
    // CLIENT UNBLOCK is wired by the client family; until then call the registry it will use.
    async unblock(_by, id, withError) {
      return `:${srv.blocking.unblock(id, withError) ? 1 : 0}\r\n`;
    },
  };
}

function redisEnv(): Env {
  let probe: RawConn | null = null;
  return {
    kv: false,
    async client() {
      const c = await RawConn.connect(pair.redis.port);
      opened.push(c);
      const r = await c.call("CLIENT", "ID");
      return { c, id: Number(r.slice(1, -2)) };
    },
    async blocked(n) {
      probe ??= await RawConn.connect(pair.redis.port);
      opened.push(probe);
      const p = probe;
      await until(`${n} blocked clients`, async () => /blocked_clients:(\d+)/.exec(await p.call("INFO", "clients"))?.[1] === String(n));
    },
    async unblock(by, id, withError) {
      return withError ? by.call("CLIENT", "UNBLOCK", id, "ERROR") : by.call("CLIENT", "UNBLOCK", id);
    },
  };
}

let scenarioNo = 0;

/** Run a scenario against both servers (with fresh key prefixes) and compare transcripts. */
async function both(scenario: (e: Env, k: (name: string) => string) => Promise<string[]>): Promise<string[]> {
  const n = scenarioNo++;
  const k = (name: string): string => `blk${n}:${name}`;
  const kv = await scenario(kvEnv(), k);
  const redis = await scenario(redisEnv(), k);
  for (const c of opened.splice(0)) c.close();
  if (process.env.BLK_DEBUG) console.log(JSON.stringify(redis));
  expect(kv).toEqual(redis);
  return kv;
}

test("BLPOP is woken by another client's push and gets the element the whole push left first", async () => {
  const t = await both(async (e, k) => {
    const { c: a } = await e.client();
    const { c: b } = await e.client();
    const log: string[] = [];
    await a.send(cmd("BLPOP", k("l"), "0"));
    await e.blocked(1);
    log.push(await b.call("RPUSH", k("l"), "x", "y", "z"));
    log.push(await a.read());
    log.push(await b.call("LRANGE", k("l"), "0", "-1"));
    await a.send(cmd("BRPOP", k("m"), k("l"), "0"));
    log.push(await a.read());
    log.push(await b.call("LPOP", k("l")));
    await a.send(cmd("BLPOP", k("l"), "0"));
    await e.blocked(1);
    log.push(await b.call("LPUSH", k("l"), "1", "2", "3"));
    log.push(await a.read());
    log.push(await b.call("LLEN", k("l")));
    return log;
  });
  expect(t[1]).toContain("$1\r\nx\r\n");
});

test("waiters are served in the order they blocked, one element each, FIFO per key", async () => {
  await both(async (e, k) => {
    const cs = [];
    for (let i = 0; i < 3; i++) cs.push((await e.client()).c);
    const { c: p } = await e.client();
    const log: string[] = [];
    for (let i = 0; i < 3; i++) {
      await cs[i]!.send(cmd("BLPOP", k("q"), "0"));
      await e.blocked(i + 1);
    }
    log.push(await p.call("RPUSH", k("q"), "1", "2"));
    log.push(await cs[0]!.read(), await cs[1]!.read());
    await e.blocked(1);
    await Bun.sleep(20);
    log.push(`third pending: ${JSON.stringify(cs[2]!.drain())}`);
    log.push(await p.call("RPUSH", k("q"), "3", "4"));
    log.push(await cs[2]!.read());
    log.push(await p.call("LRANGE", k("q"), "0", "-1"));
    return log;
  });
});

test("a client blocked on several keys is served from the first key that gets data", async () => {
  await both(async (e, k) => {
    const { c: a } = await e.client();
    const { c: b } = await e.client();
    const { c: p } = await e.client();
    const log: string[] = [];
    await a.send(cmd("BLPOP", k("k1"), k("k2"), "0"));
    await e.blocked(1);
    await b.send(cmd("BRPOP", k("k2"), k("k1"), "0"));
    await e.blocked(2);
    log.push(await p.call("RPUSH", k("k2"), "x", "y"));
    log.push(await a.read(), await b.read());
    log.push(await p.call("LLEN", k("k2")));
    return log;
  });
});

test("timeouts: fractional seconds end the wait with a null reply for each command", async () => {
  await both(async (e, k) => {
    const { c: a } = await e.client();
    const log: string[] = [];
    for (const c of [
      ["BLPOP", k("t"), "0.1"],
      ["BRPOP", k("t"), k("u"), ".1"],
      ["BLMOVE", k("t"), k("d"), "LEFT", "RIGHT", "0.1"],
      ["BRPOPLPUSH", k("t"), k("d"), "0.1"],
      ["BLMPOP", "0.1", "2", k("t"), k("u"), "LEFT", "COUNT", "2"],
    ]) {
      const t0 = performance.now();
      log.push(await a.call(...c));
      const ms = performance.now() - t0;
      log.push(`${c[0]} waited about 100ms: ${ms >= 90 && ms < 1500}`);
    }
    log.push(await a.call("LLEN", k("d")));
    return log;
  });
});

test("timeouts round up to whole ms: a tiny positive one expires, a tiny negative one waits forever", async () => {
  await both(async (e, k) => {
    const { c: a } = await e.client();
    const { c: b } = await e.client();
    const log: string[] = [];
    for (const t of ["0.0001", "1e-400", "0x0.0001p0"]) log.push(await a.call("BLPOP", k("z"), t));
    await a.send(cmd("BLPOP", k("z"), "-0.0001"));
    await e.blocked(1);
    await Bun.sleep(50);
    log.push(`pending: ${JSON.stringify(a.drain())}`);
    log.push(await b.call("RPUSH", k("z"), "v"));
    log.push(await a.read());
    return log;
  });
});

test("timeout argument errors and WRONGTYPE are immediate; non-empty lists are served at once", async () => {
  await both(async (e, k) => {
    const { c: a } = await e.client();
    const log: string[] = [];
    const run = async (...args: string[]): Promise<void> => void log.push(`${args.join(" ")} => ${JSON.stringify(await a.call(...args))}`);
    for (const t of ["x", "-1", "-0.5", "nan", "inf", "-inf", "1e400", "1e5000", "1e-5000", "", " 1", "1 ", "0x", "9223372036854776", "1e30"]) {
      await run("BLPOP", k("e"), t);
    }
    await run("BLMPOP", "x", "1", k("e"), "LEFT");
    await run("BLMPOP", "0", "0", k("e"), "LEFT");
    await run("BLMPOP", "0", "1", k("e"), "UP");
    await run("BLMPOP", "0", "1", k("e"), "LEFT", "COUNT", "0");
    await run("BLMPOP", "-1", "1", k("e"), "LEFT");
    await run("BLMOVE", k("e"), k("d"), "UP", "LEFT", "x");
    await run("BLMOVE", k("e"), k("d"), "LEFT", "LEFT", "x");
    await run("BRPOPLPUSH", k("e"), k("d"), "-1");
    await run("SET", k("s"), "v");
    await run("BLPOP", k("e"), k("s"), "0");
    await run("BRPOP", k("s"), "0");
    await run("BLMOVE", k("s"), k("d"), "LEFT", "LEFT", "0");
    await run("BRPOPLPUSH", k("s"), k("d"), "0");
    await run("BLMPOP", "0", "2", k("e"), k("s"), "LEFT");
    await run("RPUSH", k("l"), "a", "b", "c", "d", "e", "f");
    await run("BLPOP", k("e"), k("l"), "0");
    await run("BRPOP", k("l"), k("s"), "0");
    await run("BLMOVE", k("l"), k("d"), "LEFT", "RIGHT", "0");
    await run("BLMOVE", k("l"), k("s"), "LEFT", "RIGHT", "0");
    await run("BRPOPLPUSH", k("l"), k("d"), "0");
    await run("BLMPOP", "0", "2", k("e"), k("l"), "RIGHT", "COUNT", "5");
    await run("LLEN", k("l"));
    await run("LRANGE", k("d"), "0", "-1");
    await run("BLPOP", k("e"));
    await run("BLMOVE", k("e"), k("d"), "LEFT", "LEFT");
    await run("BLMPOP", "0", "1", k("e"));
    return log;
  });
});

test("BLMOVE and BRPOPLPUSH served later move the element; a chain wakes the next waiter", async () => {
  await both(async (e, k) => {
    const { c: a } = await e.client();
    const { c: b } = await e.client();
    const { c: p } = await e.client();
    const log: string[] = [];
    await a.send(cmd("BLMOVE", k("src"), k("mid"), "RIGHT", "LEFT", "0"));
    await e.blocked(1);
    await b.send(cmd("BRPOPLPUSH", k("mid"), k("dst"), "0"));
    await e.blocked(2);
    log.push(await p.call("RPUSH", k("src"), "1", "2"));
    log.push(await a.read(), await b.read());
    log.push(await p.call("LRANGE", k("src"), "0", "-1"));
    log.push(await p.call("LRANGE", k("mid"), "0", "-1"));
    log.push(await p.call("LRANGE", k("dst"), "0", "-1"));
    // Rotation onto the same key.
    await a.send(cmd("BLMOVE", k("rot"), k("rot"), "LEFT", "RIGHT", "0"));
    await e.blocked(1);
    log.push(await p.call("RPUSH", k("rot"), "x", "y"));
    log.push(await a.read());
    log.push(await p.call("LRANGE", k("rot"), "0", "-1"));
    return log;
  });
});

test("a served BLMOVE whose destination became another type gets WRONGTYPE; the element stays", async () => {
  await both(async (e, k) => {
    const { c: a } = await e.client();
    const { c: b } = await e.client();
    const { c: p } = await e.client();
    const log: string[] = [];
    await a.send(cmd("BLMOVE", k("src"), k("dst"), "LEFT", "LEFT", "0"));
    await e.blocked(1);
    await b.send(cmd("BLPOP", k("src"), "0"));
    await e.blocked(2);
    log.push(await p.call("SET", k("dst"), "string"));
    log.push(await p.call("RPUSH", k("src"), "v"));
    log.push(await a.read(), await b.read());
    log.push(await p.call("LLEN", k("src")));
    return log;
  });
});

test("BLMPOP waits on several keys and pops up to COUNT from the one that fills", async () => {
  await both(async (e, k) => {
    const { c: a } = await e.client();
    const { c: b } = await e.client();
    const { c: p } = await e.client();
    const log: string[] = [];
    await a.send(cmd("BLMPOP", "0", "2", k("x"), k("y"), "RIGHT", "COUNT", "3"));
    await e.blocked(1);
    await b.send(cmd("BLMPOP", "0", "1", k("y"), "LEFT"));
    await e.blocked(2);
    log.push(await p.call("RPUSH", k("y"), "a", "b", "c", "d", "e"));
    log.push(await a.read(), await b.read());
    log.push(await p.call("LRANGE", k("y"), "0", "-1"));
    return log;
  });
});

test("pipelined commands after a blocking command wait until it is served, then run in order", async () => {
  await both(async (e, k) => {
    const { c: a } = await e.client();
    const { c: b } = await e.client();
    const log: string[] = [];
    await a.send(Buffer.concat([cmd("BLPOP", k("p"), "0"), cmd("PING"), cmd("RPUSH", k("after"), "1"), cmd("BLPOP", k("p"), "0"), cmd("ECHO", "end")]));
    await e.blocked(1);
    await a.send(cmd("PING", "while-blocked"));
    await Bun.sleep(30);
    log.push(`pending: ${JSON.stringify(a.drain())}`);
    log.push(await b.call("LLEN", k("after")));
    log.push(await b.call("RPUSH", k("p"), "first"));
    log.push(await a.read(), await a.read(), await a.read());
    await e.blocked(1);
    log.push(await b.call("RPUSH", k("p"), "second"));
    log.push(await a.read(), await a.read(), await a.read());
    log.push(await a.call("PING"));
    return log;
  });
});

test("a blocked client that disconnects is forgotten: the next waiter gets the element", async () => {
  await both(async (e, k) => {
    const { c: a } = await e.client();
    const { c: b } = await e.client();
    const { c: p } = await e.client();
    const log: string[] = [];
    await a.send(cmd("BLPOP", k("d"), "0"));
    await e.blocked(1);
    await b.send(cmd("BLPOP", k("d"), "0"));
    await e.blocked(2);
    a.close();
    await e.blocked(1);
    log.push(await p.call("RPUSH", k("d"), "v1", "v2"));
    log.push(await b.read());
    b.close();
    await e.blocked(0);
    log.push(await p.call("LRANGE", k("d"), "0", "-1"));
    return log;
  });
});

test("CLIENT UNBLOCK ends a wait as a timeout or with the UNBLOCKED error", async () => {
  await both(async (e, k) => {
    const { c: a, id: ida } = await e.client();
    const { c: b, id: idb } = await e.client();
    const { c: p } = await e.client();
    const log: string[] = [];
    await a.send(cmd("BLPOP", k("u"), "0"));
    await b.send(cmd("BLMOVE", k("u2"), k("v"), "LEFT", "LEFT", "0"));
    await e.blocked(2);
    log.push(await e.unblock(p, ida, false));
    log.push(await a.read());
    log.push(await e.unblock(p, idb, true));
    log.push(await b.read());
    log.push(await e.unblock(p, idb, false));
    await e.blocked(0);
    log.push(await a.call("PING"));
    return log;
  });
});

test("kvserver: served and immediate blocking pops propagate as their non-blocking forms", async () => {
  const kv = pair.kv.server;
  const log: string[] = [];
  const off = kv.propagation.subscribe({ feed: (_db: number, argv: readonly PropArg[]) => void log.push(argv.map(String).join(" ")) });
  const e = kvEnv();
  try {
    const { c: a } = await e.client();
    const { c: p } = await e.client();
    await p.call("RPUSH", "prop:s", "a", "b", "c", "d", "e");
    await p.call("BLPOP", "prop:s", "0");
    await p.call("BLMOVE", "prop:s", "prop:d", "LeFt", "RIGHT", "0");
    await p.call("BRPOPLPUSH", "prop:s", "prop:d", "0");
    await p.call("BLMPOP", "0", "1", "prop:s", "RIGHT", "COUNT", "5");
    for (const [c, push] of [
      [["BLPOP", "prop:w1", "0"], ["RPUSH", "prop:w1", "1", "2"]],
      [["BLMOVE", "prop:w2", "prop:d2", "Left", "RIGHT", "0"], ["RPUSH", "prop:w2", "1"]],
      [["BRPOPLPUSH", "prop:w3", "prop:d3", "0"], ["RPUSH", "prop:w3", "1"]],
      [["BLMPOP", "0", "2", "prop:x", "prop:w4", "LEFT", "COUNT", "3"], ["RPUSH", "prop:w4", "1"]],
    ] as const) {
      await a.send(cmd(...c));
      await e.blocked(1);
      await p.call(...push);
      await a.read();
    }
    // Expected forms read from redis-server 7.0's AOF for the same commands.
    expect(log).toEqual([
      "RPUSH prop:s a b c d e",
      "LPOP prop:s",
      "LMOVE prop:s prop:d LeFt RIGHT",
      "RPOPLPUSH prop:s prop:d",
      "RPOP prop:s 2",
      "RPUSH prop:w1 1 2",
      "LPOP prop:w1",
      "RPUSH prop:w2 1",
      "LMOVE prop:w2 prop:d2 left right",
      "RPUSH prop:w3 1",
      "RPOPLPUSH prop:w3 prop:d3",
      "RPUSH prop:w4 1",
      "LPOP prop:w4 1",
    ]);
  } finally {
    off();
    for (const c of opened.splice(0)) c.close();
  }
});

test("kvserver: with blocking denied (inside EXEC) an empty BLPOP replies like a timeout at once", async () => {
  // redis-server answers MULTI / BLPOP k 0 / EXEC with *1 *-1: the queued BLPOP does not block.
  const r = await RawConn.connect(pair.redis.port);
  await r.call("MULTI");
  await r.call("BLPOP", "deny:k", "0");
  await r.call("BLMOVE", "deny:k", "deny:d", "LEFT", "LEFT", "0");
  await r.call("BLMPOP", "0", "1", "deny:k", "LEFT");
  const execReply = await r.call("EXEC");
  r.close();
  expect(execReply).toBe("*3\r\n*-1\r\n$-1\r\n*-1\r\n");
  const e = kvEnv();
  const { c: a, id } = await e.client();
  const ctx = pair.kv.server.clients.get(id)!;
  ctx.denyBlocking = true;
  const replies = [
    await a.call("BLPOP", "deny:k", "0"),
    await a.call("BLMOVE", "deny:k", "deny:d", "LEFT", "LEFT", "0"),
    await a.call("BLMPOP", "0", "1", "deny:k", "LEFT"),
  ];
  expect(`*3\r\n${replies.join("")}`).toBe(execReply);
  expect(pair.kv.server.blocking.count).toBe(0);
  a.close();
});

test("kvserver: blocked_clients and blocking keys are counted and released", async () => {
  const e = kvEnv();
  const srv = pair.kv.server;
  const { c: a } = await e.client();
  const { c: b } = await e.client();
  await a.send(cmd("BLPOP", "cnt:1", "cnt:2", "0"));
  await b.send(cmd("BLPOP", "cnt:2", "cnt:3", "cnt:3", "0"));
  await e.blocked(2);
  expect(srv.blocking.keyCount).toBe(3);
  a.close();
  await e.blocked(1);
  expect(srv.blocking.keyCount).toBe(2);
  b.close();
  await e.blocked(0);
  expect(srv.blocking.keyCount).toBe(0);
});

/** A waiter that records what happened to it; serve() takes from a shared fake "list". */
function fakeWaiter(id: number, keys: string[], deadline: number, items: Map<string, string[]>, events: string[]): Waiter {
  return {
    clientId: id,
    dbId: 0,
    keys,
    deadline,
    serve(key) {
      const v = items.get(key)?.shift();
      if (v === undefined) return false;
      events.push(`${id} got ${key}=${v}`);
      return true;
    },
    timedOut: () => void events.push(`${id} timed out`),
    failed: (m) => void events.push(`${id} failed: ${m}`),
  };
}

test("registry: deadlines follow the server clock; a timer firing early re-arms", async () => {
  const clock = new ManualClock(1_000_000);
  const reg = new BlockingRegistry(clock);
  const events: string[] = [];
  reg.block(fakeWaiter(1, ["a"], clock.now() + 30, new Map(), events));
  reg.block(fakeWaiter(2, ["a"], 0, new Map(), events));
  await Bun.sleep(60);
  expect(events).toEqual([]); // real time passed, the server clock did not
  clock.advance(30);
  await until("timeout", () => events.length === 1);
  expect(events).toEqual(["1 timed out"]);
  expect(reg.count).toBe(1);
  expect(reg.unblock(2, true)).toBe(true);
  expect(reg.unblock(2, true)).toBe(false);
  expect(events[1]).toBe("2 failed: UNBLOCKED client unblocked via CLIENT UNBLOCK");
  expect(reg.count).toBe(0);
  expect(reg.keyCount).toBe(0);
});

test("registry: ready keys are served in signal order, waiters FIFO, signals without waiters ignored", () => {
  const clock = new ManualClock();
  const reg = new BlockingRegistry(clock);
  const items = new Map<string, string[]>([["a", []], ["b", []]]);
  const events: string[] = [];
  reg.block(fakeWaiter(1, ["a", "b"], 0, items, events));
  reg.block(fakeWaiter(2, ["b"], 0, items, events));
  reg.block(fakeWaiter(3, ["a"], 0, items, events));
  reg.signal(0, "zzz");
  reg.signal(1, "a");
  expect(reg.pending).toBe(false);
  items.get("b")!.push("b1", "b2");
  items.get("a")!.push("a1", "a2");
  reg.signal(0, "b");
  reg.signal(0, "a");
  reg.signal(0, "b");
  reg.serveReady();
  expect(events).toEqual(["1 got b=b1", "2 got b=b2", "3 got a=a1"]);
  expect(reg.count).toBe(0);
  expect(reg.pending).toBe(false);
});

test("parseTimeoutSeconds: Redis 7.0's long double seconds rounded up to ms", () => {
  const cases: [string, number | string][] = [
    ["0", 0], ["1", 1000], ["0.1", 100], ["1.5", 1500], ["0.0001", 1], ["-0.0001", 0], ["-0", 0], [".5e1", 5000],
    ["0x10", 16000], ["1e-400", 1], ["+2", 2000], ["1.", 1000],
    ["-1", "ERR timeout is negative"], ["inf", "ERR timeout is negative"], ["1e400", "ERR timeout is negative"],
    ["9223372036854776", "ERR timeout is negative"],
    ["x", "ERR timeout is not a float or out of range"], ["nan", "ERR timeout is not a float or out of range"],
    ["1e5000", "ERR timeout is not a float or out of range"], ["", "ERR timeout is not a float or out of range"],
    [" 1", "ERR timeout is not a float or out of range"], ["1\x00garbage", 1000],
  ];
  for (const [s, want] of cases) expect([s, parseTimeoutSeconds(s)]).toEqual([s, want]);
  // Just under 2^63 ms is accepted (a wait of ~292 million years), as redis-server blocks on it.
  expect(typeof parseTimeoutSeconds("9223372036854775")).toBe("number");
});

function cmd(...args: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, "latin1")];
  for (const a of args) parts.push(Buffer.from(`$${Buffer.byteLength(a, "latin1")}\r\n${a}\r\n`, "latin1"));
  return Buffer.concat(parts);
}
