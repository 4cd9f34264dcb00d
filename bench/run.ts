// `bun run bench`: kvserver and real redis-server side by side under redis-benchmark.
// Builds ./kvserver, starts both with the same settings on free ports, runs each scenario on
// both in alternation (A B A B …), takes medians, prints one table and writes JSON to bench/results/.
// Flags: --quick (fewer requests and rounds, under two minutes), --rounds N, --only SET,GET.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const rounds = Number(flag("--rounds") ?? (quick ? 3 : 5));
const only = flag("--only")?.toUpperCase().split(",");

interface Row {
  scenario: string;
  test: string;
  pipeline: number;
  valueSize: number;
  kv: Measure;
  redis: Measure;
  ratio: number;
}
interface Measure {
  rps: number;
  p50: number;
  p99: number;
}

function sh(cmd: string[], cwd = root): string {
  const r = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

async function freePort(): Promise<number> {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const p = l.port;
  l.stop(true);
  return p;
}

async function waitPort(port: number): Promise<void> {
  const deadline = Date.now() + 15000;
  for (;;) {
    try {
      const s = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
      s.end();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`nothing listening on ${port}`);
      await Bun.sleep(25);
    }
  }
}

interface Proc {
  port: number;
  stop(): Promise<void>;
}

async function start(kind: "kv" | "redis", extra: string[]): Promise<Proc> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `bench-${kind}-`));
  const common = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir, ...extra];
  const cmd = kind === "kv" ? [join(root, "kvserver"), ...common] : ["redis-server", ...common];
  const p = Bun.spawn(cmd, { stdout: "ignore", stderr: "ignore" });
  await waitPort(port);
  return {
    port,
    stop: async () => {
      p.kill("SIGTERM");
      await p.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function redisBenchmark(port: number, test: string, pipeline: number, n: number, size: number): Measure {
  const out = sh([
    "redis-benchmark", "-h", "127.0.0.1", "-p", String(port), "-c", "50", "-P", String(pipeline), "-n", String(n),
    "-r", "100000", "-d", String(size), "-t", test.toLowerCase(), "--csv",
  ]);
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  const lines = out.split("\n").filter((l) => l.startsWith('"') && !l.startsWith('"test"'));
  const f = lines[0]!.split(",").map((x) => x.replace(/"/g, ""));
  return { rps: Number(f[1]), p50: Number(f[4]), p99: Number(f[6]) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const TESTS = ["SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN", "LRANGE_100", "LRANGE_300", "MSET"];

/** Which benchmark tests kvserver can run now (every command they use is implemented). */
async function supported(port: number): Promise<Set<string>> {
  const needs: Record<string, string[]> = {
    SET: ["set"], GET: ["get"], INCR: ["incr"], LPUSH: ["lpush"], RPUSH: ["rpush"], LPOP: ["lpop"], RPOP: ["rpop"],
    SADD: ["sadd"], HSET: ["hset"], SPOP: ["spop"], ZADD: ["zadd"], ZPOPMIN: ["zpopmin"],
    LRANGE_100: ["lrange", "lpush"], LRANGE_300: ["lrange", "lpush"], MSET: ["mset"],
  };
  const out = new Set<string>();
  for (const [t, cmds] of Object.entries(needs)) {
    const ok = cmds.every((c) => sh(["redis-cli", "-p", String(port), "COMMAND", "INFO", c]).length > 0);
    if (ok) out.add(t);
  }
  return out;
}

async function scenario(name: string, extra: string[], tests: string[], pipelines: number[], sizes: number[], n: number): Promise<Row[]> {
  const kv = await start("kv", extra);
  const redis = await start("redis", extra);
  const rows: Row[] = [];
  try {
    const can = await supported(kv.port);
    for (const size of sizes) {
      for (const pipeline of pipelines) {
        for (const test of tests) {
          if (!can.has(test)) {
            console.error(`skip ${test}: not implemented in kvserver yet`);
            continue;
          }
          const a: Measure[] = [];
          const b: Measure[] = [];
          for (let r = 0; r < rounds; r++) {
            a.push(redisBenchmark(kv.port, test, pipeline, n * pipeline, size));
            b.push(redisBenchmark(redis.port, test, pipeline, n * pipeline, size));
          }
          const m = (xs: Measure[]): Measure => ({ rps: median(xs.map((x) => x.rps)), p50: median(xs.map((x) => x.p50)), p99: median(xs.map((x) => x.p99)) });
          const row: Row = { scenario: name, test, pipeline, valueSize: size, kv: m(a), redis: m(b), ratio: 0 };
          row.ratio = row.kv.rps / row.redis.rps;
          rows.push(row);
          console.error(`${name} ${test} -P ${pipeline} -d ${size}: kv ${row.kv.rps.toFixed(0)} redis ${row.redis.rps.toFixed(0)} ratio ${row.ratio.toFixed(2)}`);
        }
      }
    }
  } finally {
    await kv.stop();
    await redis.stop();
  }
  return rows;
}

async function main(): Promise<void> {
  sh(["node_modules/.bin/bun", "run", "build"]);
  const commit = sh(["git", "rev-parse", "--short", "HEAD"]);
  const redisVersion = sh(["redis-server", "--version"]);
  const cpu = cpus();
  const machine = `${cpu.length} cores, ${cpu[0]?.model ?? "unknown CPU"}`;
  const tests = only ?? TESTS;
  const n = quick ? 20000 : 100000;
  const rows: Row[] = [];
  rows.push(...(await scenario("in-memory", ["--appendonly", "no"], tests, [1, 16], quick ? [3] : [3, 1024], n)));
  const header = `kvserver ${commit} · Bun ${Bun.version} · ${redisVersion.split(" ").slice(0, 3).join(" ")} · ${machine} · ${rounds} rounds, medians, redis-benchmark -c 50 -r 100000`;
  const table = [
    "| scenario | command | -P | value | kvserver ops/s | redis ops/s | ratio | kv p50/p99 ms | redis p50/p99 ms |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r) =>
      `| ${r.scenario} | ${r.test} | ${r.pipeline} | ${r.valueSize}B | ${r.kv.rps.toFixed(0)} | ${r.redis.rps.toFixed(0)} | ${r.ratio.toFixed(2)} | ${r.kv.p50.toFixed(3)}/${r.kv.p99.toFixed(3)} | ${r.redis.p50.toFixed(3)}/${r.redis.p99.toFixed(3)} |`),
  ].join("\n");
  console.log(header);
  console.log(table);
  mkdirSync(join(root, "bench", "results"), { recursive: true });
  const file = join(root, "bench", "results", `${new Date().toISOString().replace(/[:.]/g, "-")}-${commit}.json`);
  writeFileSync(file, JSON.stringify({ commit, bun: Bun.version, redis: redisVersion, machine, rounds, quick, rows }, null, 2));
  console.log(`\nwrote ${file}`);
}

await main();
