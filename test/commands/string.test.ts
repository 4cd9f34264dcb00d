// String commands against real redis-server: raw RESP replies byte for byte for every command,
// option and error; TTL effects (in-process vs PTTL, with tolerance); deterministic propagation
// (compared with redis-server's own AOF); limits under a small proto-max-bulk-len; metadata.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBoth, startPair, transcript, type Pair } from "../support/oracle.ts";
import { startKv, startRedis } from "../support/servers.ts";
import { RawConn } from "../support/conn.ts";
import type { Arg } from "../support/resp.ts";
import type { TypedValue } from "../../src/types/value.ts";
import { ByteString } from "../../src/types/bytestring.ts";
import { stringCommands } from "../../src/commands/string.ts";
import { aclCategories } from "../../src/commands/spec.ts";
import { ManualClock } from "../../src/util/clock.ts";
import type { PropArg } from "../../src/propagation.ts";

type Cmd = Arg[];

let pair: Pair;
let redisConn: RawConn;

beforeAll(async () => {
  pair = await startPair();
  redisConn = await RawConn.connect(pair.redis.port);
});
afterAll(async () => {
  redisConn.close();
  await pair.stop();
});

async function check(cmds: Cmd[], p: Pair = pair): Promise<void> {
  const { kv, redis } = await runBoth(p, cmds);
  expect(transcript(cmds, kv)).toEqual(transcript(cmds, redis));
}

/** Store a non-string value under key on both servers (a list on Redis, a stand-in here). */
async function makeList(key: string): Promise<void> {
  const fake: TypedValue = { type: "list", encoding: () => "quicklist", clone: () => fake };
  pair.kv.server.dbs[0]!.set(key, fake);
  await redisConn.call("DEL", key);
  await redisConn.call("RPUSH", key, "x");
}

/** PTTL of key on both servers (kvserver read in-process): -2 missing, -1 no TTL, else ms left. */
async function pttlBoth(key: string): Promise<[number, number]> {
  const db = pair.kv.server.dbs[0]!;
  const at = db.getExpire(key);
  const kv = db.peek(key) === undefined ? -2 : at < 0 ? -1 : at - pair.kv.server.clock.now();
  const r = Number((await redisConn.call("PTTL", key)).slice(1, -2));
  return [kv, r];
}

async function expectSameTtl(key: string): Promise<void> {
  const [kv, redis] = await pttlBoth(key);
  if (kv < 0 || redis < 0) expect([key, kv]).toEqual([key, redis]);
  else expect([key, Math.abs(kv - redis) < 2000]).toEqual([key, true]);
}

const ALL_BYTES = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
const FUTURE_S = Math.floor(Date.now() / 1000) + 100_000;
const FUTURE_MS = Date.now() + 200_000_000;

// ---- a tiny RESP reader (test side, independent of src/resp) -------------------------------

type Resp = string | number | null | Resp[];

function parseResp(s: string): Resp {
  let p = 0;
  const line = (): string => {
    const e = s.indexOf("\r\n", p);
    const l = s.slice(p, e);
    p = e + 2;
    return l;
  };
  const one = (): Resp => {
    const t = s[p++];
    const l = line();
    switch (t) {
      case "+": case "-": return l;
      case ":": return Number(l);
      case "$": {
        const n = Number(l);
        if (n < 0) return null;
        const v = s.slice(p, p + n);
        p += n + 2;
        return v;
      }
      case "*": {
        const n = Number(l);
        if (n < 0) return null;
        const out: Resp[] = [];
        for (let i = 0; i < n; i++) out.push(one());
        return out;
      }
      default:
        throw new Error(`unexpected RESP type ${t}`);
    }
  };
  return one();
}

// ---- metadata ------------------------------------------------------------------------------

test("arity, flags, key positions, ACL categories and tips match COMMAND INFO of redis-server", async () => {
  for (const spec of stringCommands) {
    const info = parseResp(await redisConn.call("COMMAND", "INFO", spec.name)) as Resp[][];
    const r = info[0]!;
    const ours: Resp[] = [spec.name, spec.arity, [...spec.flags], ...(spec.keys ?? [0, 0, 0]), aclCategories(spec).map((a) => "@" + a), [...(spec.tips ?? [])]];
    expect(ours).toEqual(r.slice(0, 8));
    const ks = (r[8] as Resp[])[0] as Resp[];
    const flagsOf = (k: Resp[]): Resp => k[k.indexOf("flags") + 1]!;
    const declared: Resp[] = [...(spec.keySpecs?.[0]?.flags ?? spec.keyFlags ?? (spec.flags.includes("write") ? ["RW", "access", "update"] : ["RO", "access"]))];
    expect([spec.name, declared] as Resp[]).toEqual([spec.name, flagsOf(ks)]);
    const notes = ks.includes("notes") ? ks[ks.indexOf("notes") + 1] : undefined;
    expect([spec.name, spec.keySpecs?.[0]?.notes]).toEqual([spec.name, notes as string | undefined]);
  }
  const docs = parseResp(await redisConn.call("COMMAND", "DOCS", ...stringCommands.map((s) => s.name))) as Resp[];
  for (let i = 0; i < docs.length; i += 2) {
    const d = docs[i + 1] as Resp[];
    const spec = stringCommands.find((s) => s.name === docs[i])!;
    const field = (k: string): Resp => d[d.indexOf(k) + 1]!;
    expect([spec.name, spec.since, spec.group]).toEqual([spec.name, field("since"), field("group")] as string[]);
  }
});

// ---- GET / SET -----------------------------------------------------------------------------

