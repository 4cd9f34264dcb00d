// SAVE, BGSAVE (point in time while clients keep writing), LASTSAVE, INFO persistence, save
// points, MISCONF after a failed save, DEBUG RELOAD, start-up loading and bad files, SHUTDOWN and
// SIGTERM: replies compared with redis-server where Redis can be put in the same state.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RawConn } from "../support/conn.ts";
import { runBoth, startPair, transcript, type Pair } from "../support/oracle.ts";
import { startKv, type KvRunning } from "../support/servers.ts";
import type { Arg } from "../support/resp.ts";
import { ManualClock } from "../../src/util/clock.ts";
import { Db } from "../../src/keyspace/db.ts";
import { loadRdb } from "../../src/persistence/rdb.ts";
import { checkRdb, cleanup, redisOnDir, tempDir } from "./rdbhelpers.ts";

const ROOT = join(import.meta.dir, "..", "..");
const MAIN = join(ROOT, "src", "main.ts");

function info(text: string, field: string): string {
  const m = new RegExp(`^${field}:(.*)$`, "m").exec(text);
  if (!m) throw new Error(`no ${field} in INFO`);
  return m[1]!.trim();
}

async function infoOf(c: RawConn): Promise<string> {
  const r = await c.call("INFO", "persistence");
  return r.slice(r.indexOf("\r\n") + 2);
}

async function waitBgsave(c: RawConn): Promise<string> {
  for (let i = 0; i < 1000; i++) {
    const text = await infoOf(c);
    if (info(text, "rdb_bgsave_in_progress") === "0") return text;
    await Bun.sleep(10);
  }
  throw new Error("BGSAVE did not finish");
}

/** Load a dump file into fresh dbs; returns db 0's entries as plain strings. */
function dumpFile(path: string): Map<string, string> {
  const dbs = Array.from({ length: 16 }, (_, i) => new Db(i, new ManualClock(Date.now()), { expired() {}, keepExpired: () => false }));
  loadRdb(readFileSync(path), dbs, Date.now());
  const out = new Map<string, string>();
  for (const [k, v] of dbs[0]!.dict.entries()) out.set(k, typeof v === "object" ? JSON.stringify((v as { toArray?: () => string[] }).toArray?.() ?? v.type) : String(v));
  return out;
}

