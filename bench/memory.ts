// Scenario 3 of `bun run bench`: bytes per key of N small string keys (DEBUG POPULATE, 16-byte
// values) and of N small hashes (pipelined HSET, 3 short fields), each in a fresh server of either
// kind: VmRSS of the server process and INFO used_memory, before loading and after a settle (until
// both stop moving). kvserver has no command to force a GC: the settle lets Bun's GC timer run.
import { type BenchOptions, type Kind, type Target, Client, KINDS, fix, info, int, label, load, mark, rss, start, table } from "./lib.ts";

export interface MemoryRow {
  dataset: string;
  server: Kind;
  keys: number;
  rssBefore: number;
  rssAfter: number;
  usedBefore: number;
  usedAfter: number;
  rssPerKey: number;
  usedPerKey: number;
  loadMs: number;
}

type Dataset = "strings" | "hashes";

async function loadDataset(c: Client, ds: Dataset, n: number): Promise<void> {
  if (ds === "strings") {
    const r = await c.call("DEBUG", "POPULATE", String(n), "key", "16");
    if (r !== "+OK\r\n") throw new Error(`DEBUG POPULATE: ${r}`);
    return;
  }
  await load(c, n, (i) => ["HSET", `hash:${i}`, "name", `user${i}`, "city", "paris", "visits", String(i % 1000)]);
}

async function measureOne(opts: BenchOptions, kind: Kind, ds: Dataset, minSettleMs: number): Promise<MemoryRow> {
  const n = opts.keys;
  const s = await start(kind, opts, ["--appendonly", "no"]);
  try {
    const c = await Client.open(s.port);
    await Bun.sleep(300);
    const rssBefore = rss(s.pid);
    const usedBefore = Number(await info(c, "memory", "used_memory"));
    const t0 = performance.now();
    await loadDataset(c, ds, n);
    const loadMs = performance.now() - t0;
    const dbsize = await c.call("DBSIZE");
    if (dbsize !== `:${n}\r\n`) throw new Error(`${label(kind)} ${ds}: DBSIZE ${dbsize.trim()} after loading ${n}`);
    // Settle: at least minSettleMs, then until RSS and used_memory move less than 1% in 500 ms
    // (Bun's GC timer collects the loading garbage within a second or two), at most 8 s.
    await Bun.sleep(minSettleMs);
    let rssAfter = rss(s.pid);
    let usedAfter = Number(await info(c, "memory", "used_memory"));
    const settleEnd = performance.now() + 8000;
    for (;;) {
      await Bun.sleep(500);
      const r = rss(s.pid);
      const u = Number(await info(c, "memory", "used_memory"));
      const still = Math.abs(r - rssAfter) < rssAfter * 0.01 && Math.abs(u - usedAfter) < usedAfter * 0.01;
      rssAfter = r;
      usedAfter = u;
      if (still || performance.now() > settleEnd) break;
    }
    c.close();
    const row: MemoryRow = {
      dataset: ds, server: kind, keys: n, rssBefore, rssAfter, usedBefore, usedAfter,
      rssPerKey: (rssAfter - rssBefore) / n, usedPerKey: (usedAfter - usedBefore) / n, loadMs,
    };
    console.error(`  3 memory ${ds} ${label(kind)}: ${int(row.rssPerKey)} B/key RSS, ${int(row.usedPerKey)} B/key used_memory`);
    return row;
  } finally {
    await s.stop();
    s.remove();
  }
}

export async function scenario3(opts: BenchOptions): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  for (const ds of ["strings", "hashes"] as const) for (const k of KINDS) rows.push(await measureOne(opts, k, ds, opts.quick ? 1000 : 2000));
  return rows;
}

const mb = (b: number): string => fix(b / 1048576, 1);

export function report3(rows: MemoryRow[], targets: Target[]): string {
  const body: string[][] = [];
  for (const ds of ["strings", "hashes"]) {
    const kv = rows.find((r) => r.dataset === ds && r.server === "kv");
    const rd = rows.find((r) => r.dataset === ds && r.server === "redis");
    if (!kv || !rd) continue;
    const rssX = kv.rssPerKey / rd.rssPerKey;
    let cell = "— (no target)";
    if (ds === "strings") {
      const met = rssX <= 2;
      targets.push({ scenario: "3", what: `RSS per key, ${kv.keys} string keys, vs redis`, target: "≤ 2×", value: rssX, met });
      cell = `≤2 ${mark(met)}`;
    }
    const name = ds === "strings" ? "strings (16 B values)" : "hashes (3 fields)";
    body.push([name, String(kv.keys), int(kv.rssPerKey), int(rd.rssPerKey), fix(rssX), cell, int(kv.usedPerKey), int(rd.usedPerKey), fix(kv.usedPerKey / rd.usedPerKey),
      `${mb(kv.rssBefore)}→${mb(kv.rssAfter)}`, `${mb(rd.rssBefore)}→${mb(rd.rssAfter)}`, `${int(kv.loadMs)}/${int(rd.loadMs)}`]);
  }
  return table(["dataset", "keys", "kv RSS B/key", "redis RSS B/key", "ratio", "target", "kv used_memory B/key", "redis used_memory B/key", "ratio",
    "kv RSS MB", "redis RSS MB", "load ms kv/redis"], body);
}
