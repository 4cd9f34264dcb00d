// Crash recovery. A kvserver child process under a write load is killed with SIGKILL and started
// again on its directory: with appendfsync always every acknowledged write is there; with everysec
// at most the last moments' writes may miss. Then power loss, simulated in-process: the AOF files
// are cut back to what the last completed fsync made durable, and loaded — always loses nothing
// acknowledged, everysec about one second at most.
import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { cpSync, fstatSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { RawConn } from "../support/conn.ts";
import { nodeIo, type AofIo } from "../../src/persistence/aof.ts";
import { rmDir, startKvAof, startKvProcess, tempDir } from "./aofdump.ts";
import { decode } from "../support/value.ts";

// Servers, files and child processes: generous limits on a loaded machine.
setDefaultTimeout(30000);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

interface Writer {
  id: number;
  /** Replies received (acknowledged writes), with when each arrived. */
  acked: number;
  ackTimes: number[];
  done: Promise<void>;
}

/** A client appending 0, 1, 2 … to log:<id>, a few requests in flight, until stopped or cut off. */
function writer(port: number, id: number, stop: () => boolean): Writer {
  const w: Writer = { id, acked: 0, ackTimes: [], done: Promise.resolve() };
  w.done = (async () => {
    const c = await RawConn.connect(port);
    let sent = 0;
    const depth = 4;
    try {
      while (!stop()) {
        let batch = "";
        const n = depth;
        for (let k = 0; k < n; k++) {
          const v = String(sent + k);
          batch += `*3\r\n$5\r\nRPUSH\r\n$${`log:${id}`.length}\r\nlog:${id}\r\n$${v.length}\r\n${v}\r\n`;
        }
        await c.send(batch);
        sent += n;
        for (let k = 0; k < n; k++) {
          const r = await c.read(10000);
          if (!r.startsWith(":")) throw new Error(`unexpected reply ${r}`);
          w.acked++;
          w.ackTimes.push(Date.now());
        }
      }
    } catch {
      // the server died: what was acknowledged so far is what counts
    } finally {
      c.close();
    }
  })();
  return w;
}

async function lists(port: number, ids: number[]): Promise<number[][]> {
  const c = await RawConn.connect(port);
  try {
    const out: number[][] = [];
    for (const id of ids) {
      const v = decode(await c.call("LRANGE", `log:${id}`, 0, -1));
      out.push((v as string[]).map(Number));
    }
    return out;
  } finally {
    c.close();
  }
}

/** Each recovered list must be 0..k-1 (a prefix, nothing reordered or invented). */
function expectPrefix(list: number[]): void {
  for (let i = 0; i < list.length; i++) if (list[i] !== i) throw new Error(`log not a prefix at ${i}: ${list.slice(Math.max(0, i - 3), i + 3)}`);
}

const IDS = [0, 1, 2, 3];

describe("kill -9 under a write load (child process)", () => {
  for (const policy of ["always", "everysec"] as const) {
    test(`appendfsync ${policy}`, async () => {
      const dir = tempDir("kv-aof-crash-");
      cleanups.push(() => rmDir(dir));
      const srv = await startKvProcess(dir, ["--appendfsync", policy]);
      let stopped = false;
      const writers = IDS.map((id) => writer(srv.port, id, () => stopped));
      await Bun.sleep(700 + Math.floor(Math.random() * 500));
      const killedAt = Date.now();
      srv.proc.kill(9);
      await srv.proc.exited;
      stopped = true;
      await Promise.all(writers.map((w) => w.done));
      const total = writers.reduce((s, w) => s + w.acked, 0);
      expect(total).toBeGreaterThan(100);
      const again = await startKvProcess(dir, ["--appendfsync", policy]);
      cleanups.push(() => again.stop());
      const got = await lists(again.port, IDS);
      if (process.env.AOF_TEST_VERBOSE) console.error(`kill -9 ${policy}: acked ${writers.map((w) => w.acked)} recovered ${got.map((l) => l.length)}`);
      for (const w of writers) {
        const list = got[w.id]!;
        expectPrefix(list);
        if (policy === "always") {
          expect({ id: w.id, recovered: Math.min(list.length, w.acked) }).toEqual({ id: w.id, recovered: w.acked });
        } else if (list.length < w.acked) {
          // Only writes acknowledged in the last ~2 s (Redis's postpone rule) may be missing.
          expect(killedAt - w.ackTimes[list.length]!).toBeLessThan(2500);
        }
      }
    }, 30000);
  }
});

describe("power loss (in-process): only what the last fsync made durable survives", () => {
  for (const policy of ["always", "everysec"] as const) {
    test(`appendfsync ${policy}`, async () => {
      const dir = tempDir("kv-aof-power-");
      cleanups.push(() => rmDir(dir));
      const kv = await startKvAof(dir, { appendfsync: policy, "aof-use-rdb-preamble": "no" });
      cleanups.push(() => kv.stop());
      // Durable size of each descriptor: what it held when its last completed fsync began.
      const durable = new Map<number, number>();
      const io: AofIo = {
        write: nodeIo.write,
        fsync: (fd) => {
          const size = fstatSync(fd).size;
          nodeIo.fsync(fd);
          durable.set(fd, size);
        },
        fsyncAsync: (fd, done) => {
          const size = fstatSync(fd).size;
          nodeIo.fsyncAsync(fd, (err) => {
            if (err === null) durable.set(fd, size);
            done(err);
          });
        },
      };
      kv.server.aof.io = io;
      let stopped = false;
      const writers = IDS.map((id) => writer(kv.port, id, () => stopped));
      await Bun.sleep(2500 + Math.floor(Math.random() * 500));
      // The power goes out now: copy the files as the disk would hold them.
      const lostAt = Date.now();
      const copy = tempDir("kv-aof-power-copy-");
      cleanups.push(() => rmDir(copy));
      cpSync(join(dir, "appendonlydir"), join(copy, "appendonlydir"), { recursive: true });
      const incr = join(copy, "appendonlydir", "appendonly.aof.1.incr.aof");
      const sizes = [...durable.values()];
      truncateSync(incr, sizes.length === 0 ? 0 : Math.max(...sizes));
      const ackedAtLoss = writers.map((w) => w.ackTimes.filter((t) => t <= lostAt).length);
      stopped = true;
      await Promise.all(writers.map((w) => w.done));
      const again = await startKvAof(copy);
      cleanups.push(() => again.stop());
      const got = await lists(again.port, IDS);
      let missingMs = 0;
      for (const w of writers) {
        const list = got[w.id]!;
        expectPrefix(list);
        const acked = ackedAtLoss[w.id]!;
        if (list.length < acked) missingMs = Math.max(missingMs, lostAt - w.ackTimes[list.length]!);
        if (policy === "always") expect({ id: w.id, recovered: Math.min(list.length, acked) }).toEqual({ id: w.id, recovered: acked });
      }
      if (process.env.AOF_TEST_VERBOSE) console.error(`power loss ${policy}: acked ${ackedAtLoss} recovered ${got.map((l) => l.length)} missing ${missingMs} ms`);
      if (policy === "everysec") expect(missingMs).toBeLessThan(2500);
      expect(ackedAtLoss.reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
    }, 30000);
  }
});
