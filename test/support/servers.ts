// Start servers for tests: kvserver in-process on a free port, and real redis-server (the oracle)
// as a child process with persistence off. Both are stopped by the returned stop().
import { Server } from "../../src/server.ts";
import { Config } from "../../src/config.ts";
import { Logger } from "../../src/log.ts";
import type { Clock } from "../../src/util/clock.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Running {
  port: number;
  stop(): Promise<void>;
}

export interface KvRunning extends Running {
  server: Server;
}

/** Start kvserver in this process on a free port. */
export async function startKv(opts: { config?: Record<string, string>; clock?: Clock } = {}): Promise<KvRunning> {
  const config = new Config();
  config.set("port", "0", true);
  // Like startRedis: no save points; and no dump is loaded at start unless the test gives a dir,
  // so a dump.rdb left in the working directory never leaks into tests.
  config.set("save", "", true);
  // Like startRedis: DEBUG is allowed (tests use DEBUG SET-ACTIVE-EXPIRE, SLEEP, RELOAD …).
  config.set("enable-debug-command", "yes", true);
  // kvserver's default is appendonly yes; tests (and differential CONFIG GET) run with Redis's
  // no unless they ask for the AOF. KV_TEST_APPENDONLY=yes runs a suite with the AOF on, each
  // server in a fresh temp directory (a whole-suite check that logging changes no reply).
  const aofDir = process.env.KV_TEST_APPENDONLY === "yes" && opts.config?.dir === undefined ? mkdtempSync(join(tmpdir(), "kv-test-aof-")) : null;
  config.set("appendonly", aofDir === null ? "no" : "yes", true);
  if (aofDir !== null) config.set("dir", aofDir, true);
  for (const [k, v] of Object.entries(opts.config ?? {})) {
    const err = config.set(k, v, true);
    if (err) throw new Error(`config ${k}: ${err}`);
  }
  const logger = new Logger();
  logger.silent = true;
  const server = new Server({ config, logger, clock: opts.clock, loadOnStart: opts.config?.dir !== undefined });
  await server.start();
  return {
    server,
    port: server.port,
    stop: async () => {
      server.stop();
      if (aofDir !== null) rmSync(aofDir, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const p = l.port;
  l.stop(true);
  return p;
}

/** Is the oracle installed? Tests require it: .ci/run and scripts/test.sh install it. */
export function redisServerPath(): string {
  const p = Bun.which("redis-server");
  if (!p) throw new Error("redis-server not found: run scripts/setup.sh (installs Debian's redis-server)");
  return p;
}

/** Start a real redis-server on a free port with persistence off. */
export async function startRedis(extra: string[] = []): Promise<Running> {
  const bin = redisServerPath();
  const dir = mkdtempSync(join(tmpdir(), "kv-oracle-"));
  const port = await freePort();
  const proc = Bun.spawn(
    [bin, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--enable-debug-command", "yes", ...extra],
    { stdout: "ignore", stderr: "ignore" },
  );
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      const s = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
      s.end();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error("redis-server did not start");
      await Bun.sleep(20);
    }
  }
  return {
    port,
    stop: async () => {
      proc.kill();
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
