// INFO, TIME, CONFIG and DEBUG against real redis-server 7.0: field names and formats, CONFIG's
// value formats and error texts, runtime effects of CONFIG SET, DEBUG's subcommands.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RawConn } from "../support/conn.ts";
import { runBoth, startPair, type Pair } from "../support/oracle.ts";
import type { Arg } from "../support/resp.ts";
import { startKv, startRedis } from "../support/servers.ts";
import { decode, items, pairs } from "../support/value.ts";
import fc from "fast-check";
import { LatencyHistogram, Stats } from "../../src/stats.ts";
import { ManualClock } from "../../src/util/clock.ts";
import { VERSION } from "../../src/server.ts";

let pair: Pair;
beforeAll(async () => {
  pair = await startPair({ "enable-debug-command": "yes", save: "" });
});
afterAll(async () => {
  await pair.stop();
});

async function both(cmds: readonly (readonly Arg[])[]) {
  return runBoth(pair, cmds);
}

/** Switch a kvserver connection to RESP3 (HELLO 3; until HELLO exists, flip the protocol directly). */
async function kvResp3(conn: RawConn, server = pair.kv.server): Promise<void> {
  const r = await conn.call("HELLO", "3");
  if (!r.startsWith("-")) return;
  let newest = null;
  for (const c of server.clients.values()) if (newest === null || c.id > newest.id) newest = c;
  newest!.reply.proto = 3;
}

async function bothResp3(cmds: readonly (readonly Arg[])[]): Promise<{ kv: string[]; redis: string[] }> {
  const [a, b] = await Promise.all([RawConn.connect(pair.kv.port), RawConn.connect(pair.redis.port)]);
  try {
    await kvResp3(a);
    expect((await b.call("HELLO", "3")).startsWith("%")).toBe(true);
    const kv: string[] = [];
    const redis: string[] = [];
    for (const cmd of cmds) {
      kv.push(await a.call(...cmd));
      redis.push(await b.call(...cmd));
    }
    return { kv, redis };
  } finally {
    a.close();
    b.close();
  }
}

/** The payload of an INFO reply (bulk in RESP2, verbatim in RESP3). */
function infoText(raw: string): string {
  const v = decode(raw);
  if (typeof v === "string") return v;
  if (v !== null && typeof v === "object" && "verbatim" in v) return v.verbatim;
  throw new Error(`not an INFO reply: ${raw.slice(0, 80)}`);
}

/** INFO text → [section title, [field names]] in order. */
function shape(text: string): [string, string[]][] {
  const out: [string, string[]][] = [];
  for (const line of text.split("\r\n")) {
    if (line.startsWith("# ")) out.push([line.slice(2), []]);
    else if (line !== "") out[out.length - 1]![1].push(line.slice(0, line.indexOf(":")));
  }
  return out;
}