describe("SAVE, BGSAVE, LASTSAVE and INFO", () => {
  let kv: KvRunning;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    kv = await startKv({ config: { dir, "enable-debug-command": "yes" } });
  });
  afterAll(async () => {
    await kv.stop();
    cleanup(dir);
  });

  test("SAVE writes dump.rdb atomically and updates LASTSAVE and the counters", async () => {
    const c = await RawConn.connect(kv.port);
    await c.call("SET", "a", "1");
    await c.call("SET", "b", "2");
    let text = await infoOf(c);
    expect(info(text, "rdb_changes_since_last_save")).toBe("2");
    const saves = Number(info(text, "rdb_saves"));
    expect(await c.call("SAVE")).toBe("+OK\r\n");
    text = await infoOf(c);
    expect(info(text, "rdb_changes_since_last_save")).toBe("0");
    expect(Number(info(text, "rdb_saves"))).toBe(saves + 1);
    expect(info(text, "rdb_last_bgsave_status")).toBe("ok");
    const last = Number((await c.call("LASTSAVE")).slice(1));
    expect(Math.abs(last - Date.now() / 1000)).toBeLessThan(3);
    expect(info(text, "rdb_last_save_time")).toBe(String(last));
    expect(dumpFile(join(dir, "dump.rdb"))).toEqual(new Map([["a", "1"], ["b", "2"]]));
    // No temp file is left behind.
    expect(readdirSync(dir).filter((f) => f.startsWith("temp-"))).toEqual([]);
    expect((await checkRdb(join(dir, "dump.rdb"))).code).toBe(0);
    c.close();
  });

  test("BGSAVE runs alongside clients; a second one, or SAVE, is refused meanwhile", async () => {
    const c = await RawConn.connect(kv.port);
    await c.call("DEBUG", "POPULATE", "50000", "pop");
    await c.send("*1\r\n$6\r\nBGSAVE\r\n*1\r\n$6\r\nBGSAVE\r\n*1\r\n$4\r\nSAVE\r\n*2\r\n$6\r\nBGSAVE\r\n$8\r\nSCHEDULE\r\n*2\r\n$4\r\nINFO\r\n$11\r\npersistence\r\n");
    expect(await c.read()).toBe("+Background saving started\r\n");
    expect(await c.read()).toBe("-ERR Background save already in progress\r\n");
    expect(await c.read()).toBe("-ERR Background save already in progress\r\n");
    expect(await c.read()).toBe("-ERR Background save already in progress\r\n");
    const during = await c.read();
    expect(info(during, "rdb_bgsave_in_progress")).toBe("1");
    expect(Number(info(during, "rdb_current_bgsave_time_sec"))).toBeGreaterThanOrEqual(0);
    expect(info(during, "current_save_keys_total")).toBe("50002");
    expect(Number(info(during, "current_save_keys_processed"))).toBeLessThan(50002);
    const after = await waitBgsave(c);
    expect(info(after, "rdb_last_bgsave_status")).toBe("ok");
    expect(info(after, "rdb_current_bgsave_time_sec")).toBe("-1");
    expect(info(after, "current_save_keys_total")).toBe("0");
    expect(Number(info(after, "rdb_last_bgsave_time_sec"))).toBeGreaterThanOrEqual(0);
    expect(dumpFile(join(dir, "dump.rdb")).size).toBe(50002);
    expect(await c.call("BGSAVE", "SCHEDULE")).toBe("+Background saving started\r\n");
    await waitBgsave(c);
    c.close();
  });

  test("BGSAVE is a point-in-time snapshot: writes pipelined right after it do not leak in", async () => {
    const c = await RawConn.connect(kv.port);
    await c.call("FLUSHALL");
    const N = 60000;
    await c.call("DEBUG", "POPULATE", String(N), "k");
    const lists: string[] = [];
    for (let i = 0; i < 200; i++) {
      await c.call("RPUSH", `list:${i}`, "a", "b");
      lists.push(`list:${i}`);
    }
    let batch = "*1\r\n$6\r\nBGSAVE\r\n";
    let n = 0;
    const cmd = (...a: string[]) => {
      n++;
      return `*${a.length}\r\n${a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join("")}`;
    };
    for (let i = 0; i < N; i += 7) batch += cmd("SET", `k:${i}`, "changed");
    for (let i = 1; i < N; i += 13) batch += cmd("DEL", `k:${i}`);
    for (let i = 0; i < 500; i++) batch += cmd("SET", `new:${i}`, "x");
    for (const l of lists) batch += cmd("RPUSH", l, "c") + cmd("LSET", l, "0", "z");
    batch += cmd("RENAME", "list:0", "renamed");
    batch += cmd("RPUSH", "renamed", "after-rename");
    batch += cmd("SWAPDB", "0", "1");
    batch += cmd("SELECT", "1");
    batch += cmd("RPUSH", "list:1", "after-swap");
    batch += cmd("FLUSHDB");
    await c.send(batch);
    expect(await c.read()).toBe("+Background saving started\r\n");
    // Wait for every reply of the batch, then for the save.
    for (let i = 0; i < n; i++) await c.read();
    await waitBgsave(c);
    const saved = dumpFile(join(dir, "dump.rdb"));
    expect(saved.size).toBe(N + lists.length);
    for (let i = 0; i < N; i++) expect(saved.get(`k:${i}`)).toBe(`value:${i}`);
    for (const l of lists) expect(saved.get(l)).toBe(JSON.stringify(["a", "b"]));
    c.close();
  }, 60000);
});

