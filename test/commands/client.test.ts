// CLIENT against redis-server: every reply that does not depend on ids, addresses or timing is
// compared byte for byte; CLIENT LIST/INFO lines are checked field by field against the oracle's;
// KILL, REPLY and PAUSE run the same multi-client scenarios on both servers.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { RawConn } from "../support/conn.ts";
import { runBoth, startPair, transcript, type Pair } from "../support/oracle.ts";
import { encodeCommand, type Arg } from "../support/resp.ts";
import { startKv } from "../support/servers.ts";
import { ManualClock } from "../../src/util/clock.ts";

let pair: Pair;
beforeAll(async () => {
  pair = await startPair();
});
afterAll(async () => {
  await pair.stop();
});

async function expectSame(cmds: Arg[][]): Promise<void> {
  const { kv, redis } = await runBoth(pair, cmds);
  expect(transcript(cmds, kv)).toEqual(transcript(cmds, redis));
}

/** Run one scenario against each server (in parallel) and return both outcomes. */
async function onBoth<T>(scenario: (port: number) => Promise<T>): Promise<{ kv: T; redis: T }> {
  const [kv, redis] = await Promise.all([scenario(pair.kv.port), scenario(pair.redis.port)]);
  return { kv, redis };
}

/** The body of a bulk or verbatim reply. */
function body(r: string): string {
  const m = /^[$=]\d+\r\n([\s\S]*)\r\n$/.exec(r);
  if (!m) throw new Error(`not a bulk reply: ${JSON.stringify(r)}`);
  return r.startsWith("=") ? m[1]!.slice(4) : m[1]!;
}

function fields(line: string): [string, string][] {
  return line.split(" ").map((kv) => {
    const eq = kv.indexOf("=");
    return [kv.slice(0, eq), kv.slice(eq + 1)];
  });
}

