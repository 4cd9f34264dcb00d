// Pub/Sub over real TCP with many clients: fan-out of one PUBLISH to 1,000 subscribers (channel
// and pattern), subscriptions dropped when a client disconnects, ordering of pipelined publishes,
// and client-output-buffer-limit: a subscriber that never reads is disconnected (hard and soft
// limits) while the server's memory for it stays bounded.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Socket } from "bun";
import { RawConn } from "../support/conn.ts";
import { startKv, startRedis, type KvRunning, type Running } from "../support/servers.ts";
import { encodeCommand, replyEnd } from "../support/resp.ts";
import { ManualClock } from "../../src/util/clock.ts";

let kv: KvRunning;
let redis: Running;
beforeAll(async () => {
  [kv, redis] = await Promise.all([startKv(), startRedis()]);
});
afterAll(async () => {
  await Promise.all([kv.stop(), redis.stop()]);
});

async function until(what: string, f: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

/** Open n connections, a few at a time. */
async function connectMany(port: number, n: number): Promise<RawConn[]> {
  const out: RawConn[] = [];
  for (let i = 0; i < n; i += 50) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => RawConn.connect(port)))));
  }
  return out;
}

describe("fan-out", () => {
  for (const [name, port] of [["kvserver", () => kv.port], ["redis-server", () => redis.port]] as const) {
    test(`${name}: one PUBLISH reaches 1,000 subscribers (channel and patterns) exactly once each`, async () => {
      const subs = await connectMany(port(), 1000);
      const pub = await RawConn.connect(port());
      try {
        // 400 on the channel, 300 on one pattern, 300 on another; 100 of the channel subscribers
        // also hold a pattern and so receive the message twice (once per subscription).
        const expected: string[][] = [];
        await Promise.all(subs.map(async (c, i) => {
          const want: string[] = [];
          if (i < 400) {
            await c.call("SUBSCRIBE", "fan:news");
            want.push("*3\r\n$7\r\nmessage\r\n$8\r\nfan:news\r\n$5\r\nhello\r\n");
          }
          if (i >= 300 && i < 700) {
            await c.call("PSUBSCRIBE", "fan:*");
            want.push("*4\r\n$8\r\npmessage\r\n$5\r\nfan:*\r\n$8\r\nfan:news\r\n$5\r\nhello\r\n");
          } else if (i >= 700) {
            await c.call("PSUBSCRIBE", "fan:n?ws");
            want.push("*4\r\n$8\r\npmessage\r\n$8\r\nfan:n?ws\r\n$8\r\nfan:news\r\n$5\r\nhello\r\n");
          }
          expected[i] = want;
        }));
        expect(await pub.call("PUBSUB", "NUMSUB", "fan:news")).toBe("*2\r\n$8\r\nfan:news\r\n:400\r\n");
        expect(await pub.call("PUBSUB", "NUMPAT")).toBe(":2\r\n");
        expect(await pub.call("PUBLISH", "fan:news", "hello")).toBe(":1100\r\n");
        const got = await Promise.all(subs.map(async (c, i) => {
          const frames: string[] = [];
          for (let k = 0; k < expected[i]!.length; k++) frames.push(await c.read());
          return frames;
        }));
        expect(got).toEqual(expected);
        // Nothing more arrives: the next frame each one reads is its own PING's answer.
        const pings = await Promise.all(subs.slice(0, 50).map((c) => c.call("PING", "end")));
        expect(new Set(pings)).toEqual(new Set(["*2\r\n$4\r\npong\r\n$3\r\nend\r\n"]));
        expect(await pub.call("PUBLISH", "fan:other", "x")).toBe(":400\r\n");
      } finally {
        for (const c of subs) c.close();
        pub.close();
      }
    }, 60_000);
  }

  test("pipelined publishes arrive in order, as RESP2 arrays and RESP3 pushes", async () => {
    const a = await RawConn.connect(kv.port);
    const b = await RawConn.connect(kv.port);
    const pub = await RawConn.connect(kv.port);
    try {
      await b.call("HELLO", "3");
      await a.call("SUBSCRIBE", "ord");
      await b.call("SUBSCRIBE", "ord");
      const n = 2000;
      let batch = "";
      for (let i = 0; i < n; i++) batch += encodeCommand(["PUBLISH", "ord", String(i)]).toString("latin1");
      await pub.send(batch);
      for (let i = 0; i < n; i++) expect(await pub.read()).toBe(":2\r\n");
      for (let i = 0; i < n; i++) {
        const m = `$3\r\nord\r\n$${String(i).length}\r\n${i}\r\n`;
        expect(await a.read()).toBe(`*3\r\n$7\r\nmessage\r\n${m}`);
        expect(await b.read()).toBe(`>3\r\n$7\r\nmessage\r\n${m}`);
      }
    } finally {
      a.close();
      b.close();
      pub.close();
    }
  });
});

