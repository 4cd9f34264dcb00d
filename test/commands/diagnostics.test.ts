// SLOWLOG, LATENCY, CONFIG REWRITE's errors, INFO commandstats/errorstats/latencystats and the
// COMMAND INFO of these commands, against redis-server. Replies that hold times, durations, ids
// or addresses are decoded and compared with those fields normalised (and checked for sanity).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RawConn } from "../support/conn.ts";
import { runBoth, startPair, transcript, type Pair } from "../support/oracle.ts";
import type { Arg } from "../support/resp.ts";
import { decode, pairs, type RespValue } from "../support/value.ts";
import { LatencyMonitor } from "../../src/latency.ts";
import { Config } from "../../src/config.ts";
import { LatencyHistogram } from "../../src/stats.ts";
import { storeString } from "../../src/types/bytestring.ts";
import { ManualClock } from "../../src/util/clock.ts";
import { startKv } from "../support/servers.ts";
import { argsOf, SlowLog, slowlogArgv } from "../../src/slowlog.ts";

let pair: Pair;
beforeAll(async () => {
  pair = await startPair({ "enable-debug-command": "yes" });
});
afterAll(async () => {
  await pair.stop();
});

async function expectSame(cmds: Arg[][]): Promise<void> {
  const { kv, redis } = await runBoth(pair, cmds);
  expect(transcript(cmds, kv)).toEqual(transcript(cmds, redis));
}

/** Run one scenario against kvserver, then against redis-server. */
async function onBoth<T>(scenario: (port: number) => Promise<T>): Promise<{ kv: T; redis: T }> {
  const kv = await scenario(pair.kv.port);
  const redis = await scenario(pair.redis.port);
  return { kv, redis };
}

const ADDR = /^127\.0\.0\.1:\d+$/;

/**
 * A SLOWLOG GET reply with ids made relative (they must count down by one), timestamps and
 * durations checked and dropped, addresses checked and replaced.
 */
function normSlowlog(reply: string): RespValue[] {
  const entries = decode(reply) as RespValue[][];
  const now = Date.now() / 1000;
  return entries.map((e, i) => {
    const [id, time, usec, argv, addr, name] = e as [number, number, number, RespValue, string, string];
    expect(e.length).toBe(6);
    expect(id).toBe((entries[0]![0] as number) - i);
    expect(Math.abs(time - now)).toBeLessThan(60);
    expect(usec).toBeGreaterThanOrEqual(0);
    expect(addr).toMatch(ADDR);
    return [argv, "ADDR", name];
  });
}