describe("BGSAVE SCHEDULE", () => {
  test("inside MULTI it is scheduled, as in redis-server, and the cron starts it", async () => {
    const dir = tempDir();
    const pair = await startPair({ dir });
    try {
      const cmds: Arg[][] = [["SET", "k", "v"], ["MULTI"], ["BGSAVE"], ["EXEC"], ["BGSAVE", "FOO"], ["BGSAVE", "SCHEDULE", "X"]];
      const r = await runBoth(pair, cmds);
      expect(transcript(cmds, r.kv)).toEqual(transcript(cmds, r.redis));
      const srv = pair.kv.server;
      expect(srv.rdb.scheduled).toBe(true);
      srv.rdb.cron();
      expect(srv.rdb.bgsaveInProgress).toBe(true);
      expect(await srv.rdb.waitBgsave()).toBe(true);
    } finally {
      await pair.stop();
      cleanup(dir);
    }
  });

  test("while an AOF rewrite runs: refused without SCHEDULE, scheduled with it", async () => {
    const dir = tempDir();
    const kv = await startKv({ config: { dir } });
    const c = await RawConn.connect(kv.port);
    try {
      kv.server.stats.persistence.aofRewriteInProgress = true;
      expect(await c.call("BGSAVE")).toBe(
        "-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.\r\n",
      );
      expect(await c.call("BGSAVE", "SCHEDULE")).toBe("+Background saving scheduled\r\n");
      kv.server.rdb.cron();
      expect(kv.server.rdb.bgsaveInProgress).toBe(false);
      kv.server.stats.persistence.aofRewriteInProgress = false;
      kv.server.rdb.cron();
      expect(kv.server.rdb.bgsaveInProgress).toBe(true);
      expect(await kv.server.rdb.waitBgsave()).toBe(true);
    } finally {
      c.close();
      await kv.stop();
      cleanup(dir);
    }
  });
});

describe("failed saves: Redis's replies and MISCONF", () => {
  test("replies match redis-server with an unusable directory", async () => {
    // redis-server runs in a directory removed under it; kvserver's dir sits below a regular file
    // (ENOTDIR: tests may run as root, where permissions do not deny).
    const rdir = tempDir();
    const redis = await redisOnDir(rdir);
    rmdirSync(rdir);
    const base = tempDir();
    writeFileSync(join(base, "file"), "");
    const kv = await startKv({ config: { dir: join(base, "file", "sub"), "enable-debug-command": "yes" } });
    const pair = { kv, redis: { port: redis.port, stop: redis.stop }, stop: async () => {} } as unknown as Pair;
    try {
      const cmds: Arg[][] = [
        ["SET", "k", "v"],
        ["SAVE"],
        ["SET", "k", "v"],
        ["BGSAVE"],
      ];
      let r = await runBoth(pair, cmds);
      expect(transcript(cmds, r.kv)).toEqual(transcript(cmds, r.redis));
      const [a, b] = [await RawConn.connect(kv.port), await RawConn.connect(redis.port)];
      await waitBgsave(a);
      await waitBgsave(b);
      for (const c of [a, b]) expect(info(await infoOf(c), "rdb_last_bgsave_status")).toBe("err");
      a.close();
      b.close();
      const more: Arg[][] = [
        // No save points: writes still allowed.
        ["SET", "k", "v2"],
        ["CONFIG", "SET", "save", "3600 1"],
        ["SET", "k", "v3"],
        ["PING"],
        ["GET", "k"],
        ["MULTI"],
        ["SET", "k", "v4"],
        ["EXEC"],
        ["CONFIG", "SET", "stop-writes-on-bgsave-error", "no"],
        ["SET", "k", "v5"],
        ["CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"],
        ["INCR", "n"],
        ["SAVE"],
        ["SHUTDOWN"],
        ["SHUTDOWN", "SAVE"],
        ["CONFIG", "SET", "save", ""],
        ["SHUTDOWN", "SAVE"],
      ];
      r = await runBoth(pair, more);
      expect(transcript(more, r.kv)).toEqual(transcript(more, r.redis));
      // Once a save succeeds, writes are accepted again.
      kv.server.config.set("dir", base, true);
      const c = await RawConn.connect(kv.port);
      await c.call("CONFIG", "SET", "save", "3600 1");
      expect(await c.call("SET", "k", "v")).toStartWith("-MISCONF");
      expect(await c.call("BGSAVE")).toBe("+Background saving started\r\n");
      await waitBgsave(c);
      expect(await c.call("SET", "k", "v")).toBe("+OK\r\n");
      c.close();
    } finally {
      await kv.stop();
      await redis.stop();
      cleanup(base);
    }
  }, 30000);
});

