// Scenario 5 of `bun run bench`: GET latency while a snapshot of N keys is taken, both servers.
// A server (appendonly yes, so BGREWRITEAOF is a real rewrite) gets N keys by DEBUG POPULATE;
// CLIENTS connections then issue GETs of random keys continuously, one request in flight each,
// while idle, during BGSAVE and during BGREWRITEAOF (each snapshot repeated until about 1 s (quick)
// or 3 s were spent under it). Client-side latency per GET: p50, p99, p99.9, max. Snapshot time is
// as seen by a client polling INFO every 10 ms.
import { type BenchOptions, type Kind, type Target, Client, KINDS, fix, info, int, label, pct, start, table } from "./lib.ts";

export const CLIENTS = 4;

export interface Phase {
  server: Kind;
  phase: "idle" | "BGSAVE" | "BGREWRITEAOF";
  keys: number;
  samples: number;
  /** GETs per second over the phase, all clients together. */
  rps: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** Mean duration of one snapshot, ms (0 for idle). */
  snapshotMs: number;
  repeats: number;
}

/** Run GET loops on every client until stop() is true; latencies in ms. */
async function gets(clients: Client[], n: number, stop: () => boolean): Promise<number[]> {
  const lat: number[] = [];
  await Promise.all(clients.map(async (c) => {
    while (!stop()) {
      const k = `key:${Math.floor(Math.random() * n)}`;
      const t0 = performance.now();
      await c.call("GET", k);
      lat.push(performance.now() - t0);
    }
  }));
  return lat;
}

async function done(ctl: Client, what: "BGSAVE" | "BGREWRITEAOF"): Promise<boolean> {
  const r = await ctl.call("INFO", "persistence");
  if (what === "BGSAVE") return r.includes("rdb_bgsave_in_progress:0");
  return r.includes("aof_rewrite_in_progress:0") && r.includes("aof_rewrite_scheduled:0");
}

function summarize(kind: Kind, phase: Phase["phase"], keys: number, lat: number[], ms: number, snapshotMs: number, repeats: number): Phase {
  const s = Float64Array.from(lat).sort();
  return {
    server: kind, phase, keys, samples: s.length, rps: (s.length * 1000) / ms,
    p50: pct(s, 50), p99: pct(s, 99), p999: pct(s, 99.9), max: s[s.length - 1] ?? NaN, snapshotMs, repeats,
  };
}

async function measure(opts: BenchOptions, kind: Kind): Promise<Phase[]> {
  const n = opts.keys;
  // Each snapshot is repeated until enough time was spent under it for a p99.9 to mean something.
  const minRepeats = opts.quick ? 2 : 3;
  const minBusyMs = opts.quick ? 1000 : 3000;
  const s = await start(kind, opts, ["--appendonly", "yes"]);
  const out: Phase[] = [];
  try {
    const ctl = await Client.open(s.port);
    const r = await ctl.call("DEBUG", "POPULATE", String(n), "key", "16");
    if (r !== "+OK\r\n") throw new Error(`DEBUG POPULATE: ${r}`);
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => Client.open(s.port)));
    // Warm-up, then idle figures.
    let t0 = performance.now();
    await gets(clients, n, () => performance.now() - t0 > 300);
    const idleMs = opts.quick ? 1000 : 3000;
    t0 = performance.now();
    const idle = await gets(clients, n, () => performance.now() - t0 > idleMs);
    out.push(summarize(kind, "idle", n, idle, performance.now() - t0, 0, 0));
    for (const what of ["BGSAVE", "BGREWRITEAOF"] as const) {
      const lat: number[] = [];
      let busyMs = 0;
      let repeats = 0;
      while (repeats < minRepeats || (busyMs < minBusyMs && repeats < 20)) {
        repeats++;
        let running = true;
        const ts = performance.now();
        const reply = await ctl.call(what);
        if (reply[0] === "-") throw new Error(`${what}: ${reply}`);
        const poll = (async () => {
          while (!(await done(ctl, what))) await Bun.sleep(10);
          running = false;
        })();
        lat.push(...(await gets(clients, n, () => !running)));
        await poll;
        busyMs += performance.now() - ts;
        // Let the server finish after-snapshot work (and the fork child go) before the next one.
        await Bun.sleep(100);
      }
      out.push(summarize(kind, what, n, lat, busyMs, busyMs / repeats, repeats));
    }
    for (const c of clients) c.close();
    if ((await info(ctl, "persistence", "rdb_last_bgsave_status")) !== "ok") throw new Error(`${label(kind)}: BGSAVE failed`);
    ctl.close();
    for (const p of out) {
      console.error(`  5 latency ${label(kind)} ${p.phase}: p99 ${fix(p.p99 * 1000, 0)} µs, p99.9 ${fix(p.p999 * 1000, 0)} µs, max ${fix(p.max, 1)} ms (${p.samples} GETs)`);
    }
    return out;
  } finally {
    await s.stop();
    s.remove();
  }
}

export async function scenario5(opts: BenchOptions): Promise<Phase[]> {
  const rows: Phase[] = [];
  for (const k of KINDS) rows.push(...(await measure(opts, k)));
  return rows;
}

const us = (ms: number): string => int(ms * 1000);

export function report5(rows: Phase[], _targets: Target[]): string {
  const body: string[][] = [];
  for (const phase of ["idle", "BGSAVE", "BGREWRITEAOF"] as const) {
    const kv = rows.find((r) => r.phase === phase && r.server === "kv");
    const rd = rows.find((r) => r.phase === phase && r.server === "redis");
    if (!kv || !rd) continue;
    for (const r of [kv, rd]) {
      body.push([phase, label(r.server), String(r.samples), int(r.rps), us(r.p50), us(r.p99), us(r.p999), fix(r.max, 1), phase === "idle" ? "—" : `${int(r.snapshotMs)} ×${r.repeats}`]);
    }
    body.push([phase, "kv/redis", "", fix(kv.rps / rd.rps), fix(kv.p50 / rd.p50), fix(kv.p99 / rd.p99), fix(kv.p999 / rd.p999), fix(kv.max / rd.max), phase === "idle" ? "—" : fix(kv.snapshotMs / rd.snapshotMs)]);
  }
  return table(["phase", "server", "GETs", "GET/s", "p50 µs", "p99 µs", "p99.9 µs", "max ms", "snapshot ms"], body);
}
