// Helpers for the RDB tests: a data set covering every type in its small and large encodings,
// a canonical dump of a server's contents read over RESP (so kvserver and redis-server can be
// compared whatever their internal encodings), and redis-server started on a given dump.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RawConn } from "../support/conn.ts";
import { decode, items, pairs, type RespValue } from "../support/value.ts";
import { redisServerPath } from "../support/servers.ts";
import type { Arg } from "../support/resp.ts";

export function tempDir(prefix = "kv-rdb-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Deterministic pseudo-random bytes (a seeded xorshift), so fixtures are the same every run. */
export function bytes(n: number, seed: number, alphabet = 256): Buffer {
  const b = Buffer.alloc(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = (x >>> 0) % alphabet;
  }
  return b;
}

const BIN = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

/** Commands creating every type in small and large encodings, TTLs, several dbs, odd bytes. */
export function richDataset(now: number): Arg[][] {
  const cmds: Arg[][] = [];
  const add = (...a: Arg[]) => cmds.push(a);
  // Strings: embstr, int (8/16/32/64-bit), raw, compressible, binary, empty, float-looking.
  add("SET", "s:short", "hello");
  for (const [k, v] of [["i8", "-5"], ["i16", "30000"], ["i32", "2000000000"], ["i64", "9223372036854775807"], ["imin", "-9223372036854775808"], ["i12", "123456789012"], ["lead0", "0123"], ["minus0", "-0"], ["flt", "3.14"]]) {
    add("SET", `s:${k}`, v!);
  }
  add("SET", "s:long", bytes(300, 7, 26).map((c) => c + 97));
  add("SET", "s:lzf", "abc".repeat(400));
  add("SET", "s:21", "x".repeat(21));
  add("SET", "s:bin", BIN);
  add("SET", "s:empty", "");
  add("SET", "s:big", bytes(100_000, 11));
  add("APPEND", "s:appended", "part1");
  add("APPEND", "s:appended", "-part2");
  add("SET", BIN, "binary key");
  add("SET", "12345", "int-looking key");
  add("SET", "k".repeat(40), "a long key (LZF-compressed)");
  // Lists: small, with ints and odd bytes; large (many quicklist nodes); a huge element.
  add("RPUSH", "l:small", "a", "1", "-1", "127", "128", "-4096", "4095", "32767", "-32768", "8388607", "-8388608", "2147483647", "-2147483648", "9223372036854775807", "-9223372036854775808", "", "x".repeat(63), "y".repeat(64), "z".repeat(4100), BIN);
  const big: Arg[] = ["RPUSH", "l:big"];
  for (let i = 0; i < 5000; i++) big.push(i % 3 === 0 ? String(i) : `item-${i}-${"p".repeat(i % 50)}`);
  add(...big);
  add("RPUSH", "l:huge", "a", bytes(20_000, 3), "b");
  // Sets: intset (16/32/64-bit members), strings, large intset, large string set.
  add("SADD", "set:i16", "1", "2", "-3", "300");
  add("SADD", "set:i32", "1", "70000", "-70000");
  add("SADD", "set:i64", "1", "9223372036854775807", "-9223372036854775808", "5000000000");
  add("SADD", "set:str", "a", "b", "c", BIN);
  const bigInts: Arg[] = ["SADD", "set:bigint"];
  for (let i = 0; i < 600; i++) bigInts.push(String(i * 7 - 1000));
  add(...bigInts);
  const bigStr: Arg[] = ["SADD", "set:bigstr"];
  for (let i = 0; i < 700; i++) bigStr.push(`member:${i}`);
  add(...bigStr);
  // Hashes: listpack (ints and strings), hashtable by size, hashtable by a long value.
  add("HSET", "h:small", "f1", "v1", "n", "42", "neg", "-7", "big", "9223372036854775807", "empty", "", BIN, BIN);
  const bigHash: Arg[] = ["HSET", "h:big"];
  for (let i = 0; i < 1000; i++) bigHash.push(`field:${i}`, i % 2 === 0 ? String(i) : `value:${i}`);
  add(...bigHash);
  add("HSET", "h:longval", "f", "v".repeat(65), "g", "short");
  // Sorted sets: listpack with every kind of score, skiplist by size and by member length.
  add("ZADD", "z:small", "1", "one", "-2", "minus-two", "0", "zero", "1.5", "one-and-half", "inf", "pinf", "-inf", "ninf", "1e-300", "tiny", "1.7976931348623157e308", "huge", "0.1", "tenth", "123456789012345", "bigint", "-0.000001", "negsmall");
  const bigZ: Arg[] = ["ZADD", "z:big"];
  for (let i = 0; i < 300; i++) bigZ.push(String(i / 7), `m${i}`);
  add(...bigZ);
  add("ZADD", "z:longmember", "1", "m".repeat(80), "2", "short");
  // TTLs (absolute, so both servers hold the same times) and keys in other databases.
  add("SET", "ttl:str", "v", "PXAT", String(now + 3_600_000));
  add("RPUSH", "ttl:list", "a", "b");
  add("PEXPIREAT", "ttl:list", String(now + 7_200_123));
  add("HSET", "ttl:hash", "a", "1");
  add("PEXPIREAT", "ttl:hash", String(now + 10_000_000_000));
  add("SELECT", "3");
  add("SET", "db3:key", "in db 3");
  add("ZADD", "db3:z", "1", "a");
  add("SET", "db3:ttl", "v", "PXAT", String(now + 100_000));
  add("SELECT", "15");
  add("SADD", "db15:set", "x", "y");
  add("SELECT", "0");
  return cmds;
}

/** Run commands on a connection, failing on any error reply. */
export async function runAll(c: RawConn, cmds: readonly Arg[][]): Promise<void> {
  for (const cmd of cmds) {
    const r = await c.call(...cmd);
    if (r.startsWith("-")) throw new Error(`${cmd.map(String).join(" ").slice(0, 100)} => ${r}`);
  }
}

async function q(c: RawConn, ...args: Arg[]): Promise<RespValue> {
  return decode(await c.call(...args));
}

/**
 * The contents of every db as sorted lines "db key type expire value [encoding]": what must be
 * equal between two servers holding the same data. Lists' encodings are left out (Redis 7.0 has
 * only quicklist), and so are strings' (an APPENDed string may be raw or embstr).
 */
export async function contents(port: number, databases = 16, withEncoding = true): Promise<string[]> {
  const c = await RawConn.connect(port);
  const out: string[] = [];
  try {
    for (let db = 0; db < databases; db++) {
      await c.call("SELECT", db);
      let cursor = "0";
      const keys: string[] = [];
      do {
        const r = items(await q(c, "SCAN", cursor, "COUNT", 1000));
        cursor = r[0] as string;
        for (const k of items(r[1]!)) keys.push(k as string);
      } while (cursor !== "0");
      for (const key of keys) {
        const type = (await q(c, "TYPE", key)) as string;
        const exp = await q(c, "PEXPIRETIME", key);
        let value: unknown;
        switch (type) {
          case "string": value = await q(c, "GET", key); break;
          case "list": value = await q(c, "LRANGE", key, 0, -1); break;
          case "set": value = items(await q(c, "SMEMBERS", key)).map(String).sort(); break;
          case "hash": value = pairs(await q(c, "HGETALL", key)).map((p) => `${String(p[0])}=${String(p[1])}`).sort(); break;
          case "zset": value = await q(c, "ZRANGE", key, 0, -1, "WITHSCORES"); break;
          default: value = `unsupported type ${type}`;
        }
        let enc = "";
        if (withEncoding && type !== "list" && type !== "string") enc = ` ${String(await q(c, "OBJECT", "ENCODING", key))}`;
        out.push(`${db} ${JSON.stringify(key)} ${type} ${String(exp)} ${JSON.stringify(value)}${enc}`);
      }
    }
  } finally {
    c.close();
  }
  return out.sort();
}

export interface RedisOnDir {
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const p = l.port;
  l.stop(true);
  return p;
}

/** redis-server on dir (loading dir/dbfilename if present); resolves once it answers PING. */
export async function redisOnDir(dir: string, extra: string[] = []): Promise<RedisOnDir> {
  const port = await freePort();
  const proc = Bun.spawn(
    [redisServerPath(), "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--enable-debug-command", "yes", ...extra],
    { stdout: "pipe", stderr: "pipe" },
  );
  const deadline = Date.now() + 20000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited: ${await new Response(proc.stdout).text()}`);
    try {
      const c = await RawConn.connect(port);
      const r = await c.call("PING");
      c.close();
      if (r === "+PONG\r\n") break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error("redis-server did not start");
    await Bun.sleep(20);
  }
  return {
    port,
    stop: async () => {
      proc.kill();
      await proc.exited;
    },
  };
}

/** Run redis-check-rdb on a file; resolves to its exit code and output. */
export async function checkRdb(path: string): Promise<{ code: number; out: string }> {
  const p = Bun.spawn(["redis-check-rdb", path], { stdout: "pipe", stderr: "pipe" });
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code: await p.exited, out: out + err };
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
