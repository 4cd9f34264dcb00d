// CONFIG REWRITE: the same config files, CONFIG SETs and rewrites on redis-server (started with
// the file) and kvserver, the rewritten files compared line by line; properties of the rewrite
// (idempotent, reloads to the same settings, quoting round-trips); the kvserver binary restarted
// from its own rewritten file.
import { afterAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RawConn } from "../support/conn.ts";
import { redisServerPath } from "../support/servers.ts";
import { Config, PARAMS, loadConfigText, paramDef } from "../../src/config.ts";
import { formatMemory, quoteValue, rewriteConfigText, REWRITE_SIGNATURE } from "../../src/configfile.ts";
import { Logger } from "../../src/log.ts";
import { splitArgs } from "../../src/resp/parser.ts";
import { Server } from "../../src/server.ts";

/** main.ts's line splitter: config text is UTF-8, arguments are bytes. */
function splitLine(line: string): string[] | null {
  const b = Buffer.from(line, "utf8");
  const parts = splitArgs(b, 0, b.length);
  return parts === null ? null : parts.map((p) => Buffer.from(p, "latin1").toString("utf8"));
}

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "kv-rewrite-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const p = l.port;
  l.stop(true);
  return p;
}

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      (await RawConn.connect(port)).close();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
      await Bun.sleep(20);
    }
  }
}

interface Running {
  port: number;
  file: string;
  dir: string;
  stop(): Promise<void>;
}

/** The file text for one server: {port} and {dir} filled in. */
function fill(template: string, port: number, dir: string): string {
  return template.replaceAll("{port}", String(port)).replaceAll("{dir}", dir);
}

async function startRedisWithFile(template: string): Promise<Running> {
  const dir = tempDir();
  const port = await freePort();
  const file = join(dir, "redis.conf");
  writeFileSync(file, fill(template, port, dir), "latin1");
  const proc = Bun.spawn([redisServerPath(), file], { stdout: "ignore", stderr: "ignore" });
  await waitForPort(port);
  return { port, file, dir, stop: async () => void (proc.kill(), await proc.exited) };
}

async function startKvWithFile(template: string): Promise<Running> {
  const dir = tempDir();
  const file = join(dir, "kv.conf");
  writeFileSync(file, fill(template, 0, dir), "latin1");
  const config = new Config();
  config.file = file;
  loadConfigText(config, readFileSync(file, "utf8"), splitLine);
  const logger = new Logger();
  logger.silent = true;
  const server = new Server({ config, logger });
  await server.start();
  return { port: server.port, file, dir, stop: async () => server.stop() };
}

/**
 * A rewritten file made comparable: Redis's ACL "user" line dropped (kvserver has no ACL), the
 * port and dir (different per server) replaced, and the lines for parameters the template did
 * not have (appended by a rewrite, in Redis's dict order) taken out and sorted; everything else
 * is compared in place.
 */
function comparable(text: string, template: string): string[] {
  const had = new Set<string>();
  for (const line of template.split("\n")) {
    const argv = splitLine(line.trim());
    if (argv && argv.length > 0 && !argv[0]!.startsWith("#")) had.add(paramDef(argv[0]!)?.name ?? argv[0]!.toLowerCase());
  }
  const inPlace: string[] = [];
  const appended: string[] = [];
  for (const raw of text.split("\n")) {
    if (raw.startsWith("user ")) continue;
    const l = raw.replace(/^port \d+$/, "port P").replace(/^dir ".*"$/, "dir D");
    const name = l === "" || l.startsWith("#") ? null : l.split(" ")[0]!;
    if (name !== null && !had.has(name)) appended.push(l);
    // Blank lines left where appended lines were taken out (or removed later, at positions
    // that follow Redis's random order) are counted once.
    else if (!(l === "" && inPlace[inPlace.length - 1] === "")) inPlace.push(l);
  }
  return [...inPlace, "(appended)", ...appended.sort()];
}