describe("idle timeout", () => {
  test("a subscriber is never closed for idleness; a normal client is", async () => {
    const clock = new ManualClock();
    const s = await startKv({ clock, config: { timeout: "1" } });
    const sub = await RawConn.connect(s.port);
    const idle = await RawConn.connect(s.port);
    try {
      await sub.call("PSUBSCRIBE", "idle:*");
      await idle.call("PING");
      clock.advance(5000);
      s.server.cron();
      expect(await idle.waitClosed(2000)).toBe(true);
      expect(sub.closed).toBe(false);
      expect(await sub.call("PING")).toBe("*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    } finally {
      sub.close();
      idle.close();
      await s.stop();
    }
  });
});

describe("disconnect", () => {
  test("a client that goes away leaves every channel, pattern and shard channel", async () => {
    const q = await RawConn.connect(kv.port);
    const subs = await connectMany(kv.port, 20);
    try {
      for (const c of subs) {
        await c.call("SUBSCRIBE", "dc:a");
        await c.call("PSUBSCRIBE", "dc:*");
        await c.call("SSUBSCRIBE", "dc:s");
      }
      expect(await q.call("PUBSUB", "NUMSUB", "dc:a")).toBe("*2\r\n$4\r\ndc:a\r\n:20\r\n");
      expect(await q.call("PUBSUB", "SHARDNUMSUB", "dc:s")).toBe("*2\r\n$4\r\ndc:s\r\n:20\r\n");
      for (const c of subs.slice(0, 15)) c.close();
      await until("15 subscribers gone", async () => (await q.call("PUBSUB", "NUMSUB", "dc:a")) === "*2\r\n$4\r\ndc:a\r\n:5\r\n");
      expect(await q.call("PUBSUB", "SHARDNUMSUB", "dc:s")).toBe("*2\r\n$4\r\ndc:s\r\n:5\r\n");
      expect(await q.call("PUBLISH", "dc:a", "x")).toBe(":10\r\n");
      for (const c of subs.slice(15)) c.close();
      await until("all gone", async () => (await q.call("PUBSUB", "NUMPAT")) === ":0\r\n");
      expect(await q.call("PUBSUB", "CHANNELS")).toBe("*0\r\n");
      expect(await q.call("PUBSUB", "SHARDCHANNELS")).toBe("*0\r\n");
      expect(await q.call("PUBLISH", "dc:a", "x")).toBe(":0\r\n");
    } finally {
      for (const c of subs) c.close();
      q.close();
    }
  });
});

/**
 * A subscriber that sends SUBSCRIBE, reads the confirmation, then stops reading. It sees the
 * server close the connection only once it reads again (resume): the close comes after the data.
 */
async function stuckSubscriber(port: number, channel: string): Promise<{ closed: () => boolean; resume: () => void; end: () => void }> {
  let closed = false;
  let buf = Buffer.alloc(0);
  let reading = false;
  let confirmed: () => void = () => {};
  const ready = new Promise<void>((r) => (confirmed = r));
  const sock: Socket<undefined> = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data(s, d) {
        if (reading) return;
        buf = Buffer.concat([buf, d]);
        if (replyEnd(buf, 0) > 0) {
          s.pause();
          confirmed();
        }
      },
      close() {
        closed = true;
      },
      error() {
        closed = true;
      },
    },
  });
  sock.write(encodeCommand(["SUBSCRIBE", channel]));
  await ready;
  return {
    closed: () => closed,
    resume: () => {
      reading = true;
      buf = Buffer.alloc(0);
      sock.resume();
    },
    end: () => sock.end(),
  };
}

