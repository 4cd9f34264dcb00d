// The AOF as files, against real redis-server: the same writes give the same incr file byte for
// byte (first SELECT, db switches, MULTI/EXEC, deterministic PXAT), the same RESP base after
// BGREWRITEAOF (aof-use-rdb-preamble no), the same manifest lines and file names; BGREWRITEAOF's
// replies and errors; INFO persistence's aof_* fields; CONFIG SET appendonly / appendfsync at
// run time; a full disk (MISCONF) and recovery.
import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { readFileSync, symlinkSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { RawConn } from "../support/conn.ts";
import { startKv, type KvRunning } from "../support/servers.ts";
import type { Arg } from "../support/resp.ts";
import { aofFiles, aofSettled, dumpKeyspace, pipeline, rmDir, startKvAof, startRedisAof, tempDir, type Proc } from "./aofdump.ts";
import type { AofIo } from "../../src/persistence/aof.ts";
import { nodeIo } from "../../src/persistence/aof.ts";

// Servers, files and child processes: generous limits on a loaded machine.
setDefaultTimeout(30000);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function kvOn(config: Record<string, string> = {}): Promise<{ kv: KvRunning; dir: string }> {
  const dir = tempDir();
  const kv = await startKvAof(dir, config);
  cleanups.push(() => rmDir(dir), () => kv.stop());
  return { kv, dir };
}

async function redisOn(extra: string[] = []): Promise<{ redis: Proc; dir: string }> {
  const dir = tempDir("kv-aof-redis-");
  const redis = await startRedisAof(dir, extra);
  cleanups.push(() => rmDir(dir), () => redis.stop());
  return { redis, dir };
}

async function run(port: number, cmds: readonly (readonly Arg[])[]): Promise<string[]> {
  const c = await RawConn.connect(port);
  try {
    const out: string[] = [];
    for (const cmd of cmds) out.push(await c.call(...cmd));
    return out;
  } finally {
    c.close();
  }
}

/** Wait until INFO persistence says no rewrite is running (and none is scheduled). */
async function rewriteIdle(port: number): Promise<void> {
  const deadline = Date.now() + 15000;
  for (;;) {
    const [info] = await run(port, [["INFO", "persistence"]]);
    if (info!.includes("aof_rewrite_in_progress:0") && info!.includes("aof_rewrite_scheduled:0")) return;
    if (Date.now() > deadline) throw new Error("rewrite did not finish");
    await Bun.sleep(20);
  }
}

function incrOf(dir: string, name = "appendonly.aof.1.incr.aof"): string {
  return readFileSync(join(dir, "appendonlydir", name), "latin1");
}

const WRITES: Arg[][] = [
  ["GET", "nothing"],
  ["SET", "a", "1"],
  ["SELECT", "3"],
  ["SET", "b", "bin\x00\r\n\xff"],
  ["SET", "c", "3", "PXAT", "4102444800000"],
  ["INCRBY", "c", "5"],
  ["SELECT", "0"],
  ["MULTI"],
  ["SET", "x", "1"],
  ["INCR", "x"],
  ["EXEC"],
  ["MULTI"],
  ["SET", "y", "only one write"],
  ["GET", "y"],
  ["EXEC"],
  ["RPUSH", "l", "a", "b", "c"],
  ["LPOP", "l"],
  ["HSET", "h", "f", "v"],
  ["SADD", "s", "1", "2"],
  ["ZADD", "z", "1.5", "m"],
  ["DEL", "missing"],
  ["DEL", "a"],
  ["EXPIREAT", "x", "4102444800"],
  ["PERSIST", "x"],
  ["SELECT", "15"],
  ["SET", "k", "v"],
  ["FLUSHDB"],
];

describe("incr file: the same bytes as Redis 7", () => {
  test("writes, db switches, transactions, deterministic expiry forms", async () => {
    const [{ kv, dir: kd }, { redis, dir: rd }] = await Promise.all([kvOn({ appendfsync: "always" }), redisOn(["--appendfsync", "always"])]);
    const [a, b] = await Promise.all([run(kv.port, WRITES), run(redis.port, WRITES)]);
    expect(a).toEqual(b);
    const ours = incrOf(kd);
    expect(ours).toBe(incrOf(rd));
    // Sanity: the first command of the file is Redis's SELECT 0.
    expect(ours.startsWith("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n")).toBe(true);
  });

  test("the manifest and file names after start-up match Redis's", async () => {
    const [{ dir: kd }, { dir: rd }] = await Promise.all([kvOn(), redisOn()]);
    await Promise.all([aofSettled(kd), aofSettled(rd)]);
    const ours = aofFiles(kd);
    const theirs = aofFiles(rd);
    expect([...ours.keys()]).toEqual([...theirs.keys()]);
    expect(ours.get("appendonly.aof.manifest")!.toString("latin1")).toBe(theirs.get("appendonly.aof.manifest")!.toString("latin1"));
    expect(ours.get("appendonly.aof.manifest")!.toString("latin1")).toBe(
      "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
    );
  });

  test("appendfilename and aof-use-rdb-preamble no name the files as Redis does", async () => {
    const opts = { appendfilename: "my.aof", "aof-use-rdb-preamble": "no" };
    const [{ dir: kd }, { dir: rd }] = await Promise.all([kvOn(opts), redisOn(["--appendfilename", "my.aof", "--aof-use-rdb-preamble", "no"])]);
    await Promise.all([aofSettled(kd), aofSettled(rd)]);
    expect([...aofFiles(kd).keys()]).toEqual([...aofFiles(rd).keys()]);
    expect([...aofFiles(kd).keys()]).toEqual(["my.aof.1.base.aof", "my.aof.1.incr.aof", "my.aof.manifest"]);
  });
});

describe("BGREWRITEAOF", () => {
  /** One key per db, so Redis's hash-table order cannot reorder the base. */
  const DATA: Arg[][] = [
    ["SET", "str", "hello"],
    ["SELECT", "1"],
    ["RPUSH", "list", ...Array.from({ length: 150 }, (_, i) => `item-${i}`)],
    ["SELECT", "2"],
    ["SADD", "ints", ...Array.from({ length: 150 }, (_, i) => String((i * 7919) % 1000 - 500))],
    ["SELECT", "3"],
    ["HSET", "hash", ...Array.from({ length: 100 }, (_, i) => [`f${i}`, `v${i}`]).flat()],
    ["SELECT", "4"],
    ["ZADD", "zset", ...Array.from({ length: 100 }, (_, i) => [String(i % 3 === 0 ? i / 10 : -i * 1e-7), `m${i}`]).flat(), "inf", "top", "-inf", "bottom"],
    ["SELECT", "5"],
    ["SET", "ttl", "v", "PXAT", "4102444800123"],
    ["SELECT", "6"],
    ["SET", "num", "-12345"],
    ["SELECT", "7"],
    ["SADD", "oneset", "member"],
    ["SELECT", "8"],
    ["SET", "bin", "\x00\x01\xfe\xff\r\n"],
    ["APPEND", "bin", "more"],
    ["SELECT", "9"],
    ["RPUSH", "exp-list", "a"],
    ["PEXPIREAT", "exp-list", "4102444800999"],
  ];

  test("the RESP base (aof-use-rdb-preamble no) is byte for byte Redis's, and so is the next incr file", async () => {
    const [{ kv, dir: kd }, { redis, dir: rd }] = await Promise.all([
      kvOn({ "aof-use-rdb-preamble": "no" }),
      redisOn(["--aof-use-rdb-preamble", "no"]),
    ]);
    const cmds: Arg[][] = [...DATA, ["BGREWRITEAOF"]];
    const [a, b] = await Promise.all([run(kv.port, cmds), run(redis.port, cmds)]);
    expect(a).toEqual(b);
    expect(a[a.length - 1]).toBe("+Background append only file rewriting started\r\n");
    await Promise.all([rewriteIdle(kv.port), rewriteIdle(redis.port)]);
    // After the rewrite the next write opens with SELECT again, in the new incr file.
    await Promise.all([run(kv.port, [["SELECT", "9"], ["SET", "after", "1"]]), run(redis.port, [["SELECT", "9"], ["SET", "after", "1"]])]);
    const ours = aofFiles(kd);
    const theirs = aofFiles(rd);
    expect([...ours.keys()]).toEqual([...theirs.keys()]);
    expect([...ours.keys()]).toEqual(["appendonly.aof.2.base.aof", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"]);
    for (const [name, bytes] of theirs) expect({ name, text: ours.get(name)!.toString("latin1") }).toEqual({ name, text: bytes.toString("latin1") });
  });

  test("with the RDB preamble: real Redis loads our rewritten files with the same contents", async () => {
    const { kv, dir } = await kvOn();
    await run(kv.port, [...DATA, ["BGREWRITEAOF"]]);
    await rewriteIdle(kv.port);
    await run(kv.port, [["SELECT", "10"], ["SET", "after-rewrite", "1"]]);
    const before = await dumpKeyspace(kv.port);
    expect([...aofFiles(dir).keys()]).toEqual(["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"]);
    expect(aofFiles(dir).get("appendonly.aof.2.base.rdb")!.subarray(0, 9).toString("latin1")).toBe("REDIS0010");
    await kv.stop();
    const redis = await startRedisAof(dir);
    cleanups.push(() => redis.stop());
    expect(await dumpKeyspace(redis.port)).toBe(before);
  });

  test("replies and errors as Redis: arity, already in progress, scheduled inside MULTI", async () => {
    const [{ kv }, { redis }] = await Promise.all([kvOn(), redisOn()]);
    const cmds: Arg[][] = [
      ["BGREWRITEAOF", "extra"],
      ["MULTI"],
      ["BGREWRITEAOF"],
      ["EXEC"],
    ];
    const [a, b] = await Promise.all([run(kv.port, cmds), run(redis.port, cmds)]);
    expect(a).toEqual(b);
    expect(a[3]).toBe("*1\r\n+Background append only file rewriting scheduled\r\n");
    await Promise.all([rewriteIdle(kv.port), rewriteIdle(redis.port)]);
    // A large dataset keeps the rewrite busy long enough for a second request to collide.
    const big = Array.from({ length: 200 }, (_, i) => ["RPUSH", "biglist", ...Array.from({ length: 500 }, (_, j) => `v${i}-${j}`)]);
    const c = await RawConn.connect(kv.port);
    await pipeline(c, big);
    const [first, second] = await pipeline(c, [["BGREWRITEAOF"], ["BGREWRITEAOF"]]);
    c.close();
    expect(first).toBe("+Background append only file rewriting started\r\n");
    expect(second).toBe("-ERR Background append only file rewriting already in progress\r\n");
    await rewriteIdle(kv.port);
  });

  test("writes during a rewrite land in the new incr file and survive the swap (point-in-time base)", async () => {
    const { kv, dir } = await kvOn({ appendfsync: "always" });
    const c = await RawConn.connect(kv.port);
    // Enough data for the base to take many event-loop turns.
    for (let i = 0; i < 20; i++) await pipeline(c, Array.from({ length: 500 }, (_, j) => ["RPUSH", `list${j % 50}`, `x${i}-${j}`.repeat(10)]));
    expect(await c.call("SET", "counter", "0")).toBe("+OK\r\n");
    expect(await c.call("BGREWRITEAOF")).toBe("+Background append only file rewriting started\r\n");
    // Change values the snapshot has not reached yet while it is written.
    let n = 0;
    while (kv.server.aof.rewriteInProgress) {
      await pipeline(c, [["INCR", "counter"], ["RPUSH", `list${n % 50}`, `during-${n}`], ["LPOP", `list${(n + 7) % 50}`]]);
      n++;
    }
    expect(n).toBeGreaterThan(0);
    await c.call("INCR", "counter");
    c.close();
    const before = await dumpKeyspace(kv.port);
    const m = readFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), "latin1");
    expect(m).toBe("file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
    await kv.stop();
    const again = await startKvAof(dir);
    cleanups.push(() => again.stop());
    expect(await dumpKeyspace(again.port)).toBe(before);
    const [counter] = await run(again.port, [["GET", "counter"]]);
    expect(counter).toBe(`$${String(n + 1).length}\r\n${n + 1}\r\n`);
  });

  test("during a BGSAVE it is scheduled, and runs once the save is done", async () => {
    const [{ kv }, { redis }] = await Promise.all([kvOn(), redisOn()]);
    const fill: Arg[][] = Array.from({ length: 50 }, (_, i) => ["RPUSH", `l${i}`, ...Array.from({ length: 100 }, (_, j) => `v${j}`)]);
    const replies = async (port: number) => {
      const c = await RawConn.connect(port);
      await pipeline(c, fill);
      const r = await pipeline(c, [["BGSAVE"], ["BGREWRITEAOF"]]);
      c.close();
      return r;
    };
    const [a, b] = await Promise.all([replies(kv.port), replies(redis.port)]);
    expect(a).toEqual(b);
    expect(a).toEqual(["+Background saving started\r\n", "+Background append only file rewriting scheduled\r\n"]);
    await rewriteIdle(kv.port);
    expect(kv.server.stats.persistence.aofRewrites).toBe(1);
  }, 20000);

  test("with the AOF off it rewrites too (base only), as Redis", async () => {
    const dir = tempDir();
    cleanups.push(() => rmDir(dir));
    const kv = await startKv({ config: { dir, appendonly: "no" } });
    cleanups.push(() => kv.stop());
    await run(kv.port, [["SET", "k", "v"]]);
    expect(await run(kv.port, [["BGREWRITEAOF"]])).toEqual(["+Background append only file rewriting started\r\n"]);
    await rewriteIdle(kv.port);
    const files = aofFiles(dir);
    expect(files.get("appendonly.aof.manifest")!.toString("latin1")).toBe("file appendonly.aof.1.base.rdb seq 1 type b\n");
  });

  test("automatic rewrite once the AOF grew past auto-aof-rewrite-percentage and -min-size", async () => {
    const { kv, dir } = await kvOn({ "auto-aof-rewrite-min-size": "1kb", "auto-aof-rewrite-percentage": "100", "aof-use-rdb-preamble": "no" });
    const c = await RawConn.connect(kv.port);
    for (let i = 0; i < 40; i++) await c.call("SET", "same-key", "x".repeat(100));
    c.close();
    const deadline = Date.now() + 5000;
    while (kv.server.stats.persistence.aofRewrites === 0 && Date.now() < deadline) await Bun.sleep(20);
    await rewriteIdle(kv.port);
    expect(kv.server.stats.persistence.aofRewrites).toBeGreaterThanOrEqual(1);
    // The new base holds one SET instead of forty.
    const manifest = readFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), "latin1");
    const baseName = /^file (\S+) seq \d+ type b$/m.exec(manifest)![1]!;
    expect(baseName).not.toBe("appendonly.aof.1.base.aof");
    expect(readFileSync(join(dir, "appendonlydir", baseName), "latin1")).toBe(`*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$8\r\nsame-key\r\n$100\r\n${"x".repeat(100)}\r\n`);
  });
});

