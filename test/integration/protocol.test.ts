// The request protocol over real TCP, differential against redis-server: every protocol error
// (byte-exact text, connection closed, earlier pipelined replies delivered, other clients
// untouched), the limits, inline edge cases, and requests split at arbitrary points.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { RawConn } from "../support/conn.ts";
import { encodeCommand } from "../support/resp.ts";
import { startKv, startRedis, type KvRunning, type Running } from "../support/servers.ts";

interface Seen {
  out: string;
  closed: boolean;
}

/**
 * Send the chunks (a pause between them, so they tend to arrive as separate reads), then collect
 * everything the server sends until it closes the connection or stays quiet for quietMs.
 */
async function exchange(port: number, chunks: readonly (string | Uint8Array)[], quietMs = 250): Promise<Seen> {
  let out = Buffer.alloc(0);
  let closed = false;
  let last = Date.now();
  const sock = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data(_s, d) {
        out = Buffer.concat([out, d]);
        last = Date.now();
      },
      close() {
        closed = true;
      },
      error() {
        closed = true;
      },
    },
  });
  for (const c of chunks) {
    let b = typeof c === "string" ? Buffer.from(c, "latin1") : Buffer.from(c);
    for (let tries = 0; b.length > 0 && !closed && tries < 10000; tries++) {
      const n = sock.write(b);
      if (n < 0) break;
      b = b.subarray(n);
      if (b.length > 0) await Bun.sleep(1);
    }
    await Bun.sleep(5);
    last = Date.now();
  }
  const deadline = Date.now() + 5000;
  while (!closed && Date.now() - last < quietMs && Date.now() < deadline) await Bun.sleep(5);
  const seen = { out: out.toString("latin1"), closed };
  sock.end();
  return seen;
}

let kv: KvRunning;
let redis: Running;
beforeAll(async () => {
  [kv, redis] = await Promise.all([startKv(), startRedis()]);
});
afterAll(async () => {
  await Promise.all([kv.stop(), redis.stop()]);
});

/** Run the same exchange against both servers. */
async function both(chunks: readonly (string | Uint8Array)[], quietMs?: number): Promise<{ kv: Seen; redis: Seen }> {
  const [a, b] = await Promise.all([exchange(kv.port, chunks, quietMs), exchange(redis.port, chunks, quietMs)]);
  return { kv: a, redis: b };
}

const big = (n: number, c = "x") => c.repeat(n);

// Each case is sent after a pipelined PING and SET in the same write, so the earlier replies must
// arrive before the error and the connection must close after it.
const ERRORS: [string, string][] = [
  ["invalid multibulk length", "*abc\r\n"],
  ["multibulk count above INT_MAX", "*2147483648\r\n"],
  ["multibulk count past int64", "*99999999999999999999\r\n"],
  ["multibulk count with leading zero", "*01\r\n$4\r\nPING\r\n"],
  ["multibulk count -0", "*-0\r\n"],
  ["multibulk count LF-terminated", "*1\n$4\r\nPING\r\n"],
  ["expected '$'", "*1\r\nx3\r\n"],
  ["expected '$' got a high byte", "*1\r\n\xfe3\r\n"],
  ["expected '$' got CR (CR/LF in errors become spaces)", "*1\r\n\r\n"],
  ["invalid bulk length", "*1\r\n$abc\r\n"],
  ["negative bulk length", "*1\r\n$-1\r\n"],
  ["bulk length above proto-max-bulk-len", "*1\r\n$536870913\r\n"],
  ["bulk length int64 max", "*1\r\n$9223372036854775807\r\n"],
  ["bulk length with leading zero", "*1\r\n$04\r\nPING\r\n"],
  ["unbalanced double quotes", 'PING "a\r\n'],
  ["unbalanced single quotes", "PING 'a\r\n"],
  ["closing quote not followed by space", 'PING "a"b\r\n'],
  ["too big inline request", big(70000)],
  ["too big mbulk count string", "*" + big(70000, "1")],
  ["too big bulk count string", "*1\r\n$" + big(70000, "1")],
  ["too big bulk count string (no $)", "*1\r\n" + big(70000)],
  ["too big inline request after a NUL", "ECHO \x00" + big(70000)],
];