describe("simple subcommands and their errors", () => {
  test("ID, GETNAME/SETNAME, arities, unknown subcommands", async () => {
    await expectSame([
      ["CLIENT"], ["CLIENT", "NOSUCH"], ["client", "getname"], ["CLIENT", "SETNAME", "abc"], ["CLIENT", "GETNAME"],
      ["CLIENT", "SETNAME", ""], ["CLIENT", "GETNAME"], ["CLIENT", "SETNAME", "a b"], ["CLIENT", "SETNAME", "a\nb"],
      ["CLIENT", "SETNAME", "a\x7fb"], ["CLIENT", "SETNAME", "\xe9"], ["CLIENT", "SETNAME", "a~b!{}"], ["CLIENT", "GETNAME"],
      ["CLIENT", "SETNAME"], ["CLIENT", "SETNAME", "a", "b"], ["CLIENT", "GETNAME", "x"], ["CLIENT", "ID", "x"],
      ["CLIENT", "INFO", "x"], ["CLIENT", "HELP", "x"], ["CLIENT", "UNPAUSE", "x"], ["CLIENT", "GETREDIR"],
      ["CLIENT", "TRACKINGINFO"], ["CLIENT", "CACHING", "yes"], ["CLIENT", "CACHING", "foo"], ["CLIENT", "CACHING"],
    ]);
  });

  test("SETNAME accepts exactly the printable ASCII names redis-server accepts", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b)), maxLength: 6 }), async (name) => {
        const { kv, redis } = await runBoth(pair, [["CLIENT", "SETNAME", name], ["CLIENT", "GETNAME"]]);
        expect(kv).toEqual(redis);
      }),
      { numRuns: 60 },
    );
  });

  test("LIST options and errors", async () => {
    await expectSame([
      ["CLIENT", "LIST", "x"], ["CLIENT", "LIST", "TYPE"], ["CLIENT", "LIST", "TYPE", "foo"], ["CLIENT", "LIST", "TYPE", "normal", "x"],
      ["CLIENT", "LIST", "ID"], ["CLIENT", "LIST", "ID", "abc"], ["CLIENT", "LIST", "ID", "0"], ["CLIENT", "LIST", "ID", "-1"],
      ["CLIENT", "LIST", "ID", "999999"], ["CLIENT", "LIST", "ID", "999999", "abc"], ["CLIENT", "LIST", "ID", "01"],
      ["CLIENT", "LIST", "TYPE", "master"], ["CLIENT", "LIST", "TYPE", "replica"], ["CLIENT", "LIST", "TYPE", "slave"],
      ["CLIENT", "LIST", "TYPE", "pubsub"], ["CLIENT", "LIST", "TYPE", "normal", "TYPE", "pubsub"],
      ["CLIENT", "LIST", "ID", "1", "TYPE", "normal"], ["CLIENT", "LIST", "TYPE", "normal", "ID", "999"],
      ["CLIENT", "LIST", "id", "99999999999999999999"],
    ]);
  });

  test("KILL argument errors and zero counts", async () => {
    await expectSame([
      ["CLIENT", "KILL"], ["CLIENT", "KILL", "1.2.3.4:5"], ["CLIENT", "KILL", "nonsense"], ["CLIENT", "KILL", "ID"],
      ["CLIENT", "KILL", "ID", "abc"], ["CLIENT", "KILL", "ID", "0"], ["CLIENT", "KILL", "ID", "-5"], ["CLIENT", "KILL", "ID", "1.5"],
      ["CLIENT", "KILL", "ID", "99999999999999999999"], ["CLIENT", "KILL", "ID", "999999"], ["CLIENT", "KILL", "ADDR", "1.2.3.4:5"],
      ["CLIENT", "KILL", "LADDR", "1.2.3.4:5"], ["CLIENT", "KILL", "USER", "nobody"], ["CLIENT", "KILL", "USER", "default", "SKIPME", "yes", "ID", "999999"],
      ["CLIENT", "KILL", "SKIPME", "maybe"], ["CLIENT", "KILL", "SKIPME", "no", "ID", "999999"], ["CLIENT", "KILL", "TYPE", "foo"],
      ["CLIENT", "KILL", "TYPE", "master"], ["CLIENT", "KILL", "TYPE", "pubsub"], ["CLIENT", "KILL", "TYPE", "replica"],
      ["CLIENT", "KILL", "TYPE", "slave"], ["CLIENT", "KILL", "FOO", "bar"], ["CLIENT", "KILL", "ID", "1", "FOO"],
      ["CLIENT", "KILL", "ID", "1", "ID"], ["CLIENT", "KILL", "a", "b", "c"], ["CLIENT", "KILL", "ID", "1", "SKIPME"],
      ["CLIENT", "KILL", "ID", "abc", "FOO", "bar"], ["CLIENT", "KILL", "FOO", "bar", "ID", "abc"],
      ["CLIENT", "KILL", "SKIPME", "YES", "ID", "999999"], ["CLIENT", "KILL", "TYPE", "NORMAL", "ADDR", "9.9.9.9:1"],
    ]);
  });

  test("PAUSE, UNPAUSE, REPLY, NO-EVICT, UNBLOCK argument errors", async () => {
    await expectSame([
      ["CLIENT", "PAUSE"], ["CLIENT", "PAUSE", "abc"], ["CLIENT", "PAUSE", "-1"], ["CLIENT", "PAUSE", "1.5"],
      ["CLIENT", "PAUSE", "10", "foo"], ["CLIENT", "PAUSE", "10", "write", "x"], ["client", "pause", "10", "ALL", "x", "y"],
      ["CLIENT", "PAUSE", "99999999999999999999"], ["CLIENT", "PAUSE", "0"], ["CLIENT", "PAUSE", "0", "WRITE"], ["CLIENT", "UNPAUSE"],
      ["CLIENT", "REPLY"], ["CLIENT", "REPLY", "foo"], ["CLIENT", "REPLY", "ON"], ["CLIENT", "REPLY", "on", "x"],
      ["CLIENT", "NO-EVICT"], ["CLIENT", "NO-EVICT", "foo"], ["CLIENT", "NO-EVICT", "on"], ["CLIENT", "NO-EVICT", "OFF"],
      ["CLIENT", "NO-EVICT", "on", "x"], ["CLIENT", "UNBLOCK"], ["CLIENT", "UNBLOCK", "1"], ["CLIENT", "UNBLOCK", "abc"],
      ["CLIENT", "UNBLOCK", "1", "foo"], ["CLIENT", "UNBLOCK", "1", "ERROR"], ["CLIENT", "UNBLOCK", "1", "timeout"],
      ["Client", "Unblock", "1", "a", "b"], ["CLIENT", "UNBLOCK", "-1"], ["CLIENT", "UNBLOCK", "999999"],
    ]);
  });

  test("a PAUSE whose deadline overflows int64 pauses nothing", async () => {
    await expectSame([["CLIENT", "PAUSE", "9223372036854775807"], ["CLIENT", "PAUSE", "9223372036854775806", "WRITE"], ["PING"], ["SET", "cl:ovf", "1"]]);
  });

  test("HELP is redis-server 7.0's text plus the 7.2 subcommands NO-TOUCH and SETINFO", async () => {
    const { kv, redis } = await runBoth(pair, [["CLIENT", "HELP"]]);
    const lines = (r: string) => r.split("\r\n").slice(1, -1);
    const theirs = lines(redis[0]!);
    const ours = lines(kv[0]!);
    expect(kv[0]!.startsWith(`*${ours.length}\r\n`)).toBe(true);
    const at = theirs.indexOf("+HELP");
    expect(ours.slice(0, at)).toEqual(theirs.slice(0, at));
    expect(ours.slice(-2)).toEqual(theirs.slice(-2));
    const extra = ours.slice(at, -2);
    expect(extra.length).toBe(4);
    expect(extra[0]).toBe("+NO-TOUCH (ON|OFF)");
    expect(extra[2]!.startsWith("+SETINFO ")).toBe(true);
  });
});