describe("INFO persistence", () => {
  test("the aof_* fields are Redis's, in Redis's order", async () => {
    const [{ kv }, { redis }] = await Promise.all([kvOn(), redisOn()]);
    const [a, b] = await Promise.all([run(kv.port, [["INFO", "persistence"]]), run(redis.port, [["INFO", "persistence"]])]);
    const names = (s: string) => s.split("\r\n").filter((l) => l.startsWith("aof_")).map((l) => l.split(":")[0]);
    expect(names(a[0]!)).toEqual(names(b[0]!));
    const field = (s: string, f: string) => new RegExp(`${f}:(\\S*)`).exec(s)?.[1];
    for (const f of ["aof_enabled", "aof_rewrite_in_progress", "aof_rewrite_scheduled", "aof_last_bgrewrite_status", "aof_last_write_status", "aof_buffer_length", "aof_pending_bio_fsync", "aof_delayed_fsync", "aof_rewrites"]) {
      expect({ f, v: field(a[0]!, f) }).toEqual({ f, v: field(b[0]!, f) });
    }
    await run(kv.port, [["SET", "k", "v"]]);
    const [after] = await run(kv.port, [["INFO", "persistence"]]);
    // SELECT 0 (23 bytes) and SET k v (27 bytes) were appended.
    expect(Number(field(after!, "aof_current_size")) - Number(field(a[0]!, "aof_current_size"))).toBe(50);
  });

  test("with the AOF off only the common fields show, as in Redis", async () => {
    const kv = await startKv();
    cleanups.push(() => kv.stop());
    const [info] = await run(kv.port, [["INFO", "persistence"]]);
    expect(info).toContain("aof_enabled:0");
    expect(info).not.toContain("aof_current_size");
  });
});