describe("GET and SET", () => {
  test("values of every form round-trip: binary, empty, integers, huge integers", async () => {
    await check([
      ["SET", "s:bin", ALL_BYTES],
      ["GET", "s:bin"],
      ["STRLEN", "s:bin"],
      ["SET", "s:empty", ""],
      ["GET", "s:empty"],
      ["STRLEN", "s:empty"],
      ["GET", "s:missing"],
      ...["0", "-0", "007", "-1", "12345", "9007199254740993", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1e3", " 1", "+1"].flatMap(
        (v): Cmd[] => [["SET", "s:n", v], ["GET", "s:n"], ["STRLEN", "s:n"], ["GETRANGE", "s:n", 0, -1]],
      ),
      ["set", "s:case", "v"],
      ["gEt", "s:case"],
      ["SET", ALL_BYTES, ALL_BYTES],
      ["GET", ALL_BYTES],
      ["SET", "", "empty key"],
      ["GET", ""],
      ["GET"],
      ["GET", "a", "b"],
      ["SET", "s:x"],
    ]);
  });

  test("GET of a non-string is WRONGTYPE; SET overwrites any type", async () => {
    await makeList("s:list");
    await check([["GET", "s:list"], ["SET", "s:list", "now a string"], ["GET", "s:list"]]);
  });

  test("every combination of NX/XX, GET and expiry options, on missing, existing and wrong-type keys", async () => {
    const conds: string[][] = [[], ["NX"], ["XX"]];
    const gets: string[][] = [[], ["GET"]];
    const ttls: string[][] = [[], ["EX", "100"], ["PX", "100000"], ["EXAT", String(FUTURE_S)], ["PXAT", String(FUTURE_MS)], ["KEEPTTL"]];
    let n = 0;
    for (const cond of conds) {
      for (const get of gets) {
        for (const ttl of ttls) {
          for (const state of ["missing", "plain", "ttl", "list"] as const) {
            const key = `s:combo:${n++}`;
            if (state === "list") await makeList(key);
            const setup: Cmd[] = state === "plain" ? [["SET", key, "old"]] : state === "ttl" ? [["SET", key, "old", "EX", "5000"]] : [];
            // Options in both orders: Redis accepts them anywhere after the value.
            const opts = [...cond, ...get, ...ttl];
            const rev = [...ttl, ...get, ...cond];
            await check([...setup, ["SET", key, "new", ...opts], ["GET", key]]);
            await expectSameTtl(key);
            await check([["SET", key, "newer", ...rev], ["GET", key]]);
            await expectSameTtl(key);
          }
        }
      }
    }
  });

  test("option syntax errors, and which error wins", async () => {
    await makeList("s:elist");
    await check([
      ["SET", "s:e", "v", "NX", "XX"],
      ["SET", "s:e", "v", "XX", "NX"],
      ["SET", "s:e", "v", "NX", "NX"],
      ["SET", "s:e", "v", "XX", "XX"],
      ["SET", "s:e", "v", "GET", "GET"],
      ["SET", "s:e", "v", "KEEPTTL", "KEEPTTL"],
      ["SET", "s:e", "v", "EX", "10", "EX", "20"],
      ["SET", "s:e", "v", "PX", "10", "PX", "20000"],
      ["SET", "s:e", "v", "EX", "10", "PX", "10"],
      ["SET", "s:e", "v", "EX", "10", "EXAT", String(FUTURE_S)],
      ["SET", "s:e", "v", "PXAT", String(FUTURE_MS), "EXAT", String(FUTURE_S)],
      ["SET", "s:e", "v", "EX", "10", "KEEPTTL"],
      ["SET", "s:e", "v", "KEEPTTL", "PX", "10"],
      ["SET", "s:e", "v", "EX"],
      ["SET", "s:e", "v", "PXAT"],
      ["SET", "s:e", "v", "EX", "10", "EX"],
      ["SET", "s:e", "v", "PERSIST"],
      ["SET", "s:e", "v", "NOPE"],
      ["SET", "s:e", "v", "EXX", "10"],
      ["SET", "s:e", "v", "10"],
      ["SET", "s:e", "v", ""],
      ["SET", "s:e", "v", "ex", "abc", "px"],
      // value errors come after the syntax check, before GET and the type check
      ["SET", "s:e", "v", "EX", "abc"],
      ["SET", "s:e", "v", "EX", "1.5"],
      ["SET", "s:e", "v", "EX", ""],
      ["SET", "s:e", "v", "EX", "0"],
      ["SET", "s:e", "v", "EX", "-1"],
      ["SET", "s:e", "v", "PX", "0"],
      ["SET", "s:e", "v", "EXAT", "0"],
      ["SET", "s:e", "v", "PXAT", "-5"],
      ["SET", "s:e", "v", "EX", "9223372036854775808"],
      ["SET", "s:e", "v", "EX", "9223372036854775807"],
      ["SET", "s:e", "v", "EX", "9223372036854775"],
      ["SET", "s:e", "v", "EX", "9223372036854774"],
      ["SET", "s:e", "v", "PX", "9223372036854775807"],
      ["SET", "s:e", "v", "PX", "9223372036854000000"],
      ["SET", "s:e", "v", "EXAT", "9223372036854776"],
      ["SET", "s:e", "v", "EX", "10", "EX", "abc"],
      ["SET", "s:elist", "v", "GET", "EX", "abc"],
      ["SET", "s:elist", "v", "GET", "EX", "0"],
      ["SET", "s:elist", "v", "GET"],
      ["SET", "s:elist", "v", "GET", "NX"],
      ["SET", "s:elist", "v", "GET", "XX"],
      ["GET", "s:elist"],
      ["GET", "s:e"],
    ]);
  });

  test("huge absolute times are kept exactly", async () => {
    await check([
      ["SET", "s:far1", "v", "EXAT", "9223372036854775"],
      ["GET", "s:far1"],
      ["SET", "s:far2", "v", "PXAT", "9223372036854775807"],
      ["GET", "s:far2"],
    ]);
    const db = pair.kv.server.dbs[0]!;
    expect(db.getExpire("s:far1")).toBe(9223372036854775000);
    expect(db.getExpire("s:far2")).toBe(9223372036854775807);
  });

  test("an expiry time already past stores the key, which then reads as missing", async () => {
    await check([
      ["SET", "s:past1", "v", "PXAT", "1"],
      ["GET", "s:past1"],
      ["SET", "s:past2", "old"],
      ["SET", "s:past2", "v", "EXAT", "1", "GET"],
      ["GET", "s:past2"],
      ["SET", "s:past3", "v", "PXAT", String(Date.now() - 1000), "NX"],
      ["SET", "s:past3", "v2", "NX"],
      ["GET", "s:past3"],
    ]);
  });

  test("SET drops the TTL unless KEEPTTL; KEEPTTL keeps it", async () => {
    await check([["SET", "s:kt", "a", "EX", "1000"], ["SET", "s:kt", "b", "KEEPTTL"], ["GET", "s:kt"]]);
    await expectSameTtl("s:kt");
    await check([["SET", "s:kt", "c"]]);
    await expectSameTtl("s:kt");
  });
});