/** One round: CONFIG SET commands, then CONFIG REWRITE; returns the reply and the file after. */
type Round = (readonly string[])[];

async function rewriteOn(server: Running, rounds: readonly Round[], before?: (r: Running) => void): Promise<{ replies: string[]; files: string[] }> {
  const c = await RawConn.connect(server.port);
  const replies: string[] = [];
  const files: string[] = [];
  before?.(server);
  for (const round of rounds) {
    for (const cmd of round) replies.push(await c.call(...cmd));
    replies.push(await c.call("CONFIG", "REWRITE"));
    files.push(existsSync(server.file) ? readFileSync(server.file, "latin1") : "(no file)");
  }
  c.close();
  await server.stop();
  return { replies, files };
}

/** Run the rounds on both servers; before() may remove the file (then nothing is "original"). */
async function differential(template: string, rounds: readonly Round[], before?: (r: Running) => void): Promise<void> {
  const [kv, redis] = await Promise.all([startKvWithFile(template), startRedisWithFile(template)]);
  const a = await rewriteOn(kv, rounds, before);
  const b = await rewriteOn(redis, rounds, before);
  expect(a.replies).toEqual(b.replies);
  const original = before === undefined ? template : "";
  for (let i = 0; i < rounds.length; i++) expect(comparable(a.files[i]!, original)).toEqual(comparable(b.files[i]!, original));
}

describe("CONFIG REWRITE against redis-server", () => {
  test("changed values replace their lines in place; comments, blanks and unmanaged lines stay; new values are appended", async () => {
    const template = [
      "# My config",
      "port {port}",
      "# comment about timeout",
      "timeout 0",
      'save ""',
      "loglevel notice",
      "",
      "maxmemory 100mb",
      "# slowlog",
      "slowlog-log-slower-than 5000",
      "hz 10",
      "dir {dir}",
      "client-output-buffer-limit normal 0 0 0",
      'notify-keyspace-events ""',
      "appendonly no",
      "",
    ].join("\n");
    await differential(template, [
      [
        ["CONFIG", "SET", "maxmemory", "200mb", "timeout", "30", "slowlog-max-len", "64", "loglevel", "warning"],
        ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru", "notify-keyspace-events", "KEA", "requirepass", "sec"],
      ],
    ]);
  });

  test("duplicates and aliases, a marker already in the file, several save lines, runs of blank lines", async () => {
    const template = [
      "port {port}",
      "dir {dir}",
      "timeout 5",
      REWRITE_SIGNATURE,
      "TIMEOUT 7",
      "slave-read-only yes",
      "save 900 1",
      "save 300 10",
      "save 60 5",
      "hz 10",
      "maxmemory 100mb",
      "databases 16",
      "client-output-buffer-limit pubsub 32mb 8mb 60",
      "",
      "",
      "# trailing comment",
      "",
      "",
    ].join("\n");
    await differential(template, [
      [["CONFIG", "SET", "save", "100 2", "maxmemory", "0"]],
      [["CONFIG", "SET", "lfu-log-factor", "11", "save", "100 2 200 3 300 4 400 5"]],
    ]);
  });

  test("value formats: memory units, quoting, empty values that unset, percentiles, output buffer classes", async () => {
    const template = [
      "port {port}",
      "dir {dir}",
      "maxmemory 1000000",
      'notify-keyspace-events ""',
      'masterauth ""',
      'save ""',
      "bind 127.0.0.1",
      "",
    ].join("\n");
    await differential(template, [
      [
        ["CONFIG", "SET", "proto-max-bulk-len", "2gb", "client-query-buffer-limit", "1048576", "auto-aof-rewrite-min-size", "1025"],
        ["CONFIG", "SET", "stream-node-max-bytes", "3kb", "hll-sparse-max-bytes", "0", "hash-max-listpack-value", "1024", "maxmemory", "0"],
      ],
      [
        ["CONFIG", "SET", "masterauth", 'a b"c\\\n\x01\xff', "latency-tracking-info-percentiles", "", "appendfsync", "always"],
        ["CONFIG", "SET", "loglevel", "VERBOSE", "client-output-buffer-limit", "replica 1mb 1000 10 normal 1 2 3"],
        ["CONFIG", "SET", "maxmemory-samples", "7", "lazyfree-lazy-expire", "yes", "list-max-listpack-size", "-3"],
      ],
      [["CONFIG", "SET", "masterauth", "", "latency-tracking-info-percentiles", "50 99.5", "client-output-buffer-limit", "normal 0 0 0"]],
    ]);
  });

  test("rewriting without changes: output buffer classes take over their lines in order", async () => {
    const template = 'port {port}\ndir {dir}\nclient-output-buffer-limit normal 0 0 0\nsave ""\nclient-output-buffer-limit pubsub 1mb 1kb 5\n';
    await differential(template, [[], [], []]);
  });

  test("CRLF lines and no final newline; a config file deleted since start is written afresh", async () => {
    await differential('port {port}\r\ndir {dir}\r\ntimeout 5\r\n# note\r\nsave ""', [[["CONFIG", "SET", "timeout", "6"]]]);
    await differential('port {port}\ndir {dir}\nsave ""\n', [[["CONFIG", "SET", "timeout", "9"]]], (r) => rmSync(r.file));
  });

  test("a directory that is gone: the error redis-server gives", async () => {
    await differential('port {port}\ndir {dir}\nsave ""\n', [[["CONFIG", "SET", "timeout", "9"]]], (r) => rmSync(r.dir, { recursive: true }));
  });
});