describe("CONFIG SET at run time", () => {
  test("appendonly yes rewrites a base from the dataset, then logs; no stops logging", async () => {
    const dir = tempDir();
    cleanups.push(() => rmDir(dir));
    const kv = await startKv({ config: { dir, appendonly: "no" } });
    cleanups.push(() => kv.stop());
    await run(kv.port, [["SET", "before", "1"], ["SELECT", "2"], ["SET", "db2", "x"]]);
    expect(await run(kv.port, [["CONFIG", "SET", "appendonly", "yes"], ["SET", "during", "1"]])).toEqual(["+OK\r\n", "+OK\r\n"]);
    await rewriteIdle(kv.port);
    await run(kv.port, [["SET", "after", "1"]]);
    const files = aofFiles(dir);
    expect([...files.keys()]).toEqual(["appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"]);
    const incr = files.get("appendonly.aof.1.incr.aof")!.toString("latin1");
    expect(incr).toBe("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$6\r\nduring\r\n$1\r\n1\r\n*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n1\r\n");
    const before = await dumpKeyspace(kv.port);
    expect(await run(kv.port, [["CONFIG", "SET", "appendonly", "no"], ["SET", "not-logged", "1"]])).toEqual(["+OK\r\n", "+OK\r\n"]);
    expect(aofFiles(dir).get("appendonly.aof.1.incr.aof")!.toString("latin1")).toBe(incr);
    await kv.stop();
    const again = await startKvAof(dir);
    cleanups.push(() => again.stop());
    expect(await dumpKeyspace(again.port)).toBe(before);
  });

  test("a shutdown while appendonly yes writes its first base still leaves the whole dataset in the AOF", async () => {
    const dir = tempDir();
    cleanups.push(() => rmDir(dir));
    const kv = await startKv({ config: { dir, appendonly: "no" } });
    const c = await RawConn.connect(kv.port);
    await pipeline(c, Array.from({ length: 100 }, (_, i) => ["RPUSH", `l${i}`, ...Array.from({ length: 300 }, (_, j) => `v${j}`)]));
    expect(await pipeline(c, [["CONFIG", "SET", "appendonly", "yes"], ["SET", "during", "1"]])).toEqual(["+OK\r\n", "+OK\r\n"]);
    c.close();
    expect(kv.server.aof.rewriteInProgress).toBe(true);
    await kv.stop();
    const again = await startKvAof(dir);
    cleanups.push(() => again.stop());
    expect(await run(again.port, [["DBSIZE"], ["LLEN", "l0"], ["LLEN", "l99"], ["GET", "during"]])).toEqual([":101\r\n", ":300\r\n", ":300\r\n", "$1\r\n1\r\n"]);
    expect([...aofFiles(dir).keys()].filter((n) => n.startsWith("temp-"))).toEqual([]);
  });

  test("turned on again over an existing directory, the sequence numbers continue as in Redis", async () => {
    const kd = tempDir();
    const rd = tempDir();
    cleanups.push(() => rmDir(kd), () => rmDir(rd));
    const kv1 = await startKvAof(kd);
    await run(kv1.port, [["SET", "a", "1"]]);
    await kv1.stop();
    const r1 = await startRedisAof(rd);
    await run(r1.port, [["SET", "a", "1"]]);
    await r1.stop();
    const kv = await startKv({ config: { dir: kd, appendonly: "no" } });
    cleanups.push(() => kv.stop());
    const redis = await startRedisAof(rd, ["--appendonly", "no"]);
    cleanups.push(() => redis.stop());
    const cmds: Arg[][] = [["SET", "b", "2"], ["CONFIG", "SET", "appendonly", "yes"]];
    expect(await run(kv.port, cmds)).toEqual(await run(redis.port, cmds));
    await Promise.all([rewriteIdle(kv.port), rewriteIdle(redis.port)]);
    await Bun.sleep(100);
    const names = (d: string) => [...aofFiles(d).keys()];
    expect(names(kd)).toEqual(names(rd));
    expect(names(kd)).toEqual(["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"]);
  });

  test("appendonly yes that cannot create its files answers Redis's error and stays off", async () => {
    const dir = tempDir();
    cleanups.push(() => rmDir(dir));
    writeFileSync(join(dir, "appendonlydir"), "a file where the directory should be");
    const kv = await startKv({ config: { dir, appendonly: "no" } });
    cleanups.push(() => kv.stop());
    expect(await run(kv.port, [["CONFIG", "SET", "appendonly", "yes"], ["CONFIG", "GET", "appendonly"]])).toEqual([
      "-ERR CONFIG SET failed (possibly related to argument 'appendonly') - Unable to turn on AOF. Check server logs.\r\n",
      "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n",
    ]);
  });

  test("appendfsync switches policy; always syncs every batch before replying", async () => {
    const { kv } = await kvOn({ appendfsync: "no" });
    let syncs = 0;
    const io: AofIo = { ...nodeIo, fsync: (fd) => { syncs++; nodeIo.fsync(fd); } };
    kv.server.aof.io = io;
    await run(kv.port, [["SET", "a", "1"], ["SET", "b", "1"]]);
    expect(syncs).toBe(0);
    await run(kv.port, [["CONFIG", "SET", "appendfsync", "always"]]);
    const s0 = syncs;
    const c = await RawConn.connect(kv.port);
    // One pipelined batch of 50 writes: one fsync before its 50 replies.
    const r = await pipeline(c, Array.from({ length: 50 }, (_, i) => ["SET", `k${i}`, "v"]));
    c.close();
    expect(r.every((x) => x === "+OK\r\n")).toBe(true);
    expect(syncs - s0).toBeGreaterThanOrEqual(1);
    expect(syncs - s0).toBeLessThan(50);
  });
});