describe("CLIENT INFO and CLIENT LIST lines", () => {
  /** Fields whose values must equal the oracle's for an idle, fresh connection. */
  const SAME = ["name", "flags", "db", "sub", "psub", "ssub", "multi", "multi-mem", "events", "cmd", "user", "redir", "resp"];
  const NUMERIC = ["id", "fd", "age", "idle", "qbuf", "qbuf-free", "argv-mem", "rbs", "rbp", "obl", "oll", "omem", "tot-mem"];

  function checkLine(ours: string, theirs: string, port: number): void {
    const o = fields(ours);
    const t = fields(theirs);
    // Redis 7.2 appends lib-name and lib-ver to 7.0's fields.
    expect(o.map(([k]) => k)).toEqual([...t.map(([k]) => k), "lib-name", "lib-ver"]);
    const om = new Map(o);
    const tm = new Map(t);
    for (const k of SAME) expect(`${k}=${om.get(k)}`).toBe(`${k}=${tm.get(k)}`);
    for (const k of NUMERIC) expect(om.get(k)).toMatch(/^\d+$/);
    expect(om.get("addr")).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(om.get("laddr")).toBe(`127.0.0.1:${port}`);
  }

  test("CLIENT INFO has Redis's fields in Redis's order, in RESP2 and RESP3", async () => {
    for (const proto of ["2", "3"]) {
      const cmds: Arg[][] = [["HELLO", proto], ["SELECT", "4"], ["CLIENT", "SETNAME", "me"], ["CLIENT", "NO-EVICT", "on"], ["CLIENT", "INFO"], ["CLIENT", "ID"]];
      const { kv, redis } = await runBoth(pair, cmds);
      expect(kv[4]![0]).toBe(redis[4]![0]);
      const ours = body(kv[4]!);
      const theirs = body(redis[4]!);
      expect(ours.endsWith("\n")).toBe(true);
      checkLine(ours.trimEnd(), theirs.trimEnd(), pair.kv.port);
      expect(ours).toContain(`id=${kv[5]!.slice(1, -2)} `);
      expect(ours).toContain(" argv-mem=10 ");
    }
  });

  test("CLIENT LIST describes other clients too; ID lists in the order given; TYPE normal lists all", async () => {
    const scenario = async (port: number) => {
      const [a, b, c] = await Promise.all([RawConn.connect(port), RawConn.connect(port), RawConn.connect(port)]);
      try {
        await a.call("CLIENT", "SETNAME", "ca");
        await b.call("CLIENT", "SETNAME", "cb");
        await c.call("CLIENT", "SETNAME", "cc");
        await c.call("SELECT", "2");
        const id = async (x: RawConn) => (await x.call("CLIENT", "ID")).slice(1, -2);
        const [ia, ib, ic] = [await id(a), await id(b), await id(c)];
        const names = (r: string) => body(r).split("\n").filter(Boolean).map((l) => new Map(fields(l)).get("name"));
        const byId = names(await a.call("CLIENT", "LIST", "ID", ic, ia, "999999", ic, ib));
        const lines = body(await a.call("CLIENT", "LIST", "TYPE", "normal")).split("\n").filter(Boolean);
        const mine = new Set([ia, ib, ic]);
        const ours = lines.filter((l) => mine.has(new Map(fields(l)).get("id")!));
        const other = ours.find((l) => l.includes(" name=cc "))!;
        return { byId, count: ours.length, other };
      } finally {
        a.close();
        b.close();
        c.close();
      }
    };
    const { kv, redis } = await onBoth(scenario);
    expect(kv.byId).toEqual(redis.byId);
    expect(kv.count).toBe(3);
    expect(redis.count).toBe(3);
    checkLine(kv.other, redis.other, pair.kv.port);
    expect(kv.other).toContain(" cmd=client|id ");
  });
});

