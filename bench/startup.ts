// Scenario 4 of `bun run bench`: start-up time with N keys on disk, both servers. Each server is
// filled with N pipelined SETs (16-byte values) under appendonly yes, so its AOF incr file holds N
// commands, then SAVEs a dump.rdb; it is restarted once with appendonly no (loads the RDB) and
// once with appendonly yes (loads the AOF). Reported: the load time the server logs ("DB loaded
// from disk" / "DB loaded from append only file", the figure the target is checked on) and the
// wall time from spawn until PING answers +PONG (includes process start, polled every 5 ms).
import { type BenchOptions, type Kind, type Target, Client, KINDS, fix, label, load, mark, start, table } from "./lib.ts";

export interface StartupRow {
  server: Kind;
  file: "rdb" | "aof";
  keys: number;
  /** Seconds, from the server's own log line. */
  loadSecs: number;
  /** Milliseconds from spawn until PING answered. */
  pingMs: number;
}

const value = (i: number): string => `value:${i}`.padEnd(16, "x");

async function restart(opts: BenchOptions, kind: Kind, dir: string, file: "rdb" | "aof"): Promise<StartupRow> {
  let t0 = 0;
  const s = await start(kind, opts, ["--appendonly", file === "aof" ? "yes" : "no"], { dir, onSpawn: (t) => (t0 = t) });
  const pingMs = performance.now() - t0;
  const c = await Client.open(s.port);
  const dbsize = await c.call("DBSIZE");
  c.close();
  const log = await s.stop();
  if (dbsize !== `:${opts.keys}\r\n`) throw new Error(`${label(kind)} ${file}: DBSIZE ${dbsize.trim()} after start-up, expected ${opts.keys}`);
  const re = file === "rdb" ? /DB loaded from disk: ([0-9.]+) seconds/ : /DB loaded from append only file: ([0-9.]+) seconds/;
  const m = re.exec(log);
  if (!m) throw new Error(`${label(kind)} ${file}: no load line in the log:\n${log}`);
  const row: StartupRow = { server: kind, file, keys: opts.keys, loadSecs: Number(m[1]), pingMs };
  console.error(`  4 start-up ${file} ${label(kind)}: loaded in ${row.loadSecs} s (log), PING after ${pingMs.toFixed(0)} ms`);
  return row;
}

async function measure(opts: BenchOptions, kind: Kind): Promise<StartupRow[]> {
  const s = await start(kind, opts, ["--appendonly", "yes", "--appendfsync", "everysec"]);
  const dir = s.dir;
  try {
    const c = await Client.open(s.port);
    await load(c, opts.keys, (i) => ["SET", `key:${i}`, value(i)]);
    const r = await c.call("SAVE");
    if (r !== "+OK\r\n") throw new Error(`SAVE: ${r}`);
    c.close();
    await s.stop();
    return [await restart(opts, kind, dir, "rdb"), await restart(opts, kind, dir, "aof")];
  } finally {
    await s.stop();
    s.remove();
  }
}

export async function scenario4(opts: BenchOptions): Promise<StartupRow[]> {
  const rows: StartupRow[] = [];
  for (const k of KINDS) rows.push(...(await measure(opts, k)));
  return rows;
}

export function report4(rows: StartupRow[], targets: Target[]): string {
  const body: string[][] = [];
  for (const file of ["rdb", "aof"] as const) {
    const kv = rows.find((r) => r.file === file && r.server === "kv");
    const rd = rows.find((r) => r.file === file && r.server === "redis");
    if (!kv || !rd) continue;
    const x = kv.loadSecs / rd.loadSecs;
    const met = x <= 2;
    targets.push({ scenario: "4", what: `${file.toUpperCase()} load of ${kv.keys} keys vs redis (log line)`, target: "≤ 2×", value: x, met });
    body.push([file.toUpperCase(), String(kv.keys), fix(kv.loadSecs, 3), fix(rd.loadSecs, 3), fix(x), `≤2 ${mark(met)}`, fix(kv.pingMs, 0), fix(rd.pingMs, 0), fix(kv.pingMs / rd.pingMs)]);
  }
  return table(["file", "keys", "kv load s (log)", "redis load s (log)", "ratio", "target", "kv spawn→PONG ms", "redis spawn→PONG ms", "ratio"], body);
}