// ---- SETNX SETEX PSETEX GETSET GETDEL MGET MSET MSETNX -------------------------------------

describe("SETNX SETEX PSETEX GETSET GETDEL MGET MSET MSETNX", () => {
  test("SETNX", async () => {
    await makeList("m:list");
    await check([
      ["SETNX", "m:nx", "1"],
      ["SETNX", "m:nx", "2"],
      ["GET", "m:nx"],
      ["SETNX", "m:list", "x"],
      ["SETNX", "m:nx"],
      ["SETNX", "m:nx", "a", "b"],
    ]);
  });

  test("SETEX and PSETEX: values, TTLs and errors", async () => {
    await makeList("m:elist");
    await check([
      ["SETEX", "m:ex", "100", "v"],
      ["GET", "m:ex"],
      ["PSETEX", "m:px", "100000", ALL_BYTES],
      ["GET", "m:px"],
      ["SETEX", "m:elist", "100", "v"],
      ["GET", "m:elist"],
      ["SETEX", "m:e", "0", "v"],
      ["SETEX", "m:e", "-1", "v"],
      ["SETEX", "m:e", "abc", "v"],
      ["SETEX", "m:e", "1.5", "v"],
      ["SETEX", "m:e", "9223372036854775807", "v"],
      ["SETEX", "m:e", "9223372036854775", "v"],
      ["PSETEX", "m:e", "0", "v"],
      ["PSETEX", "m:e", "-10", "v"],
      ["PSETEX", "m:e", "x", "v"],
      ["PSETEX", "m:e", "9223372036854775807", "v"],
      ["SETEX", "m:e", "10"],
      ["PSETEX", "m:e", "10", "v", "x"],
      ["GET", "m:e"],
    ]);
    await expectSameTtl("m:ex");
    await expectSameTtl("m:px");
    await expectSameTtl("m:elist");
  });

  test("GETSET and GETDEL", async () => {
    await makeList("m:glist");
    await check([
      ["GETSET", "m:gs", "1"],
      ["GETSET", "m:gs", ALL_BYTES],
      ["GETSET", "m:gs", ""],
      ["GET", "m:gs"],
      ["GETSET", "m:glist", "x"],
      ["GET", "m:glist"],
      ["SET", "m:gsttl", "a", "EX", "1000"],
      ["GETSET", "m:gsttl", "b"],
      ["GETDEL", "m:gs"],
      ["GETDEL", "m:gs"],
      ["SET", "m:gd", "42"],
      ["GETDEL", "m:gd"],
      ["GET", "m:gd"],
      ["GETDEL", "m:glist"],
      ["GET", "m:glist"],
      ["GETSET", "m:gs"],
      ["GETDEL", "m:gs", "x"],
    ]);
    await expectSameTtl("m:gsttl");
  });

  test("MGET, MSET, MSETNX", async () => {
    await makeList("m:mlist");
    await check([
      ["MSET", "m:a", "1", "m:b", ALL_BYTES, "m:c", "", "m:a", "overwritten"],
      ["MGET", "m:a", "m:b", "m:c", "m:missing", "m:mlist", "m:a"],
      ["MGET", "m:missing"],
      ["MSET", "m:a"],
      ["MSET", "m:a", "1", "m:b"],
      ["MSETNX", "m:a", "1", "m:b"],
      ["MSETNX", "m:x", "1", "m:a", "2"],
      ["MGET", "m:x", "m:a"],
      ["MSETNX", "m:x", "1", "m:y", "2", "m:x", "3"],
      ["MGET", "m:x", "m:y"],
      ["MSETNX", "m:mlist", "1"],
      ["MSET", "m:mlist", "now string"],
      ["MGET", "m:mlist"],
      ["MGET"],
    ]);
    await check([["SET", "m:t", "v", "EX", "1000"], ["MSET", "m:t", "w"]]);
    await expectSameTtl("m:t");
  });
});

// ---- GETEX ---------------------------------------------------------------------------------

describe("GETEX", () => {
  test("each option sets or clears the TTL", async () => {
    const cases: [string, string[]][] = [
      ["none", []],
      ["ex", ["EX", "100"]],
      ["px", ["PX", "100000"]],
      ["exat", ["EXAT", String(FUTURE_S)]],
      ["pxat", ["PXAT", String(FUTURE_MS)]],
      ["persist", ["PERSIST"]],
      ["twice", ["EX", "5", "EX", "100"]],
      ["persist2", ["persist", "PERSIST"]],
    ];
    for (const [name, opts] of cases) {
      for (const withTtl of [false, true]) {
        const key = `gx:${name}:${withTtl}`;
        await check([["SET", key, ALL_BYTES, ...(withTtl ? ["EX", "5000"] : [])], ["GETEX", key, ...opts], ["GET", key]]);
        await expectSameTtl(key);
      }
    }
  });

  test("errors, and their order against missing and wrong-type keys", async () => {
    await makeList("gx:list");
    await check([["SET", "gx:k", "v"]]);
    for (const key of ["gx:k", "gx:missing", "gx:list"]) {
      await check([
        ["GETEX", key, "NX"],
        ["GETEX", key, "XX"],
        ["GETEX", key, "GET"],
        ["GETEX", key, "KEEPTTL"],
        ["GETEX", key, "EX"],
        ["GETEX", key, "FOO"],
        ["GETEX", key, "PERSIST", "EX", "10"],
        ["GETEX", key, "EX", "10", "PERSIST"],
        ["GETEX", key, "EXAT", "1", "PX", "1"],
        ["GETEX", key, "EX", "abc"],
        ["GETEX", key, "EX", "0"],
        ["GETEX", key, "PX", "-1"],
        ["GETEX", key, "EXAT", "9223372036854775807"],
        ["GETEX", key, "EX", "9223372036854775"],
        ["GETEX", key, "EX", "10", "EX", "abc"],
        ["GETEX", key, "EX", "abc", "EX", "10"],
        ["GETEX", key],
      ]);
    }
    await expectSameTtl("gx:k");
  });

  test("an absolute time already past deletes the key", async () => {
    await check([
      ["SET", "gx:p1", "v"],
      ["GETEX", "gx:p1", "PXAT", "1"],
      ["GET", "gx:p1"],
      ["SET", "gx:p2", "v"],
      ["GETEX", "gx:p2", "EXAT", String(Math.floor(Date.now() / 1000) - 10)],
      ["GET", "gx:p2"],
    ]);
  });
});