describe("CLIENT REPLY", () => {
  /** Pipeline cmds, then turn replies on and ECHO a marker; return everything before it. */
  async function pipelined(port: number, cmds: Arg[][]): Promise<string> {
    const c = await RawConn.connect(port);
    try {
      const all = [...cmds, ["CLIENT", "REPLY", "ON"], ["ECHO", "__end__"]];
      await c.send(Buffer.concat(all.map((a) => encodeCommand(a))));
      let out = "";
      for (;;) {
        const r = await c.read();
        if (r === "$7\r\n__end__\r\n") return out;
        out += r;
      }
    } finally {
      c.close();
    }
  }

  const SEQUENCES: Arg[][][] = [
    [["CLIENT", "REPLY", "SKIP"], ["PING", "a"], ["PING", "b"]],
    [["CLIENT", "REPLY", "SKIP"], ["CLIENT", "REPLY", "ON"], ["PING", "b"]],
    [["CLIENT", "REPLY", "OFF"], ["CLIENT", "REPLY", "SKIP"], ["CLIENT", "REPLY", "ON"], ["PING", "b"]],
    [["CLIENT", "REPLY", "OFF"], ["CLIENT", "REPLY", "SKIP"], ["PING", "a"], ["CLIENT", "REPLY", "ON"], ["PING", "b"]],
    [["CLIENT", "REPLY", "SKIP"], ["CLIENT", "REPLY", "SKIP"], ["PING", "a"], ["PING", "b"]],
    [["CLIENT", "REPLY", "SKIP"], ["NOSUCH"], ["PING", "b"]],
    [["CLIENT", "REPLY", "SKIP"], ["GET"], ["PING", "b"]],
    [["CLIENT", "REPLY", "SKIP"], ["CLIENT", "REPLY", "OFF"], ["PING", "a"], ["CLIENT", "REPLY", "ON"], ["PING", "b"]],
    [["CLIENT", "REPLY", "OFF"], ["NOSUCH"], ["CLIENT", "REPLY", "FOO"], ["SET", "cl:reply", "1"], ["GET", "cl:reply"]],
    [["CLIENT", "REPLY", "SKIP"], ["CLIENT", "REPLY", "FOO"], ["PING", "b"]],
    [["CLIENT", "REPLY", "OFF"], ["CLIENT", "REPLY", "ON"], ["CLIENT", "REPLY", "ON"]],
    [["CLIENT", "REPLY", "OFF"], ["RESET"], ["PING"]],
    [["CLIENT", "REPLY", "SKIP"], ["RESET"], ["PING"]],
    [["CLIENT", "REPLY", "OFF"], ["INCR", "cl:replyctr"], ["INCR", "cl:replyctr"], ["CLIENT", "REPLY", "ON"], ["GET", "cl:replyctr"]],
  ];

  test("ON/OFF/SKIP sequences give exactly redis-server's replies", async () => {
    for (const seq of SEQUENCES) {
      const { kv, redis } = await onBoth((port) => pipelined(port, seq));
      expect(`${seq.map((c) => c.join(" ")).join(" ; ")} => ${JSON.stringify(kv)}`).toBe(
        `${seq.map((c) => c.join(" ")).join(" ; ")} => ${JSON.stringify(redis)}`,
      );
    }
  });

  test("random sequences of REPLY modes and commands agree with redis-server", async () => {
    const cmd = fc.constantFrom<Arg[]>(
      ["CLIENT", "REPLY", "ON"], ["CLIENT", "REPLY", "OFF"], ["CLIENT", "REPLY", "SKIP"], ["PING", "p"], ["NOSUCH"],
      ["ECHO", "e"], ["GET"], ["CLIENT", "REPLY", "BAD"], ["RESET"],
    );
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { maxLength: 8 }), async (seq) => {
        const { kv, redis } = await onBoth((port) => pipelined(port, seq));
        expect(kv).toBe(redis);
      }),
      { numRuns: 30 },
    );
  });

  test("SKIP and OFF swallow QUIT's reply; the connection still closes", async () => {
    for (const mode of ["SKIP", "OFF"]) {
      const { kv, redis } = await onBoth(async (port) => {
        const c = await RawConn.connect(port);
        try {
          await c.send(Buffer.concat([encodeCommand(["CLIENT", "REPLY", mode]), encodeCommand(["QUIT"])]));
          const closed = await c.waitClosed(300);
          return { closed, got: c.drain() };
        } finally {
          c.close();
        }
      });
      expect(kv.got).toBe(redis.got);
      // Deviation: redis-server 7.0 leaves the connection open when QUIT's reply is suppressed
      // (it closes only after writing a reply); a client that asked to quit is closed here.
      expect(kv.closed).toBe(true);
    }
  });
});