describe("a reply never leaves before its write reached the file", () => {
  for (const policy of ["everysec", "always", "no"]) {
    test(`appendfsync ${policy}: concurrent clients, each reply checked against the file`, async () => {
      const { kv, dir } = await kvOn({ appendfsync: policy });
      let fsyncs = 0;
      kv.server.aof.io = { ...nodeIo, fsync: (fd) => { fsyncs++; nodeIo.fsync(fd); } };
      const clients = await Promise.all(Array.from({ length: 8 }, () => RawConn.connect(kv.port)));
      let missing = 0;
      let replies = 0;
      await Promise.all(
        clients.map(async (c, id) => {
          for (let i = 0; i < 25; i++) {
            const key = `client${id}:key${i}`;
            expect(await c.call("SET", key, "v")).toBe("+OK\r\n");
            replies++;
            if (!incrOf(dir).includes(key)) missing++;
          }
        }),
      );
      for (const c of clients) c.close();
      expect(missing).toBe(0);
      // always: one fsync per event-loop turn covers several clients' writes.
      if (process.env.AOF_TEST_VERBOSE) console.error(`${policy}: ${replies} replies, ${fsyncs} fsyncs`);
      if (policy === "always") expect(fsyncs).toBeLessThan(replies);
      else expect(fsyncs).toBe(0);
    });
  }
});