// ---- APPEND / STRLEN -----------------------------------------------------------------------

describe("APPEND and STRLEN", () => {
  test("appends to every value form, binary-safe", async () => {
    await makeList("ap:list");
    await check([
      ["APPEND", "ap:a", "hello"],
      ["APPEND", "ap:a", " world"],
      ["APPEND", "ap:a", ""],
      ["GET", "ap:a"],
      ["STRLEN", "ap:a"],
      ["APPEND", "ap:b", ""],
      ["GET", "ap:b"],
      ["GET", "ap:b"],
      ["SET", "ap:i", "123"],
      ["APPEND", "ap:i", "456"],
      ["GET", "ap:i"],
      ["INCR", "ap:i"],
      ["APPEND", "ap:i", "x"],
      ["INCR", "ap:i"],
      ["APPEND", "ap:bin", ALL_BYTES],
      ["APPEND", "ap:bin", ALL_BYTES],
      ["GET", "ap:bin"],
      ["STRLEN", "ap:bin"],
      ["GETRANGE", "ap:bin", 250, 260],
      ["APPEND", "ap:list", "x"],
      ["STRLEN", "ap:list"],
      ["STRLEN", "ap:missing"],
      ["APPEND", "ap:a"],
      ["STRLEN", "ap:a", "b"],
    ]);
  });

  test("repeated APPEND edits one ByteString in place and keeps the TTL", async () => {
    await check([["SET", "ap:t", "x", "EX", "1000"], ["APPEND", "ap:t", "y"]]);
    const db = pair.kv.server.dbs[0]!;
    const v = db.peek("ap:t");
    expect(v).toBeInstanceOf(ByteString);
    const cmds: Cmd[] = [];
    for (let i = 0; i < 300; i++) cmds.push(["APPEND", "ap:t", String.fromCharCode(i % 256).repeat(i % 7)]);
    cmds.push(["GET", "ap:t"], ["STRLEN", "ap:t"]);
    await check(cmds);
    expect(db.peek("ap:t")).toBe(v!);
    await expectSameTtl("ap:t");
  });

  test("10,000 appends stay fast (amortised O(1))", async () => {
    const conn = await RawConn.connect(pair.kv.port);
    const chunk = "x".repeat(100);
    const t0 = performance.now();
    const req = Buffer.from(`*3\r\n$6\r\nAPPEND\r\n$7\r\nap:fast\r\n$100\r\n${chunk}\r\n`, "latin1");
    await conn.send(Buffer.concat(Array.from({ length: 10_000 }, () => req)));
    let last = "";
    for (let i = 0; i < 10_000; i++) last = await conn.read();
    conn.close();
    expect(last).toBe(":1000000\r\n");
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

// ---- INCR family ---------------------------------------------------------------------------

describe("INCR DECR INCRBY DECRBY", () => {
  test("int64 arithmetic, exact beyond 2^53, overflow in both directions", async () => {
    await check([
      ["INCR", "c:a"],
      ["INCR", "c:a"],
      ["DECR", "c:a"],
      ["DECR", "c:b"],
      ["INCRBY", "c:c", "100"],
      ["INCRBY", "c:c", "-250"],
      ["DECRBY", "c:c", "-50"],
      ["DECRBY", "c:c", "0"],
      ["GET", "c:c"],
      ["SET", "c:big", "9223372036854775806"],
      ["INCR", "c:big"],
      ["INCR", "c:big"],
      ["GET", "c:big"],
      ["INCRBY", "c:big", "-1"],
      ["SET", "c:min", "-9223372036854775807"],
      ["DECR", "c:min"],
      ["DECR", "c:min"],
      ["INCRBY", "c:min", "-1"],
      ["GET", "c:min"],
      ["SET", "c:s", "9007199254740991"],
      ["INCR", "c:s"],
      ["INCR", "c:s"],
      ["INCRBY", "c:s", "9007199254740993"],
      ["GET", "c:s"],
      ["DECRBY", "c:s", "9223372036854775807"],
      ["DECRBY", "c:s", "9223372036854775807"],
      ["INCRBY", "c:z", "9223372036854775807"],
      ["INCRBY", "c:z", "1"],
      ["INCRBY", "c:z", "-9223372036854775808"],
      ["INCRBY", "c:z", "-9223372036854775808"],
      ["INCRBY", "c:z", "-1"],
      ["INCRBY", "c:z", "-1"],
      ["DECRBY", "c:z", "-9223372036854775808"],
      ["DECRBY", "c:missing2", "-9223372036854775808"],
      ["GET", "c:missing2"],
      ["SET", "c:neg", "-5"],
      ["DECRBY", "c:neg", "-5"],
      ["GET", "c:neg"],
    ]);
  });

  test("values and increments that are not canonical int64", async () => {
    await makeList("c:list");
    const bad = ["", " 1", "1 ", "+1", "01", "-0", "1.0", "1e3", "abc", "0x10", "9223372036854775808", "-9223372036854775809", "1\x00", "\x001"];
    const cmds: Cmd[] = [];
    for (const b of bad) cmds.push(["SET", "c:bad", b], ["INCR", "c:bad"], ["DECR", "c:bad"], ["INCRBY", "c:ok", b], ["DECRBY", "c:ok", b]);
    cmds.push(["INCR", "c:list"], ["INCRBY", "c:list", "x"], ["INCRBY", "c:list", "1"], ["DECRBY", "c:list", "-9223372036854775808"], ["DECR", "c:list"]);
    cmds.push(["INCR"], ["INCR", "a", "b"], ["INCRBY", "c:ok"], ["DECRBY", "c:ok", "1", "2"]);
    await check(cmds);
  });

  test("counters keep the key's TTL", async () => {
    await check([["SET", "c:t", "1", "EX", "1000"], ["INCR", "c:t"], ["INCRBY", "c:t", "9223372036854775800"], ["DECR", "c:t"]]);
    await expectSameTtl("c:t");
  });

  test("random INCRBY sequences agree (fast-check)", async () => {
    const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
    const step = fc.oneof(int64, fc.bigInt({ min: -1000n, max: 1000n }));
    await fc.assert(
      fc.asyncProperty(int64, fc.array(step, { minLength: 1, maxLength: 8 }), async (start, steps) => {
        const cmds: Cmd[] = [["SET", "c:fc", start.toString()]];
        for (const s of steps) cmds.push(s % 2n === 0n ? ["INCRBY", "c:fc", s.toString()] : ["DECRBY", "c:fc", (-s).toString()]);
        cmds.push(["GET", "c:fc"]);
        const { kv, redis } = await runBoth(pair, cmds);
        expect(transcript(cmds, kv)).toEqual(transcript(cmds, redis));
      }),
      { numRuns: 100 },
    );
  });
});

// ---- INCRBYFLOAT ---------------------------------------------------------------------------

describe("INCRBYFLOAT", () => {
  test("long double results printed like Redis", async () => {
    await makeList("f:list");
    await check([
      ["SET", "f:a", "10.50"],
      ["INCRBYFLOAT", "f:a", "0.1"],
      ["APPEND", "f:a", "5"],
      ["INCRBYFLOAT", "f:a", "1"],
      ["APPEND", "f:a", "x"],
      ["INCRBYFLOAT", "f:a", "1"],
      ["INCRBYFLOAT", "f:b", "0.1"],
      ["INCRBYFLOAT", "f:b", "0.2"],
      ["INCRBYFLOAT", "f:c", "-5"],
      ["INCRBYFLOAT", "f:c", "5"],
      ["GET", "f:c"],
      ["SET", "f:d", "5.0e3"],
      ["INCRBYFLOAT", "f:d", "2.0e2"],
      ["INCRBYFLOAT", "f:d", "-.5"],
      ["INCRBYFLOAT", "f:d", "+1."],
      ["INCRBYFLOAT", "f:d", "0x10"],
      ["INCRBYFLOAT", "f:d", "0x1p-3"],
      ["INCRBYFLOAT", "f:e", "1e-20"],
      ["INCRBYFLOAT", "f:e", "-2e-20"],
      ["INCRBYFLOAT", "f:g", "1e400"],
      ["INCRBYFLOAT", "f:g", "-1e400"],
      ["INCRBYFLOAT", "f:h", "1.18e4932"],
      ["INCRBYFLOAT", "f:h", "1.18e4932"],
      ["INCRBYFLOAT", "f:i", "1e-4950"],
      ["SET", "f:j", "9223372036854775807"],
      ["INCRBYFLOAT", "f:j", "1"],
      ["SET", "f:k", "12345"],
      ["INCRBYFLOAT", "f:k", "0.00000000000000001"],
      ["INCRBYFLOAT", "f:k", "0.000000000000000005"],
      ["INCRBYFLOAT", "f:l", "3.0000000000000000005"],
      ["INCRBYFLOAT", "f:list", "1"],
      ["INCRBYFLOAT", "f:a"],
    ]);
  });

  test("invalid values, invalid increments, NaN and infinity", async () => {
    const bad = ["", " 1", "1 ", "abc", "1e", "1e+", ".", "nan", "-nan", "NaN(1)", "1e5000", "-1e5000", "1e-5000", "infin", "1..2", "0x", "1,5", "\t1"];
    const cmds: Cmd[] = [];
    for (const b of bad) cmds.push(["SET", "f:bad", b], ["INCRBYFLOAT", "f:bad", "1"], ["INCRBYFLOAT", "f:ok", b]);
    cmds.push(
      ["INCRBYFLOAT", "f:inf", "inf"],
      ["INCRBYFLOAT", "f:inf", "-Infinity"],
      ["SET", "f:inf", "inf"],
      ["INCRBYFLOAT", "f:inf", "1"],
      ["INCRBYFLOAT", "f:inf", "-inf"],
      ["SET", "f:huge", "1.1e4932"],
      ["INCRBYFLOAT", "f:huge", "1.1e4932"],
      ["GET", "f:huge"],
      ["SET", "f:nul", "1\x00junk"],
      ["INCRBYFLOAT", "f:nul", "1"],
      ["INCRBYFLOAT", "f:nul", "2\x00x"],
      ["INCRBYFLOAT", "f:nul2", "\x00"],
      ["SET", "f:long", "1".repeat(5119)],
      ["INCRBYFLOAT", "f:long", "1"],
      ["SET", "f:long", "1".repeat(5120)],
      ["INCRBYFLOAT", "f:long", "1"],
      ["INCRBYFLOAT", "f:ok", "0." + "0".repeat(5117) + "1"],
      ["INCRBYFLOAT", "f:ok", "0." + "0".repeat(5118) + "1"],
      ["GET", "f:ok"],
    );
    await check(cmds);
  });

  test("keeps the TTL", async () => {
    await check([["SET", "f:t", "1.5", "EX", "1000"], ["INCRBYFLOAT", "f:t", "1"]]);
    await expectSameTtl("f:t");
  });

  test("random increments agree (fast-check)", async () => {
    const dec = fc
      .tuple(fc.constantFrom("", "-", "+"), fc.stringMatching(/^[0-9]{0,12}$/), fc.stringMatching(/^[0-9]{0,12}$/), fc.option(fc.integer({ min: -30, max: 30 })))
      .map(([s, i, f, e]) => `${s}${i || "0"}${f ? "." + f : ""}${e === null ? "" : "e" + e}`);
    await fc.assert(
      fc.asyncProperty(dec, fc.array(dec, { minLength: 1, maxLength: 4 }), async (start, incs) => {
        const cmds: Cmd[] = [["SET", "f:fc", start], ...incs.map((i): Cmd => ["INCRBYFLOAT", "f:fc", i])];
        const { kv, redis } = await runBoth(pair, cmds);
        expect(transcript(cmds, kv)).toEqual(transcript(cmds, redis));
      }),
      { numRuns: 100 },
    );
  });
});

// ---- GETRANGE / SUBSTR / SETRANGE ----------------------------------------------------------

describe("GETRANGE SUBSTR SETRANGE", () => {
  test("ranges: negative, reversed, out of bounds, int64 extremes, every value form", async () => {
    await makeList("r:list");
    const cmds: Cmd[] = [["SET", "r:s", "Hello World"], ["SET", "r:i", "-123456"], ["SET", "r:e", ""], ["APPEND", "r:b", ALL_BYTES.slice(0, 100)], ["APPEND", "r:b", ALL_BYTES.slice(100)]];
    const idx = ["0", "1", "-1", "-2", "5", "10", "11", "12", "100", "-11", "-12", "-100", "9223372036854775807", "-9223372036854775808"];
    for (const key of ["r:s", "r:i", "r:e", "r:missing", "r:b"]) {
      for (const a of idx) for (const b of idx) cmds.push(["GETRANGE", key, a, b]);
    }
    cmds.push(
      ["SUBSTR", "r:s", "0", "4"],
      ["SUBSTR", "r:s", "-5", "-1"],
      ["SUBSTR", "r:b", "-3", "-1"],
      ["GETRANGE", "r:list", "0", "1"],
      ["GETRANGE", "r:list", "x", "1"],
      ["GETRANGE", "r:missing", "x", "1"],
      ["GETRANGE", "r:s", "0", "1.5"],
      ["GETRANGE", "r:s", "9223372036854775808", "1"],
      ["SUBSTR", "r:s", "a", "b"],
      ["GETRANGE", "r:s", "0"],
      ["SUBSTR", "r:s", "0", "1", "2"],
    );
    await check(cmds);
  });

  test("random ranges agree (fast-check)", async () => {
    await check([["SET", "r:fc", "0123456789abcdefghij"]]);
    const i = fc.integer({ min: -30, max: 30 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(i, i), { minLength: 1, maxLength: 20 }), async (pairs) => {
        await check(pairs.map(([a, b]): Cmd => ["GETRANGE", "r:fc", a, b]));
      }),
      { numRuns: 50 },
    );
  });

  test("SETRANGE: padding, overwrite, empty values, offsets, errors", async () => {
    await makeList("r:slist");
    await check([
      ["SETRANGE", "r:w", "0", "Hello"],
      ["SETRANGE", "r:w", "6", "World"],
      ["GET", "r:w"],
      ["SETRANGE", "r:w", "1", "a"],
      ["SETRANGE", "r:w", "20", ALL_BYTES],
      ["GET", "r:w"],
      ["STRLEN", "r:w"],
      ["SETRANGE", "r:w", "5", ""],
      ["SETRANGE", "r:w", "100000", ""],
      ["SETRANGE", "r:new", "3", "x"],
      ["GET", "r:new"],
      ["SETRANGE", "r:none", "0", ""],
      ["SETRANGE", "r:none", "9223372036854775807", ""],
      ["GET", "r:none"],
      ["SET", "r:n", "12345"],
      ["SETRANGE", "r:n", "2", "x"],
      ["GET", "r:n"],
      ["SET", "r:n2", "12345"],
      ["SETRANGE", "r:n2", "0", ""],
      ["SETRANGE", "r:n2", "0", "9"],
      ["INCR", "r:n2"],
      ["SETRANGE", "r:big", "100000", "z"],
      ["STRLEN", "r:big"],
      ["GETRANGE", "r:big", "99998", "-1"],
      ["SETRANGE", "r:e", "-1", "x"],
      ["SETRANGE", "r:e", "x", "x"],
      ["SETRANGE", "r:e", "1.5", "x"],
      ["SETRANGE", "r:e", "9223372036854775808", "x"],
      ["SETRANGE", "r:e", "9223372036854775807", "x"],
      ["SETRANGE", "r:e", "536870912", "x"],
      ["SETRANGE", "r:e", "536870911", "xy"],
      ["SETRANGE", "r:slist", "0", "x"],
      ["SETRANGE", "r:slist", "0", ""],
      ["SETRANGE", "r:slist", "-1", "x"],
      ["GET", "r:e"],
      ["SETRANGE", "r:e", "0"],
    ]);
  });

  test("SETRANGE keeps the TTL; random edits agree (fast-check)", async () => {
    await check([["SET", "r:t", "abc", "EX", "1000"], ["SETRANGE", "r:t", "5", "x"]]);
    await expectSameTtl("r:t");
    const edit = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString("latin1")));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 8 }), async (edits) => {
        const key = `r:fcs:${n++}`;
        await check([...edits.map(([o, s]): Cmd => ["SETRANGE", key, o, s]), ["GET", key], ["STRLEN", key]]);
      }),
      { numRuns: 50 },
    );
  });
});