describe("CLIENT KILL across connections", () => {
  test("old form, ADDR, ID, LADDR, USER, TYPE and SKIPME behave as in redis-server", async () => {
    const scenario = async (port: number) => {
      const out: unknown[] = [];
      const admin = await RawConn.connect(port);
      const info = async (c: RawConn) => new Map(fields(body(await c.call("CLIENT", "INFO")).trimEnd()));
      // Old form by address: OK, then "No such client" once it is gone.
      const b = await RawConn.connect(port);
      const bAddr = (await info(b)).get("addr")!;
      out.push(await admin.call("CLIENT", "KILL", bAddr), await b.waitClosed(2000));
      out.push(await admin.call("CLIENT", "KILL", bAddr), await admin.call("CLIENT", "KILL", "ADDR", bAddr));
      // ID
      const c = await RawConn.connect(port);
      const cId = (await info(c)).get("id")!;
      out.push(await admin.call("CLIENT", "KILL", "ID", cId), await c.waitClosed(2000));
      // LADDR (everyone but the caller), then USER default with SKIPME yes, then TYPE normal.
      for (const filter of [["LADDR", `127.0.0.1:${port}`], ["USER", "default"], ["TYPE", "normal"], ["TYPE", "NORMAL", "ADDR", "8.8.8.8:1"]]) {
        const d = await RawConn.connect(port);
        const e = await RawConn.connect(port);
        await d.call("PING");
        await e.call("PING");
        // Server-wide filters count every client: wait until connections closed by earlier
        // tests are gone, so both servers see exactly admin, d and e.
        for (let i = 0; i < 100; i++) {
          if (body(await admin.call("CLIENT", "LIST")).split("\n").filter(Boolean).length === 3) break;
          await Bun.sleep(10);
        }
        const n = await admin.call("CLIENT", "KILL", ...filter);
        out.push(n, await d.waitClosed(n === ":0\r\n" ? 200 : 2000), await e.waitClosed(n === ":0\r\n" ? 200 : 2000));
        d.close();
        e.close();
      }
      out.push(await admin.call("PING"));
      // The caller itself with SKIPME no: the count arrives, then the connection closes and the
      // pipelined PING is never answered.
      await admin.send(Buffer.concat([encodeCommand(["CLIENT", "KILL", "SKIPME", "no", "TYPE", "normal"]), encodeCommand(["PING"])]));
      out.push(await admin.waitClosed(2000), admin.drain());
      // The caller by the old form: +OK, then closed.
      const f = await RawConn.connect(port);
      const fAddr = (await info(f)).get("addr")!;
      await f.send(Buffer.concat([encodeCommand(["CLIENT", "KILL", fAddr]), encodeCommand(["PING"])]));
      out.push(await f.waitClosed(2000), f.drain());
      return out;
    };
    const { kv, redis } = await onBoth(scenario);
    expect(kv).toEqual(redis);
    expect(kv[0]).toBe("+OK\r\n");
  });

  test("MAXAGE (Redis 7.4) kills only connections older than the given seconds", async () => {
    const clock = new ManualClock();
    const kv = await startKv({ clock });
    try {
      const old = await RawConn.connect(kv.port);
      await old.call("PING");
      clock.advance(10_000);
      const young = await RawConn.connect(kv.port);
      await young.call("PING");
      const admin = await RawConn.connect(kv.port);
      expect(await admin.call("CLIENT", "KILL", "MAXAGE", "x")).toBe("-ERR value is not an integer or out of range\r\n");
      expect(await admin.call("CLIENT", "KILL", "MAXAGE", "10")).toBe(":0\r\n");
      expect(await admin.call("CLIENT", "KILL", "MAXAGE", "9")).toBe(":1\r\n");
      expect(await old.waitClosed(2000)).toBe(true);
      expect(await young.call("PING")).toBe("+PONG\r\n");
      admin.close();
      young.close();
    } finally {
      await kv.stop();
    }
  });
});