describe("save points", () => {
  test("the cron starts a BGSAVE once enough changes are old enough; retries wait 5 seconds after a failure", async () => {
    const clock = new ManualClock(Date.now());
    const dir = tempDir();
    const kv = await startKv({ clock, config: { dir, save: "10 2" } });
    const srv = kv.server;
    const p = srv.stats.persistence;
    const c = await RawConn.connect(kv.port);
    try {
      await c.call("SET", "a", "1");
      clock.advance(11_000);
      srv.rdb.cron();
      expect(srv.rdb.bgsaveInProgress).toBe(false); // one change only
      await c.call("SET", "b", "1");
      srv.rdb.cron();
      expect(srv.rdb.bgsaveInProgress).toBe(true);
      expect(await srv.rdb.waitBgsave()).toBe(true);
      expect(p.rdbSaves).toBe(1);
      expect(existsSync(join(dir, "dump.rdb"))).toBe(true);
      // A failing directory: the next attempt waits out the retry delay.
      srv.config.set("dir", join(dir, "dump.rdb", "x"), true);
      await c.call("SET", "c", "1");
      await c.call("SET", "d", "1");
      clock.advance(11_000);
      srv.rdb.cron();
      expect(await srv.rdb.waitBgsave()).toBe(false);
      expect(p.lastBgsaveOk).toBe(false);
      clock.advance(3_000);
      srv.rdb.cron();
      expect(srv.rdb.bgsaveInProgress).toBe(false);
      clock.advance(3_000);
      srv.rdb.cron();
      expect(srv.rdb.bgsaveInProgress).toBe(true);
      await srv.rdb.waitBgsave();
    } finally {
      c.close();
      await kv.stop();
      cleanup(dir);
    }
  });
});

describe("DEBUG RELOAD", () => {
  let pair: Pair;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    pair = await startPair({ "enable-debug-command": "yes", dir });
  });
  afterAll(async () => {
    await pair.stop();
    cleanup(dir);
  });

  test("replies and effects match redis-server", async () => {
    const cmds: Arg[][] = [
      ["RPUSH", "dr:l", "a", "b"],
      ["SET", "dr:s", "v", "PX", "100000"],
      ["HSET", "dr:h", "f", "v"],
      ["DEBUG", "RELOAD"],
      ["LRANGE", "dr:l", 0, -1],
      ["HGETALL", "dr:h"],
      ["OBJECT", "ENCODING", "dr:h"],
      ["DBSIZE"],
      ["DEBUG", "RELOAD", "FOO"],
      ["SET", "dr:x", "1"],
      ["DEBUG", "RELOAD", "NOSAVE"],
      ["EXISTS", "dr:x"],
      ["SET", "dr:y", "1"],
      ["DEBUG", "RELOAD", "MERGE", "NOFLUSH", "NOSAVE"],
      ["EXISTS", "dr:y"],
      ["DEBUG", "RELOAD", "merge", "nosave"],
      ["DBSIZE"],
    ];
    const r = await runBoth(pair, cmds);
    expect(transcript(cmds, r.kv)).toEqual(transcript(cmds, r.redis));
  });

  test("NOSAVE without a dump file fails and leaves the dataset empty", async () => {
    const dir = tempDir();
    const redis = await redisOnDir(dir);
    const kv = await startKv({ config: { "enable-debug-command": "yes", dir } });
    const pair2 = { kv, redis } as unknown as Pair;
    try {
      const cmds: Arg[][] = [["SET", "k", "v"], ["DEBUG", "RELOAD", "NOSAVE"], ["DBSIZE"]];
      const r = await runBoth(pair2, cmds);
      expect(transcript(cmds, r.kv)).toEqual(transcript(cmds, r.redis));
    } finally {
      await kv.stop();
      await redis.stop();
      cleanup(dir);
    }
  });
});

// ---- processes: start-up loading, SHUTDOWN, SIGTERM ----

