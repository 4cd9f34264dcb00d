// The command line as a child process: options and config files (errors compared with
// redis-server's, byte for byte but for the program name), --version/--help, signals and log
// lines, --logfile/--loglevel, a busy port; and the compiled executable once, which must not
// read a .env or bunfig.toml from its working directory.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RawConn } from "../support/conn.ts";
import { redisServerPath } from "../support/servers.ts";

const ROOT = join(import.meta.dir, "..", "..");
const MAIN = join(ROOT, "src", "main.ts");
const BUN = process.execPath;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "kv-cli-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

interface Done {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a command to completion (killed after timeoutMs). */
async function run(cmd: string[], opts: { stdin?: string; cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {}): Promise<Done> {
  const p = Bun.spawn(cmd, {
    cwd: opts.cwd ?? tmp,
    env: opts.env ?? process.env,
    stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => p.kill("SIGKILL"), opts.timeoutMs ?? 10000);
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

const kv = (args: string[], opts?: Parameters<typeof run>[1]) => run([BUN, MAIN, ...args], opts);
const redis = (args: string[], opts?: Parameters<typeof run>[1]) => run([redisServerPath(), ...args], opts);

async function freePort(): Promise<number> {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const p = l.port;
  l.stop(true);
  return p;
}

interface Started {
  port: number;
  proc: ReturnType<typeof Bun.spawn>;
  /** Send a signal, wait for exit; returns the exit code and everything printed. */
  stop(signal?: "SIGTERM" | "SIGINT"): Promise<Done>;
}

/** Start a server process and wait until it answers PING. */
async function start(cmd: string[], port: number, opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<Started> {
  const proc = Bun.spawn(cmd, { cwd: opts.cwd ?? tmp, env: opts.env ?? process.env, stdout: "pipe", stderr: "pipe" });
  const out = new Response(proc.stdout).text();
  const err = new Response(proc.stderr).text();
  const deadline = Date.now() + 15000;
  for (;;) {
    try {
      const c = await RawConn.connect(port);
      const pong = await c.call("PING");
      c.close();
      if (pong === "+PONG\r\n") break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || proc.exitCode !== null) {
      proc.kill("SIGKILL");
      throw new Error(`server did not start: ${await out} ${await err}`);
    }
    await Bun.sleep(25);
  }
  return {
    port,
    proc,
    stop: async (signal = "SIGTERM") => {
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10000);
      const code = await proc.exited;
      clearTimeout(timer);
      return { code, stdout: await out, stderr: await err };
    },
  };
}

/** A Redis log line: "pid:R dd Mon yyyy hh:mm:ss.mmm <mark> text". */
const LOG_LINE = /^(\d+):([MCSX]) (\d\d) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3}) ([.\-*#]) (.*)$/;

describe("configuration errors match redis-server", () => {
  // redis-server names itself "(Redis 7.0.15)" in the banner; we say "(kvserver)".
  const normalize = (s: string) => s.replace(/\(Redis [0-9.]+\)/, "(kvserver)");
  const CASES: [string, string[]][] = [
    ["unknown option", ["--port", "0", "--nosuchopt", "1"]],
    ["malformed integer", ["--port", "0", "--maxclients", "abc"]],
    ["integer out of range", ["--port", "0", "--port", "70000"]],
    ["malformed memory value", ["--port", "0", "--maxmemory", "12qb"]],
    ["malformed yes/no", ["--port", "0", "--appendonly", "maybe"]],
    ["malformed save", ["--port", "0", "--save", "abc"]],
    ["option without its value", ["--port", "0", "--port"]],
    ["option with an extra value", ["--port", "0", "extra"]],
    ["a --word after a bare option is its value", ["--nosuch", "--port", "0"]],
    ["--save followed by an option means save \"\"", ["--port", "0", "--save", "--nosuch"]],
    ["option and value in one argument", ["--port 0", "--nosuch"]],
    ["single-dash value", ["--port", "0", "-x"]],
    ["values are quoted and escaped in the message", ["--port", "0", "--nosuch", 'a\nb"c\\d\t\x01é']],
    ["-- alone is an empty option name", ["--port", "0", "--", "x"]],
    ["upper-case option name without value", ["--port", "0", "--PORT"]],
    ["empty value for a number", ["--port", "0", "--hz", ""]],
  ];
  test.each(CASES)("%s", async (_name, args) => {
    const [a, b] = await Promise.all([kv(args), redis(args)]);
    expect({ code: a.code, stderr: a.stderr }).toEqual({ code: b.code, stderr: normalize(b.stderr) });
    expect(a.code).toBe(1);
    expect(a.stderr).toContain("*** FATAL CONFIG FILE ERROR (kvserver) ***");
  });

  test("errors in a config file name its line; options come after the file's lines", async () => {
    const bad = join(tmp, "bad.conf");
    writeFileSync(bad, 'port 0\n# comment\n\n"unbalanced\n');
    const good = join(tmp, "good.conf");
    writeFileSync(good, "port 0\nhz 20\n");
    for (const args of [[bad], [good, "foo"], [good, "--hz", "x"], [good, "--port", "0", "--nosuch"]]) {
      const [a, b] = await Promise.all([kv(args), redis(args)]);
      expect({ code: a.code, stderr: a.stderr }).toEqual({ code: b.code, stderr: normalize(b.stderr) });
      expect(a.code).toBe(1);
    }
  });

  test("config from standard input", async () => {
    const args = ["-"];
    const [a, b] = await Promise.all([kv(args, { stdin: "port 0\nnosuch 1\n" }), redis(args, { stdin: "port 0\nnosuch 1\n" })]);
    expect({ code: a.code, stderr: a.stderr }).toEqual({ code: b.code, stderr: normalize(b.stderr) });
    expect(a.stdout).toMatch(/# Reading config from stdin\n/);
  });

  test("a missing config file", async () => {
    const [a, b] = await Promise.all([kv(["missing.conf"]), redis(["missing.conf"])]);
    expect(a.code).toBe(1);
    expect(b.code).toBe(1);
    const msg = (s: string) => s.trim().split("\n").map((l) => LOG_LINE.exec(l)?.[11] ?? l);
    expect(msg(a.stdout)).toEqual(msg(b.stdout));
    expect(msg(a.stdout)).toEqual([`Fatal error, can't open config file '${join(tmp, "missing.conf")}': No such file or directory`]);
  });
});

describe("options take effect as in redis-server", () => {
  const PARAMS = ["save", "dbfilename", "maxmemory", "hz", "maxclients", "timeout", "appendonly", "loglevel"];

  async function configOf(cmd: string[], port: number): Promise<string[]> {
    const s = await start(cmd, port);
    try {
      const c = await RawConn.connect(port);
      const out: string[] = [];
      for (const p of PARAMS) out.push(await c.call("CONFIG", "GET", p));
      c.close();
      return out;
    } finally {
      const done = await s.stop();
      expect(done.code).toBe(0);
    }
  }

  test("config file, --name value overrides, quoted values, --save \"\"", async () => {
    const conf = join(tmp, "opts.conf");
    writeFileSync(conf, 'save 900 1\nsave 300 10\nhz 20\ndbfilename "from file.rdb"\nmaxmemory 1mb\n');
    const vectors: ((port: number) => string[])[] = [
      (port) => [conf, "--port", String(port), "--maxmemory", "2mb", "--dbfilename", "my dump.rdb"],
      (port) => [conf, "--port", String(port), "--save", "", "--hz", "15"],
      (port) => ["--port", String(port), "--save", "60", "100", "--timeout 30", "--appendonly", "yes"],
      (port) => ["--port", String(port), "--maxclients", "77", "--save"],
      (port) => ["--port", String(port), "--dbfilename", 'q"uo\tte.rdb', "--loglevel", "WARNING"],
    ];
    for (const v of vectors) {
      const [p1, p2] = [await freePort(), await freePort()];
      const dir = ["--dir", tmp];
      const [a, b] = await Promise.all([configOf([BUN, MAIN, ...v(p1), ...dir], p1), configOf([redisServerPath(), ...v(p2), ...dir], p2)]);
      // kvserver's documented default is appendonly yes (Redis's is no): compare it only when set.
      if (!v(0).includes("--appendonly")) {
        const i = PARAMS.indexOf("appendonly");
        expect([a[i], b[i]]).toEqual(["*2\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n", "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"]);
        a.splice(i, 1);
        b.splice(i, 1);
      }
      expect(a).toEqual(b);
    }
  }, 60000);
});

describe("informational flags", () => {
  test("--version and -v print the version and exit 0", async () => {
    for (const flag of ["--version", "-v"]) {
      const r = await kv([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^kvserver v=\d+\.\d+\.\d+ redis_version=\d+\.\d+\.\d+ bun=\S+ bits=64\n$/);
      expect(r.stderr).toBe("");
    }
  });

  test("--help and -h print usage to stderr and exit 1, as redis-server does", async () => {
    const ref = await redis(["--help"]);
    expect(ref.code).toBe(1);
    expect(ref.stdout).toBe("");
    for (const flag of ["--help", "-h"]) {
      const r = await kv([flag]);
      expect(r.code).toBe(ref.code);
      expect(r.stdout).toBe("");
      expect(r.stderr.startsWith("Usage: ./kvserver [/path/to/kvserver.conf] [options] [-]\n")).toBe(true);
      expect(r.stderr).toContain("-v or --version");
    }
  });
});

describe("running and stopping", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`${signal}: clean exit 0 with Redis-style log lines`, async () => {
      const port = await freePort();
      const s = await start([BUN, MAIN, "--port", String(port), "--save", ""], port);
      const done = await s.stop(signal);
      expect(done.code).toBe(0);
      expect(done.stderr).toBe("");
      const lines = done.stdout.trimEnd().split("\n");
      const pid = String(s.proc.pid);
      for (const l of lines) {
        if (l.includes(":signal-handler (")) {
          expect(l).toMatch(new RegExp(`^${pid}:signal-handler \\(\\d+\\) Received ${signal} scheduling shutdown\\.\\.\\.$`));
          continue;
        }
        const m = LOG_LINE.exec(l);
        expect(m).not.toBeNull();
        expect(m![1]).toBe(pid);
      }
      const texts = lines.map((l) => LOG_LINE.exec(l)?.[11] ?? l);
      expect(texts).toContain(`Running mode=standalone, port=${port}.`);
      expect(texts).toContain("Ready to accept connections");
      expect(texts).toContain("User requested shutdown...");
      expect(texts.at(-1)).toBe("kvserver is now ready to exit, bye bye...");
      expect(lines.some((l) => l.endsWith(`Received ${signal} scheduling shutdown...`))).toBe(true);
    });
  }

  test("the listening socket is released on exit, and clients are disconnected", async () => {
    const port = await freePort();
    const s = await start([BUN, MAIN, "--port", String(port)], port);
    const c = await RawConn.connect(port);
    expect(await c.call("SET", "k", "v")).toBe("+OK\r\n");
    expect((await s.stop()).code).toBe(0);
    expect(await c.waitClosed()).toBe(true);
    const again = await start([BUN, MAIN, "--port", String(port)], port);
    expect((await again.stop()).code).toBe(0);
  });

  test("--logfile writes the log there and nothing to stdout", async () => {
    const port = await freePort();
    const file = join(tmp, "server.log");
    const s = await start([BUN, MAIN, "--port", String(port), "--logfile", file], port);
    const done = await s.stop();
    expect(done.code).toBe(0);
    expect(done.stdout).toBe("");
    const log = readFileSync(file, "utf8").trimEnd().split("\n");
    expect(log.filter((l) => LOG_LINE.test(l)).length).toBe(log.length - 1); // all but the signal-handler line
    expect(log.at(-1)).toMatch(/# kvserver is now ready to exit, bye bye\.\.\.$/);
    expect(log.some((l) => / \* Ready to accept connections$/.test(l))).toBe(true);
  });

  test("--loglevel warning keeps only warnings, as redis-server does", async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const a = await start([BUN, MAIN, "--port", String(p1), "--loglevel", "warning"], p1);
    const b = await start([redisServerPath(), "--port", String(p2), "--loglevel", "warning", "--save", ""], p2);
    const [da, db] = await Promise.all([a.stop(), b.stop()]);
    expect(da.code).toBe(0);
    expect(db.code).toBe(0);
    const marks = (s: string) => [...new Set(s.trimEnd().split("\n").map((l) => LOG_LINE.exec(l)?.[10] ?? "signal"))].sort();
    expect(marks(da.stdout)).toEqual(marks(db.stdout));
    expect(marks(da.stdout)).toEqual(["#", "signal"]);
  });

  test("a port already in use: error and exit 1", async () => {
    const holder = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const r = await kv(["--port", String(holder.port)]);
      expect(r.code).toBe(1);
      const texts = r.stdout.trimEnd().split("\n").map((l) => LOG_LINE.exec(l)?.[11] ?? l);
      expect(texts).toContain(`Warning: Could not create server TCP listening socket 127.0.0.1:${holder.port}: bind: Address already in use`);
      expect(texts.at(-1)).toBe(`Failed listening on port ${holder.port} (TCP), aborting.`);
    } finally {
      holder.stop(true);
    }
  });

  test("--pidfile is written while running and removed on exit", async () => {
    const port = await freePort();
    const pidfile = join(tmp, "kv.pid");
    const s = await start([BUN, MAIN, "--port", String(port), "--pidfile", pidfile], port);
    expect(readFileSync(pidfile, "utf8")).toBe(`${s.proc.pid}\n`);
    expect((await s.stop()).code).toBe(0);
    expect(existsSync(pidfile)).toBe(false);
  });
});

describe("the compiled executable", () => {
  let exe = "";
  beforeAll(async () => {
    // Build exactly as `bun run build` does, into a temporary path.
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { build: string } };
    const words = pkg.scripts.build.split(/\s+/);
    expect(words.slice(0, 3)).toEqual(["bun", "build", "--compile"]);
    exe = join(tmp, "kvserver");
    const args = words.slice(1).map((w, i, all) => (all[i - 1] === "--outfile" ? exe : w));
    const r = await run([BUN, ...args], { cwd: ROOT, timeoutMs: 120000 });
    if (r.code !== 0) throw new Error(`build failed: ${r.stdout} ${r.stderr}`);
  }, 150000);

  test("runs, serves, and exits 0 on SIGTERM", async () => {
    const port = await freePort();
    const s = await start([exe, "--port", String(port), "--save", ""], port);
    const c = await RawConn.connect(port);
    expect(await c.call("SET", "k", "v")).toBe("+OK\r\n");
    expect(await c.call("GET", "k")).toBe("$1\r\nv\r\n");
    c.close();
    const done = await s.stop();
    expect(done.code).toBe(0);
    expect(done.stdout).toContain("Ready to accept connections");
    const v = await run([exe, "--version"]);
    expect(v.stdout).toMatch(/^kvserver v=/);
  });

  test("does not read .env or bunfig.toml from its working directory", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "kv-cwd-"));
    try {
      // A .env that would move the log clock 14 hours, and a bunfig.toml whose preload leaves a file.
      writeFileSync(join(cwd, ".env"), "TZ=Pacific/Kiritimati\n");
      writeFileSync(join(cwd, "bunfig.toml"), 'preload = ["./preload.ts"]\n');
      writeFileSync(join(cwd, "preload.ts"), `require("node:fs").writeFileSync(${JSON.stringify(join(cwd, "PRELOADED"))}, "yes");\n`);
      const env: Record<string, string | undefined> = { ...process.env };
      delete env.TZ;
      const kiritimati = (d: Date) => {
        const f = new Intl.DateTimeFormat("en-GB", { timeZone: "Pacific/Kiritimati", day: "2-digit", month: "short", year: "numeric", hour: "2-digit", hourCycle: "h23" });
        const parts = Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]));
        return `${parts.day} ${parts.month} ${parts.year} ${parts.hour}`;
      };
      const hourOf = (stdout: string) => {
        const m = LOG_LINE.exec(stdout.split("\n")[0]!);
        return m ? `${m[3]} ${m[4]} ${m[5]} ${m[6]}` : "";
      };
      const check = async (cmd: string[]) => {
        const port = await freePort();
        const before = kiritimati(new Date());
        const s = await start([...cmd, "--port", String(port)], port, { cwd, env });
        const after = kiritimati(new Date());
        const done = await s.stop();
        expect(done.code).toBe(0);
        const preloaded = existsSync(join(cwd, "PRELOADED"));
        rmSync(join(cwd, "PRELOADED"), { force: true });
        const h = hourOf(done.stdout);
        expect(h).not.toBe("");
        return { shifted: h === before || h === after, preloaded };
      };
      // The check itself works: bun running the source does read both.
      expect(await check([BUN, MAIN])).toEqual({ shifted: true, preloaded: true });
      expect(await check([exe])).toEqual({ shifted: false, preloaded: false });
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 60000);
});