// ---- LCS -----------------------------------------------------------------------------------

describe("LCS", () => {
  test("string, LEN, IDX, MINMATCHLEN, WITHMATCHLEN and errors", async () => {
    await makeList("l:list");
    await check([
      ["MSET", "l:a", "ohmytext", "l:b", "mynewtext", "l:i", "12345", "l:j", "2468", "l:bin", ALL_BYTES, "l:bin2", ALL_BYTES.split("").reverse().join("") + ALL_BYTES.slice(100, 140)],
      ["APPEND", "l:bin", ""],
      ["LCS", "l:a", "l:b"],
      ["LCS", "l:a", "l:b", "LEN"],
      ["LCS", "l:a", "l:b", "LEN", "len"],
      ["LCS", "l:a", "l:b", "IDX"],
      ["LCS", "l:a", "l:b", "IDX", "MINMATCHLEN", "4"],
      ["LCS", "l:a", "l:b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"],
      ["LCS", "l:a", "l:b", "WITHMATCHLEN", "idx", "minmatchlen", "-5"],
      ["LCS", "l:a", "l:b", "WITHMATCHLEN"],
      ["LCS", "l:a", "l:b", "MINMATCHLEN", "3"],
      ["LCS", "l:a", "l:b", "LEN", "MINMATCHLEN", "3"],
      ["LCS", "l:i", "l:j", "IDX", "WITHMATCHLEN"],
      ["LCS", "l:bin", "l:bin2"],
      ["LCS", "l:bin", "l:bin2", "IDX", "WITHMATCHLEN"],
      ["LCS", "l:a", "l:a", "IDX"],
      ["LCS", "l:a", "l:missing"],
      ["LCS", "l:missing", "l:b", "IDX"],
      ["LCS", "l:missing", "l:missing2", "LEN"],
      ["LCS", "l:a", "l:b", "LEN", "IDX"],
      ["LCS", "l:a", "l:b", "IDX", "LEN", "FOO"],
      ["LCS", "l:a", "l:b", "FOO"],
      ["LCS", "l:a", "l:b", "MINMATCHLEN"],
      ["LCS", "l:a", "l:b", "MINMATCHLEN", "x"],
      ["LCS", "l:a", "l:b", "MINMATCHLEN", "x", "FOO"],
      ["LCS", "l:a", "l:list"],
      ["LCS", "l:list", "l:a", "FOO"],
      ["LCS", "l:a"],
    ]);
  });

  test("random strings agree in every mode (fast-check)", async () => {
    const s = fc.stringMatching(/^[abc]{0,14}$/);
    const mode = fc.constantFrom<string[]>([], ["LEN"], ["IDX"], ["IDX", "WITHMATCHLEN"], ["IDX", "MINMATCHLEN", "2"], ["IDX", "MINMATCHLEN", "3", "WITHMATCHLEN"]);
    await fc.assert(
      fc.asyncProperty(s, s, mode, async (a, b, m) => {
        await check([["MSET", "l:fa", a, "l:fb", b], ["LCS", "l:fa", "l:fb", ...m]]);
      }),
      { numRuns: 200 },
    );
  });
});

