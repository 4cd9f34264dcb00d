// Loading AOF directories at start-up, against real redis-server: Redis's files load here with the
// same contents (RDB and RESP bases, every encoding, several incr files, timestamp annotations,
// a legacy single appendonly.aof), ours load in Redis and pass redis-check-aof; a truncated tail
// is cut where Redis cuts it; corruption stops start-up naming file and offset, touching nothing.
import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { cpSync, readFileSync, statSync, truncateSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { RawConn } from "../support/conn.ts";
import type { Arg } from "../support/resp.ts";
import { startKv } from "../support/servers.ts";
import { aofFiles, dumpKeyspace, kvStartupFailure, pipeline, rmDir, runToExit, startKvAof, startKvProcess, startRedisAof, tempDir } from "./aofdump.ts";
import { AofLoadError } from "../../src/persistence/aofloader.ts";

// Servers, files and child processes: generous limits on a loaded machine.
setDefaultTimeout(30000);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

function dirFor(prefix = "kv-aofload-"): string {
  const d = tempDir(prefix);
  cleanups.push(() => rmDir(d));
  return d;
}

async function send(port: number, cmds: readonly (readonly Arg[])[]): Promise<string[]> {
  const c = await RawConn.connect(port);
  try {
    return await pipeline(c, cmds);
  } finally {
    c.close();
  }
}

async function rewriteIdle(port: number): Promise<void> {
  const deadline = Date.now() + 15000;
  for (;;) {
    const [info] = await send(port, [["INFO", "persistence"]]);
    if (info!.includes("aof_rewrite_in_progress:0") && info!.includes("aof_rewrite_scheduled:0")) return;
    if (Date.now() > deadline) throw new Error("rewrite did not finish");
    await Bun.sleep(20);
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Every type in its small and large encodings, TTLs, binary data, several dbs. */
const DATASET: Arg[][] = [
  ["SET", "int", "12345"],
  ["SET", "neg", "-9007199254740993"],
  ["SET", "embstr", "short string"],
  ["SET", "raw", "r".repeat(500)],
  ["SET", "compressible", "ab".repeat(300)],
  ["SET", "bin", "\x00\x01\x02\xff\xfe\r\n"],
  ["SET", "ttl", "v", "PXAT", "4102444800123"],
  ["RPUSH", "list-small", "a", "b", "1", "-2", "3.5"],
  ["RPUSH", "list-big", ...range(1000).map((i) => `element-${i}`)],
  ["RPUSH", "list-fat", "x".repeat(10000), "y"],
  ["SADD", "set-int", ...range(20).map(String)],
  ["SADD", "set-int-big", ...range(600).map((i) => String(i * 3))],
  ["SADD", "set-str", "apple", "banana", "cherry"],
  ["ZADD", "zset-small", "1", "a", "2.5", "b", "-inf", "c", "inf", "d"],
  ["ZADD", "zset-big", ...range(300).flatMap((i) => [String(i / 7), `member-${i}`])],
  ["HSET", "hash-small", "f1", "v1", "f2", "22"],
  ["HSET", "hash-big", ...range(700).flatMap((i) => [`field-${i}`, `value-${i}`])],
  ["HSET", "hash-fat", "f", "v".repeat(100)],
  ["PEXPIREAT", "hash-small", "4102444800999"],
  ["SELECT", "5"],
  ["SET", "db5", "five"],
  ["LPUSH", "db5-list", "z"],
  ["SELECT", "15"],
  ["ZADD", "db15", "0", "zero"],
];

describe("Redis's directories load here", () => {
  for (const preamble of ["yes", "no"]) {
    test(`aof-use-rdb-preamble ${preamble}: base after BGREWRITEAOF plus incr files, every encoding`, async () => {
      const dir = dirFor();
      const redis = await startRedisAof(dir, ["--aof-use-rdb-preamble", preamble]);
      cleanups.push(() => redis.stop());
      await send(redis.port, DATASET);
      await send(redis.port, [["BGREWRITEAOF"]]);
      await rewriteIdle(redis.port);
      // More writes after the rewrite, and a transaction, land in the new incr file.
      await send(redis.port, [["SELECT", "5"], ["INCR", "counter"], ["RPUSH", "list-big", "tail"], ["SELECT", "0"], ["DEL", "embstr"], ["HDEL", "hash-big", "field-3"]]);
      await send(redis.port, [["MULTI"], ["INCR", "tx"], ["INCR", "tx"], ["EXEC"]]);
      const want = await dumpKeyspace(redis.port);
      await redis.stop();
      const kv = await startKvAof(dir);
      cleanups.push(() => kv.stop());
      expect(await dumpKeyspace(kv.port)).toBe(want);
    });
  }

  test("timestamp annotations (aof-timestamp-enabled yes) are skipped", async () => {
    const dir = dirFor();
    const redis = await startRedisAof(dir, ["--aof-timestamp-enabled", "yes"]);
    cleanups.push(() => redis.stop());
    await send(redis.port, [["SET", "a", "1"], ["INCR", "a"], ["SET", "b", "2"]]);
    const want = await dumpKeyspace(redis.port);
    await redis.stop();
    expect(aofFiles(dir).get("appendonly.aof.1.incr.aof")!.toString("latin1")).toStartWith("#TS:");
    const kv = await startKvAof(dir);
    cleanups.push(() => kv.stop());
    expect(await dumpKeyspace(kv.port)).toBe(want);
  });

  test("a legacy single appendonly.aof is moved into appendonlydir with a manifest, as Redis 7 does", async () => {
    const legacy = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$6\r\nlegacy\r\n$3\r\nold\r\n*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\nx\r\n";
    const kd = dirFor();
    const rd = dirFor();
    writeFileSync(join(kd, "appendonly.aof"), legacy, "latin1");
    writeFileSync(join(rd, "appendonly.aof"), legacy, "latin1");
    const redis = await startRedisAof(rd);
    cleanups.push(() => redis.stop());
    const kv = await startKvAof(kd);
    cleanups.push(() => kv.stop());
    expect(await dumpKeyspace(kv.port)).toBe(await dumpKeyspace(redis.port));
    const ours = aofFiles(kd);
    const theirs = aofFiles(rd);
    expect([...ours.keys()]).toEqual([...theirs.keys()]);
    expect(ours.get("appendonly.aof.manifest")!.toString("latin1")).toBe(theirs.get("appendonly.aof.manifest")!.toString("latin1"));
    expect(ours.get("appendonly.aof")!.toString("latin1")).toBe(legacy);
  });
});

describe("our directories load in Redis and pass redis-check-aof", () => {
  for (const preamble of ["yes", "no"]) {
    test(`aof-use-rdb-preamble ${preamble}`, async () => {
      const dir = dirFor();
      const kv = await startKvAof(dir, { "aof-use-rdb-preamble": preamble });
      await send(kv.port, DATASET);
      await send(kv.port, [["BGREWRITEAOF"]]);
      await rewriteIdle(kv.port);
      await send(kv.port, [["SELECT", "5"], ["INCR", "counter"], ["SELECT", "0"], ["DEL", "embstr"], ["MULTI"], ["INCR", "tx"], ["INCR", "tx"], ["EXEC"]]);
      const want = await dumpKeyspace(kv.port);
      await kv.stop();
      const check = await runToExit(["redis-check-aof", join(dir, "appendonlydir", "appendonly.aof.manifest")]);
      expect(check.out).toContain("All AOF files and manifest are valid");
      expect(check.code).toBe(0);
      const redis = await startRedisAof(dir);
      cleanups.push(() => redis.stop());
      expect(await dumpKeyspace(redis.port)).toBe(want);
    });
  }
});

describe("truncated and corrupt files", () => {
  /** A directory written by kvserver: base + incr with the given commands. */
  async function written(cmds: Arg[][]): Promise<string> {
    const dir = dirFor();
    const kv = await startKvAof(dir, { "aof-use-rdb-preamble": "no" });
    await send(kv.port, cmds);
    await kv.stop();
    return dir;
  }
  const incrPath = (dir: string) => join(dir, "appendonlydir", "appendonly.aof.1.incr.aof");
  const CMDS: Arg[][] = range(20).map((i) => ["SET", `key:${i}`, `value-${i}`]);

  test("a truncated tail loads the valid prefix and is cut where Redis cuts it (aof-load-truncated yes)", async () => {
    const kd = await written(CMDS);
    const full = statSync(incrPath(kd)).size;
    truncateSync(incrPath(kd), full - 5);
    const rd = dirFor();
    cpSync(kd, rd, { recursive: true });
    const redis = await startRedisAof(rd);
    cleanups.push(() => redis.stop());
    const kv = await startKvProcess(kd);
    cleanups.push(() => kv.stop());
    const ours = await dumpKeyspace(kv.port);
    expect(ours).toBe(await dumpKeyspace(redis.port));
    expect(ours).not.toContain("key:19");
    expect(ours).toContain("key:18");
    expect(statSync(incrPath(kd)).size).toBe(statSync(incrPath(rd)).size);
    expect(kv.log()).toContain("!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!");
    expect(kv.log()).toMatch(/!!! Truncating the AOF appendonly\.aof\.1\.incr\.aof at offset \d+ !!!/);
    expect(kv.log()).toMatch(/AOF loaded: 19 keys/);
    // Writes after the repair append cleanly.
    await send(kv.port, [["SET", "after", "1"]]);
    await kv.stop();
    expect((await runToExit(["redis-check-aof", join(kd, "appendonlydir", "appendonly.aof.manifest")])).code).toBe(0);
  });

  test("an unfinished MULTI at the end is reverted, as Redis", async () => {
    const kd = await written([["SET", "a", "1"], ["MULTI"], ["INCR", "a"], ["SET", "b", "2"], ["EXEC"]]);
    const text = readFileSync(incrPath(kd), "latin1");
    // Drop the EXEC: the transaction never completed.
    writeFileSync(incrPath(kd), text.slice(0, text.lastIndexOf("*1\r\n$4\r\nEXEC")), "latin1");
    const rd = dirFor();
    cpSync(kd, rd, { recursive: true });
    const redis = await startRedisAof(rd);
    cleanups.push(() => redis.stop());
    const kv = await startKvAof(kd);
    cleanups.push(() => kv.stop());
    expect(await dumpKeyspace(kv.port)).toBe(await dumpKeyspace(redis.port));
    expect(readFileSync(incrPath(kd), "latin1")).toBe(readFileSync(incrPath(rd), "latin1"));
    expect(readFileSync(incrPath(kd), "latin1").endsWith("$1\r\na\r\n$1\r\n1\r\n")).toBe(true);
  });

  test("aof-load-truncated no refuses to start and leaves the file alone", async () => {
    const kd = await written(CMDS);
    truncateSync(incrPath(kd), statSync(incrPath(kd)).size - 5);
    const before = readFileSync(incrPath(kd));
    const r = await kvStartupFailure(kd, ["--aof-load-truncated", "no"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("Unexpected end of file reading the append only file appendonly.aof.1.incr.aof");
    expect(readFileSync(incrPath(kd)).equals(before)).toBe(true);
    const redis = await runToExit(["redis-server", "--port", "0", "--appendonly", "yes", "--aof-load-truncated", "no", "--dir", kd]);
    expect(redis.code).toBe(1);
  });

  test("corruption in the middle stops start-up naming file and offset; nothing is overwritten", async () => {
    const kd = await written(CMDS);
    const buf = readFileSync(incrPath(kd));
    const at = buf.indexOf("*3\r\n$3\r\nSET\r\n$6\r\nkey:10", 0, "latin1");
    buf[at] = 0x21; // '!'
    writeFileSync(incrPath(kd), buf);
    const snapshot = aofFiles(kd);
    const r = await kvStartupFailure(kd);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`Bad file format reading the append only file appendonly.aof.1.incr.aof (at offset ${at})`);
    const after = aofFiles(kd);
    expect([...after.keys()]).toEqual([...snapshot.keys()]);
    for (const [n, b] of snapshot) expect(after.get(n)!.equals(b)).toBe(true);
    // Redis refuses the same file.
    expect((await runToExit(["redis-server", "--port", "0", "--appendonly", "yes", "--dir", kd])).code).toBe(1);
    // In-process the error is an AofLoadError and the server does not start.
    await expect(startKv({ config: { appendonly: "yes", dir: kd } })).rejects.toBeInstanceOf(AofLoadError);
  });

  test("a truncated file that is not the last one is fatal", async () => {
    const dir = dirFor();
    const kv = await startKvAof(dir, { "aof-use-rdb-preamble": "no" });
    await send(kv.port, [["SET", "a", "1"], ["BGREWRITEAOF"]]);
    await rewriteIdle(kv.port);
    await send(kv.port, [["SET", "b", "2"]]);
    await kv.stop();
    // Put back an older incr file ahead of the current one, truncated.
    const d = join(dir, "appendonlydir");
    writeFileSync(join(d, "appendonly.aof.1.incr.aof"), "*3\r\n$3\r\nSET\r\n$1\r\nz\r\n$1", "latin1");
    const m = readFileSync(join(d, "appendonly.aof.manifest"), "latin1").split("\n");
    writeFileSync(join(d, "appendonly.aof.manifest"), [m[0], "file appendonly.aof.1.incr.aof seq 1 type i", m[1], ""].join("\n"));
    const r = await kvStartupFailure(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain("Fatal error: the truncated file is not the last file");
  });

  test("an unknown command is fatal, with Redis's message", async () => {
    const dir = dirFor();
    mkdirSync(join(dir, "appendonlydir"));
    writeFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), "file appendonly.aof.1.incr.aof seq 1 type i\n");
    writeFileSync(join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"), "*2\r\n$7\r\nNOSUCHC\r\n$1\r\nx\r\n");
    const r = await kvStartupFailure(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain("Unknown command 'NOSUCHC' reading the append only file appendonly.aof.1.incr.aof");
  });

  test("a bad manifest is fatal", async () => {
    const dir = dirFor();
    mkdirSync(join(dir, "appendonlydir"));
    writeFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), "file x seq one type i\n");
    const r = await kvStartupFailure(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain("Invalid AOF manifest file format");
  });

  test("a file the manifest lists but that is missing stops start-up", async () => {
    const dir = dirFor();
    const kv = await startKvAof(dir);
    await send(kv.port, [["SET", "a", "1"]]);
    await kv.stop();
    // The listed base is gone: start-up must stop rather than silently lose it.
    rmDir(join(dir, "appendonlydir", "appendonly.aof.1.base.rdb"));
    const r = await kvStartupFailure(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain("appendonly.aof.1.base.rdb");
  });
});

describe("start-up log", () => {
  test("keys and time are logged; a fresh directory gets a base and an incr file", async () => {
    const dir = dirFor();
    const first = await startKvProcess(dir);
    cleanups.push(() => first.stop());
    expect(first.log()).toContain("Creating AOF base file appendonly.aof.1.base.rdb on server start");
    expect(first.log()).toContain("Creating AOF incr file appendonly.aof.1.incr.aof on server start");
    await send(first.port, range(100).map((i) => ["SET", `k${i}`, "v"]));
    await first.stop();
    const second = await startKvProcess(dir);
    cleanups.push(() => second.stop());
    expect(second.log()).toMatch(/DB loaded from append only file: \d+\.\d{3} seconds/);
    expect(second.log()).toContain("AOF loaded: 100 keys");
    expect(second.log()).toContain("Opening AOF incr file appendonly.aof.1.incr.aof on server start");
  });
});