describe("appendfsync everysec", () => {
  test("fsyncs about once a second, in the background, never on the request path", async () => {
    const { kv } = await kvOn({ appendfsync: "everysec" });
    let sync = 0;
    let background = 0;
    kv.server.aof.io = {
      ...nodeIo,
      fsync: (fd) => {
        sync++;
        nodeIo.fsync(fd);
      },
      fsyncAsync: (fd, done) => {
        background++;
        nodeIo.fsyncAsync(fd, done);
      },
    };
    const c = await RawConn.connect(kv.port);
    const end = Date.now() + 2600;
    let i = 0;
    while (Date.now() < end) {
      await c.call("SET", `k${i++}`, "v");
      if (i % 100 === 0) await Bun.sleep(5);
    }
    c.close();
    expect(sync).toBe(0);
    expect(background).toBeGreaterThanOrEqual(2);
    expect(background).toBeLessThanOrEqual(4);
  });

  test("a background fsync stuck for over 2 s: writes wait, then go ahead (aof_delayed_fsync), replies never stall", async () => {
    const { kv, dir } = await kvOn({ appendfsync: "everysec" });
    let release: (() => void) | null = null;
    kv.server.aof.io = {
      ...nodeIo,
      fsyncAsync: (fd, done) => {
        // A disk that takes 3 s to sync.
        release = () => nodeIo.fsyncAsync(fd, done);
        setTimeout(() => release?.(), 3000);
      },
    };
    await Bun.sleep(1100);
    const c = await RawConn.connect(kv.port);
    expect(await c.call("SET", "first", "1")).toBe("+OK\r\n");
    // The fsync of "first" is now running (stuck). Later writes are answered at once but wait
    // in the buffer (Redis postpones the write while a background fsync runs)...
    const t0 = Date.now();
    expect(await c.call("SET", "second", "2")).toBe("+OK\r\n");
    expect(Date.now() - t0).toBeLessThan(500);
    let info = await c.call("INFO", "persistence");
    expect(info).toContain("aof_pending_bio_fsync:1");
    expect(info).toMatch(/aof_buffer_length:[1-9]/);
    expect(incrOf(dir)).not.toContain("second");
    // ...for at most 2 s: then they are written anyway and counted.
    const deadline = Date.now() + 4000;
    while (!incrOf(dir).includes("second") && Date.now() < deadline) {
      await c.call("SET", "more", String(Date.now()));
      await Bun.sleep(50);
    }
    expect(incrOf(dir)).toContain("second");
    info = await c.call("INFO", "persistence");
    expect(info).toMatch(/aof_delayed_fsync:[1-9]/);
    c.close();
  });
});