// ---------------------------------------------------------------------------------------------

/** A config line for a parameter with a valid, non-default-ish value. */
const paramLine = fc.oneof(
  fc.constantFrom("timeout", "hz", "maxmemory-samples", "lfu-log-factor", "slowlog-max-len").chain((n) =>
    fc.integer({ min: 1, max: 500 }).map((v) => `${n} ${v}`),
  ),
  fc.constantFrom("1mb", "2gb", "1025", "4096", "0", "3kb").map((v) => `maxmemory ${v}`),
  fc.constantFrom("proto-max-bulk-len", "client-query-buffer-limit").chain((n) => fc.constantFrom("1mb", "2gb", "4mb").map((v) => `${n} ${v}`)),
  fc.constantFrom("appendonly", "slave-read-only", "lazyfree-lazy-expire").chain((n) => fc.constantFrom("yes", "no").map((v) => `${n} ${v}`)),
  fc.constantFrom("loglevel debug", "loglevel warning", "maxmemory-policy allkeys-lfu", "appendfsync no"),
  fc.constantFrom("save 900 1", 'save ""', "save 60 10", 'masterauth "x y"', 'masterauth ""', 'requirepass "p\\x00w"'),
  fc.constantFrom('notify-keyspace-events "Ex"', "latency-tracking-info-percentiles 50 90", "client-output-buffer-limit pubsub 1mb 1kb 5"),
);
const fileLine = fc.oneof(
  { weight: 5, arbitrary: paramLine },
  { weight: 1, arbitrary: fc.constantFrom("", "# a comment", "  # indented comment", REWRITE_SIGNATURE) },
);

function loaded(text: string): Config {
  const cfg = new Config();
  loadConfigText(cfg, text, splitLine);
  return cfg;
}