describe("CLIENT UNBLOCK", () => {
  test("wakes a client blocked in BLPOP as on timeout or with the UNBLOCKED error; flags=b while it waits", async () => {
    const scenario = async (port: number) => {
      const [a, b] = await Promise.all([RawConn.connect(port), RawConn.connect(port)]);
      try {
        const bId = (await b.call("CLIENT", "ID")).slice(1, -2);
        await b.send(encodeCommand(["BLPOP", "cl:unblock", "0"]));
        await Bun.sleep(100);
        const line = new Map(fields(body(await a.call("CLIENT", "LIST", "ID", bId)).trimEnd()));
        const shown = ["flags", "cmd", "argv-mem"].map((k) => `${k}=${line.get(k)}`);
        const t = [await a.call("CLIENT", "UNBLOCK", bId, "TIMEOUT"), await b.read()];
        await b.send(encodeCommand(["BLPOP", "cl:unblock", "0"]));
        await Bun.sleep(100);
        const e = [await a.call("CLIENT", "UNBLOCK", bId, "ERROR"), await b.read()];
        await b.send(encodeCommand(["BLPOP", "cl:unblock", "0"]));
        await Bun.sleep(100);
        const d = [await a.call("CLIENT", "UNBLOCK", bId), await b.read()];
        const notBlocked = [await a.call("CLIENT", "UNBLOCK", bId), await b.call("PING")];
        return { shown, t, e, d, notBlocked };
      } finally {
        a.close();
        b.close();
      }
    };
    const { kv, redis } = await onBoth(scenario);
    expect(kv).toEqual(redis);
    expect(kv.e).toEqual([":1\r\n", "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"]);
  });
});

