// `bun run bench`: kvserver and real redis-server side by side, the five scenarios of issue 6.
// Builds ./kvserver, starts both with the same settings on free ports in their own temp dirs, prints
// one table per scenario with ratios and the issue's targets marked, and writes JSON to bench/results/.
// Flags: --quick (under two minutes), --rounds N, --only SET,GET (redis-benchmark tests of 1–2),
// --scenarios 1,3,5, --keys N (scenarios 3–5), --requests N (fixed redis-benchmark -n at -P 1, ×P
// when pipelined; by default -n is sized from an untimed warm-up run),
// --no-build (use the existing ./kvserver), --bin PATH (run that kvserver binary instead),
// --inprocess (also run bench/inprocess.ts, about 40 s, and add its table).
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { type BenchOptions, type Target, fix, int, mark, root, sh, table } from "./lib.ts";
import { type Row, report1, report2, scenario1, scenario2 } from "./throughput.ts";
import { type MemoryRow, report3, scenario3 } from "./memory.ts";
import { type StartupRow, report4, scenario4 } from "./startup.ts";
import { type Phase, CLIENTS, report5, scenario5 } from "./latency.ts";

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes("--quick");
const scenarios = new Set((flag("--scenarios") ?? flag("--scenario") ?? "1,2,3,4,5").split(",").map(Number));
const opts: BenchOptions = {
  quick,
  rounds: Number(flag("--rounds") ?? (quick ? 3 : 5)),
  kvBin: flag("--bin") ?? join(root, "kvserver"),
  only: flag("--only")?.toUpperCase().split(",") ?? null,
  keys: Number(flag("--keys") ?? (quick ? 200_000 : 1_000_000)),
  requests: flag("--requests") ? Number(flag("--requests")) : null,
  runSecs: quick ? 0.15 : 0.75,
};

function machine(): { machine: string; fs: string } {
  const cpu = cpus();
  let fs = "?";
  try {
    fs = sh(["df", "--output=fstype", tmpdir()]).split("\n").pop()!.trim();
  } catch {
    // df missing: leave unknown
  }
  return { machine: `${cpu.length} cores, ${cpu[0]?.model ?? "unknown CPU"}, ${fix(totalmem() / 2 ** 30, 0)} GB RAM`, fs };
}

/** bench/inprocess.ts in its own process (it runs the source tree, not the binary). */
function inprocess(): { command: string; ns: number }[] {
  const rows: { command: string; ns: number }[] = [];
  for (const line of sh(["node_modules/.bin/bun", "bench/inprocess.ts"]).split("\n")) {
    const m = /^(\S.*?)\s+(\d+)\s+([\d.]+)$/.exec(line);
    if (m) rows.push({ command: m[1]!, ns: Number(m[2]) });
  }
  return rows;
}