describe("rewrite properties", () => {
  test("a rewritten file reloads to the same settings; rewriting again settles", () => {
    fc.assert(
      fc.property(fc.array(fileLine, { maxLength: 25 }), fc.boolean(), fc.array(paramLine, { maxLength: 5 }), (lines, finalNewline, sets) => {
        const text = lines.join("\n") + (finalNewline ? "\n" : "");
        const cfg = loaded(text);
        // Changes made at run time, as CONFIG SET would.
        for (const s of sets) {
          const [name, ...rest] = splitLine(s)!;
          if (cfg.set(name!, rest.join(" ")) !== null) return;
        }
        const expected = cfg.entries().map(([n, v]): [string, string] => [n, n === "dir" ? process.cwd() : v]);
        // As with redis-server, a rewrite of a rewritten file may still change it a little (a last
        // blank line; client-output-buffer-limit's classes taking over lines one by one) but
        // settles within four rounds, and every round reloads to the same settings.
        const rounds = [rewriteConfigText(text, cfg)];
        for (let i = 0; i < 4; i++) rounds.push(rewriteConfigText(rounds[i]!, cfg));
        for (const r of rounds) expect(loaded(r).entries()).toEqual(expected);
        expect(rounds[4]).toBe(rounds[3]!);
        // Comments survive, in order.
        const comments = (t: string) => t.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("#") && l !== REWRITE_SIGNATURE);
        expect(comments(rounds[0]!)).toEqual(comments(text));
      }),
      { numRuns: 300 },
    );
  });

  test("quoted values read back as the same bytes", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b)), maxLength: 40 }), (v) => {
        const q = Buffer.from(`x ${quoteValue(v)}`, "latin1");
        expect(splitArgs(q, 0, q.length)).toEqual(["x", v]);
      }),
    );
  });

  test("memory values: the largest unit that divides exactly (as redis-server writes them)", () => {
    expect(["0", "1000000", "1048576", "2147483648", "1025", "3072", "1024", "104857600"].map(formatMemory)).toEqual([
      "0", "1000000", "1mb", "2gb", "1025", "3kb", "1kb", "100mb",
    ]);
  });

  test("every parameter has a rewrite form that reloads to its value", () => {
    const cfg = new Config();
    const text = rewriteConfigText(PARAMS.map((p) => `${p.name} ${p.default === "" ? '""' : p.default}`).join("\n"), cfg);
    expect(loaded(text).entries()).toEqual(cfg.entries().map(([n, v]): [string, string] => [n, n === "dir" ? process.cwd() : v]));
  });
});

// ---------------------------------------------------------------------------------------------

describe("the kvserver binary", () => {
  test("restarts from the file it rewrote with the settings it had", { timeout: 30000 }, async () => {
    const dir = tempDir();
    const file = join(dir, "kv.conf");
    const port = await freePort();
    writeFileSync(file, `# kvserver test\nport ${port}\ndir ${dir}\nsave ""\n`);
    const bun = process.execPath;
    const start = async () => {
      const proc = Bun.spawn([bun, join(import.meta.dir, "../../src/main.ts"), file], { stdout: "ignore", stderr: "ignore" });
      await waitForPort(port);
      return proc;
    };
    let proc = await start();
    let c = await RawConn.connect(port);
    expect(await c.call("CONFIG", "SET", "timeout", "77", "maxmemory", "3mb", "masterauth", "s p")).toBe("+OK\r\n");
    expect(await c.call("CONFIG", "REWRITE")).toBe("+OK\r\n");
    c.close();
    proc.kill();
    await proc.exited;
    const text = readFileSync(file, "utf8");
    expect(text.startsWith(`# kvserver test\nport ${port}\ndir "${dir}"\nsave ""\n`)).toBe(true);
    proc = await start();
    c = await RawConn.connect(port);
    const got = await c.call("CONFIG", "GET", "timeout");
    const mem = await c.call("CONFIG", "GET", "maxmemory");
    const auth = await c.call("CONFIG", "GET", "masterauth");
    c.close();
    proc.kill();
    await proc.exited;
    expect([got, mem, auth]).toEqual([
      "*2\r\n$7\r\ntimeout\r\n$2\r\n77\r\n",
      "*2\r\n$9\r\nmaxmemory\r\n$7\r\n3145728\r\n",
      "*2\r\n$10\r\nmasterauth\r\n$3\r\ns p\r\n",
    ]);
  });
});