// ---- limits under a small proto-max-bulk-len -----------------------------------------------

describe("proto-max-bulk-len limits", () => {
  let small: Pair;
  beforeAll(async () => {
    const [kv, redis] = await Promise.all([startKv({ config: { "proto-max-bulk-len": "1048576" } }), startRedis(["--proto-max-bulk-len", "1048576"])]);
    small = { kv, redis, stop: async () => void (await Promise.all([kv.stop(), redis.stop()])) };
  });
  afterAll(async () => {
    await small.stop();
  });

  test("SETRANGE and APPEND refuse results beyond the limit", async () => {
    await check(
      [
        ["SETRANGE", "lim:a", "1048575", "x"],
        ["SETRANGE", "lim:b", "1048576", "x"],
        ["SETRANGE", "lim:b", "1048570", "0123456789"],
        ["GET", "lim:b"],
        ["SETRANGE", "lim:a", "1048575", "xy"],
        ["APPEND", "lim:a", "y"],
        ["STRLEN", "lim:a"],
        ["SET", "lim:c", "x".repeat(1048570)],
        ["APPEND", "lim:c", "0123456789"],
        ["APPEND", "lim:c", "012345"],
        ["STRLEN", "lim:c"],
        ["SETRANGE", "lim:c", "0", "x"],
      ],
      small,
    );
  });

  test("LCS refuses a DP table beyond the limit", async () => {
    await check(
      [
        ["MSET", "lim:l1", "a".repeat(511), "lim:l2", "b".repeat(511), "lim:l3", "a".repeat(512), "lim:l4", "ab".repeat(256)],
        ["LCS", "lim:l1", "lim:l2"],
        ["LCS", "lim:l1", "lim:l2", "LEN"],
        ["LCS", "lim:l3", "lim:l4"],
        ["LCS", "lim:l3", "lim:l4", "LEN"],
        ["LCS", "lim:l3", "lim:l1", "IDX"],
        ["LCS", "lim:l3", "lim:missing"],
      ],
      small,
    );
  });
});

