// Scenarios 1 and 2 of `bun run bench`: redis-benchmark against kvserver and redis-server started
// with the same settings, run in alternation (A B A B …, medians of the rounds). Scenario 2 adds
// kvserver without AOF as a third server in the same alternation, for the AOF/no-AOF ratio.
import { type BenchOptions, type Kind, type Server, type Target, fix, int, label, mark, median, sh, start, table } from "./lib.ts";

export interface Measure {
  rps: number;
  p50: number;
  p99: number;
}

export interface Row {
  scenario: string;
  test: string;
  pipeline: number;
  valueSize: number;
  /** redis-benchmark -n of every run of this row. */
  requests: number;
  kv: Measure;
  redis: Measure;
  /** kv.rps / redis.rps */
  ratio: number;
  /** Scenario 2: kvserver without AOF, measured in the same rounds, and kv.rps / kvNoAof.rps. */
  kvNoAof?: Measure;
  aofRatio?: number;
}

export const TESTS = ["SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN", "LRANGE_100", "LRANGE_300", "MSET"];

/** Commands each redis-benchmark test needs. */
const NEEDS: Record<string, string[]> = {
  SET: ["set"], GET: ["get"], INCR: ["incr"], LPUSH: ["lpush"], RPUSH: ["rpush"], LPOP: ["lpop"], RPOP: ["rpop"],
  SADD: ["sadd"], HSET: ["hset"], SPOP: ["spop"], ZADD: ["zadd"], ZPOPMIN: ["zpopmin"],
  LRANGE_100: ["lrange", "lpush"], LRANGE_300: ["lrange", "lpush"], MSET: ["mset"],
};

function supported(port: number, tests: string[]): Set<string> {
  const out = new Set<string>();
  for (const t of tests) {
    const cmds = NEEDS[t] ?? [t.toLowerCase()];
    if (cmds.every((c) => sh(["redis-cli", "-p", String(port), "COMMAND", "INFO", c]).length > 0)) out.add(t);
    else console.error(`skip ${t}: not implemented in kvserver yet`);
  }
  return out;
}