async function main(): Promise<void> {
  const began = performance.now();
  if (!argv.includes("--no-build") && !flag("--bin")) sh(["node_modules/.bin/bun", "run", "build"]);
  const commit = sh(["git", "rev-parse", "--short", "HEAD"]);
  // diff-index does not refresh the index (no lock taken, nothing written).
  const dirty = Bun.spawnSync(["git", "diff-index", "--quiet", "HEAD", "--"], { cwd: root }).exitCode !== 0;
  const bun = sh(["node_modules/.bin/bun", "--version"]);
  const redis = sh(["redis-server", "--version"]);
  const redisVersion = /v=(\S+)/.exec(redis)?.[1] ?? redis;
  const { machine: mach, fs } = machine();
  const load0 = loadavg().map((x) => x.toFixed(2)).join(" ");
  const header = [
    `kvserver ${commit}${dirty ? " (+ uncommitted changes)" : ""} · Bun ${bun} · Redis ${redisVersion} · ${mach} · load ${load0} · temp dirs on ${fs}`,
    `${quick ? "QUICK mode: " : ""}${opts.rounds} rounds alternating A B A B, medians; redis-benchmark -c 50 -r 100000, ` +
      `${opts.requests === null ? `-n sized for ~${opts.runSecs} s per run on the slower server by an untimed warm-up run` : `-n ${opts.requests} (×P when pipelined)`}` +
      `${quick ? ", 3-byte values only" : ", 3-byte and 1 KB values"}; scenarios 3–5 with ${opts.keys.toLocaleString("en")} keys` +
      `${quick ? " (the full run uses 1,000,000)" : ""}`,
  ].join("\n");
  console.log(header);

  const targets: Target[] = [];
  const out: string[] = [];
  const result: {
    rows: Row[]; memory?: MemoryRow[]; startup?: StartupRow[]; latency?: Phase[]; inprocess?: { command: string; ns: number }[];
    seconds: Record<string, number>;
  } = { rows: [], seconds: {} };
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    console.error(`scenario ${name}…`);
    const r = await f();
    result.seconds[name] = Math.round((performance.now() - t0) / 100) / 10;
    return r;
  };

  if (scenarios.has(1)) {
    const rows = await timed("1", () => scenario1(opts));
    result.rows.push(...rows);
    out.push(`\n## 1. Throughput, no persistence (redis-benchmark; targets: -P 1 ≥ 0.95× ops/s and p99 ≤ 1.5×, -P 16 ≥ 0.80×)\n${report1(rows, targets)}`);
  }
  if (scenarios.has(2)) {
    const rows = await timed("2", () => scenario2(opts));
    result.rows.push(...rows);
    out.push(`\n## 2. SET/GET with appendonly yes (both servers; kvserver without AOF measured in the same rounds; target: everysec ≥ 0.90× of kvserver without AOF)\n${report2(rows, targets)}`);
  }
  if (scenarios.has(3)) {
    result.memory = await timed("3", () => scenario3(opts));
    out.push(`\n## 3. Memory per key (VmRSS and INFO used_memory, after − before, after a settle until both stop moving; no forced GC; target: string keys RSS ≤ 2× redis)\n${report3(result.memory, targets)}`);
  }
  if (scenarios.has(4)) {
    result.startup = await timed("4", () => scenario4(opts));
    out.push(`\n## 4. Start-up load time (the servers' own "DB loaded from …" log lines; spawn→PONG includes process start; target ≤ 2× redis)\n${report4(result.startup, targets)}`);
  }
  if (scenarios.has(5)) {
    result.latency = await timed("5", () => scenario5(opts));
    out.push(`\n## 5. GET latency during snapshots (${CLIENTS} clients, one GET in flight each, random keys; client-side; no target in the issue)\n${report5(result.latency, targets)}`);
  }
  if (argv.includes("--inprocess")) {
    result.inprocess = await timed("in-process", async () => inprocess());
    out.push(`\n## In-process hot path (bench/inprocess.ts: parse + dispatch + reply, no sockets, pipeline 16, ns per command)\n` +
      table(["command", "ns/cmd", "Mcmd/s"], result.inprocess.map((r) => [r.command, int(r.ns), fix(1000 / r.ns)])));
  }
  const seconds = (performance.now() - began) / 1000;
  for (const t of out) console.log(t);
  const met = targets.filter((t) => t.met).length;
  console.log(`\n## Targets: ${met} of ${targets.length} met`);
  const missed = targets.filter((t) => !t.met);
  if (missed.length > 0) console.log(table(["scenario", "what", "target", "measured", ""], missed.map((t) => [t.scenario, t.what, t.target, `${fix(t.value)}×`, mark(t.met)])));
  console.log(`\ntotal ${seconds.toFixed(0)} s (${Object.entries(result.seconds).map(([k, v]) => `scenario ${k} ${v} s`).join(", ")})`);

  mkdirSync(join(root, "bench", "results"), { recursive: true });
  const file = join(root, "bench", "results", `${new Date().toISOString().replace(/[:.]/g, "-")}-${commit}${quick ? "-quick" : ""}.json`);
  const json = {
    commit, dirty, bun, redis, machine: mach, tempDirFs: fs, loadavg: load0, quick, rounds: opts.rounds, requests: opts.requests, runSecs: opts.runSecs, keys: opts.keys,
    totalSeconds: Math.round(seconds), ...result, targets,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

await main();
