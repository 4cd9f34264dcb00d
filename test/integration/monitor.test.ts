// MONITOR over TCP against redis-server: the same scenarios on both servers, the monitor's stream
// compared line by line with timestamps checked and client addresses replaced by labels. Also the
// connection-level operator surface: protected mode, rejected-connection counting, tcp-keepalive.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { RawConn } from "../support/conn.ts";
import { startPair, type Pair } from "../support/oracle.ts";
import { startKv, startRedis } from "../support/servers.ts";
import { encodeCommand, type Arg } from "../support/resp.ts";
import { monitorLine, reprArg } from "../../src/monitor.ts";

let pair: Pair;
beforeAll(async () => {
  pair = await startPair({ "enable-debug-command": "yes" });
});
afterAll(async () => {
  await pair.stop();
});

const LINE = /^\+(\d+)\.(\d{6}) \[(\d+) (127\.0\.0\.1:\d+)\] (.*)\r\n$/;

/** Turns monitor lines into "db label args", labelling addresses in order of appearance. */
class Normaliser {
  readonly #labels = new Map<string, string>();
  #lastUsec = 0;

  constructor(named: Record<string, string> = {}) {
    for (const [addr, label] of Object.entries(named)) this.#labels.set(addr, label);
  }

  line(raw: string): string {
    const m = LINE.exec(raw);
    if (!m) return raw; // not a monitor line: kept as is (replies on the monitor's own connection)
    const usec = Number(m[1]) * 1e6 + Number(m[2]);
    // Timestamps are wall-clock microseconds and never go back.
    expect(Math.abs(usec / 1000 - Date.now())).toBeLessThan(60_000);
    expect(usec).toBeGreaterThanOrEqual(this.#lastUsec);
    this.#lastUsec = usec;
    let label = this.#labels.get(m[4]!);
    if (label === undefined) {
      label = `client${this.#labels.size + 1}`;
      this.#labels.set(m[4]!, label);
    }
    return `[${m[3]} ${label}] ${m[5]}`;
  }
}

/** A connection and its address as the server sees it (from CLIENT INFO). */
async function connect(port: number): Promise<{ conn: RawConn; addr: string }> {
  const conn = await RawConn.connect(port);
  const info = await conn.call("CLIENT", "INFO");
  const addr = /addr=(\S+)/.exec(info)![1]!;
  return { conn, addr };
}

/**
 * Start a monitor, run the scenario, then read the monitor's stream up to a sentinel command sent
 * from another connection; returns the normalised lines (the sentinel excluded).
 */
async function monitored(port: number, scenario: (port: number) => Promise<Record<string, string>>): Promise<string[]> {
  const m = await RawConn.connect(port);
  expect(await m.call("MONITOR")).toBe("+OK\r\n");
  const named = await scenario(port);
  const s = await RawConn.connect(port);
  await s.call("ECHO", "__sentinel__");
  const norm = new Normaliser(named);
  const lines: string[] = [];
  for (;;) {
    const raw = await m.read();
    if (raw.includes('"__sentinel__"')) break;
    lines.push(norm.line(raw));
  }
  m.close();
  s.close();
  return lines;
}

async function onBoth<T>(scenario: (port: number) => Promise<T>): Promise<{ kv: T; redis: T }> {
  const kv = await scenario(pair.kv.port);
  const redis = await scenario(pair.redis.port);
  return { kv, redis };
}

/** Run commands one by one on a new connection labelled label. */
function runAs(label: string, cmds: Arg[][]): (port: number) => Promise<Record<string, string>> {
  return async (port) => {
    const { conn, addr } = await connect(port);
    for (const c of cmds) await conn.call(...c);
    conn.close();
    return { [addr]: label };
  };
}

describe("MONITOR line format", () => {
  test("arguments escaped as redis-server does, binary bytes included", async () => {
    const all = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    const cmds: Arg[][] = [
      ["SET", "mon:k", "v\x00\xff\"\\\n\r\t\x07\x08 é'"],
      ["SET", "mon:all", all],
      ["GET", "mon:all"],
      ["SET", "mon:empty", ""],
      ["ECHO", "plain words"],
      ["INCRBY", "mon:n", "-12"],
      ["set", "MON:case", "x"],
    ];
    const { kv, redis } = await onBoth((port) => monitored(port, runAs("A", cmds)));
    expect(kv).toEqual(redis);
    expect(kv.length).toBe(cmds.length + 1); // + the CLIENT INFO that learned the address
  });

  test("hidden: admin commands, unknown commands and arity errors; redacted: AUTH and HELLO AUTH; failed commands shown; db after SELECT", async () => {
    const cmds: Arg[][] = [
      ["CONFIG", "GET", "maxmemory"],
      ["CONFIG", "SET", "maxmemory-samples", "5"],
      ["SLOWLOG", "LEN"],
      ["LATENCY", "LATEST"],
      ["DEBUG", "SLEEP", "0"],
      ["CLIENT", "LIST"],
      ["CLIENT", "SETNAME", "mon-a"],
      ["NOSUCHCMD", "x"],
      ["GET"],
      ["AUTH", "secret"],
      ["AUTH", "user", "secret"],
      ["HELLO", "2", "AUTH", "default", "secret"],
      ["HELLO", "3", "AUTH", "default"],
      ["HELLO", "2"],
      ["SET", "mon:s", "x"],
      ["LPUSH", "mon:s", "y"],
      ["SELECT", "5"],
      ["SET", "mon:in5", "1"],
      ["SELECT", "0"],
      ["INFO", "keyspace"],
      ["PING"],
    ];
    const { kv, redis } = await onBoth((port) => monitored(port, runAs("A", cmds)));
    expect(kv).toEqual(redis);
  });

  test("a blocking command shows when it is called, before the push that serves it", async () => {
    const scenario = async (port: number) => {
      const a = await connect(port);
      const b = await connect(port);
      await b.conn.send(encodeCommand(["BLPOP", "mon:bq-1", "0"]));
      await Bun.sleep(50);
      await a.conn.call("RPUSH", "mon:bq-1", "x");
      await b.conn.read();
      await b.conn.call("BLPOP", "mon:bq-2", "0.05");
      a.conn.close();
      b.conn.close();
      return { [a.addr]: "A", [b.addr]: "B" };
    };
    const { kv, redis } = await onBoth((port) => monitored(port, scenario));
    expect(kv).toEqual(redis);
  });

  test("a transaction: MULTI at once, its commands when EXEC runs them, then EXEC", async () => {
    const scenario = async (port: number) => {
      const a = await connect(port);
      const b = await connect(port);
      await a.conn.call("MULTI");
      await a.conn.call("SET", "mon:t", "1");
      await b.conn.call("SET", "mon:other", "1");
      await a.conn.call("INCR", "mon:t");
      await a.conn.call("CONFIG", "GET", "maxmemory");
      await a.conn.call("EXEC");
      a.conn.close();
      b.conn.close();
      return { [a.addr]: "A", [b.addr]: "B" };
    };
    const { kv, redis } = await onBoth((port) => monitored(port, scenario));
    expect(kv).toEqual(redis);
  });

  test("repr (unit) against the line Redis showed for the same bytes", () => {
    expect(reprArg("a\x00\xff\"\\\n\r\t\x07\x08 \xe9")).toBe('"a\\x00\\xff\\"\\\\\\n\\r\\t\\a\\b \\xe9"');
    expect(monitorLine(1700000000000042, 3, "127.0.0.1:5", ["GET", "k"])).toBe('1700000000.000042 [3 127.0.0.1:5] "GET" "k"');
  });
});

describe("MONITOR: other clients, in order", () => {
  test("interleaved commands of three clients appear in execution order", async () => {
    const scenario = async (port: number) => {
      const cs = await Promise.all([connect(port), connect(port), connect(port)]);
      const order: [number, Arg[]][] = [
        [0, ["SET", "mon:o", "1"]], [1, ["GET", "mon:o"]], [2, ["INCR", "mon:o"]], [0, ["APPEND", "mon:o", "x"]],
        [2, ["DEL", "mon:o"]], [1, ["EXISTS", "mon:o"]], [1, ["SELECT", "2"]], [0, ["SET", "mon:o", "2"]], [1, ["SET", "mon:o", "3"]],
      ];
      for (const [i, c] of order) await cs[i]!.conn.call(...c);
      const named: Record<string, string> = {};
      cs.forEach((c, i) => {
        named[c.addr] = "ABC"[i]!;
        c.conn.close();
      });
      return named;
    };
    const { kv, redis } = await onBoth((port) => monitored(port, scenario));
    expect(kv).toEqual(redis);
  });

  test("concurrent pipelines: the monitor's order is the order the server ran them (INCR values prove it)", async () => {
    const port = pair.kv.port;
    const cs = await Promise.all(Array.from({ length: 4 }, () => connect(port)));
    const m = await RawConn.connect(port);
    await m.call("MONITOR");
    await cs[0]!.conn.call("DEL", "mon:counter");
    await m.read(); // the DEL
    const N = 200;
    const pipeline = "*2\r\n$4\r\nINCR\r\n$11\r\nmon:counter\r\n".repeat(N);
    await Promise.all(cs.map((c) => c.conn.send(pipeline)));
    // Each INCR's reply is its position in the server's order.
    const byValue: string[] = [];
    await Promise.all(
      cs.map(async (c) => {
        for (let i = 0; i < N; i++) {
          const v = Number((await c.conn.read()).slice(1, -2));
          byValue[v - 1] = c.addr;
        }
      }),
    );
    const seen: string[] = [];
    for (let i = 0; i < N * cs.length; i++) {
      const m1 = LINE.exec(await m.read())!;
      expect(m1[5]).toBe('"INCR" "mon:counter"');
      seen.push(m1[4]!);
    }
    expect(seen).toEqual(byValue);
    m.close();
    for (const c of cs) c.conn.close();
  });
});

describe("the monitoring client itself", () => {
  test("its own commands: PING shown after its reply, keyspace commands refused, MONITOR again ignored, RESET ends it", async () => {
    const scenario = async (port: number) => {
      const m = await connect(port);
      const other = await connect(port);
      const out: string[] = [];
      const norm = new Normaliser({ [m.addr]: "M", [other.addr]: "O" });
      const take = async (n: number) => {
        for (let i = 0; i < n; i++) out.push(norm.line(await m.conn.read()));
      };
      out.push(await m.conn.call("MONITOR"));
      await m.conn.send("*1\r\n$4\r\nPING\r\n");
      await take(2);
      await m.conn.send("*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n");
      await take(2);
      out.push(await m.conn.call("GET", "mon:k"), await m.conn.call("SET", "mon:k", "v"), await m.conn.call("PUBLISH", "ch", "x"));
      out.push(await m.conn.call("CLIENT", "LIST", "TYPE", "replica"));
      // MONITOR again: no reply at all; the PING that follows answers first.
      await m.conn.send("*1\r\n$7\r\nMONITOR\r\n*1\r\n$4\r\nPING\r\n");
      await take(2);
      await other.conn.call("SET", "mon:from-other", "1");
      await take(1);
      // CLIENT REPLY OFF silences the stream too, until replies are turned back on.
      await m.conn.send(encodeCommand(["CLIENT", "REPLY", "OFF"]));
      await Bun.sleep(20);
      await other.conn.call("SET", "mon:while-off", "1");
      out.push(await m.conn.call("CLIENT", "REPLY", "ON"));
      await take(1);
      await other.conn.call("SET", "mon:after-on", "1");
      await take(1);
      out.push(await m.conn.call("RESET"));
      await other.conn.call("SET", "mon:after-reset", "1");
      out.push(await m.conn.call("GET", "mon:after-reset"));
      m.conn.close();
      other.conn.close();
      return out;
    };
    const { kv, redis } = await onBoth(scenario);
    expect(kv).toEqual(redis);
  });

  test("CLIENT LIST shows flags=O; MONITOR inside EXEC is refused; RESP3 monitors get the same status lines", async () => {
    const scenario = async (port: number) => {
      const out: string[] = [];
      const m = await connect(port);
      await m.conn.call("MONITOR");
      const other = await connect(port);
      const list = await other.conn.call("CLIENT", "LIST");
      out.push(/addr=\S+ .*? flags=(\S+)/.exec(list.split("\n").find((l) => l.includes(`addr=${m.addr} `))!)![1]!);
      const t = await connect(port);
      out.push(await t.conn.call("MULTI"), await t.conn.call("MONITOR"), await t.conn.call("EXEC"));
      out.push(/flags=(\S+)/.exec(await t.conn.call("CLIENT", "INFO"))![1]!);
      t.conn.close();
      const r3 = await connect(port);
      await r3.conn.call("HELLO", "3");
      out.push(await r3.conn.call("MONITOR"));
      await other.conn.call("SET", "mon:r3", "1");
      out.push(new Normaliser({ [other.addr]: "O" }).line(await r3.conn.read()));
      for (const c of [m, other, r3]) c.conn.close();
      return out;
    };
    const { kv, redis } = await onBoth(scenario);
    expect(kv).toEqual(redis);
  });

  test("a monitor that disconnects or RESETs is forgotten", async () => {
    const srv = pair.kv.server;
    // Monitors of earlier tests go once their close reaches the server.
    for (let i = 0; i < 100 && srv.monitors.size !== 0; i++) await Bun.sleep(10);
    expect(srv.monitors.size).toBe(0);
    const m = await RawConn.connect(pair.kv.port);
    await m.call("MONITOR");
    const m2 = await RawConn.connect(pair.kv.port);
    await m2.call("MONITOR");
    expect(srv.monitors.size).toBe(2);
    m.close();
    for (let i = 0; i < 100 && srv.monitors.size !== 1; i++) await Bun.sleep(10);
    expect(srv.monitors.size).toBe(1);
    await m2.call("RESET");
    expect(srv.monitors.size).toBe(0);
    expect(srv.monitors.active).toBe(false);
    m2.close();
  });
});

// ---------------------------------------------------------------------------------------------

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalIPv4(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return null;
}

const EXTERNAL = externalIPv4();

/** Connect from host and collect everything until the server closes the connection. */
async function refusedWith(port: number, host: string): Promise<string> {
  const c = await RawConn.connect(port, host);
  expect(await c.waitClosed(3000)).toBe(true);
  return c.drain();
}

/**
 * The one client a maxclients 1 server takes: retried while the start-up probe's connection is
 * still counted (redis-server then refuses this one).
 */
async function soleClient(port: number): Promise<RawConn> {
  for (let i = 0; ; i++) {
    const a = await RawConn.connect(port);
    const r = await a.call("PING").catch(() => "");
    if (r === "+PONG\r\n") return a;
    a.close();
    if (i === 100) throw new Error(`no connection accepted: ${JSON.stringify(r)}`);
    await Bun.sleep(20);
  }
}

function statField(info: string, name: string): number {
  return Number(new RegExp(`${name}:(\\d+)`).exec(info)![1]);
}

describe("protected mode and refused connections", () => {
  test.skipIf(EXTERNAL === null)("a non-loopback client gets Redis's DENIED text and is closed; loopback and password-set servers accept", async () => {
    const [kv, redis] = await Promise.all([
      startKv({ config: { bind: "0.0.0.0", "protected-mode": "yes" } }),
      startRedis(["--bind", "0.0.0.0", "--protected-mode", "yes"]),
    ]);
    try {
      const outcome = async (port: number) => {
        const local = await RawConn.connect(port);
        const before = await local.call("INFO", "stats");
        const denied = await refusedWith(port, EXTERNAL!);
        const after = await local.call("INFO", "stats");
        const counts = [
          statField(after, "rejected_connections") - statField(before, "rejected_connections"),
          statField(after, "total_connections_received") - statField(before, "total_connections_received"),
        ];
        // With a password, protected mode does not apply.
        await local.call("CONFIG", "SET", "requirepass", "pw");
        const ext = await RawConn.connect(port, EXTERNAL!);
        const allowed = [await ext.call("PING"), await ext.call("AUTH", "pw"), await ext.call("PING")];
        ext.close();
        await local.call("AUTH", "pw");
        await local.call("CONFIG", "SET", "requirepass", "", "protected-mode", "no");
        const open = await RawConn.connect(port, EXTERNAL!);
        allowed.push(await open.call("PING"));
        open.close();
        local.close();
        return { denied, counts, allowed };
      };
      const a = await outcome(kv.port);
      const b = await outcome(redis.port);
      expect(a).toEqual(b);
      expect(a.denied.startsWith("-DENIED Redis is running in protected mode")).toBe(true);
    } finally {
      await Promise.all([kv.stop(), redis.stop()]);
    }
  });

  test("a connection refused for maxclients is not counted as received (as redis-server)", async () => {
    const [kv, redis] = await Promise.all([startKv({ config: { maxclients: "1" } }), startRedis(["--maxclients", "1"])]);
    try {
      const outcome = async (port: number) => {
        const a = await soleClient(port);
        const before = await a.call("INFO", "stats");
        const refused = await refusedWith(port, "127.0.0.1");
        const after = await a.call("INFO", "stats");
        a.close();
        return [
          refused,
          statField(after, "rejected_connections") - statField(before, "rejected_connections"),
          statField(after, "total_connections_received") - statField(before, "total_connections_received"),
        ];
      };
      expect(await outcome(kv.port)).toEqual(await outcome(redis.port));
    } finally {
      await Promise.all([kv.stop(), redis.stop()]);
    }
  });

  test("tcp-keepalive turns TCP keep-alive on with its idle time (off at 0)", async () => {
    /**
     * The server side of the connection in /proc/net/tcp (present on every Linux, unlike ss):
     * its timer kind (2 = keep-alive) and the time left on it, in clock ticks (USER_HZ, 100/s).
     */
    const keepalive = async (config: Record<string, string>): Promise<{ timer: number; ticks: number }> => {
      const kv = await startKv({ config });
      try {
        const c = await RawConn.connect(kv.port);
        await c.call("PING");
        const port = kv.port.toString(16).toUpperCase().padStart(4, "0");
        const row = readFileSync("/proc/net/tcp", "latin1")
          .split("\n")
          .map((l) => l.trim().split(/\s+/))
          .find((f) => f[1]?.endsWith(`:${port}`) && f[3] === "01");
        c.close();
        const [timer, ticks] = row![5]!.split(":");
        return { timer: parseInt(timer!, 16), ticks: parseInt(ticks!, 16) };
      } finally {
        await kv.stop();
      }
    };
    const on = await keepalive({ "tcp-keepalive": "120" });
    expect(on.timer).toBe(2);
    expect(on.ticks).toBeGreaterThan(60 * 100);
    expect(on.ticks).toBeLessThanOrEqual(120 * 100);
    expect((await keepalive({ "tcp-keepalive": "0" })).timer).not.toBe(2);
  });
});