function redisBenchmark(port: number, test: string, pipeline: number, n: number, size: number): Measure {
  const out = sh([
    "redis-benchmark", "-h", "127.0.0.1", "-p", String(port), "-c", "50", "-P", String(pipeline), "-n", String(n),
    "-r", "100000", "-d", String(size), "-t", test.toLowerCase(), "--csv",
  ]);
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  // LRANGE_* tests first print an "LPUSH (needed to benchmark LRANGE)" line: take the test's own line.
  const line = out.split("\n").find((l) => l.startsWith(`"${test}`));
  if (!line) throw new Error(`no ${test} line in redis-benchmark output:\n${out}`);
  const f = line.split(",").map((x) => x.replace(/"/g, ""));
  return { rps: Number(f[1]), p50: Number(f[4]), p99: Number(f[6]) };
}

const med = (xs: Measure[]): Measure => ({ rps: median(xs.map((x) => x.rps)), p50: median(xs.map((x) => x.p50)), p99: median(xs.map((x) => x.p99)) });

interface Side {
  kind: Kind;
  extra: string[];
}

/**
 * Requests per run: fixed by --requests, or sized so one run on the slowest side lasts about
 * opts.runSecs, from a short untimed run on every side (which also warms kvserver's JIT up for
 * the command: the first rounds of a cold kvserver are not what it sustains).
 */
function calibrate(opts: BenchOptions, ports: number[], test: string, pipeline: number, size: number): number {
  // 10,000 requests (×P) per side: enough for JavaScriptCore's optimising tiers to compile the
  // command's path; Redis gets the same run.
  const warm = ports.map((p) => redisBenchmark(p, test, pipeline, 10000 * pipeline, size).rps);
  if (opts.requests !== null) return opts.requests * pipeline;
  const n = Math.min(...warm) * opts.runSecs;
  const floor = pipeline === 1 ? 5000 : 20000;
  return Math.max(floor, Math.round(n / 1000) * 1000);
}

/** Each (size, pipeline, test) on every side, in alternation, `rounds` times; medians. */
async function alternate(opts: BenchOptions, name: string, sides: Side[], tests: string[], pipelines: number[], sizes: number[]): Promise<Result[]> {
  const servers: Server[] = [];
  const out: Result[] = [];
  try {
    for (const s of sides) servers.push(await start(s.kind, opts, s.extra));
    const can = supported(servers[0]!.port, tests);
    for (const size of sizes) {
      for (const pipeline of pipelines) {
        for (const test of tests) {
          if (!can.has(test)) continue;
          const n = calibrate(opts, servers.map((s) => s.port), test, pipeline, size);
          const got: Measure[][] = servers.map(() => []);
          for (let r = 0; r < opts.rounds; r++) {
            servers.forEach((s, i) => got[i]!.push(redisBenchmark(s.port, test, pipeline, n, size)));
          }
          const m = got.map(med);
          out.push({ test, pipeline, size, requests: n, m });
          console.error(`  ${name} ${test} -P ${pipeline} -d ${size} -n ${n}: ${m.map((x, i) => `${label(servers[i]!.kind)} ${int(x.rps)}`).join(", ")}`);
        }
      }
    }
  } finally {
    for (const s of servers) {
      await s.stop();
      s.remove();
    }
  }
  return out;
}

/** One (test, pipeline, size) with the median measure of each side, in the sides' order. */
interface Result {
  test: string;
  pipeline: number;
  size: number;
  requests: number;
  m: Measure[];
}

/** Scenario 1: every test, -P 1 and -P 16, no persistence. */
export async function scenario1(opts: BenchOptions): Promise<Row[]> {
  const sizes = opts.quick ? [3] : [3, 1024];
  const tests = opts.only ?? TESTS;
  const sides: Side[] = [{ kind: "kv", extra: ["--appendonly", "no"] }, { kind: "redis", extra: ["--appendonly", "no"] }];
  const ms = await alternate(opts, "1 in-memory", sides, tests, [1, 16], sizes);
  return ms.map(({ test, pipeline, size, requests, m }) => ({
    scenario: "in-memory", test, pipeline, valueSize: size, requests, kv: m[0]!, redis: m[1]!, ratio: m[0]!.rps / m[1]!.rps,
  }));
}

/** Scenario 2: SET and GET with appendonly yes and appendfsync everysec / always, plus kvserver without AOF. */
export async function scenario2(opts: BenchOptions): Promise<Row[]> {
  const tests = (opts.only ?? ["SET", "GET"]).filter((t) => t === "SET" || t === "GET");
  const rows: Row[] = [];
  for (const fsync of ["everysec", "always"]) {
    const aof = ["--appendonly", "yes", "--appendfsync", fsync];
    const sides: Side[] = [{ kind: "kv", extra: aof }, { kind: "redis", extra: aof }, { kind: "kv", extra: ["--appendonly", "no"] }];
    const ms = await alternate(opts, `2 aof-${fsync}`, sides, tests, [1, 16], [3]);
    for (const { test, pipeline, size, requests, m } of ms) {
      rows.push({
        scenario: `aof-${fsync}`, test, pipeline, valueSize: size, requests,
        kv: m[0]!, redis: m[1]!, ratio: m[0]!.rps / m[1]!.rps, kvNoAof: m[2]!, aofRatio: m[0]!.rps / m[2]!.rps,
      });
    }
  }
  return rows;
}

const lat = (m: Measure): string => `${fix(m.p50, 3)}/${fix(m.p99, 3)}`;

export function report1(rows: Row[], targets: Target[]): string {
  const body = rows.map((r) => {
    const opsTarget = r.pipeline === 1 ? 0.95 : 0.8;
    const opsMet = r.ratio >= opsTarget;
    targets.push({ scenario: "1", what: `${r.test} -P ${r.pipeline} -d ${r.valueSize} ops/s vs redis`, target: `≥ ${opsTarget}×`, value: r.ratio, met: opsMet });
    const p99x = r.kv.p99 / r.redis.p99;
    let p99Cell = "—";
    if (r.pipeline === 1) {
      const met = p99x <= 1.5;
      targets.push({ scenario: "1", what: `${r.test} -P 1 -d ${r.valueSize} p99 vs redis`, target: "≤ 1.5×", value: p99x, met });
      p99Cell = `≤1.5 ${mark(met)}`;
    }
    return [r.test, String(r.pipeline), `${r.valueSize}B`, String(r.requests), int(r.kv.rps), int(r.redis.rps), fix(r.ratio), `≥${opsTarget} ${mark(opsMet)}`, lat(r.kv), lat(r.redis), fix(p99x), p99Cell];
  });
  return table(["command", "-P", "value", "-n", "kvserver ops/s", "redis ops/s", "ratio", "target", "kv p50/p99 ms", "redis p50/p99 ms", "p99 kv/redis", "p99 target"], body);
}

export function report2(rows: Row[], targets: Target[]): string {
  const body = rows.map((r) => {
    let cell = "— (no target)";
    if (r.scenario === "aof-everysec") {
      const met = r.aofRatio! >= 0.9;
      targets.push({ scenario: "2", what: `${r.test} -P ${r.pipeline} everysec vs kvserver without AOF`, target: "≥ 0.90×", value: r.aofRatio!, met });
      cell = `≥0.90 ${mark(met)}`;
    }
    return [r.scenario.slice(4), r.test, String(r.pipeline), String(r.requests), int(r.kv.rps), int(r.redis.rps), fix(r.ratio), int(r.kvNoAof!.rps), fix(r.aofRatio!), cell, lat(r.kv), lat(r.redis)];
  });
  return table(["appendfsync", "command", "-P", "-n", "kv AOF ops/s", "redis AOF ops/s", "kv/redis", "kv no-AOF ops/s", "kv AOF/no-AOF", "target", "kv p50/p99 ms", "redis p50/p99 ms"], body);
}