function fields(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

async function kvInfo(conn: RawConn, ...sections: string[]): Promise<Map<string, string>> {
  return fields(infoText(await conn.call("INFO", ...sections)));
}

describe("INFO", () => {
  test("sections and field names match redis-server 7.0 section by section", async () => {
    // Give the dynamic sections something to show: a key, a hit, a miss, an error, a rejected call.
    await both([["SET", "info:k", "1"], ["GET", "info:k"], ["GET", "info:missing"], ["NOSUCHCMD"], ["GET"]]);
    for (const sec of ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "cluster", "keyspace", "errorstats"]) {
      const { kv, redis } = await both([["INFO", sec]]);
      expect({ sec, shape: shape(infoText(kv[0]!)) }).toEqual({ sec, shape: shape(infoText(redis[0]!)) });
    }
  });

  test("section selection: default, all, everything, several, case, unknown, order", async () => {
    const selections = [[], ["default"], ["all"], ["everything"], ["CPU", "server"], ["keyspace", "clients", "clients"], ["nosuch"], ["commandstats", "errorstats"], ["latencystats"], ["Default", "commandstats"]];
    for (const sel of selections) {
      const { kv, redis } = await both([["INFO", ...sel]]);
      const titles = (raw: string) => shape(infoText(raw)).map(([t]) => t);
      expect({ sel, titles: titles(kv[0]!) }).toEqual({ sel, titles: titles(redis[0]!) });
    }
  });

  test("format: CRLF lines, '# Title' headers, one blank line between sections, bulk or verbatim", async () => {
    const r2 = await both([["INFO", "modules"], ["INFO", "cluster"], ["INFO", "nosuch"], ["INFO", "modules", "cluster"]]);
    expect(r2.kv).toEqual(r2.redis);
    const r3 = await bothResp3([["INFO", "modules"], ["INFO", "cluster", "modules"], ["INFO", "nosuch"]]);
    expect(r3.kv).toEqual(r3.redis);
    const c = await RawConn.connect(pair.kv.port);
    const text = infoText(await c.call("INFO", "everything"));
    c.close();
    expect(text.includes("\n") && !/[^\r]\n/.test(text)).toBe(true);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text.split("\r\n\r\n").every((s) => s.startsWith("# "))).toBe(true);
  });

  test("values describe this server", async () => {
    const c = await RawConn.connect(pair.kv.port);
    const c2 = await RawConn.connect(pair.kv.port);
    try {
      const f = await kvInfo(c);
      expect(f.get("redis_version")).toBe(VERSION);
      expect(f.get("redis_mode")).toBe("standalone");
      expect(f.get("process_id")).toBe(String(process.pid));
      expect(f.get("tcp_port")).toBe(String(pair.kv.port));
      expect(f.get("run_id")).toMatch(/^[0-9a-f]{40}$/);
      expect(f.get("master_replid")).toMatch(/^[0-9a-f]{40}$/);
      expect(f.get("master_replid")).not.toBe(f.get("run_id"));
      expect(f.get("role")).toBe("master");
      expect(f.get("connected_slaves")).toBe("0");
      expect(f.get("master_repl_offset")).toBe("0");
      expect(f.get("arch_bits")).toMatch(/^(32|64)$/);
      expect(f.get("hz")).toBe("10");
      expect(Number(f.get("connected_clients"))).toBe(pair.kv.server.clients.size);
      expect(f.get("maxclients")).toBe("10000");
      expect(f.get("loading")).toBe("0");
      expect(f.get("aof_enabled")).toBe("0");
      expect(f.get("maxmemory")).toBe("0");
      expect(f.get("maxmemory_policy")).toBe("noeviction");
      expect(Number(f.get("used_memory"))).toBeGreaterThan(0);
      expect(f.get("used_memory_human")).toMatch(/^[0-9.]+[BKMGTP]$/);
      expect(Number(f.get("used_memory_peak"))).toBeGreaterThanOrEqual(Number(f.get("used_memory")));
      expect(f.get("mem_fragmentation_ratio")).toMatch(/^[0-9]+\.[0-9]{2}$/);
      expect(f.get("used_cpu_user")).toMatch(/^[0-9]+\.[0-9]{6}$/);
      expect(Math.abs(Number(f.get("server_time_usec")) / 1000 - Date.now())).toBeLessThan(5000);
      // Counters move with traffic.
      const before = await kvInfo(c, "stats", "persistence");
      await c.call("SET", "info:v1", "x");
      await c.call("GET", "info:v1");
      await c.call("GET", "info:nothing");
      await c.call("NOSUCHCMD");
      const after = await kvInfo(c, "stats", "persistence");
      const d = (k: string) => Number(after.get(k)) - Number(before.get(k));
      expect(d("keyspace_hits")).toBe(1);
      expect(d("keyspace_misses")).toBe(1);
      expect(d("total_error_replies")).toBe(1);
      expect(d("rdb_changes_since_last_save")).toBe(1);
      expect(d("total_commands_processed")).toBe(4); // the INFO itself, SET, GET, GET
      expect(d("total_net_input_bytes")).toBeGreaterThan(0);
      expect(d("total_reads_processed")).toBeGreaterThanOrEqual(5);
    } finally {
      c.close();
      c2.close();
    }
  });

  test("keyspace lists non-empty databases as dbN:keys=,expires=,avg_ttl=", async () => {
    const kv = await startKv();
    const c = await RawConn.connect(kv.port);
    try {
      expect(await c.call("INFO", "keyspace")).toBe("$12\r\n# Keyspace\r\n\r\n");
      await c.call("SET", "a", "1");
      await c.call("SET", "b", "2");
      await c.call("SELECT", "3");
      await c.call("SET", "c", "3");
      kv.server.dbs[0]!.setExpire("a", Date.now() + 100_000);
      const text = infoText(await c.call("INFO", "keyspace"));
      expect(text).toMatch(/^# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=\d+\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n$/);
      const ttl = Number(/avg_ttl=(\d+)/.exec(text)![1]);
      expect(ttl).toBeGreaterThan(90_000);
      expect(ttl).toBeLessThanOrEqual(100_000);
    } finally {
      c.close();
      await kv.stop();
    }
  });

  test("commandstats and errorstats lines have Redis's format and counts", async () => {
    const kv = await startKv();
    const rd = await startRedis();
    const [a, b] = await Promise.all([RawConn.connect(kv.port), RawConn.connect(rd.port)]);
    try {
      const cmds: Arg[][] = [["SET", "k", "v"], ["GET", "k"], ["GET", "k"], ["GET"], ["NOSUCH"], ["CONFIG", "GET", "maxmemory"], ["CONFIG", "SET", "hz", "x"]];
      for (const cmd of cmds) {
        await a.call(...cmd);
        await b.call(...cmd);
      }
      const norm = (raw: string) =>
        infoText(raw)
          .split("\r\n")
          .map((l) => l.replace(/usec=\d+,usec_per_call=\d+\.\d\d/, "usec=U,usec_per_call=P"))
          .filter((l) => l !== "" && !l.startsWith("cmdstat_info:") && !l.startsWith("cmdstat_hello:"))
          .sort();
      const ours = norm(await a.call("INFO", "commandstats", "errorstats"));
      const theirs = norm(await b.call("INFO", "commandstats", "errorstats"));
      expect(ours).toEqual(theirs);
      expect(ours).toContain("cmdstat_get:calls=2,usec=U,usec_per_call=P,rejected_calls=1,failed_calls=0");
      expect(ours).toContain("cmdstat_config|set:calls=1,usec=U,usec_per_call=P,rejected_calls=0,failed_calls=1");
      expect(ours).toContain("errorstat_ERR:count=3");
      // CONFIG RESETSTAT clears them (its own call is then the only one counted).
      expect(await a.call("CONFIG", "RESETSTAT")).toBe("+OK\r\n");
      expect(await b.call("CONFIG", "RESETSTAT")).toBe("+OK\r\n");
      const after = (raw: string) => infoText(raw).replace(/usec=\d+,usec_per_call=\d+\.\d\d/, "usec=U,usec_per_call=P");
      expect(after(await a.call("INFO", "commandstats", "errorstats"))).toBe(after(await b.call("INFO", "commandstats", "errorstats")));
      const st = await kvInfo(a, "stats");
      expect(st.get("keyspace_hits")).toBe("0");
      expect(st.get("total_error_replies")).toBe("0");
      expect(st.get("total_commands_processed")).toBe("2"); // RESETSTAT and the INFO before this one
    } finally {
      a.close();
      b.close();
      await kv.stop();
      await rd.stop();
    }
  });

  test("latencystats: a line per command called, with the configured percentiles", async () => {
    const kv = await startKv();
    const rd = await startRedis();
    const [a, b] = await Promise.all([RawConn.connect(kv.port), RawConn.connect(rd.port)]);
    try {
      const cmds: Arg[][] = [
        ["SET", "k", "v"], ["GET", "k"], ["GET", "k"], ["CONFIG", "GET", "hz"],
        ["INFO", "latencystats"],
        ["CONFIG", "SET", "latency-tracking-info-percentiles", "50.0 99.990 1"],
        ["CONFIG", "GET", "latency-tracking-info-percentiles"],
        ["INFO", "latencystats"],
        ["CONFIG", "SET", "latency-tracking-info-percentiles", "abc"],
        ["CONFIG", "SET", "latency-tracking-info-percentiles", "101"],
        ["CONFIG", "SET", "latency-tracking-info-percentiles", "-1"],
        ["CONFIG", "SET", "latency-tracking-info-percentiles", "0.5 1e1"],
        ["CONFIG", "GET", "latency-tracking-info-percentiles"],
        ["CONFIG", "SET", "latency-tracking-info-percentiles", ""],
        ["INFO", "latencystats"],
        ["CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9"],
        ["CONFIG", "SET", "latency-tracking", "no"],
        ["INFO", "latencystats"],
        ["CONFIG", "SET", "latency-tracking", "yes"],
        ["INFO", "latencystats"],
      ];
      const norm = (cmd: Arg[], raw: string) =>
        cmd[0] === "INFO"
          ? infoText(raw).replace(/=\d+\.\d{3}/g, "=N").split("\r\n").sort().join("|")
          : raw;
      for (const cmd of cmds) {
        const x = norm(cmd, await a.call(...cmd));
        const y = norm(cmd, await b.call(...cmd));
        expect({ cmd, reply: x }).toEqual({ cmd, reply: y });
      }
    } finally {
      a.close();
      b.close();
      await kv.stop();
      await rd.stop();
    }
  });

  test("latency histogram percentiles are within 2% of the true values", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5_000_000 }), { minLength: 1, maxLength: 300 }), fc.constantFrom(1, 50, 99, 99.9, 100), (ns, p) => {
        const h = new LatencyHistogram();
        for (const v of ns) h.record(v);
        const sorted = [...ns].sort((x, y) => x - y);
        const exact = sorted[Math.max(0, Math.ceil((p / 100) * ns.length) - 1)]!;
        const got = h.percentile(p);
        expect(got).toBeGreaterThanOrEqual(exact);
        expect(got).toBeLessThanOrEqual(exact * 1.02 + 1);
      }),
    );
  });

  test("instantaneous metrics are a 16-sample mean of per-second rates taken every 100 ms", () => {
    const s = new Stats();
    s.sample(1000);
    s.commandsProcessed += 100;
    s.netInputBytes += 1024 * 10;
    s.sample(1050); // too soon: ignored
    s.sample(1100);
    expect(s.opsPerSec).toBe(Math.round(1000 / 16));
    expect(s.inputKbps).toBeCloseTo(100 / 16, 6);
    for (let t = 1200; t <= 2700; t += 100) {
      s.commandsProcessed += 100;
      s.sample(t);
    }
    expect(s.opsPerSec).toBe(1000);
    s.reset();
    expect(s.opsPerSec).toBe(0);
  });

  test("clients section counts blocked clients", async () => {
    const idle = await RawConn.connect(pair.kv.port);
    await idle.call("PING");
    const ctx = [...pair.kv.server.clients.values()].at(-1)!;
    const c = await RawConn.connect(pair.kv.port);
    try {
      const base = Number((await kvInfo(c, "clients")).get("blocked_clients"));
      ctx.blocked = true;
      expect(Number((await kvInfo(c, "clients")).get("blocked_clients"))).toBe(base + 1);
    } finally {
      ctx.blocked = false;
      c.close();
      idle.close();
    }
  });
});