describe("protocol errors match redis-server byte for byte and close the connection", () => {
  const prefix = "PING\r\n" + encodeCommand(["SET", "proto:k", "v"]).toString("latin1");
  test.each(ERRORS)("%s", async (_name, bad) => {
    const r = await both([prefix + bad]);
    expect(r.kv).toEqual(r.redis);
    expect(r.kv.closed).toBe(true);
    expect(r.kv.out.startsWith("+PONG\r\n+OK\r\n-ERR Protocol error: ")).toBe(true);
  });

  test("the error arrives even when the bad bytes come in a later read", async () => {
    for (const bad of ["*1\r\n$abc\r\n", 'PING "a\r\n']) {
      const r = await both(["PING\r\n", bad.slice(0, 3), bad.slice(3)]);
      expect(r.kv).toEqual(r.redis);
      expect(r.kv.closed).toBe(true);
    }
  });

  test("too-big limits trip however the bytes are split", async () => {
    const chunks = Array.from({ length: 5 }, () => big(16000));
    const r = await both(chunks);
    expect(r.kv).toEqual(r.redis);
    expect(r.kv.out).toBe("-ERR Protocol error: too big inline request\r\n");
  });

  test("requests after the bad one in the same write are not run", async () => {
    const r = await both([encodeCommand(["SET", "proto:after", "1"]).toString("latin1") + "*1\r\nx\r\n" + encodeCommand(["SET", "proto:after", "2"]).toString("latin1")]);
    expect(r.kv).toEqual(r.redis);
    const [a, b] = await Promise.all([RawConn.connect(kv.port), RawConn.connect(redis.port)]);
    expect(await a.call("GET", "proto:after")).toBe(await b.call("GET", "proto:after"));
    a.close();
    b.close();
  });

  test("other clients are unaffected, including one in the middle of a request", async () => {
    const other = await RawConn.connect(kv.port);
    const cmd = encodeCommand(["SET", "proto:other", "x".repeat(100000)]);
    await other.send(cmd.subarray(0, 50000));
    const results = await Promise.all(ERRORS.slice(0, 8).map(([, bad]) => exchange(kv.port, [bad])));
    for (const r of results) expect(r.closed).toBe(true);
    await other.send(cmd.subarray(50000));
    expect(await other.read()).toBe("+OK\r\n");
    expect(await other.call("STRLEN", "proto:other")).toBe(":100000\r\n");
    other.close();
  });

  test("protocol errors count in errorstats as ERR", async () => {
    const c = await RawConn.connect(kv.port);
    const before = await c.call("INFO", "errorstats");
    await exchange(kv.port, ["*abc\r\n"]);
    const after = await c.call("INFO", "errorstats");
    const count = (s: string) => Number(/errorstat_ERR:count=(\d+)/.exec(s)?.[1] ?? 0);
    expect(count(after)).toBe(count(before) + 1);
    c.close();
  });
});

describe("requests that are valid, or wait, match redis-server", () => {
  const CASES: [string, string[]][] = [
    ["NUL before a count's CR waits", ["*1\x00\r\n$4\r\nPING\r\n"]],
    ["NUL before a bulk length's CR waits", ["*1\r\n$4\x00\r\nPING\r\n"]],
    ["NUL in an inline request waits", ["ECHO a\x00b\r\n", "PING\r\n"]],
    ["NUL inside a bulk is data", ["*2\r\n$4\r\nECHO\r\n$3\r\na\x00b\r\n"]],
    ["count of INT_MAX waits for its arguments", ["*2147483647\r\n"]],
    ["empty and negative counts", ["*0\r\n*-1\r\n*-7\r\nPING\r\n"]],
    ["empty command name", ["*1\r\n$0\r\n\r\n"]],
    ["bulk trailer bytes are not checked", ["*1\r\n$4\r\nPINGxxPING\r\n"]],
    ["header CR followed by any byte", ["*1\rx$4\r\nPING\r\n"]],
    ["partial request then silence", ["*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv"]],
    ["inline: empty lines", ["\r\n\r\n\nPING\r\n"]],
    ["inline: LF only", ["PING\nPING\r\n"]],
    ["inline: spaces around", ["   PING   \r\n"]],
    ["inline: CR CR LF", ["PING\r\r\n"]],
    ["inline: tab and CR split", ["ECHO a\tb\r\n", "ECHO a\rb\r\n"]],
    ["inline: vertical tab does not split", ["ECHO a\vb\r\n"]],
    ["inline: escapes in double quotes", ['ECHO "\\x41\\x4g\\n\\z\\t\\r\\a\\b\\"\\\\"\r\n']],
    ["inline: short \\x", ['ECHO "\\x"\r\n', 'ECHO "\\x4"\r\n']],
    ["inline: single quotes", ["ECHO 'a\\'b\\n'\r\n"]],
    ["inline: empty quoted", ['ECHO ""\r\n', "ECHO ''\r\n"]],
    ["inline: quotes mid-word", ['ECHO a"b c"\r\n']],
    ["inline: high bytes", ['ECHO "\xff"\r\n', "ECHO \xe9\r\n"]],
    ["inline: only spaces", [" \r\n", "PING\r\n"]],
    ["inline: unterminated escape waits", ['ECHO "a\\']],
    ["inline: 20000-byte argument", ["ECHO " + big(20000) + "\r\n"]],
    ["inline: exactly 64 KiB without LF waits", [big(65536)]],
    ["mixed inline and multibulk in one write", ["PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nECHO there\r\n"]],
  ];
  test.each(CASES)("%s", async (_name, chunks) => {
    const r = await both(chunks);
    expect(r.kv).toEqual(r.redis);
  });
});