describe("CLIENT PAUSE", () => {
  /** Send a command and report when (ms after t0) its reply arrives, or -1 if not within limit. */
  function timed(c: RawConn, t0: number, cmd: Arg[], limitMs = 4000): Promise<{ reply: string; at: number }> {
    return c.send(encodeCommand(cmd)).then(() =>
      c.read(limitMs).then(
        (reply) => ({ reply, at: Date.now() - t0 }),
        () => ({ reply: "", at: -1 }),
      ),
    );
  }

  test("WRITE: another client's SET waits until UNPAUSE while GET proceeds", async () => {
    const scenario = async (port: number) => {
      const [a, b, c] = await Promise.all([RawConn.connect(port), RawConn.connect(port), RawConn.connect(port)]);
      try {
        await b.call("DEL", "cl:pausew");
        const bId = (await b.call("CLIENT", "ID")).slice(1, -2);
        const t0 = Date.now();
        const paused = await a.call("CLIENT", "PAUSE", "5000", "WRITE");
        const set = timed(b, t0, ["SET", "cl:pausew", "v"]);
        await Bun.sleep(150);
        const get = await c.call("GET", "cl:pausew");
        const line = new Map(fields(body(await c.call("CLIENT", "LIST", "ID", bId)).trimEnd()));
        const held = `flags=${line.get("flags")} cmd=${line.get("cmd")}`;
        const ping = await c.call("PING");
        const err = await c.call("NOSUCH");
        const early = await Promise.race([set.then(() => "answered"), Bun.sleep(100).then(() => "waiting")]);
        const unpausedAt = Date.now() - t0;
        const unpause = await a.call("CLIENT", "UNPAUSE");
        const s = await set;
        const after = await c.call("GET", "cl:pausew");
        return { paused, get, held, ping, err, early, unpause, setReply: s.reply, waited: s.at >= unpausedAt, after };
      } finally {
        a.close();
        b.close();
        c.close();
      }
    };
    const { kv, redis } = await onBoth(scenario);
    expect(kv).toEqual(redis);
    expect(kv).toEqual({
      paused: "+OK\r\n",
      get: "$-1\r\n",
      held: "flags=b cmd=set",
      ping: "+PONG\r\n",
      err: "-ERR unknown command 'NOSUCH', with args beginning with: \r\n",
      early: "waiting",
      unpause: "+OK\r\n",
      setReply: "+OK\r\n",
      waited: true,
      after: "$1\r\nv\r\n",
    });
  });

  test("ALL: every command waits for the deadline, errors do not; requests pipelined behind wait too", async () => {
    const scenario = async (port: number) => {
      const [a, b] = await Promise.all([RawConn.connect(port), RawConn.connect(port)]);
      try {
        const t0 = Date.now();
        await a.call("CLIENT", "PAUSE", "400", "ALL");
        const err = await b.call("GET");
        await b.send(Buffer.concat([encodeCommand(["PING", "first"]), encodeCommand(["ECHO", "second"])]));
        const first = await b.read();
        const firstAt = Date.now() - t0;
        const second = await b.read();
        // The pausing client itself is held too (so it cannot UNPAUSE an ALL pause early).
        return { err, first, second, waited: firstAt >= 300 };
      } finally {
        a.close();
        b.close();
      }
    };
    const { kv, redis } = await onBoth(scenario);
    expect(kv).toEqual(redis);
    expect(kv).toEqual({ err: "-ERR wrong number of arguments for 'get' command\r\n", first: "$5\r\nfirst\r\n", second: "$6\r\nsecond\r\n", waited: true });
  });

  test("a later PAUSE never shortens a pause nor narrows ALL to WRITE", async () => {
    const scenario = async (port: number) => {
      const [a, b, c] = await Promise.all([RawConn.connect(port), RawConn.connect(port), RawConn.connect(port)]);
      try {
        const t0 = Date.now();
        await a.call("CLIENT", "PAUSE", "700", "WRITE");
        await a.call("CLIENT", "PAUSE", "100", "ALL");
        const get = timed(b, t0, ["GET", "cl:pausex"]);
        const set = timed(c, t0, ["SET", "cl:pausex", "1"]);
        const [g, s] = await Promise.all([get, set]);
        return { g: g.reply, s: s.reply, gWaited: g.at >= 550, sWaited: s.at >= 550 };
      } finally {
        a.close();
        b.close();
        c.close();
      }
    };
    const { kv, redis } = await onBoth(scenario);
    expect(kv).toEqual(redis);
    expect(kv).toEqual({ g: "$-1\r\n", s: "+OK\r\n", gWaited: true, sWaited: true });
  });

  test("a paused client can be killed while it waits, and the pause ends cleanly", async () => {
    const scenario = async (port: number) => {
      const [a, b] = await Promise.all([RawConn.connect(port), RawConn.connect(port)]);
      try {
        const bId = (await b.call("CLIENT", "ID")).slice(1, -2);
        await a.call("CLIENT", "PAUSE", "3000", "WRITE");
        await b.send(encodeCommand(["SET", "cl:pausek", "1"]));
        await Bun.sleep(100);
        const killed = await a.call("CLIENT", "KILL", "ID", bId);
        const closed = await b.waitClosed(2000);
        const unpause = await a.call("CLIENT", "UNPAUSE");
        const get = await a.call("GET", "cl:pausek");
        return { killed, closed, unpause, get };
      } finally {
        a.close();
        b.close();
      }
    };
    const { kv, redis } = await onBoth(scenario);
    expect(kv).toEqual(redis);
    expect(kv).toEqual({ killed: ":1\r\n", closed: true, unpause: "+OK\r\n", get: "$-1\r\n" });
  });
});