// ---- propagation ---------------------------------------------------------------------------

/** Parse an AOF (RESP arrays of bulk strings) into argvs. */
function parseAof(buf: Buffer): string[][] {
  const out: string[][] = [];
  const s = buf.toString("latin1");
  let p = 0;
  while (p < s.length) {
    const e = s.indexOf("\r\n", p);
    const n = Number(s.slice(p + 1, e));
    p = e + 2;
    const argv: string[] = [];
    for (let i = 0; i < n; i++) {
      const e2 = s.indexOf("\r\n", p);
      const len = Number(s.slice(p + 1, e2));
      argv.push(s.slice(e2 + 2, e2 + 2 + len));
      p = e2 + 2 + len + 2;
    }
    out.push(argv);
  }
  return out;
}

describe("propagation", () => {
  const flow = (now: number): Cmd[] => [
    ["SET", "p:a", "1", "EX", "100"],
    ["SET", "p:b", "1", "px", "100000", "get"],
    ["SET", "p:c", "1", "EXAT", "9999999999"],
    ["SET", "p:d", "1", "PXAT", "9999999999000", "NX"],
    ["SET", "p:e", "1", "keepttl", "GET"],
    ["SET", "p:f", "1", "GeT"],
    ["SET", "get", "get", "get"],
    ["SET", "p:g", "1", "get", "NX", "GET"],
    ["SET", "p:g", "2", "NX"],
    ["SET", "p:g", "2", "XX", "GET", "KEEPTTL"],
    ["SET", "p:plain", ALL_BYTES],
    ["SETEX", "p:h", "100", "v"],
    ["PSETEX", "p:i", "100000", "v"],
    ["SETNX", "p:j", "v"],
    ["SETNX", "p:j", "v"],
    ["GETEX", "p:a", "EX", "100"],
    ["GETEX", "p:a", "PXAT", "9999999999000"],
    ["GETEX", "p:a", "EXAT", "9999999999"],
    ["GETEX", "p:a", "PX", "5000"],
    ["GETEX", "p:a", "PERSIST"],
    ["GETEX", "p:a", "PERSIST"],
    ["GETEX", "p:a"],
    ["GETEX", "p:missing", "EX", "10"],
    ["SET", "p:k", "1.5"],
    ["INCRBYFLOAT", "p:k", "0.1"],
    ["INCRBYFLOAT", "p:k", "x"],
    ["GETDEL", "p:k"],
    ["GETDEL", "p:k"],
    ["GETSET", "p:f", "2"],
    ["SET", "p:l", "v", "PXAT", "1"],
    ["GET", "p:l"],
    ["SET", "p:m", "v"],
    ["GETEX", "p:m", "PXAT", "1"],
    ["SET", "p:n", "v", "EX", "100"],
    ["GETEX", "p:n", "EXAT", String(Math.floor(now / 1000) - 100)],
    ["MSET", "p:o", "1", "p:p", "2"],
    ["MSETNX", "p:o", "1"],
    ["MSETNX", "p:q", "1"],
    ["INCR", "p:o"],
    ["DECRBY", "p:o", "5"],
    ["INCR", "p:plain"],
    ["APPEND", "p:o", "x"],
    ["SETRANGE", "p:o", "0", ""],
    ["SETRANGE", "p:o", "0", "y"],
    ["SETRANGE", "p:new", "0", ""],
    ["SET", "p:r", "v", "NX", "EX", "100"],
    ["SET", "p:s", "v", "XX", "EX", "100"],
  ];

  /** Replace timestamps computed from "now" with a placeholder (the two servers' clocks differ). */
  function normalise(argvs: string[][], now: number): string[][] {
    return argvs.map((a) => a.map((x) => (/^[0-9]{13}$/.test(x) && Math.abs(Number(x) - now) < 86_400_000 ? "<now-based>" : x)));
  }

  test("the propagated stream equals redis-server's AOF", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kv-aof-"));
    const [kv, redis] = await Promise.all([startKv(), startRedis(["--appendonly", "yes", "--appendfsync", "always", "--dir", dir])]);
    try {
      const got: string[][] = [];
      const unsubscribe = kv.server.propagation.subscribe({
        feed: (_db, argv) => got.push(argv.map((a: PropArg) => (typeof a === "string" ? a : Buffer.from(a).toString("latin1")))),
      });
      const now = Date.now();
      const cmds = flow(now);
      const p: Pair = { kv, redis, stop: async () => {} };
      await check(cmds, p);
      unsubscribe();
      const aofDir = join(dir, "appendonlydir");
      const incr = readdirSync(aofDir).find((f) => f.endsWith(".incr.aof"))!;
      const aof = parseAof(readFileSync(join(aofDir, incr))).filter((a) => a[0]!.toUpperCase() !== "SELECT");
      expect(normalise(got, now)).toEqual(normalise(aof, now));
    } finally {
      await Promise.all([kv.stop(), redis.stop()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("relative TTLs become absolute times from the server clock", async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const kv = await startKv({ clock });
    try {
      const got: string[][] = [];
      kv.server.propagation.subscribe({ feed: (_db, argv) => got.push(argv.map((a: PropArg) => (typeof a === "string" ? a : Buffer.from(a).toString("latin1")))) });
      const conn = await RawConn.connect(kv.port);
      expect(await conn.call("SET", "t:a", "v", "EX", "100", "GET")).toBe("$-1\r\n");
      expect(await conn.call("SET", "t:b", "v", "PX", "1500")).toBe("+OK\r\n");
      expect(await conn.call("SETEX", "t:c", "7", "v")).toBe("+OK\r\n");
      expect(await conn.call("PSETEX", "t:d", "7", "v")).toBe("+OK\r\n");
      expect(await conn.call("GETEX", "t:d", "EX", "9")).toBe("$1\r\nv\r\n");
      expect(await conn.call("SET", "t:e", "v", "EXAT", "1700000000")).toBe("+OK\r\n");
      expect(await conn.call("SET", "t:f", "v", "EX", "9007199254740")).toBe("+OK\r\n");
      conn.close();
      expect(got).toEqual([
        ["SET", "t:a", "v", "PXAT", "1700000100000"],
        ["SET", "t:b", "v", "PXAT", "1700000001500"],
        ["SET", "t:c", "v", "PXAT", "1700000007000"],
        ["SET", "t:d", "v", "PXAT", "1700000000007"],
        ["PEXPIREAT", "t:d", "1700000009000"],
        ["SET", "t:e", "v", "PXAT", "1700000000000"],
        ["SET", "t:f", "v", "PXAT", String(9007199254740n * 1000n + 1_700_000_000_000n)],
      ]);
      const db = kv.server.dbs[0]!;
      expect(db.getExpire("t:b")).toBe(1_700_000_001_500);
      expect(db.peek("t:e")).toBeUndefined(); // its time is "now": expired
      clock.advance(1500);
      expect(db.peek("t:b")).toBeUndefined();
      expect(db.peek("t:a")).toBe("v");
    } finally {
      await kv.stop();
    }
  });
});