describe("limits follow the configuration", () => {
  test("CONFIG SET proto-max-bulk-len applies to the next request", async () => {
    const setLimit = (v: string) =>
      Promise.all([kv.port, redis.port].map(async (port) => {
        const c = await RawConn.connect(port);
        expect(await c.call("CONFIG", "SET", "proto-max-bulk-len", v)).toBe("+OK\r\n");
        c.close();
      }));
    await setLimit("1mb");
    try {
      const over = await both([`*3\r\n$3\r\nSET\r\n$9\r\nproto:big\r\n$${1024 * 1024 + 1}\r\n`]);
      expect(over.kv).toEqual(over.redis);
      expect(over.kv).toEqual({ out: "-ERR Protocol error: invalid bulk length\r\n", closed: true });
      const at = await both([encodeCommand(["SET", "proto:big", big(1024 * 1024)])]);
      expect(at.kv).toEqual(at.redis);
      expect(at.kv.out).toBe("+OK\r\n");
    } finally {
      await setLimit("512mb");
    }
  });

  test("a connection already waiting for a bulk gets the new limit from its next read", async () => {
    // The limit is read per batch: a header that arrives after CONFIG SET is checked against it.
    const c = await RawConn.connect(kv.port);
    await c.send("*3\r\n$3\r\nSET\r\n");
    const admin = await RawConn.connect(kv.port);
    expect(await admin.call("CONFIG", "SET", "proto-max-bulk-len", "1mb")).toBe("+OK\r\n");
    try {
      await c.send(`$1\r\nk\r\n$${2 * 1024 * 1024}\r\n`);
      expect(await c.read()).toBe("-ERR Protocol error: invalid bulk length\r\n");
      expect(await c.waitClosed()).toBe(true);
    } finally {
      expect(await admin.call("CONFIG", "SET", "proto-max-bulk-len", "512mb")).toBe("+OK\r\n");
      admin.close();
    }
  });
});

describe("unauthenticated clients (requirepass set)", () => {
  let kva: KvRunning;
  let ra: Running;
  beforeAll(async () => {
    [kva, ra] = await Promise.all([startKv({ config: { requirepass: "pw" } }), startRedis(["--requirepass", "pw"])]);
  });
  afterAll(async () => {
    await Promise.all([kva.stop(), ra.stop()]);
  });
  const CASES: [string, string][] = [
    ["count above 10", "*11\r\n"],
    ["count of 10 waits", "*10\r\n"],
    ["bulk above 16384", "*1\r\n$16385\r\n"],
    ["bulk of 16384 waits", "*1\r\n$16384\r\n"],
    ["length checks come first", "*1\r\n$600000000\r\n"],
    ["count above INT_MAX", "*3000000000\r\n"],
    ["long inline is fine (NOAUTH)", "PING " + big(20000) + "\r\n"],
    ["small command gets NOAUTH", "*1\r\n$4\r\nPING\r\n"],
  ];
  test.each(CASES)("%s", async (_name, bytes) => {
    const [a, b] = await Promise.all([exchange(kva.port, [bytes]), exchange(ra.port, [bytes])]);
    expect(a).toEqual(b);
  });
});

describe("requests split at arbitrary points through a real connection", () => {
  // ECHO replies are fully determined by the argument: $len CRLF bytes CRLF (RESP spec).
  const echoReply = (v: string) => `$${v.length}\r\n${v}\r\n`;
  const arg = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString("latin1"));
  const req = fc.oneof(
    arg.map((v) => ({ bytes: encodeCommand(["ECHO", v]), reply: echoReply(v) })),
    fc.uint8Array({ maxLength: 40 }).map((b) => {
      const v = Buffer.from(b).toString("latin1");
      const hex = Array.from(b, (x) => `\\x${x.toString(16).padStart(2, "0")}`).join("");
      return { bytes: Buffer.from(`ECHO "${hex}"\r\n`, "latin1"), reply: echoReply(v) };
    }),
    fc.constant({ bytes: Buffer.from("PING\r\n"), reply: "+PONG\r\n" }),
    fc.constant({ bytes: Buffer.from("*0\r\n\r\n"), reply: "" }),
  );

  test("every reply arrives, in order, whatever the chunking", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(req, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 12 }), async (reqs, cuts) => {
        const all = Buffer.concat(reqs.map((r) => r.bytes));
        const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of [...points, all.length]) {
          chunks.push(all.subarray(prev, p));
          prev = p;
        }
        const c = await RawConn.connect(kv.port);
        try {
          for (const ch of chunks) {
            if (ch.length === 0) continue;
            await c.send(ch);
            await Bun.sleep(1);
          }
          const expected = reqs.map((r) => r.reply).join("");
          let got = "";
          while (got.length < expected.length) got += await c.read();
          expect(got).toBe(expected);
        } finally {
          c.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  test("a request sent one byte at a time", async () => {
    const c = await RawConn.connect(kv.port);
    const value = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");
    const bytes = Buffer.concat([encodeCommand(["SET", "proto:bytewise", value]), encodeCommand(["GET", "proto:bytewise"]), Buffer.from("PING\r\n")]);
    for (let i = 0; i < bytes.length; i++) {
      await c.send(bytes.subarray(i, i + 1));
      if (i % 8 === 0) await Bun.sleep(0);
    }
    expect(await c.read()).toBe("+OK\r\n");
    expect(await c.read()).toBe(echoReply(value));
    expect(await c.read()).toBe("+PONG\r\n");
    c.close();
  });
});