describe("client-output-buffer-limit pubsub", () => {
  test("a subscriber that never reads is disconnected at the hard limit; memory held for it stays bounded", async () => {
    const srv = kv.server;
    const lines: string[] = [];
    srv.log.silent = false;
    srv.log.write = (l: string) => void lines.push(l);
    const stuck = await stuckSubscriber(kv.port, "slow:ch");
    const pub = await RawConn.connect(kv.port);
    try {
      const ctx = [...srv.clients.values()].find((c) => c.pubsub?.channels.has("slow:ch"))!;
      expect(ctx).toBeDefined();
      const msg = "m".repeat(1024 * 1024);
      Bun.gc(true);
      const before = process.memoryUsage();
      let maxHeld = 0;
      let receiversWhenGone = -1;
      // 100 MB in all: far beyond the 32 MB hard limit.
      for (let i = 0; i < 100; i++) {
        const r = await pub.call("PUBLISH", "slow:ch", msg);
        maxHeld = Math.max(maxHeld, ctx.pendingOutput + ctx.reply.pos);
        if (r === ":0\r\n" && receiversWhenGone < 0) receiversWhenGone = i;
      }
      expect(receiversWhenGone).toBeGreaterThan(0);
      // Dropped once its unread output reached 32 MB (plus what the kernel's socket buffers took).
      expect(receiversWhenGone).toBeLessThan(60);
      expect(maxHeld).toBeLessThanOrEqual(32 * 1024 * 1024 + msg.length + 64);
      // And the process as a whole did not keep the 100 MB: what it held for the subscriber is freed.
      Bun.gc(true);
      const after = process.memoryUsage();
      if (process.env.PUBSUB_DEBUG) console.log({ receiversWhenGone, maxHeld, before, after });
      expect(after.heapUsed + after.external - (before.heapUsed + before.external)).toBeLessThan(48 * 1024 * 1024);
      expect(srv.clients.has(ctx.id)).toBe(false);
      stuck.resume();
      await until("the subscriber's socket closed", () => stuck.closed());
      expect(await pub.call("PUBSUB", "NUMSUB", "slow:ch")).toBe("*2\r\n$7\r\nslow:ch\r\n:0\r\n");
      expect(lines.some((l) => /Client id=\d+ addr=.* scheduled to be closed ASAP for overcoming of output buffer limits\./.test(l))).toBe(true);
    } finally {
      srv.log.silent = true;
      stuck.end();
      pub.close();
    }
  }, 60_000);

  test("the soft limit disconnects once exceeded for longer than its seconds (injected clock)", async () => {
    const clock = new ManualClock();
    const s = await startKv({ clock, config: { "client-output-buffer-limit": "pubsub 0 1mb 2" } });
    const stuck = await stuckSubscriber(s.port, "soft:ch");
    const pub = await RawConn.connect(s.port);
    try {
      const ctx = [...s.server.clients.values()].find((c) => c.pubsub !== null)!;
      const msg = "s".repeat(256 * 1024);
      // Fill past the soft limit (what the kernel does not take stays with us).
      for (let i = 0; i < 400 && ctx.pendingOutput + ctx.reply.pos < 1024 * 1024; i++) await pub.call("PUBLISH", "soft:ch", msg);
      expect(ctx.pendingOutput + ctx.reply.pos).toBeGreaterThanOrEqual(1024 * 1024);
      expect(await pub.call("PUBLISH", "soft:ch", msg)).toBe(":1\r\n");
      clock.advance(2000);
      // Exactly the soft seconds: not yet.
      expect(await pub.call("PUBLISH", "soft:ch", msg)).toBe(":1\r\n");
      expect(s.server.clients.has(ctx.id)).toBe(true);
      clock.advance(1000);
      expect(await pub.call("PUBLISH", "soft:ch", msg)).toBe(":1\r\n");
      await until("the subscriber dropped", () => !s.server.clients.has(ctx.id));
      expect(await pub.call("PUBLISH", "soft:ch", msg)).toBe(":0\r\n");
      stuck.resume();
      await until("the subscriber's socket closed", () => stuck.closed());
    } finally {
      stuck.end();
      pub.close();
      await s.stop();
    }
  });

  test("CONFIG SET takes effect at once, and redis-server drops the same stuck subscriber", async () => {
    const run = async (port: number) => {
      const q = await RawConn.connect(port);
      await q.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0");
      const stuck = await stuckSubscriber(port, "cfg:ch");
      try {
        const msg = "c".repeat(64 * 1024);
        const counts: string[] = [];
        for (let i = 0; i < 200; i++) counts.push(await q.call("PUBLISH", "cfg:ch", msg));
        stuck.resume();
        await until("closed", () => stuck.closed());
        return { first: counts[0], last: counts[199], numsub: await q.call("PUBSUB", "NUMSUB", "cfg:ch") };
      } finally {
        await q.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60");
        stuck.end();
        q.close();
      }
    };
    const [a, b] = await Promise.all([run(kv.port), run(redis.port)]);
    expect(a).toEqual(b);
    expect(a).toEqual({ first: ":1\r\n", last: ":0\r\n", numsub: "*2\r\n$6\r\ncfg:ch\r\n:0\r\n" });
  });

  test("a reading subscriber under a small limit keeps up and stays connected", async () => {
    const s = await startKv({ config: { "client-output-buffer-limit": "pubsub 4mb 1mb 1" } });
    const sub = await RawConn.connect(s.port);
    const pub = await RawConn.connect(s.port);
    try {
      await sub.call("SUBSCRIBE", "ok:ch");
      const msg = "k".repeat(100 * 1024);
      for (let i = 0; i < 100; i++) {
        expect(await pub.call("PUBLISH", "ok:ch", msg)).toBe(":1\r\n");
        expect((await sub.read()).length).toBeGreaterThan(msg.length);
      }
    } finally {
      sub.close();
      pub.close();
      await s.stop();
    }
  });
});