describe("SLOWLOG", () => {
  test("entries: arguments, 32-argument and 128-byte trimming, redaction, client name, errors logged", async () => {
    const big = "x".repeat(200);
    const scenario = async (port: number) => {
      const a = await RawConn.connect(port);
      await a.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
      await a.call("SLOWLOG", "RESET");
      const cmds: Arg[][] = [
        ["SET", "slow:k", big],
        ["SET", "slow:bin", "\x00\xff\r\n \"é"],
        ["MSET", ...Array.from({ length: 40 }, (_, i) => `slow:m${i}`)],
        ["MSET", ...Array.from({ length: 31 }, (_, i) => `slow:n${i}`), "v"],
        ["CLIENT", "SETNAME", "myname"],
        ["GET", "x".repeat(128)],
        ["GET", "x".repeat(129)],
        ["AUTH", "pw"],
        ["AUTH", "someuser", "pw"],
        ["HELLO", "2", "AUTH", "default", "pw", "SETNAME", "other"],
        ["HELLO", "2", "SETNAME", "a b", "AUTH", "c", "d"],
        ["HELLO", "3", "AUTH", "default"],
        ["HELLO", "4", "AUTH", "a", "b"],
        ["HELLO", "x", "AUTH", "a", "b"],
        ["CONFIG", "SET", "masterauth", "secret", "maxmemory-samples", "5"],
        ["CONFIG", "SET", "nosuch", "x", "masteruser", "y"],
        ["CONFIG", "SET", "masterauth", "z", "requirepass"],
        ["CONFIG", "SET", "masterauth", "", "masteruser", ""],
        ["LPUSH", "slow:k", "x"],
        ["SLOWLOG", "LEN"],
      ];
      const replies: string[] = [];
      for (const c of cmds) replies.push(await a.call(...c));
      const got = normSlowlog(await a.call("SLOWLOG", "GET", "-1"));
      const len = await a.call("SLOWLOG", "LEN");
      await a.call("CONFIG", "SET", "slowlog-log-slower-than", "10000");
      a.close();
      // HELLO's reply names the server and the connection id: not compared.
      return { replies: replies.filter((r) => !r.includes("server")), got, len };
    };
    const { kv, redis } = await onBoth(scenario);
    expect(kv).toEqual(redis);
  });

  test("GET counts, LEN, RESET keeps ids growing, and every argument error", async () => {
    const scenario = async (port: number) => {
      const a = await RawConn.connect(port);
      await a.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
      await a.call("SLOWLOG", "RESET");
      for (let i = 0; i < 12; i++) await a.call("SET", `slow:c${i}`, String(i));
      const out: unknown[] = [];
      out.push((decode(await a.call("SLOWLOG", "GET")) as RespValue[]).length);
      for (const n of ["0", "1", "2", "-1", "1000", "9223372036854775807"]) out.push(normSlowlog(await a.call("SLOWLOG", "GET", n)));
      for (const bad of [["-2"], ["abc"], ["010"], ["1.5"], [""], ["99999999999999999999"], ["1", "2"]]) {
        out.push(await a.call("SLOWLOG", "GET", ...bad));
      }
      out.push(await a.call("SLOWLOG", "Get", "1", "2"));
      const before = decode(await a.call("SLOWLOG", "GET", "1")) as RespValue[][];
      out.push(await a.call("SLOWLOG", "RESET"));
      const after = decode(await a.call("SLOWLOG", "GET", "1")) as RespValue[][];
      // The RESET itself is the only entry, and ids went on from where they were.
      out.push(after.length, (after[0]![0] as number) - (before[0]![0] as number), after[0]![3]);
      out.push(await a.call("SLOWLOG", "LEN"));
      await a.call("CONFIG", "SET", "slowlog-log-slower-than", "10000");
      a.close();
      return out;
    };
    const { kv, redis } = await onBoth(scenario);
    expect(kv).toEqual(redis);
  });

  test("subcommand errors and HELP match byte for byte", async () => {
    await expectSame([
      ["SLOWLOG"], ["SLOWLOG", "FOO"], ["slowlog", "foo", "bar"], ["SLOWLOG", "LEN", "x"], ["SLOWLOG", "RESET", "x"],
      ["SLOWLOG", "HELP"], ["slowlog", "help"], ["SLOWLOG", "HELP", "x"],
    ]);
  });

  test("slowlog-max-len keeps the newest entries; a negative threshold logs nothing; a high one only slow commands", async () => {
    const scenario = async (port: number) => {
      const a = await RawConn.connect(port);
      const out: unknown[] = [];
      await a.call("CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "3");
      for (let i = 0; i < 5; i++) await a.call("SET", `slow:l${i}`, String(i));
      out.push(await a.call("SLOWLOG", "LEN"), normSlowlog(await a.call("SLOWLOG", "GET", "-1")));
      await a.call("CONFIG", "SET", "slowlog-max-len", "0");
      out.push(await a.call("SLOWLOG", "LEN"));
      await a.call("CONFIG", "SET", "slowlog-max-len", "128", "slowlog-log-slower-than", "-1");
      await a.call("SLOWLOG", "RESET");
      await a.call("SET", "slow:x", "1");
      await a.call("DEBUG", "SLEEP", "0.02");
      out.push(await a.call("SLOWLOG", "LEN"));
      await a.call("CONFIG", "SET", "slowlog-log-slower-than", "15000");
      await a.call("SET", "slow:x", "1");
      await a.call("DEBUG", "SLEEP", "0.02");
      out.push(normSlowlog(await a.call("SLOWLOG", "GET")));
      const slept = decode(await a.call("SLOWLOG", "GET")) as RespValue[][];
      expect(slept[0]![2] as number).toBeGreaterThanOrEqual(20000);
      await a.call("CONFIG", "SET", "slowlog-log-slower-than", "10000");
      a.close();
      return out;
    };
    const { kv, redis } = await onBoth(scenario);
    expect(kv).toEqual(redis);
  });

  test("a blocked command is logged once served, after the command that served it; a timed-out one is not", async () => {
    const scenario = async (port: number) => {
      const a = await RawConn.connect(port);
      const b = await RawConn.connect(port);
      await a.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
      await a.call("SLOWLOG", "RESET");
      await b.call("CLIENT", "SETNAME", "waiter");
      await b.send("*3\r\n$5\r\nBLPOP\r\n$9\r\nslow:bq-1\r\n$1\r\n0\r\n");
      await Bun.sleep(50);
      await a.call("RPUSH", "slow:bq-1", "x");
      const served = await b.read();
      await b.call("BLPOP", "slow:bq-2", "0.05");
      const log = normSlowlog(await a.call("SLOWLOG", "GET", "-1"));
      await a.call("CONFIG", "SET", "slowlog-log-slower-than", "10000");
      a.close();
      b.close();
      return { served, log };
    };
    const { kv, redis } = await onBoth(scenario);
    expect(kv).toEqual(redis);
  });

  test("MULTI is logged, EXEC is not, the commands it ran are", async () => {
    const scenario = async (port: number) => {
      const a = await RawConn.connect(port);
      await a.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
      await a.call("SLOWLOG", "RESET");
      for (const c of [["MULTI"], ["SET", "slow:t", "1"], ["INCR", "slow:t"], ["EXEC"]]) await a.call(...c);
      const log = normSlowlog(await a.call("SLOWLOG", "GET", "-1"));
      await a.call("CONFIG", "SET", "slowlog-log-slower-than", "10000");
      a.close();
      return log;
    };
    const { kv, redis } = await onBoth(scenario);
    expect(kv).toEqual(redis);
  });

  test("trimming rules (unit): 32 arguments, 128 bytes", () => {
    expect(slowlogArgv(argsOf(["a", "b"]))).toEqual(["a", "b"]);
    const many = Array.from({ length: 33 }, (_, i) => String(i));
    const t = slowlogArgv(argsOf(many));
    expect(t.length).toBe(32);
    expect(t[31]).toBe("... (2 more arguments)");
    expect(slowlogArgv(argsOf(many.slice(0, 32)))).toEqual(many.slice(0, 32));
    expect(slowlogArgv(argsOf(["y".repeat(130)]))[0]).toBe("y".repeat(128) + "... (2 more bytes)");
    const log = new SlowLog(new Config());
    log.push(["a"], 1, 2, "addr", "");
    log.defer(7, ["BLPOP"], 5);
    log.served({ id: 7, addr: "x", name: "n" }, 3000);
    expect(log.newest(-1).map((e) => [e.id, e.argv[0], e.time])).toEqual([[1, "BLPOP", 3], [0, "a", 2]]);
    log.served({ id: 7, addr: "x", name: "n" }, 3000);
    expect(log.length).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------

/** Wait until just after a second boundary, so a few short steps happen within one second. */
async function startOfSecond(): Promise<void> {
  const ms = Date.now() % 1000;
  await Bun.sleep(1000 - ms + 20);
}

describe("LATENCY", () => {
  test("LATEST and HISTORY: spikes at or over the threshold, one sample per second keeping the highest", async () => {
    const scenario = async (port: number) => {
      const a = await RawConn.connect(port);
      const out: unknown[] = [];
      await a.call("CONFIG", "SET", "latency-monitor-threshold", "0");
      out.push(await a.call("LATENCY", "RESET"));
      await a.call("DEBUG", "SLEEP", "0.03");
      out.push(await a.call("LATENCY", "LATEST"));
      await a.call("CONFIG", "SET", "latency-monitor-threshold", "25");
      await a.call("DEBUG", "SLEEP", "0.01");
      out.push(await a.call("LATENCY", "LATEST"));
      await startOfSecond();
      await a.send("*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$5\r\n0.030\r\n*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$5\r\n0.040\r\n");
      await a.read();
      await a.read();
      const latest = decode(await a.call("LATENCY", "LATEST")) as RespValue[][];
      const history = decode(await a.call("LATENCY", "HISTORY", "command")) as RespValue[][];
      // [event, time, latest, max]: within one second the highest spike is kept.
      expect(latest.length).toBe(1);
      const [ev, t, last, max] = latest[0] as [string, number, number, number];
      expect(Math.abs(t - Date.now() / 1000)).toBeLessThan(5);
      expect(last).toBeGreaterThanOrEqual(40);
      expect(last).toBeLessThan(80);
      expect(max).toBe(last);
      out.push(ev, history.length, history[0]![0] === t, history[0]![1] === last);
      await startOfSecond();
      await a.call("DEBUG", "SLEEP", "0.026");
      const latest2 = (decode(await a.call("LATENCY", "LATEST")) as RespValue[][])[0] as number[];
      const history2 = decode(await a.call("LATENCY", "HISTORY", "command")) as number[][];
      expect(latest2[2]).toBeGreaterThanOrEqual(26);
      expect(latest2[2]).toBeLessThan(40);
      out.push(latest2[3] === max, history2.length, history2[1]![1] === latest2[2], history2[1]![0]! > history2[0]![0]!);
      out.push(await a.call("LATENCY", "HISTORY", "COMMAND"), await a.call("LATENCY", "HISTORY", "nosuch"));
      out.push(await a.call("LATENCY", "RESET", "nosuch"), await a.call("LATENCY", "RESET", "command", "command"));
      out.push(await a.call("LATENCY", "LATEST"), await a.call("LATENCY", "RESET"));
      await a.call("DEBUG", "SLEEP", "0.03");
      out.push(await a.call("LATENCY", "RESET"));
      await a.call("CONFIG", "SET", "latency-monitor-threshold", "0");
      a.close();
      return out;
    };
    const { kv, redis } = await onBoth(scenario);
    expect(kv).toEqual(redis);
  });

  test("argument errors match; DOCTOR and GRAPH answer as unknown subcommands; HELP lists what is implemented", async () => {
    await expectSame([
      ["LATENCY"], ["LATENCY", "FOO"], ["LATENCY", "LATEST", "x"], ["LATENCY", "HISTORY"], ["LATENCY", "HISTORY", "a", "b"],
      ["LATENCY", "HELP", "x"], ["latency", "nosuch", "x"],
    ]);
    const kv = await RawConn.connect(pair.kv.port);
    const redis = await RawConn.connect(pair.redis.port);
    for (const sub of ["DOCTOR", "graph"]) {
      const expected = (await redis.call("LATENCY", `no${sub}`)).replace(`no${sub}`, sub);
      expect(await kv.call("LATENCY", sub, ...(sub === "graph" ? ["command"] : []))).toBe(expected);
    }
    // Redis's HELP without the DOCTOR and GRAPH entries (two lines each).
    const lines = (await redis.call("LATENCY", "HELP")).split("\r\n");
    const skip = new Set<number>();
    lines.forEach((l, i) => {
      if (l.startsWith("+DOCTOR") || l.startsWith("+GRAPH")) skip.add(i).add(i + 1);
    });
    const kept = lines.filter((_, i) => !skip.has(i));
    kept[0] = `*${Number(kept[0]!.slice(1)) - 4}`;
    expect(await kv.call("LATENCY", "HELP")).toBe(kept.join("\r\n"));
    kv.close();
    redis.close();
  });

  const STEPS_USEC = Array.from({ length: 21 }, (_, n) => Math.floor((2 ** (n + 10) + 2 ** (n + 3) - 1) / 1000));

  /** A HISTOGRAM reply as [name, calls] with each histogram checked: power-of-two bounds, cumulative. */
  function normHistogram(reply: string, resp3: boolean): unknown[] {
    expect(reply[0]).toBe(resp3 ? "%" : "*");
    return pairs(decode(reply)).map(([name, v]) => {
      const fields = pairs(v);
      expect(fields.map(([k]) => k)).toEqual(["calls", "histogram_usec"]);
      const calls = fields[0]![1] as number;
      const hist = pairs(fields[1]![1]) as [number, number][];
      let prev = 0;
      let prevBound = 0;
      for (const [bound, n] of hist) {
        // Redis's steps: the highest value its HDR histogram holds at each power of two of ns.
        expect(STEPS_USEC).toContain(bound);
        expect(bound).toBeGreaterThan(prevBound);
        expect(n).toBeGreaterThan(prev);
        prev = n;
        prevBound = bound;
      }
      expect(prev).toBe(calls);
      return [name, calls];
    });
  }

  test("HISTOGRAM: named commands, containers, unknown names, repeats, RESP2 and RESP3 shapes", async () => {
    const scenario = async (port: number) => {
      const a = await RawConn.connect(port);
      const out: unknown[] = [];
      await a.call("CONFIG", "SET", "latency-tracking", "yes");
      await a.call("CONFIG", "RESETSTAT");
      await a.call("SET", "lat:a", "1");
      await a.call("GET", "lat:a");
      await a.call("GET", "lat:a");
      out.push(normHistogram(await a.call("LATENCY", "HISTOGRAM", "get", "SET", "nosuch", "config|resetstat", "CONFIG", "get"), false));
      out.push(await a.call("LATENCY", "HISTOGRAM", "client"), await a.call("LATENCY", "HISTOGRAM", "nosuch", "config|nosuch"));
      const all = normHistogram(await a.call("LATENCY", "HISTOGRAM"), false) as [string, number][];
      out.push(all.sort((x, y) => x[0].localeCompare(y[0])));
      await a.call("HELLO", "3");
      out.push(normHistogram(await a.call("LATENCY", "HISTOGRAM", "get"), true), await a.call("LATENCY", "HISTOGRAM", "nosuch"));
      await a.call("CONFIG", "SET", "latency-tracking", "no");
      await a.call("GET", "lat:a");
      // Histograms stop growing but are still reported; calls go on counting.
      out.push(normHistogram(await a.call("LATENCY", "HISTOGRAM", "set"), true));
      await a.call("CONFIG", "SET", "latency-tracking", "yes");
      a.close();
      return out;
    };
    const { kv, redis } = await onBoth(scenario);
    expect(kv).toEqual(redis);
  });

  test("histogram steps (unit): Redis's bounds, latencies over a second in the last step", () => {
    const h = new LatencyHistogram();
    for (const ns of [500, 1500, 3000, 30000, 5e9]) h.record(ns);
    expect(h.cumulativeUsec()).toEqual([[1, 1], [2, 2], [4, 3], [33, 4], [1082130, 5]]);
  });

  test("expire-cycle: an active expiry cycle that takes at least the threshold is an event", async () => {
    const clock = new ManualClock();
    const kv = await startKv({ clock, config: { "latency-monitor-threshold": "1" } });
    try {
      const srv = kv.server;
      const db = srv.dbs[0]!;
      for (let i = 0; i < 100_000; i++) {
        db.set(`exp:${i}`, storeString("v"));
        db.setExpire(`exp:${i}`, clock.now() + 10);
      }
      clock.advance(1000);
      srv.cron();
      const s = srv.latency.series("expire-cycle");
      expect(s).toBeDefined();
      expect(s!.samples[0]!.latency).toBeGreaterThanOrEqual(1);
      expect(s!.samples[0]!.time).toBe(Math.floor(clock.now() / 1000));
      const c = await RawConn.connect(kv.port);
      expect(decode(await c.call("LATENCY", "LATEST")) as RespValue[][]).toEqual([
        ["expire-cycle", s!.samples[0]!.time, s!.samples[0]!.latency, s!.max],
      ]);
      c.close();
    } finally {
      await kv.stop();
    }
  });

  test("events (unit): fast-command and command are separate series; the ring keeps 160 seconds", () => {
    const cfg = new Config();
    cfg.set("latency-monitor-threshold", "10", true);
    const m = new LatencyMonitor(cfg);
    m.addIfNeeded("command", 9, 100);
    expect([...m.events()].length).toBe(0);
    m.addIfNeeded("fast-command", 10, 100);
    for (let s = 0; s < 200; s++) m.addIfNeeded("command", 10 + (s % 7), 1000 + s);
    expect(m.series("fast-command")!.samples).toEqual([{ time: 100, latency: 10 }]);
    const cmd = m.series("command")!;
    expect(cmd.samples.length).toBe(160);
    expect(cmd.samples[0]!.time).toBe(1040);
    expect(cmd.max).toBe(16);
    cfg.set("latency-monitor-threshold", "0");
    m.addIfNeeded("command", 1000, 5000);
    expect(m.series("command")!.max).toBe(16);
  });
});

// ---------------------------------------------------------------------------------------------

describe("INFO commandstats, errorstats, latencystats", () => {
  /** name → fields, with timing fields replaced. */
  function infoLines(reply: string): string[] {
    const text = reply.slice(reply.indexOf("\r\n") + 2);
    return text
      .split("\r\n")
      .filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith("cmdstat_info:"))
      .map((l) =>
        l
          .replace(/usec=\d+/, "usec=N")
          .replace(/usec_per_call=\d+\.\d\d/, "usec_per_call=N")
          .replace(/=\d+\.\d{3}/g, "=N"),
      )
      .sort();
  }

  test("same counters and formats after the same commands", async () => {
    const scenario = async (port: number) => {
      const a = await RawConn.connect(port);
      await a.call("CONFIG", "RESETSTAT");
      for (const c of [
        ["SET", "st:k", "v"], ["GET", "st:k"], ["GET"], ["NOSUCH"], ["LPUSH", "st:k", "x"], ["INCR", "st:k"],
        ["CONFIG", "GET", "maxmemory"], ["CLIENT", "NOSUCH"], ["DEBUG", "SLEEP", "0"],
      ]) {
        await a.call(...c);
      }
      const out = [
        infoLines(await a.call("INFO", "commandstats")),
        infoLines(await a.call("INFO", "errorstats")),
        infoLines(await a.call("INFO", "latencystats")),
      ];
      await a.call("CONFIG", "SET", "latency-tracking", "no");
      out.push(infoLines(await a.call("INFO", "latencystats")));
      await a.call("CONFIG", "SET", "latency-tracking", "yes", "latency-tracking-info-percentiles", "50 99.5");
      await a.call("CONFIG", "RESETSTAT");
      await a.call("GET", "st:k");
      out.push(infoLines(await a.call("INFO", "latencystats")));
      await a.call("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9");
      a.close();
      return out;
    };
    const { kv, redis } = await onBoth(scenario);
    expect(kv).toEqual(redis);
  });
});

describe("CONFIG REWRITE without a config file, CONFIG HELP, COMMAND INFO", () => {
  test("replies match byte for byte", async () => {
    await expectSame([["CONFIG", "REWRITE"], ["CONFIG", "REWRITE", "x"], ["config", "rewrite"], ["CONFIG", "HELP"]]);
  });

  test("COMMAND INFO of every command and subcommand here matches", async () => {
    // Containers list their subcommands in Redis's (per-process random) dict order: only the
    // subcommands themselves are compared.
    const names = [
      "slowlog|get", "slowlog|len", "slowlog|reset", "slowlog|help", "latency|latest", "latency|history",
      "latency|reset", "latency|histogram", "latency|help", "monitor", "config|rewrite",
    ];
    await expectSame(names.map((n) => ["COMMAND", "INFO", n]));
  });
});