describe("TIME", () => {
  test("seconds and microseconds of the server clock", async () => {
    const c = await RawConn.connect(pair.kv.port);
    try {
      const r = items(decode(await c.call("TIME"))) as string[];
      expect(r.length).toBe(2);
      expect(r[0]).toMatch(/^[1-9][0-9]*$/);
      expect(r[1]).toMatch(/^(0|[1-9][0-9]{0,5})$/);
      expect(Math.abs(Number(r[0]) * 1000 + Number(r[1]) / 1000 - Date.now())).toBeLessThan(2000);
    } finally {
      c.close();
    }
    const { kv, redis } = await both([["TIME", "x"]]);
    expect(kv).toEqual(redis);
    const r3 = await bothResp3([["TIME"]]);
    expect(r3.kv[0]!.replace(/\d+/g, "N")).toBe(r3.redis[0]!.replace(/\d+/g, "N"));
  });

  test("follows an injected clock", async () => {
    const clock = new ManualClock(1_700_000_000_123);
    const kv = await startKv({ clock });
    const c = await RawConn.connect(kv.port);
    try {
      expect(await c.call("TIME")).toBe("*2\r\n$10\r\n1700000000\r\n$6\r\n123000\r\n");
    } finally {
      c.close();
      await kv.stop();
    }
  });
});