async function freePort(): Promise<number> {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const p = l.port;
  l.stop(true);
  return p;
}

interface Proc {
  port: number;
  proc: ReturnType<typeof Bun.spawn>;
  output: Promise<string>;
}

/** Every process spawned by a test, killed after it whatever happened. */
const spawned: ReturnType<typeof Bun.spawn>[] = [];
afterEach(() => {
  for (const p of spawned.splice(0)) if (p.exitCode === null) p.kill("SIGKILL");
});

async function spawnKv(dir: string, extra: string[]): Promise<Proc> {
  const port = await freePort();
  const proc = Bun.spawn([process.execPath, MAIN, "--port", String(port), "--dir", dir, "--enable-debug-command", "yes", "--appendonly", "no", ...extra], { stdout: "pipe", stderr: "pipe" });
  spawned.push(proc);
  const output = Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]).then(([a, b]) => a + b);
  const deadline = Date.now() + 15000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`kvserver exited: ${await output}`);
    try {
      const c = await RawConn.connect(port);
      const r = await c.call("PING");
      c.close();
      if (r === "+PONG\r\n") break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error("kvserver did not start");
    await Bun.sleep(25);
  }
  return { port, proc, output };
}

describe("start-up and shutdown", () => {
  test("start-up loads the dump and logs it; a bad dump stops start-up and is left untouched", async () => {
    const dir = tempDir();
    try {
      const a = await spawnKv(dir, ["--save", ""]);
      const c = await RawConn.connect(a.port);
      await c.call("DEBUG", "POPULATE", "1000");
      await c.call("SAVE");
      c.close();
      a.proc.kill("SIGTERM");
      await a.proc.exited;
      const b = await spawnKv(dir, ["--save", ""]);
      const d = await RawConn.connect(b.port);
      expect(await d.call("DBSIZE")).toBe(":1000\r\n");
      d.close();
      b.proc.kill("SIGTERM");
      await b.proc.exited;
      expect(await b.output).toMatch(/Done loading RDB, keys loaded: 1000, keys expired: 0\.\n.*DB loaded from disk: \d+\.\d{3} seconds\n/);
      // Corrupt one byte in the middle: start-up fails, naming file and offset.
      const file = join(dir, "dump.rdb");
      const bytes = readFileSync(file);
      bytes[bytes.length >> 1]! ^= 0xff;
      writeFileSync(file, bytes);
      const mtime = statSync(file).mtimeMs;
      const port = await freePort();
      const bad = Bun.spawn([process.execPath, MAIN, "--port", String(port), "--dir", dir, "--appendonly", "no"], { stdout: "pipe", stderr: "pipe" });
      spawned.push(bad);
      const out = await new Response(bad.stdout).text();
      expect(await bad.exited).toBe(1);
      expect(out).toMatch(new RegExp(`Bad RDB file ${join(dir, "dump.rdb").replace(/[.]/g, "\\.")}: .* at offset \\d+\\. Unrecoverable error, aborting now\\.`));
      expect(readFileSync(file)).toEqual(bytes);
      expect(statSync(file).mtimeMs).toBe(mtime);
    } finally {
      cleanup(dir);
    }
  }, 30000);

  test("SIGTERM saves when save points are set; a failing save keeps the server running", async () => {
    const dir = tempDir();
    try {
      const a = await spawnKv(dir, ["--save", "3600", "1"]);
      const c = await RawConn.connect(a.port);
      await c.call("SET", "k", "v");
      c.close();
      a.proc.kill("SIGTERM");
      expect(await a.proc.exited).toBe(0);
      expect(await a.output).toContain("Saving the final RDB snapshot before exiting.");
      expect(dumpFile(join(dir, "dump.rdb"))).toEqual(new Map([["k", "v"]]));
      // Unwritable: the server's directory is removed under it.
      const gone = join(dir, "gone");
      mkdirSync(gone);
      const b = await spawnKv(gone, ["--save", "3600", "1"]);
      rmdirSync(gone);
      b.proc.kill("SIGTERM");
      await Bun.sleep(500);
      expect(b.proc.exitCode).toBe(null);
      const d = await RawConn.connect(b.port);
      expect(await d.call("PING")).toBe("+PONG\r\n");
      d.close();
      b.proc.kill("SIGKILL");
      await b.proc.exited;
      expect(await b.output).toContain("Error trying to save the DB, can't exit.");
    } finally {
      cleanup(dir);
    }
  }, 30000);

  test("SHUTDOWN [NOSAVE|SAVE] [FORCE]: saves as asked, closes the connection, exits", async () => {
    const dir = tempDir();
    try {
      // Save points set, NOSAVE: no file.
      const a = await spawnKv(dir, ["--save", "3600", "1"]);
      let c = await RawConn.connect(a.port);
      await c.call("SET", "k", "1");
      await c.send("*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n");
      expect(await c.waitClosed()).toBe(true);
      expect(c.drain()).toBe("");
      expect(await a.proc.exited).toBe(0);
      expect(existsSync(join(dir, "dump.rdb"))).toBe(false);
      // No save points, SAVE: a file.
      const b = await spawnKv(dir, ["--save", ""]);
      c = await RawConn.connect(b.port);
      await c.call("SET", "k", "2");
      await c.send("*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n");
      expect(await c.waitClosed()).toBe(true);
      expect(await b.proc.exited).toBe(0);
      expect(dumpFile(join(dir, "dump.rdb"))).toEqual(new Map([["k", "2"]]));
      // A failing save (the directory removed under the server): refused, unless FORCE.
      const gone = join(dir, "gone");
      mkdirSync(gone);
      const e = await spawnKv(gone, ["--save", "3600", "1"]);
      rmdirSync(gone);
      c = await RawConn.connect(e.port);
      expect(await c.call("SHUTDOWN")).toBe("-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
      await c.send("*2\r\n$8\r\nSHUTDOWN\r\n$5\r\nFORCE\r\n");
      expect(await c.waitClosed()).toBe(true);
      expect(await e.proc.exited).toBe(0);
      expect(await e.output).toContain("Error trying to save the DB. Exit anyway.");
    } finally {
      cleanup(dir);
    }
  }, 30000);

  test("SHUTDOWN's argument errors match redis-server", async () => {
    const pair = await startPair();
    try {
      const cmds: Arg[][] = [["SHUTDOWN", "ABORT"], ["SHUTDOWN", "SAVE", "NOSAVE"], ["SHUTDOWN", "FOO"], ["SHUTDOWN", "ABORT", "NOW"], ["SHUTDOWN", "NOW", "ABORT"], ["MULTI"], ["SHUTDOWN"], ["SAVE"], ["EXEC"]];
      const r = await runBoth(pair, cmds);
      expect(transcript(cmds, r.kv)).toEqual(transcript(cmds, r.redis));
    } finally {
      await pair.stop();
    }
  });
});

describe("FLUSHDB / FLUSHALL and the save counters", () => {
  test("changes counted, the save FLUSHALL makes with save points, rdb_saves: as redis-server", async () => {
    const out: string[][] = [];
    for (const kind of ["kv", "redis"] as const) {
      const dir = tempDir();
      const server = kind === "kv" ? await startKv({ config: { dir } }) : await redisOnDir(dir);
      const c = await RawConn.connect(server.port);
      const log: string[] = [];
      const snap = async () => {
        const text = await infoOf(c);
        log.push(`${info(text, "rdb_changes_since_last_save")} ${info(text, "rdb_saves")} ${existsSync(join(dir, "dump.rdb"))}`);
      };
      await c.call("MSET", "a", "1", "b", "2");
      await c.call("FLUSHDB");
      await snap();
      await c.call("FLUSHALL");
      await snap();
      await c.call("SET", "a", "1");
      await c.call("CONFIG", "SET", "save", "3600 1");
      await c.call("FLUSHALL");
      await snap();
      await c.call("SET", "a", "1");
      await c.call("FLUSHDB");
      await snap();
      c.close();
      await server.stop();
      cleanup(dir);
      out.push(log);
    }
    expect(out[0]).toEqual(out[1]!);
  });
});