describe("write errors: MISCONF until the disk recovers", () => {
  test("a full disk (the incr file is /dev/full) is refused as Redis refuses it", async () => {
    if (!existsSync("/dev/full")) return;
    const mk = () => {
      const dir = tempDir("kv-aof-full-");
      mkdirSync(join(dir, "appendonlydir"));
      writeFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
      writeFileSync(join(dir, "appendonlydir", "appendonly.aof.1.base.aof"), "");
      symlinkSync("/dev/full", join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"));
      cleanups.push(() => rmDir(dir));
      return dir;
    };
    const kd = mk();
    const rd = mk();
    const kv = await startKvAof(kd);
    cleanups.push(() => kv.stop());
    const redis = await startRedisAof(rd);
    cleanups.push(() => redis.stop());
    const cmds: Arg[][] = [["SET", "a", "1"], ["SET", "b", "1"], ["GET", "a"], ["PING"], ["INCR", "a"]];
    const [a, b] = await Promise.all([run(kv.port, cmds), run(redis.port, cmds)]);
    expect(a).toEqual(b);
    expect(a[1]).toBe("-MISCONF Errors writing to the AOF file: No space left on device\r\n");
    const [info] = await run(kv.port, [["INFO", "persistence"]]);
    expect(info).toContain("aof_last_write_status:err");
  });

  test("after the disk recovers, the buffered writes reach the file and writes are accepted again", async () => {
    const { kv, dir } = await kvOn({ appendfsync: "everysec" });
    let full = true;
    const enospc = () => Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    kv.server.aof.io = {
      ...nodeIo,
      write: (fd, buf, off, len) => {
        if (full) throw enospc();
        return nodeIo.write(fd, buf, off, len);
      },
    };
    expect(await run(kv.port, [["SET", "kept", "1"]])).toEqual(["+OK\r\n"]);
    expect(await run(kv.port, [["SET", "refused", "1"], ["GET", "kept"]])).toEqual([
      "-MISCONF Errors writing to the AOF file: No space left on device\r\n",
      "$1\r\n1\r\n",
    ]);
    full = false;
    // The server cron retries the write.
    const deadline = Date.now() + 3000;
    while (kv.server.aof.denyWrites && Date.now() < deadline) await Bun.sleep(20);
    expect(await run(kv.port, [["SET", "later", "2"], ["INFO", "persistence"]]).then((r) => [r[0], r[1]!.includes("aof_last_write_status:ok")])).toEqual(["+OK\r\n", true]);
    const incr = incrOf(dir);
    expect(incr).toBe("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$4\r\nkept\r\n$1\r\n1\r\n*3\r\n$3\r\nSET\r\n$5\r\nlater\r\n$1\r\n2\r\n");
  });
});