describe("CONFIG GET", () => {
  test("every parameter we have exists in Redis with the same default value", async () => {
    const { kv, redis } = await both([["CONFIG", "GET", "*"]]);
    const ours = new Map(pairs(decode(kv[0]!)) as [string, string][]);
    const theirs = new Map(pairs(decode(redis[0]!)) as [string, string][]);
    // Differ by how the two servers were started, not by default.
    const startup = new Set(["port", "dir", "pidfile", "daemonize", "bind", "enable-debug-command"]);
    const diffs: string[] = [];
    for (const [k, v] of ours) {
      if (!theirs.has(k)) diffs.push(`${k}: not a Redis 7.0 parameter`);
      else if (!startup.has(k) && theirs.get(k) !== v) diffs.push(`${k}: ours ${JSON.stringify(v)} redis ${JSON.stringify(theirs.get(k))}`);
    }
    expect(diffs).toEqual([]);
    expect(ours.get("dir")).toBe(process.cwd());
  });

  test("patterns: exact names as spelled, globs, aliases, several at once, no duplicates", async () => {
    const cases: Arg[][] = [
      ["CONFIG", "GET", "maxmemory"],
      ["CONFIG", "GET", "HZ"],
      ["CONFIG", "GET", "hz", "HZ"],
      ["CONFIG", "GET", "HZ", "h*"],
      ["CONFIG", "GET", "h*", "HZ"],
      ["CONFIG", "GET", "*max-*-entries*"],
      ["CONFIG", "GET", "lua*"],
      ["CONFIG", "GET", "busy*"],
      ["CONFIG", "GET", "lua-time-limit", "hash-max-ziplist-value"],
      ["CONFIG", "GET", "maxmemory*", "maxmemory"],
      ["CONFIG", "GET", "nosuch"],
      ["CONFIG", "GET", "save"],
      ["CONFIG", "GET", "appendfsync", "maxmemory-policy", "loglevel"],
      ["CONFIG", "GET", "[lm]*-max-*"],
      ["CONFIG", "GET", "notify-keyspace-events", "repl*"],
    ];
    for (const run of [both, bothResp3]) {
      const { kv, redis } = await run(cases);
      cases.forEach((cmd, i) => {
        const a = pairs(decode(kv[i]!)).map((p) => JSON.stringify(p)).sort();
        const b = pairs(decode(redis[i]!)).map((p) => JSON.stringify(p)).sort();
        // Redis's glob can reach parameters kvserver does not have; everything we return must be Redis's.
        const glob = cmd.slice(2).some((p) => /[*?[]/.test(String(p)));
        if (glob) {
          expect({ cmd, extra: a.filter((x) => !b.includes(x)) }).toEqual({ cmd, extra: [] });
        } else {
          expect({ cmd, got: a }).toEqual({ cmd, got: b });
        }
      });
      expect(kv[0]!.charAt(0)).toBe(redis[0]!.charAt(0)); // '*' in RESP2, '%' in RESP3
    }
    const err = await both([["CONFIG", "GET"]]);
    expect(err.kv).toEqual(err.redis);
  });
});

describe("CONFIG SET", () => {
  /** Run a sequence on both servers, then put back the parameters it touched. */
  async function seq(cmds: Arg[][], restore: Arg[][] = []) {
    const r = await both([...cmds, ...restore]);
    return { kv: r.kv.slice(0, cmds.length), redis: r.redis.slice(0, cmds.length) };
  }

  /** Like seq, with CONFIG GET replies compared as sets of pairs (Redis's order is its hash order). */
  async function seqSorted(cmds: Arg[][], restore: Arg[][] = []) {
    const r = await seq(cmds, restore);
    const norm = (raws: string[]) =>
      raws.map((raw, i) => (cmds[i]![1] === "GET" ? JSON.stringify(pairs(decode(raw)).map((p) => JSON.stringify(p)).sort()) : raw));
    return { kv: norm(r.kv), redis: norm(r.redis) };
  }

  test("errors: unknown, immutable, protected, duplicate, syntax, bad values — Redis's texts", async () => {
    const { kv, redis } = await seq([
      ["CONFIG", "SET"],
      ["CONFIG", "SET", "foo"],
      ["CONFIG", "SET", "foo", "bar"],
      ["CONFIG", "SET", "hz", "20", "foo", "bar"],
      ["CONFIG", "SET", "hz", "abc", "foo", "bar"],
      ["CONFIG", "SET", "hz", "abc", "daemonize", "no"],
      ["CONFIG", "SET", "daemonize", "yes"],
      ["CONFIG", "SET", "databases", "4"],
      ["CONFIG", "SET", "dir", "/tmp"],
      ["CONFIG", "SET", "hz", "abc", "dbfilename", "x.rdb"],
      ["CONFIG", "SET", "HZ", "10", "hz", "12"],
      ["CONFIG", "SET", "hz", "5", "maxmemory", "bad", "hz", "6"],
      ["CONFIG", "SET", "hz", "10", "hz"],
      ["CONFIG", "SET", "hz", "abc"],
      ["CONFIG", "SET", "hz", "1k"],
      ["CONFIG", "SET", "hz", "+5"],
      ["CONFIG", "SET", "hz", "010"],
      ["CONFIG", "SET", "hz", ""],
      ["CONFIG", "SET", "hz", "-5"],
      ["CONFIG", "SET", "hz", "99999999999999999999"],
      ["CONFIG", "SET", "maxclients", "0"],
      ["CONFIG", "SET", "active-expire-effort", "11"],
      ["CONFIG", "SET", "list-max-listpack-size", "9223372036854775807"],
      ["CONFIG", "SET", "appendfsync", "bad"],
      ["CONFIG", "SET", "loglevel", "bad"],
      ["CONFIG", "SET", "maxmemory-policy", "lru"],
      ["CONFIG", "SET", "repl-diskless-load", "x"],
      ["CONFIG", "SET", "protected-mode", "maybe"],
      ["CONFIG", "SET", "maxmemory", "-1"],
      ["CONFIG", "SET", "maxmemory", "10x"],
      ["CONFIG", "SET", "maxmemory", "1.5gb"],
      ["CONFIG", "SET", "maxmemory", "+1"],
      ["CONFIG", "SET", "maxmemory", "1tb"],
      ["CONFIG", "SET", "proto-max-bulk-len", "1"],
      ["CONFIG", "SET", "save", "bad"],
      ["CONFIG", "SET", "save", "1 2 3"],
      ["CONFIG", "SET", "save", "100 10  50 5"],
      ["CONFIG", "SET", "save", "-1 1"],
      ["CONFIG", "SET", "save", " "],
      ["CONFIG", "SET", "notify-keyspace-events", "KEAa"],
    ]);
    expect(kv).toEqual(redis);
  });

  test("is all or nothing", async () => {
    const { kv, redis } = await seqSorted(
      [
        ["CONFIG", "SET", "maxmemory-samples", "7", "maxmemory-policy", "bad"],
        ["CONFIG", "GET", "maxmemory-samples"],
        ["CONFIG", "SET", "maxmemory-samples", "7", "slowlog-max-len", "9", "timeout", "x"],
        ["CONFIG", "GET", "maxmemory-samples", "slowlog-max-len"],
        ["CONFIG", "SET", "maxmemory-samples", "7", "slowlog-max-len", "9"],
        ["CONFIG", "GET", "maxmemory-samples"],
        ["CONFIG", "GET", "slowlog-max-len"],
      ],
      [["CONFIG", "SET", "maxmemory-samples", "5", "slowlog-max-len", "128"]],
    );
    expect(kv).toEqual(redis);
  });

  test("values are stored in Redis's canonical form", async () => {
    const cmds: Arg[][] = [];
    const set = (name: string, ...values: string[]) => {
      for (const v of values) cmds.push(["CONFIG", "SET", name, v], ["CONFIG", "GET", name]);
    };
    set("maxmemory", "1gb", "1GB", "1Kb", "1k", "01kb", "1b", "k", "1m", "1mb", "1g", "", "9223372036854775807", "0");
    set("hz", "0", "100000", "500", "10");
    set("save", "", "100 10", "3600 1 300 100 60 10000", "");
    set("notify-keyspace-events", "KEA", "A", "g", "g$lshzxetd", "Kx", "AKEmn", "EKm", "n", "tmdn", "Ag$lshzxeKEtmdn", "");
    set("appendfsync", "EVERYSEC", "always", "everysec");
    set("maxmemory-policy", "ALLKEYS-LRU", "noeviction");
    set("loglevel", "NOTICE", "warning", "notice");
    set("list-max-ziplist-size", "-6", "-2");
    set("hash-max-ziplist-value", "1kb", "64");
    set("lua-time-limit", "1");
    set("busy-reply-threshold", "5000");
    set("protected-mode", "NO", "yes");
    set("slowlog-log-slower-than", "-1", "10000");
    set("requirepass", "");
    const { kv, redis } = await both(cmds);
    expect(kv).toEqual(redis);
    const r3 = await bothResp3([["CONFIG", "SET", "hz", "11", "maxmemory-samples", "5"], ["CONFIG", "GET", "hz"], ["CONFIG", "SET", "hz", "10"]]);
    expect(r3.kv).toEqual(r3.redis);
  });

  test("protected parameters are settable under enable-protected-configs", async () => {
    const kv = await startKv({ config: { "enable-protected-configs": "yes" } });
    const c = await RawConn.connect(kv.port);
    try {
      expect(await c.call("CONFIG", "SET", "dbfilename", "other.rdb")).toBe("+OK\r\n");
      expect(await c.call("CONFIG", "GET", "dbfilename")).toBe("*2\r\n$10\r\ndbfilename\r\n$9\r\nother.rdb\r\n");
      expect(await c.call("CONFIG", "SET", "enable-protected-configs", "no")).toBe(
        "-ERR CONFIG SET failed (possibly related to argument 'enable-protected-configs') - can't set immutable config\r\n",
      );
    } finally {
      c.close();
      await kv.stop();
    }
  });

  test("runtime effects: loglevel, hz (cron rate), requirepass for new connections", async () => {
    const kv = await startKv();
    const c = await RawConn.connect(kv.port);
    try {
      expect(await c.call("CONFIG", "SET", "loglevel", "debug")).toBe("+OK\r\n");
      expect(kv.server.log.level).toBe("debug");
      expect(await c.call("CONFIG", "SET", "loglevel", "warning")).toBe("+OK\r\n");
      expect(kv.server.log.level).toBe("warning");

      let ticks = 0;
      const cron = kv.server.cron.bind(kv.server);
      kv.server.cron = () => {
        ticks++;
        cron();
      };
      expect(await c.call("CONFIG", "SET", "hz", "100")).toBe("+OK\r\n");
      ticks = 0;
      await Bun.sleep(300);
      const fast = ticks;
      expect(await c.call("CONFIG", "SET", "hz", "1")).toBe("+OK\r\n");
      ticks = 0;
      await Bun.sleep(300);
      expect(fast).toBeGreaterThan(10);
      expect(ticks).toBeLessThanOrEqual(1);
      expect((await kvInfo(c, "server")).get("hz")).toBe("1");

      expect(await c.call("CONFIG", "SET", "requirepass", "s3cret")).toBe("+OK\r\n");
      // The connection that was already authenticated stays so; a new one must AUTH.
      expect(await c.call("SET", "rp", "1")).toBe("+OK\r\n");
      const d = await RawConn.connect(kv.port);
      expect(await d.call("GET", "rp")).toBe("-NOAUTH Authentication required.\r\n");
      d.close();
      expect(await c.call("CONFIG", "SET", "requirepass", "")).toBe("+OK\r\n");
      const e = await RawConn.connect(kv.port);
      expect(await e.call("GET", "rp")).toBe("$1\r\n1\r\n");
      e.close();
    } finally {
      c.close();
      await kv.stop();
    }
  });
});

describe("CONFIG RESETSTAT and HELP", () => {
  test("HELP is Redis's text; errors match", async () => {
    const { kv, redis } = await both([["CONFIG", "HELP"], ["CONFIG", "HELP", "x"], ["CONFIG", "RESETSTAT", "x"], ["CONFIG", "FOO"], ["CONFIG"]]);
    expect(kv[0]).toBe(redis[0]!);
    expect(kv.slice(1)).toEqual(redis.slice(1));
  });
});

describe("DEBUG", () => {
  test("refused unless enable-debug-command allows it", async () => {
    const kv = await startKv({ config: { "enable-debug-command": "no" } });
    const rd = await startRedis(["--enable-debug-command", "no"]);
    const [a, b] = await Promise.all([RawConn.connect(kv.port), RawConn.connect(rd.port)]);
    try {
      for (const cmd of [["DEBUG", "sleep", "0"], ["DEBUG", "foo"], ["DEBUG"], ["DEBUG", "help"]]) {
        expect(await a.call(...cmd)).toBe(await b.call(...cmd));
      }
    } finally {
      a.close();
      b.close();
      await kv.stop();
      await rd.stop();
    }
    const local = await startKv({ config: { "enable-debug-command": "local" } });
    const c = await RawConn.connect(local.port);
    expect(await c.call("DEBUG", "sleep", "0")).toBe("+OK\r\n");
    c.close();
    await local.stop();
  });

  test("errors and simple subcommands match redis", async () => {
    const { kv, redis } = await both([
      ["DEBUG"],
      ["DEBUG", "FOO"],
      ["DEBUG", "foo", "bar"],
      ["DEBUG", "sleep"],
      ["DEBUG", "sleep", "0"],
      ["DEBUG", "sleep", "abc"],
      ["DEBUG", "sleep", "-1"],
      ["DEBUG", "sleep", "0", "extra"],
      ["DEBUG", "help", "extra"],
      ["DEBUG", "set-active-expire"],
      ["DEBUG", "set-active-expire", "1"],
      ["DEBUG", "object"],
      ["DEBUG", "object", "dbg:nokey"],
      ["DEBUG", "object", "dbg:nokey", "extra"],
      ["DEBUG", "log", "hello from a test"],
      ["DEBUG", "error", "hello"],
      ["DEBUG", "error", "-X y"],
      ["DEBUG", "error"],
      ["DEBUG", "protocol"],
      ["DEBUG", "protocol", "foo"],
    ]);
    expect(kv).toEqual(redis);
  });

  test("PROTOCOL replies with each type, in RESP2 and RESP3", async () => {
    const types = ["string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib", "push", "verbatim", "true", "false", "STRING"];
    const r2 = await both(types.map((t) => ["DEBUG", "PROTOCOL", t]));
    expect(r2.kv).toEqual(r2.redis);
    // attrib and push are followed by a second reply: read everything each one produced.
    const [a, b] = await Promise.all([RawConn.connect(pair.kv.port), RawConn.connect(pair.redis.port)]);
    try {
      await kvResp3(a);
      await b.call("HELLO", "3");
      for (const t of types) {
        const cmd = ["DEBUG", "PROTOCOL", t];
        let x = await a.call(...cmd);
        let y = await b.call(...cmd);
        if (t === "attrib" || t === "push") {
          x += await a.read();
          y += await b.read();
        }
        expect({ t, reply: x }).toEqual({ t, reply: y });
      }
    } finally {
      a.close();
      b.close();
    }
  });

  test("SET-ACTIVE-EXPIRE switches the background expiry cycle like atoi", async () => {
    const c = await RawConn.connect(pair.kv.port);
    const srv = pair.kv.server;
    try {
      for (const [arg, on] of [["0", false], ["1", true], ["abc", false], ["2", true], [" 0", false], ["-1", true]] as const) {
        expect(await c.call("DEBUG", "SET-ACTIVE-EXPIRE", arg)).toBe("+OK\r\n");
        expect({ arg, on: srv.activeExpireEnabled }).toEqual({ arg, on });
      }
    } finally {
      c.close();
    }
  });

  test("SLEEP blocks the whole server", async () => {
    const a = await RawConn.connect(pair.kv.port);
    const b = await RawConn.connect(pair.kv.port);
    try {
      const t0 = performance.now();
      const sleeping = a.call("DEBUG", "SLEEP", "0.3");
      await Bun.sleep(20);
      expect(await b.call("PING")).toBe("+PONG\r\n");
      const waited = performance.now() - t0;
      expect(await sleeping).toBe("+OK\r\n");
      expect(waited).toBeGreaterThanOrEqual(280);
    } finally {
      a.close();
      b.close();
    }
  });

  test("OBJECT: Redis's line, encodings and serialized lengths of strings", async () => {
    const values = ["v", "123", "0", "9999", "10000", "-100000", "4294967296", "hello world", "abcdefghijklmnopqrstuvwxyz0123", "x".repeat(10)];
    const cmds: Arg[][] = [];
    values.forEach((v, i) => cmds.push(["SET", `dbg:o${i}`, v], ["DEBUG", "OBJECT", `dbg:o${i}`]));
    const { kv, redis } = await both(cmds);
    // Shared integers (0..9999) carry whatever access time Redis's shared object last had.
    const norm = (s: string) =>
      s.replace(/at:0x[0-9a-f]+/, "at:ADDR").replace(/ lru:\d+/, " lru:L").replace(/lru_seconds_idle:\d+/, "lru_seconds_idle:I");
    for (let i = 1; i < cmds.length; i += 2) {
      expect(kv[i]).toMatch(/^\+Value at:0x[0-9a-f]+ refcount:\d+ encoding:\w+ serializedlength:\d+ lru:\d+ lru_seconds_idle:\d+\r\n$/);
      expect({ v: values[(i - 1) / 2], r: norm(kv[i]!) }).toEqual({ v: values[(i - 1) / 2], r: norm(redis[i]!) });
    }
  });

  test("OBJECT: quicklist fields and serialized length of a list", async () => {
    const { kv, redis } = await both([
      ["CONFIG", "SET", "list-max-listpack-size", "2"],
      ["RPUSH", "dbg:list", "a", "b", "c", "12345", "hello world"],
      ["DEBUG", "OBJECT", "dbg:list"],
      ["CONFIG", "SET", "list-max-listpack-size", "-2"],
    ]);
    const norm = (s: string) => s.replace(/at:0x[0-9a-f]+/, "at:ADDR").replace(/ lru:\d+/, " lru:L");
    expect(norm(kv[2]!)).toBe(norm(redis[2]!));
  });

  test("OBJECT reports idle time from the clock without touching the key", async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const kv = await startKv({ clock, config: { "enable-debug-command": "yes" } });
    const c = await RawConn.connect(kv.port);
    try {
      await c.call("SET", "k", "v");
      clock.advance(5_500);
      const r1 = await c.call("DEBUG", "OBJECT", "k");
      expect(r1).toContain(` lru:${Math.floor(1_700_000_000) & 0xffffff} lru_seconds_idle:5\r\n`);
      clock.advance(2_000);
      expect(await c.call("DEBUG", "OBJECT", "k")).toContain("lru_seconds_idle:7\r\n");
    } finally {
      c.close();
      await kv.stop();
    }
  });

  test("POPULATE creates key:N = value:N, padded or cut to a size, keeping existing keys", async () => {
    const { kv, redis } = await both([
      ["DEBUG", "POPULATE", "3", "dbgpop"],
      ["GET", "dbgpop:0"],
      ["GET", "dbgpop:2"],
      ["GET", "dbgpop:3"],
      ["DEBUG", "POPULATE", "2", "dbgpad", "10"],
      ["GET", "dbgpad:1"],
      ["DEBUG", "POPULATE", "2", "dbgcut", "2"],
      ["GET", "dbgcut:1"],
      ["SET", "dbgkeep:0", "mine"],
      ["DEBUG", "POPULATE", "2", "dbgkeep", "0"],
      ["GET", "dbgkeep:0"],
      ["GET", "dbgkeep:1"],
      ["DEBUG", "POPULATE", "0"],
      ["DEBUG", "POPULATE", "-1"],
      ["DEBUG", "POPULATE", "abc"],
      ["DEBUG", "POPULATE", "1", "a", "b"],
      ["DEBUG", "POPULATE", "1", "a", "-1"],
      ["DEBUG", "POPULATE", "1", "a", "1", "x"],
    ]);
    expect(kv).toEqual(redis);
    const c = await RawConn.connect(pair.kv.port);
    expect(await c.call("DEBUG", "POPULATE", "2")).toBe("+OK\r\n");
    expect(await c.call("GET", "key:1")).toBe("$7\r\nvalue:1\r\n");
    c.close();
  });

  test("HELP lists what is implemented in Redis's format", async () => {
    const c = await RawConn.connect(pair.kv.port);
    try {
      const lines = items(decode(await c.call("DEBUG", "HELP"))) as string[];
      expect(lines[0]).toBe("DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
      expect(lines.slice(-2)).toEqual(["HELP", "    Prints this help."]);
      for (const sub of ["SLEEP", "SET-ACTIVE-EXPIRE", "OBJECT", "POPULATE", "PROTOCOL", "LOG", "ERROR"]) {
        expect(lines.some((l) => l.startsWith(sub + " "))).toBe(true);
      }
    } finally {
      c.close();
    }
  });
});
