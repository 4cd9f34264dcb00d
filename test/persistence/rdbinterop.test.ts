// Interop with real Redis 7.0: kvserver loads redis-server's dump.rdb (every type in its small
// and large encodings, TTLs, several dbs, compressed or not), and redis-server loads ours with
// the same contents; redis-check-rdb accepts every file we write.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { RawConn } from "../support/conn.ts";
import { startKv } from "../support/servers.ts";
import { checkRdb, cleanup, contents, redisOnDir, richDataset, runAll, tempDir } from "./rdbhelpers.ts";

const NOW = Date.now();

async function redisDump(extra: string[]): Promise<{ dir: string; expected: string[] }> {
  const dir = tempDir();
  const r = await redisOnDir(dir, extra);
  try {
    const c = await RawConn.connect(r.port);
    await runAll(c, richDataset(NOW));
    expect(await c.call("SAVE")).toBe("+OK\r\n");
    c.close();
    return { dir, expected: await contents(r.port) };
  } finally {
    await r.stop();
  }
}

describe("kvserver loads redis-server's dump.rdb", () => {
  const LARGE = { "hash-max-listpack-entries": "0", "zset-max-listpack-entries": "0", "set-max-intset-entries": "0", "list-max-listpack-size": "1" };
  for (const [name, config] of [
    ["compressed", {}],
    ["uncompressed", { rdbcompression: "no" }],
    ["without checksum", { rdbchecksum: "no" }],
    // Both servers load with the same limits: a loaded value takes the encoding they dictate.
    ["with large encodings forced", LARGE],
  ] as const) {
    test(name, async () => {
      const extra = Object.entries(config).flatMap(([k, v]) => [`--${k}`, v]);
      const { dir, expected } = await redisDump(extra);
      const kv = await startKv({ config: { dir, ...config } });
      try {
        expect(kv.server.stats.persistence.lastLoadKeysLoaded).toBe(expected.length);
        expect(await contents(kv.port)).toEqual(expected);
      } finally {
        await kv.stop();
        cleanup(dir);
      }
    }, 60000);
  }
});

describe("redis-server loads kvserver's dump.rdb", () => {
  for (const [name, config] of [
    ["compressed", {}],
    ["uncompressed", { rdbcompression: "no" }],
    ["without checksum", { rdbchecksum: "no" }],
    ["lists cut by count", { "list-max-listpack-size": "3" }],
    ["lists cut at 64kb", { "list-max-listpack-size": "-5" }],
  ] as const) {
    test(name, async () => {
      const dir = tempDir();
      const kv = await startKv({ config: { dir, ...config } });
      let expected: string[];
      try {
        const c = await RawConn.connect(kv.port);
        await runAll(c, richDataset(NOW));
        expect(await c.call("SAVE")).toBe("+OK\r\n");
        c.close();
        expected = await contents(kv.port);
      } finally {
        await kv.stop();
      }
      const file = join(dir, "dump.rdb");
      const check = await checkRdb(file);
      expect(check.out).toContain("RDB looks OK");
      expect(check.code).toBe(0);
      expect(readFileSync(file).subarray(0, 9).toString("latin1")).toBe("REDIS0010");
      const r = await redisOnDir(dir);
      try {
        expect(await contents(r.port)).toEqual(expected);
      } finally {
        await r.stop();
        cleanup(dir);
      }
    }, 60000);
  }
});