describe("Redis 7.2 subcommands (the 7.0 oracle lacks them; behaviour as documented)", () => {
  test("SETINFO LIB-NAME / LIB-VER: OK, shown by CLIENT INFO, same validation as names", async () => {
    const c = await RawConn.connect(pair.kv.port);
    try {
      expect(await c.call("CLIENT", "SETINFO", "LIB-NAME", "redis-py(x_v1.0)")).toBe("+OK\r\n");
      expect(await c.call("CLIENT", "SETINFO", "lib-ver", "1.2.3")).toBe("+OK\r\n");
      expect(body(await c.call("CLIENT", "INFO"))).toMatch(/ resp=2 lib-name=redis-py\(x_v1\.0\) lib-ver=1\.2\.3\n$/);
      expect(await c.call("CLIENT", "SETINFO", "LIB-NAME", "a b")).toBe("-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n");
      expect(await c.call("CLIENT", "SETINFO", "lib-ver", "1\n2")).toBe("-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n");
      expect(await c.call("CLIENT", "SETINFO", "LIB-FOO", "x")).toBe("-ERR Unrecognized option 'LIB-FOO'\r\n");
      expect(await c.call("CLIENT", "SETINFO", "LIB-NAME")).toBe("-ERR wrong number of arguments for 'client|setinfo' command\r\n");
      expect(await c.call("CLIENT", "SETINFO", "LIB-NAME", "")).toBe("+OK\r\n");
      expect(body(await c.call("CLIENT", "INFO"))).toMatch(/ lib-name= lib-ver=1\.2\.3\n$/);
    } finally {
      c.close();
    }
  });

  test("NO-TOUCH ON keeps reads from updating a key's access time; the T flag shows it", async () => {
    const clock = new ManualClock();
    const kv = await startKv({ clock });
    const c = await RawConn.connect(kv.port);
    try {
      expect(await c.call("CLIENT", "NO-TOUCH", "maybe")).toBe("-ERR syntax error\r\n");
      await c.call("SET", "cl:nt", "v");
      clock.advance(5000);
      expect(await c.call("CLIENT", "NO-TOUCH", "ON")).toBe("+OK\r\n");
      expect(body(await c.call("CLIENT", "INFO"))).toContain(" flags=T ");
      expect(await c.call("GET", "cl:nt")).toBe("$1\r\nv\r\n");
      expect(await c.call("OBJECT", "IDLETIME", "cl:nt")).toBe(":5\r\n");
      expect(await c.call("CLIENT", "NO-TOUCH", "off")).toBe("+OK\r\n");
      expect(await c.call("GET", "cl:nt")).toBe("$1\r\nv\r\n");
      expect(await c.call("OBJECT", "IDLETIME", "cl:nt")).toBe(":0\r\n");
    } finally {
      c.close();
      await kv.stop();
    }
  });
});
