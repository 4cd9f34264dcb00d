// The connection layer over real TCP: pipelining and reply coalescing, backpressure (a client
// that does not read), many connections, binary data, huge values, input limits, dropped
// connections, close-after-reply. Where Redis decides the outcome, it is checked against it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Socket } from "bun";
import { Connection, OUTPUT_HIGH_WATER } from "../../src/net/client.ts";
import { RawConn } from "../support/conn.ts";
import { encodeCommand, type Arg } from "../support/resp.ts";
import { startKv, startRedis, type KvRunning, type Running } from "../support/servers.ts";

/** A client that collects raw bytes without copying them on every read, and can stop reading. */
class Bulk {
  chunks: Buffer[] = [];
  bytes = 0;
  closed = false;
  sock!: Socket<undefined>;

  static async connect(port: number): Promise<Bulk> {
    const b = new Bulk();
    b.sock = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data: (_s, d) => {
          b.chunks.push(Buffer.from(d));
          b.bytes += d.length;
        },
        close: () => {
          b.closed = true;
        },
        error: () => {
          b.closed = true;
        },
      },
    });
    return b;
  }

  /** Write all of data, waiting out backpressure, for at most timeoutMs; returns bytes written. */
  async write(data: Uint8Array, timeoutMs = 20000): Promise<number> {
    let off = 0;
    const deadline = Date.now() + timeoutMs;
    while (off < data.length && !this.closed && Date.now() < deadline) {
      const n = this.sock.write(data.subarray(off));
      if (n < 0) break;
      off += n;
      if (off < data.length) await Bun.sleep(1);
    }
    return off;
  }

  async waitBytes(n: number, timeoutMs = 20000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.bytes < n && !this.closed && Date.now() < deadline) await Bun.sleep(2);
    return this.bytes >= n;
  }

  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await Bun.sleep(5);
    return this.closed;
  }

  all(): Buffer {
    const b = Buffer.concat(this.chunks);
    this.chunks = [b];
    return b;
  }

  end(): void {
    this.sock.end();
  }
}

const cmds = (list: readonly (readonly Arg[])[]): Buffer => Buffer.concat(list.map((c) => encodeCommand(c)));
const bulkReply = (v: string | Buffer) => {
  const b = typeof v === "string" ? Buffer.from(v, "latin1") : v;
  return Buffer.concat([Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n")]);
};

let kv: KvRunning;
beforeAll(async () => {
  kv = await startKv();
});
afterAll(async () => {
  await kv.stop();
});

describe("pipelining", () => {
  test("10,000 requests in one write: every reply in order, written in few socket writes", async () => {
    // Spy on the server side: data events received and socket.write calls made.
    let dataEvents = 0;
    let writes = 0;
    const spied = new WeakSet<object>();
    const orig = Connection.prototype.onData;
    Connection.prototype.onData = function (this: Connection, chunk: Buffer) {
      dataEvents++;
      const s = this.socket as unknown as { write(d: Uint8Array, offset?: number, length?: number): number };
      if (!spied.has(s)) {
        spied.add(s);
        const w = s.write.bind(s);
        s.write = (d: Uint8Array, offset?: number, length?: number) => {
          writes++;
          return w(d, offset, length);
        };
      }
      orig.call(this, chunk);
    };
    try {
      const c = await Bulk.connect(kv.port);
      const list: Arg[][] = [];
      const expected: Buffer[] = [];
      for (let i = 0; i < 10000; i++) {
        if (i % 3 === 0) {
          list.push(["SET", `pipe:${i}`, `v${i}`]);
          expected.push(Buffer.from("+OK\r\n"));
        } else if (i % 3 === 1) {
          list.push(["GET", `pipe:${i - 1}`]);
          expected.push(bulkReply(`v${i - 1}`));
        } else {
          list.push(["INCR", "pipe:counter"]);
          expected.push(Buffer.from(`:${(i + 1) / 3}\r\n`));
        }
      }
      const want = Buffer.concat(expected);
      expect(await c.write(cmds(list))).toBeGreaterThan(0);
      expect(await c.waitBytes(want.length)).toBe(true);
      expect(c.all().equals(want)).toBe(true);
      c.end();
      // One write per batch of input at most, never one per reply.
      expect(dataEvents).toBeGreaterThan(0);
      expect(writes).toBeLessThanOrEqual(dataEvents);
      expect(writes).toBeLessThan(100);
    } finally {
      Connection.prototype.onData = orig;
    }
  });

  test("a pipeline interleaved with partial requests across many small writes", async () => {
    const c = await Bulk.connect(kv.port);
    const all = cmds(Array.from({ length: 500 }, (_, i) => ["ECHO", "e".repeat(i)]));
    for (let off = 0; off < all.length; off += 997) {
      await c.write(all.subarray(off, off + 997));
      await Bun.sleep(0);
    }
    const want = Buffer.concat(Array.from({ length: 500 }, (_, i) => bulkReply("e".repeat(i))));
    expect(await c.waitBytes(want.length)).toBe(true);
    expect(c.all().equals(want)).toBe(true);
    c.end();
  });
});

describe("backpressure", () => {
  test("a client that never reads while flooding GETs of a large value: bounded memory, others served", async () => {
    const value = "v".repeat(512 * 1024);
    const setup = await RawConn.connect(kv.port);
    expect(await setup.call("SET", "bp:big", value)).toBe("+OK\r\n");
    const flood = await Bulk.connect(kv.port);
    flood.sock.pause(); // stop reading: the kernel buffers fill, then the server must hold output
    const n = 400; // 400 × 512 KiB = 200 MiB of replies if the server ran them all at once
    const request = cmds(Array.from({ length: n }, () => ["GET", "bp:big"]));
    const writer = flood.write(request, 4000);
    const other = await RawConn.connect(kv.port);
    let maxPending = 0;
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      expect(await other.call("SET", `bp:other:${i}`, String(i))).toBe("+OK\r\n");
      expect(await other.call("GET", `bp:other:${i}`)).toBe(bulkReply(String(i)).toString("latin1"));
      expect(performance.now() - t0).toBeLessThan(1000);
      for (const c of kv.server.clients.values()) maxPending = Math.max(maxPending, c.pendingOutput);
      await Bun.sleep(10);
    }
    // The server stopped running the flooder's requests once its unsent output passed the mark.
    expect(maxPending).toBeGreaterThan(0);
    expect(maxPending).toBeLessThanOrEqual(OUTPUT_HIGH_WATER + value.length + 64);
    expect(maxPending).toBeLessThan(64 * 1024 * 1024);
    // Now read: every reply arrives complete and in order.
    flood.sock.resume();
    const one = bulkReply(value);
    const written = await writer;
    expect(written).toBeGreaterThan(0);
    const rest = await flood.write(request.subarray(written));
    expect(written + rest).toBe(request.length);
    expect(await flood.waitBytes(one.length * n, 30000)).toBe(true);
    const got = flood.all();
    expect(got.length).toBe(one.length * n);
    for (const i of [0, 1, 63, 64, 65, 200, n - 1]) expect(got.subarray(i * one.length, (i + 1) * one.length).equals(one)).toBe(true);
    flood.end();
    other.close();
    setup.close();
  });

  test("close after reply waits for queued output: a big reply then QUIT to a client not reading", async () => {
    const value = Buffer.alloc(6 * 1024 * 1024, 0x61);
    const c = await Bulk.connect(kv.port);
    expect(await c.write(encodeCommand(["SET", "bp:quit", value]))).toBeGreaterThan(0);
    expect(await c.waitBytes(5)).toBe(true);
    c.all();
    c.chunks = [];
    c.bytes = 0;
    c.sock.pause();
    await c.write(cmds([["GET", "bp:quit"], ["QUIT"], ["PING"]]));
    await Bun.sleep(100);
    c.sock.resume();
    expect(await c.waitClosed(10000)).toBe(true);
    const want = Buffer.concat([bulkReply(value), Buffer.from("+OK\r\n")]);
    expect(c.all().equals(want)).toBe(true);
  });
});

describe("nothing runs after a protocol error or QUIT, even while replies are still queued", () => {
  let redis: Running;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  for (const [name, stop] of [["protocol error", "*1\r\nx\r\n"], ["QUIT", "QUIT\r\n"]] as const) {
    test(name, async () => {
      const value = Buffer.alloc(8 * 1024 * 1024, 0x62);
      const run = async (port: number) => {
        const c = await Bulk.connect(port);
        await c.write(encodeCommand(["SET", "late:big", value]));
        expect(await c.waitBytes(5)).toBe(true);
        c.chunks = [];
        c.bytes = 0;
        c.sock.pause();
        await c.write(Buffer.concat([encodeCommand(["GET", "late:big"]), Buffer.from(stop)]));
        await Bun.sleep(50);
        await c.write(encodeCommand(["SET", "late:flag", "ran"]), 1000);
        await Bun.sleep(50);
        c.sock.resume();
        await c.waitClosed(10000);
        const out = c.all();
        const probe = await RawConn.connect(port);
        const flag = await probe.call("GET", "late:flag");
        probe.close();
        return { len: out.length, tail: out.subarray(out.length - 60).toString("latin1"), flag };
      };
      const a = await run(kv.port);
      const b = await run(redis.port);
      expect(a).toEqual(b);
      expect(a.flag).toBe("$-1\r\n");
    });
  }
});

describe("connections", () => {
  test("1,000 concurrent connections each doing SET and GET", async () => {
    const before = kv.server.clients.size;
    const conns = await Promise.all(Array.from({ length: 1000 }, () => RawConn.connect(kv.port)));
    // The server accepts them as its loop gets to them.
    const open = Date.now() + 5000;
    while (kv.server.clients.size < before + 1000 && Date.now() < open) await Bun.sleep(10);
    expect(kv.server.clients.size).toBe(before + 1000);
    const replies = await Promise.all(
      conns.map(async (c, i) => {
        const set = await c.call("SET", `conn:${i}`, `value-${i}`);
        const get = await c.call("GET", `conn:${i}`);
        return [set, get];
      }),
    );
    replies.forEach(([set, get], i) => {
      expect(set).toBe("+OK\r\n");
      expect(get).toBe(bulkReply(`value-${i}`).toString("latin1"));
    });
    for (const c of conns) c.close();
    const deadline = Date.now() + 5000;
    while (kv.server.clients.size > before && Date.now() < deadline) await Bun.sleep(10);
    expect(kv.server.clients.size).toBe(before);
  });

  test("past maxclients a new connection gets the error and is closed (as redis-server)", async () => {
    const [small, redis] = await Promise.all([startKv({ config: { maxclients: "2" } }), startRedis(["--maxclients", "2"])]);
    try {
      const seen = async (port: number) => {
        const out: string[] = [];
        const held: Bulk[] = [];
        for (let i = 0; i < 3; i++) {
          const c = await Bulk.connect(port);
          held.push(c);
          await c.write(Buffer.from("PING\r\n"));
          const deadline = Date.now() + 2000;
          while (c.bytes === 0 && Date.now() < deadline) await Bun.sleep(5);
          await Bun.sleep(20);
          out.push(`${c.all().toString()}${c.closed ? " closed" : " open"}`);
        }
        for (const c of held) c.end();
        return out;
      };
      const [a, b] = await Promise.all([seen(small.port), seen(redis.port)]);
      expect(a).toEqual(b);
      expect(a).toEqual(["+PONG\r\n open", "+PONG\r\n open", "-ERR max number of clients reached\r\n closed"]);
    } finally {
      await Promise.all([small.stop(), redis.stop()]);
    }
  });

  test("a connection dropped in the middle of a request does not affect others", async () => {
    const before = kv.server.clients.size;
    const other = await RawConn.connect(kv.port);
    expect(await other.call("SET", "drop:k", "1")).toBe("+OK\r\n");
    for (const cut of [3, 20, 5000]) {
      const d = await Bulk.connect(kv.port);
      const req = encodeCommand(["SET", "drop:k", "x".repeat(10000)]);
      await d.write(req.subarray(0, cut));
      await Bun.sleep(10);
      d.sock.terminate();
      expect(await other.call("GET", "drop:k")).toBe("$1\r\n1\r\n");
    }
    other.close();
    const deadline = Date.now() + 5000;
    while (kv.server.clients.size > before && Date.now() < deadline) await Bun.sleep(10);
    expect(kv.server.clients.size).toBe(before);
  });
});

describe("binary data and size", () => {
  test("keys and values with all 256 byte values round-trip", async () => {
    const c = await RawConn.connect(kv.port);
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const rev = Buffer.from(all).reverse();
    expect(await c.call("SET", all, rev)).toBe("+OK\r\n");
    expect(await c.call("GET", all)).toBe(bulkReply(rev).toString("latin1"));
    for (let b = 0; b < 256; b++) {
      const k = Buffer.from([b]);
      const v = Buffer.from([b, 13, 10, b]);
      expect(await c.call("SET", Buffer.concat([Buffer.from("bin:"), k]), v)).toBe("+OK\r\n");
    }
    for (let b = 0; b < 256; b++) {
      expect(await c.call("GET", Buffer.concat([Buffer.from("bin:"), Buffer.from([b])]))).toBe(bulkReply(Buffer.from([b, 13, 10, b])).toString("latin1"));
    }
    c.close();
  });

  test("a 100 MB value: SET and GET round trip", async () => {
    const value = Buffer.alloc(100 * 1024 * 1024);
    for (let i = 0; i < value.length; i += 4096) value[i] = (i / 4096) & 0xff;
    value[value.length - 1] = 0x7f;
    const c = await Bulk.connect(kv.port);
    const setReq = encodeCommand(["SET", "huge", value]);
    expect(await c.write(setReq, 60000)).toBe(setReq.length);
    expect(await c.waitBytes(5, 60000)).toBe(true);
    expect(c.all().toString()).toBe("+OK\r\n");
    c.chunks = [];
    c.bytes = 0;
    await c.write(encodeCommand(["GET", "huge"]));
    const header = Buffer.from(`$${value.length}\r\n`);
    expect(await c.waitBytes(header.length + value.length + 2, 60000)).toBe(true);
    const got = c.all();
    expect(got.length).toBe(header.length + value.length + 2);
    expect(got.subarray(0, header.length).equals(header)).toBe(true);
    expect(got.subarray(header.length, header.length + value.length).equals(value)).toBe(true);
    expect(got.subarray(got.length - 2).toString()).toBe("\r\n");
    c.end();
    const r = await RawConn.connect(kv.port);
    expect(await r.call("DEL", "huge")).toBe(":1\r\n");
    r.close();
  }, 120000);
});

describe("input limits", () => {
  test("a bulk length above proto-max-bulk-len is refused before anything is allocated", async () => {
    const sizes: number[] = [];
    const orig = Buffer.allocUnsafe;
    Buffer.allocUnsafe = ((n: number) => {
      sizes.push(n);
      return orig(n);
    }) as typeof Buffer.allocUnsafe;
    try {
      const c = await Bulk.connect(kv.port);
      await c.write(Buffer.from("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$600000000\r\n"));
      expect(await c.waitClosed()).toBe(true);
      expect(c.all().toString()).toBe("-ERR Protocol error: invalid bulk length\r\n");
      // Within the limit: a claimed 500 MB bulk with 64 KiB sent gets a buffer for what arrived.
      const d = await Bulk.connect(kv.port);
      const head = Buffer.from("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$500000000\r\n");
      await d.write(Buffer.concat([head, Buffer.alloc(65536, 0x41)]));
      await Bun.sleep(100);
      const owner = [...kv.server.clients.values()].find((x) => x.pendingInput > 0);
      expect(owner?.pendingInput).toBe(head.length + 65536);
      d.end();
    } finally {
      Buffer.allocUnsafe = orig;
    }
    expect(Math.max(0, ...sizes)).toBeLessThan(1024 * 1024);
  });

  describe("client-query-buffer-limit (matches redis-server)", () => {
    let small: KvRunning;
    let redis: Running;
    beforeAll(async () => {
      small = await startKv({ config: { "client-query-buffer-limit": "1mb" } });
      redis = await startRedis(["--client-query-buffer-limit", "1mb"]);
    });
    afterAll(async () => {
      await Promise.all([small.stop(), redis.stop()]);
    });

    const outcome = async (port: number, data: Buffer) => {
      const c = await Bulk.connect(port);
      await c.write(data, 5000);
      const deadline = Date.now() + 1500;
      while (!c.closed && c.bytes === 0 && Date.now() < deadline) await Bun.sleep(5);
      await Bun.sleep(50);
      const r = { out: c.all().toString("latin1"), closed: c.closed };
      c.end();
      return r;
    };

    test("a 2 MB argument exceeds it: the client is closed without a reply", async () => {
      const data = encodeCommand(["SET", "qbl:k", Buffer.alloc(2 * 1024 * 1024, 0x78)]);
      const [a, b] = await Promise.all([outcome(small.port, data), outcome(redis.port, data)]);
      expect(a).toEqual(b);
      expect(a).toEqual({ out: "", closed: true });
    });

    test("a 900 KB argument is fine", async () => {
      const data = encodeCommand(["SET", "qbl:k", Buffer.alloc(900 * 1024, 0x78)]);
      const [a, b] = await Promise.all([outcome(small.port, data), outcome(redis.port, data)]);
      expect(a).toEqual(b);
      expect(a).toEqual({ out: "+OK\r\n", closed: false });
    });

    test("a pipeline larger than the limit made of small requests is fine", async () => {
      const data = cmds(Array.from({ length: 30000 }, (_, i) => ["SET", `qbl:${i % 10}`, "x".repeat(60)]));
      const c = await Bulk.connect(small.port);
      await c.write(data);
      expect(await c.waitBytes(5 * 30000)).toBe(true);
      expect(c.closed).toBe(false);
      c.end();
    });
  });
});

describe("closing", () => {
  let redis: Running;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  test("QUIT in a pipeline: earlier replies, +OK, then close; later requests are not run (as redis-server)", async () => {
    const data = Buffer.from("PING\r\nQUIT\r\nPING\r\n");
    const run = async (port: number) => {
      const c = await Bulk.connect(port);
      await c.write(data);
      await c.waitClosed();
      return { out: c.all().toString(), closed: c.closed };
    };
    const [a, b] = await Promise.all([run(kv.port), run(redis.port)]);
    expect(a).toEqual(b);
    expect(a).toEqual({ out: "+PONG\r\n+OK\r\n", closed: true });
  });
});
