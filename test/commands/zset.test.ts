// Sorted set commands against real redis-server 7.0: every command, option and error compared
// byte for byte (RESP2, and RESP3 for score replies), encoding transitions, ZRANDMEMBER/ZSCAN
// shapes, ZMPOP propagation, COMMAND INFO, and a fast-check property (random command sequences
// over two keys compared reply by reply).
import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RawConn } from "../support/conn.ts";
import { runBoth, startPair, transcript, type Pair } from "../support/oracle.ts";
import { startKv, startRedis } from "../support/servers.ts";
import type { Arg } from "../support/resp.ts";
import { decode, decodeAt } from "../support/value.ts";
import type { PropArg } from "../../src/propagation.ts";

let pair: Pair;
beforeAll(async () => {
  pair = await startPair();
});
afterAll(async () => {
  await pair.stop();
});

async function same(cmds: Arg[][]): Promise<void> {
  const { kv, redis } = await runBoth(pair, cmds);
  expect(transcript(cmds, kv)).toEqual(transcript(cmds, redis));
}

/**
 * Replies in RESP3 from both servers, after HELLO 3 (whose reply differs by design and is not
 * returned). Until kvserver has HELLO, its connection is switched to RESP3 in-process instead.
 */
async function runBoth3(cmds: readonly Arg[][]): Promise<{ kv: string[]; redis: string[] }> {
  const [a, b] = await Promise.all([RawConn.connect(pair.kv.port), RawConn.connect(pair.redis.port)]);
  try {
    expect((await b.call("HELLO", "3"))[0]).toBe("%");
    if ((await a.call("HELLO", "3"))[0] !== "%") {
      const newest = Math.max(...pair.kv.server.clients.keys());
      pair.kv.server.clients.get(newest)!.reply.proto = 3;
    }
    const kv: string[] = [];
    const redis: string[] = [];
    for (const cmd of cmds) {
      kv.push(await a.call(...cmd));
      redis.push(await b.call(...cmd));
    }
    return { kv, redis };
  } finally {
    a.close();
    b.close();
  }
}

async function same3(cmds: Arg[][]): Promise<void> {
  const { kv, redis } = await runBoth3(cmds);
  expect(transcript(cmds, kv)).toEqual(transcript(cmds, redis));
}

/** CONFIG SET on both servers (kvserver in-process, so this does not depend on its CONFIG). */
async function configBoth(name: string, value: string): Promise<void> {
  expect(pair.kv.server.config.set(name, value)).toBeNull();
  const c = await RawConn.connect(pair.redis.port);
  try {
    expect(await c.call("CONFIG", "SET", name, value)).toBe("+OK\r\n");
  } finally {
    c.close();
  }
}

const enc = (k: string): Arg[] => ["OBJECT", "ENCODING", k];

// ---- byte-exact differential cases ----

test("ZADD: options, CH, INCR, conflicts, syntax, bad scores, WRONGTYPE", async () => {
  await same([
    ["ZADD", "za:a", "1", "a", "2", "b", "3", "c"],
    ["ZADD", "za:a", "1", "a", "5", "b", "4", "d"],
    ["ZADD", "za:a", "CH", "1", "a", "6", "b", "7", "e"],
    ["ZADD", "za:a", "NX", "100", "a", "8", "f"],
    ["ZADD", "za:a", "XX", "100", "a", "8", "g"],
    ["ZADD", "za:a", "XX", "CH", "101", "a", "8", "h"],
    ["ZADD", "za:a", "GT", "CH", "50", "a", "200", "b", "0", "new"],
    ["ZADD", "za:a", "LT", "CH", "50", "a", "300", "b", "-1", "new2"],
    ["ZADD", "za:a", "XX", "GT", "CH", "1000", "a", "1", "b"],
    ["ZADD", "za:a", "xx", "lt", "ch", "-5", "a", "5000", "b"],
    ["ZADD", "za:a", "INCR", "10", "a"],
    ["ZADD", "za:a", "INCR", "NX", "10", "a"],
    ["ZADD", "za:a", "INCR", "NX", "10", "incrnew"],
    ["ZADD", "za:a", "INCR", "XX", "10", "nope"],
    ["ZADD", "za:a", "INCR", "GT", "-1", "a"],
    ["ZADD", "za:a", "INCR", "GT", "1", "a"],
    ["ZADD", "za:a", "INCR", "LT", "1", "a"],
    ["ZADD", "za:a", "INCR", "LT", "-1.5", "a"],
    ["ZADD", "za:a", "INCR", "0", "a"],
    ["ZADD", "za:a", "CH", "INCR", "1", "a"],
    ["ZRANGE", "za:a", "0", "-1", "WITHSCORES"],
    ["ZADD", "za:a", "NX", "XX", "1", "a"],
    ["ZADD", "za:a", "NX", "GT", "1", "a"],
    ["ZADD", "za:a", "NX", "LT", "1", "a"],
    ["ZADD", "za:a", "GT", "LT", "1", "a"],
    ["ZADD", "za:a", "INCR", "1", "a", "2", "b"],
    ["ZADD", "za:a", "NX", "XX", "1"],
    ["ZADD", "za:a", "NX", "XX", "1", "a", "2"],
    ["ZADD", "za:a", "1", "a", "2"],
    ["ZADD", "za:a", "nx"],
    ["ZADD", "za:a", "abc", "a"],
    ["ZADD", "za:a", "1", "a", "nan", "b"],
    ["ZADD", "za:a", "1", "a", " 2", "b"],
    ["ZADD", "za:a", "1", "a", "2 ", "b"],
    ["ZADD", "za:a", "", "b"],
    ["ZADD", "za:a", "1e5000", "b"],
    ["ZADD", "za:a", "0x10", "hex", "inf", "i", "-inf", "ni", "+inf", "pi", "-INFINITY", "nii"],
    ["ZADD", "za:a", "INCR", "-inf", "i"],
    ["ZADD", "za:a", "inf", "i"],
    ["ZINCRBY", "za:a", "-inf", "i"],
    ["ZSCORE", "za:a", "i"],
    ["ZADD", "za:missing", "XX", "1", "a"],
    ["ZADD", "za:missing", "XX", "INCR", "1", "a"],
    ["EXISTS", "za:missing"],
    ["ZADD", "za:missing2", "GT", "5", "a"],
    ["ZADD", "za:missing2", "LT", "INCR", "5", "b"],
    ["ZADD", "za:a"],
    ["ZADD", "za:a", "1"],
    ["SET", "za:str", "x"],
    ["ZADD", "za:str", "1", "a"],
    ["ZADD", "za:str", "abc", "a"],
    ["ZADD", "za:str", "XX", "NX", "1", "a"],
    ["ZADD", "za:bin", "1", "\x00\xff", "1", "", "1", "\xff", "1", "\x00"],
    ["ZRANGE", "za:bin", "0", "-1"],
    ["ZADD", "za:dup", "1", "a", "2", "a", "3", "a"],
    ["ZADD", "za:dup", "CH", "1", "a", "2", "a", "3", "a"],
    ["ZSCORE", "za:dup", "a"],
  ]);
});

test("ZINCRBY and score formatting: %.17g doubles, -0, inf, NaN refused", async () => {
  await same([
    ["ZINCRBY", "zi:a", "1", "m"],
    ["ZINCRBY", "zi:a", "0.1", "m"],
    ["ZINCRBY", "zi:a", "0.2", "m"],
    ["ZINCRBY", "zi:a", "1e300", "n"],
    ["ZINCRBY", "zi:a", "1e300", "n"],
    ["ZINCRBY", "zi:a", "1.5e-7", "o"],
    ["ZINCRBY", "zi:a", "123456789012345678", "p"],
    ["ZINCRBY", "zi:a", "-0", "q"],
    ["ZINCRBY", "zi:a", "inf", "r"],
    ["ZINCRBY", "zi:a", "-inf", "r"],
    ["ZINCRBY", "zi:a", "abc", "r"],
    ["ZINCRBY", "zi:a", "nan", "r"],
    ["ZINCRBY", "zi:a", "1"],
    ["ZADD", "zi:a", "3.0000000000000004", "s", "-1.7976931348623157e308", "t", "5e-324", "u"],
    ["ZRANGE", "zi:a", "0", "-1", "WITHSCORES"],
    ["ZSCORE", "zi:a", "q"],
    ["ZMSCORE", "zi:a", "m", "n", "o", "p", "q", "s", "t", "u", "nope"],
    ["SET", "zi:str", "1"],
    ["ZINCRBY", "zi:str", "1", "m"],
    ["ZINCRBY", "zi:str", "x", "m"],
  ]);
});

test("-0: a listpack stores it as 0, a skiplist keeps it; results built by ZUNION keep it", async () => {
  await same([
    ["ZADD", "zm:lp", "-0", "a", "-0.0", "b"],
    ["ZSCORE", "zm:lp", "a"],
    ["ZINCRBY", "zm:lp2", "-0", "m"],
    ["ZSCORE", "zm:lp2", "m"],
    ["ZSCAN", "zm:lp", "0"],
    ["ZUNION", "1", "zm:lp", "WEIGHTS", "-1", "WITHSCORES"],
    ["ZUNIONSTORE", "zm:st", "1", "zm:lp", "WEIGHTS", "-1"],
    ["ZRANGE", "zm:st", "0", "-1", "WITHSCORES"],
  ]);
  await configBoth("zset-max-listpack-entries", "0");
  try {
    await same([
      ["ZADD", "zm:sl", "-0", "a"],
      [...enc("zm:sl")],
      ["ZSCORE", "zm:sl", "a"],
      ["ZINCRBY", "zm:sl", "0", "a"],
      ["ZSCAN", "zm:sl", "0"],
      ["ZRANGE", "zm:sl", "0", "-1", "WITHSCORES"],
    ]);
  } finally {
    await configBoth("zset-max-listpack-entries", "128");
  }
});

test("ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK: replies, missing keys, empties removed, WRONGTYPE", async () => {
  await same([
    ["ZADD", "zr:a", "1", "a", "2", "b", "3", "c", "3", "d"],
    ["ZCARD", "zr:a"],
    ["ZCARD", "zr:missing"],
    ["ZSCORE", "zr:a", "b"],
    ["ZSCORE", "zr:a", "nope"],
    ["ZSCORE", "zr:missing", "a"],
    ["ZMSCORE", "zr:a", "a", "nope", "d"],
    ["ZMSCORE", "zr:missing", "a", "b"],
    ["ZRANK", "zr:a", "a"],
    ["ZRANK", "zr:a", "d"],
    ["ZRANK", "zr:a", "nope"],
    ["ZRANK", "zr:missing", "a"],
    ["ZREVRANK", "zr:a", "a"],
    ["ZREVRANK", "zr:a", "c"],
    ["ZREVRANK", "zr:a", "nope"],
    ["ZREM", "zr:a", "a", "nope", "a"],
    ["ZREM", "zr:missing", "a"],
    ["ZREM", "zr:a", "b", "c", "d"],
    ["EXISTS", "zr:a"],
    ["ZREM", "zr:a"],
    ["ZCARD"],
    ["ZSCORE", "zr:a"],
    ["ZMSCORE", "zr:a"],
    ["ZRANK", "zr:a"],
    ["ZRANK", "zr:a", "a", "WITHSCORE"],
    ["ZREVRANK", "zr:a", "a", "WITHSCORE"],
    ["SET", "zr:str", "x"],
    ["ZREM", "zr:str", "a"],
    ["ZCARD", "zr:str"],
    ["ZSCORE", "zr:str", "a"],
    ["ZMSCORE", "zr:str", "a"],
    ["ZRANK", "zr:str", "a"],
    ["ZREVRANK", "zr:str", "a"],
  ]);
});

const SCORE_BOUNDS = ["-inf", "+inf", "inf", "(1", "1", "(", "", " 1", "1 ", "1e999", "(1e999", "-1e999", "0x2", "nan", "(nan", "abc", "((1", "1\x00abc", "(-inf", "(+inf", "2.5", "(3"];

test("ZCOUNT and score range syntax: exclusive bounds, infinities, strtod quirks, errors", async () => {
  const cmds: Arg[][] = [["ZADD", "zc:a", "-inf", "ninf", "1", "a", "2", "b", "2.5", "c", "3", "d", "inf", "pinf"]];
  for (const min of SCORE_BOUNDS) for (const max of ["+inf", "(3", "3", "(", "abc"]) cmds.push(["ZCOUNT", "zc:a", min, max]);
  cmds.push(["ZCOUNT", "zc:missing", "0", "1"], ["ZCOUNT", "zc:missing", "a", "1"], ["SET", "zc:str", "x"]);
  cmds.push(["ZCOUNT", "zc:str", "0", "1"], ["ZCOUNT", "zc:str", "x", "1"], ["ZCOUNT", "zc:a", "0"]);
  await same(cmds);
});

const LEX_BOUNDS = ["-", "+", "[a", "(a", "[b", "(b", "[", "(", "[bb", "a", "", "--", "+\x00", "[\xff", "(\x00"];

test("ZLEXCOUNT and lex range syntax: [ ( - + bounds, empty ranges, errors", async () => {
  const cmds: Arg[][] = [["ZADD", "zl:a", "0", "a", "0", "b", "0", "bb", "0", "c", "0", "", "0", "\xff"]];
  for (const min of LEX_BOUNDS) for (const max of ["+", "[b", "(bb", "-", "[\xff", "x"]) cmds.push(["ZLEXCOUNT", "zl:a", min, max]);
  cmds.push(["ZLEXCOUNT", "zl:missing", "-", "+"], ["ZLEXCOUNT", "zl:missing", "a", "+"], ["SET", "zl:str", "x"]);
  cmds.push(["ZLEXCOUNT", "zl:str", "-", "+"], ["ZLEXCOUNT", "zl:str", "x", "+"]);
  await same(cmds);
});

test("ZRANGE by rank, BYSCORE, BYLEX, REV, LIMIT, WITHSCORES and every syntax error", async () => {
  const cmds: Arg[][] = [["ZADD", "zg:a", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "5", "f"]];
  for (const [s, e] of [["0", "-1"], ["1", "3"], ["-2", "-1"], ["-100", "100"], ["3", "1"], ["6", "10"], ["5", "5"], ["-1", "-1"], ["0", "0"], ["9223372036854775807", "-9223372036854775808"]]) {
    cmds.push(["ZRANGE", "zg:a", s!, e!], ["ZRANGE", "zg:a", s!, e!, "REV", "WITHSCORES"], ["ZREVRANGE", "zg:a", s!, e!, "withscores"]);
  }
  for (const [min, max] of [["-inf", "+inf"], ["2", "(5"], ["(1", "5"], ["5", "1"], ["(2", "(2"], ["2", "2"], ["10", "20"]]) {
    cmds.push(
      ["ZRANGE", "zg:a", min!, max!, "BYSCORE"],
      ["ZRANGE", "zg:a", max!, min!, "BYSCORE", "REV", "WITHSCORES"],
      ["ZRANGEBYSCORE", "zg:a", min!, max!, "WITHSCORES"],
      ["ZREVRANGEBYSCORE", "zg:a", max!, min!],
    );
    for (const [o, l] of [["0", "2"], ["1", "-1"], ["-1", "2"], ["2", "0"], ["10", "1"], ["5", "10"], ["6", "1"]]) {
      cmds.push(["ZRANGEBYSCORE", "zg:a", min!, max!, "LIMIT", o!, l!], ["ZREVRANGEBYSCORE", "zg:a", max!, min!, "WITHSCORES", "LIMIT", o!, l!]);
    }
  }
  cmds.push(["ZADD", "zg:lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"]);
  for (const [min, max] of [["-", "+"], ["[b", "(d"], ["(a", "[c"], ["+", "-"], ["[c", "[c"], ["(c", "[c"], ["[z", "+"]]) {
    cmds.push(
      ["ZRANGE", "zg:lex", min!, max!, "BYLEX"],
      ["ZRANGE", "zg:lex", max!, min!, "BYLEX", "REV"],
      ["ZRANGEBYLEX", "zg:lex", min!, max!, "LIMIT", "1", "2"],
      ["ZREVRANGEBYLEX", "zg:lex", max!, min!, "LIMIT", "0", "3"],
      ["ZRANGEBYLEX", "zg:lex", min!, max!, "LIMIT", "-1", "2"],
      ["ZREVRANGEBYLEX", "zg:lex", max!, min!],
    );
  }
  cmds.push(
    ["ZRANGE", "zg:a", "(1", "5", "byscore", "limit", "1", "2", "withscores"],
    ["ZRANGE", "zg:a", "0", "-1", "LIMIT", "0", "1"],
    ["ZRANGE", "zg:a", "-", "+", "BYLEX", "WITHSCORES"],
    ["ZRANGE", "zg:a", "0", "-1", "LIMIT", "0"],
    ["ZRANGE", "zg:a", "0", "-1", "REV", "REV"],
    ["ZRANGE", "zg:a", "0", "-1", "BYSCORE", "BYLEX"],
    ["ZRANGE", "zg:a", "0", "-1", "BYSCORE", "BYSCORE"],
    ["ZRANGE", "zg:a", "0", "-1", "FOO"],
    ["ZRANGE", "zg:a", "a", "b"],
    ["ZRANGE", "zg:a", "0", "1.5"],
    ["ZRANGE", "zg:a", "a", "b", "BYSCORE"],
    ["ZRANGE", "zg:a", "a", "b", "BYLEX"],
    ["ZRANGE", "zg:a", "0", "1", "BYSCORE", "LIMIT", "a", "1"],
    ["ZRANGE", "zg:a", "0", "1", "BYSCORE", "LIMIT", "0", "x"],
    ["ZRANGE", "zg:a", "0", "-1", "LIMIT", "a", "1", "WITHSCORES", "BYLEX"],
    ["ZRANGE", "zg:a", "0", "-1", "WITHSCORES", "LIMIT", "0", "1", "BYLEX"],
    ["ZREVRANGE", "zg:a", "0", "-1", "LIMIT", "0", "1"],
    ["ZREVRANGE", "zg:a", "0", "-1", "REV"],
    ["ZREVRANGE", "zg:a", "0", "-1", "BYSCORE"],
    ["ZRANGEBYSCORE", "zg:a", "0", "1", "BYSCORE"],
    ["ZRANGEBYSCORE", "zg:a", "0", "1", "REV"],
    ["ZRANGEBYSCORE", "zg:a", "0", "1", "LIMIT", "0"],
    ["ZRANGEBYLEX", "zg:a", "-", "+", "WITHSCORES"],
    ["ZRANGEBYLEX", "zg:a", "-", "+", "BYLEX"],
    ["ZRANGEBYLEX", "zg:a", "a", "+"],
    ["ZREVRANGEBYLEX", "zg:a", "+", "a"],
    ["ZREVRANGEBYSCORE", "zg:a", "x", "0"],
    ["ZRANGE", "zg:missing", "0", "-1"],
    ["ZRANGE", "zg:missing", "a", "b"],
    ["ZRANGEBYSCORE", "zg:missing", "0", "1"],
    ["ZRANGE", "zg:a", "0"],
    ["ZRANGEBYSCORE", "zg:a", "0"],
    ["SET", "zg:str", "x"],
    ["ZRANGE", "zg:str", "0", "-1"],
    ["ZRANGE", "zg:str", "a", "b"],
    ["ZRANGE", "zg:str", "a", "b", "BYLEX"],
    ["ZRANGE", "zg:str", "0", "1", "FOO"],
    ["ZRANGEBYLEX", "zg:str", "-", "+"],
  );
  await same(cmds);
});

test("ZRANGESTORE: every range kind, empty results delete the destination, TTL dropped, errors", async () => {
  await same([
    ["ZADD", "zs:src", "1", "a", "2", "b", "3", "c", "4", "d"],
    ["ZRANGESTORE", "zs:d1", "zs:src", "1", "2"],
    ["ZRANGE", "zs:d1", "0", "-1", "WITHSCORES"],
    ["ZRANGESTORE", "zs:d2", "zs:src", "(1", "+inf", "BYSCORE", "LIMIT", "1", "5"],
    ["ZRANGE", "zs:d2", "0", "-1", "WITHSCORES"],
    ["ZRANGESTORE", "zs:d3", "zs:src", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "0", "2"],
    ["ZRANGE", "zs:d3", "0", "-1", "WITHSCORES"],
    ["ZRANGESTORE", "zs:d4", "zs:src", "[b", "+", "BYLEX"],
    ["ZRANGE", "zs:d4", "0", "-1"],
    ["ZRANGESTORE", "zs:d5", "zs:src", "0", "-1", "REV"],
    ["ZRANGE", "zs:d5", "0", "-1"],
    ["SET", "zs:d6", "x", "EX", "100"],
    ["ZRANGESTORE", "zs:d6", "zs:src", "0", "0"],
    ["TTL", "zs:d6"],
    ["TYPE", "zs:d6"],
    ["ZRANGESTORE", "zs:d6", "zs:src", "10", "20"],
    ["EXISTS", "zs:d6"],
    ["ZRANGESTORE", "zs:d7", "zs:missing", "0", "-1"],
    ["EXISTS", "zs:d7"],
    ["ZRANGESTORE", "zs:src", "zs:src", "0", "1"],
    ["ZRANGE", "zs:src", "0", "-1"],
    ["ZRANGESTORE", "zs:d8", "zs:src", "0", "-1", "WITHSCORES"],
    ["ZRANGESTORE", "zs:d8", "zs:src", "0", "-1", "LIMIT", "0", "1"],
    ["ZRANGESTORE", "zs:d8", "zs:src", "a", "b", "BYSCORE"],
    ["ZRANGESTORE", "zs:d8", "zs:src", "0"],
    ["SET", "zs:str", "x"],
    ["ZRANGESTORE", "zs:d8", "zs:str", "0", "-1"],
    ["ZRANGESTORE", "zs:str", "zs:src", "0", "-1"],
    ["TYPE", "zs:str"],
  ]);
});

test("ZREMRANGEBYRANK / BYSCORE / BYLEX: ranges, clamping, key removal, errors", async () => {
  const fill = (k: string): Arg[] => ["ZADD", k, "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"];
  await same([
    fill("zx:r"),
    ["ZREMRANGEBYRANK", "zx:r", "1", "2"],
    ["ZRANGE", "zx:r", "0", "-1"],
    ["ZREMRANGEBYRANK", "zx:r", "-1", "-1"],
    ["ZREMRANGEBYRANK", "zx:r", "5", "10"],
    ["ZREMRANGEBYRANK", "zx:r", "2", "1"],
    ["ZREMRANGEBYRANK", "zx:r", "-100", "100"],
    ["EXISTS", "zx:r"],
    ["ZREMRANGEBYRANK", "zx:r", "0", "1"],
    ["ZREMRANGEBYRANK", "zx:r", "a", "1"],
    fill("zx:s"),
    ["ZREMRANGEBYSCORE", "zx:s", "(1", "3"],
    ["ZREMRANGEBYSCORE", "zx:s", "10", "20"],
    ["ZREMRANGEBYSCORE", "zx:s", "5", "1"],
    ["ZRANGE", "zx:s", "0", "-1"],
    ["ZREMRANGEBYSCORE", "zx:s", "-inf", "+inf"],
    ["EXISTS", "zx:s"],
    ["ZREMRANGEBYSCORE", "zx:s", "x", "1"],
    ["ZREMRANGEBYSCORE", "zx:missing", "0", "1"],
    ["ZADD", "zx:l", "0", "a", "0", "b", "0", "c", "0", "d"],
    ["ZREMRANGEBYLEX", "zx:l", "(a", "[c"],
    ["ZREMRANGEBYLEX", "zx:l", "+", "-"],
    ["ZRANGE", "zx:l", "0", "-1"],
    ["ZREMRANGEBYLEX", "zx:l", "-", "+"],
    ["EXISTS", "zx:l"],
    ["ZREMRANGEBYLEX", "zx:l", "a", "+"],
    ["ZREMRANGEBYLEX", "zx:missing", "-", "+"],
    ["SET", "zx:str", "x"],
    ["ZREMRANGEBYRANK", "zx:str", "0", "1"],
    ["ZREMRANGEBYSCORE", "zx:str", "0", "1"],
    ["ZREMRANGEBYLEX", "zx:str", "-", "+"],
    ["ZREMRANGEBYSCORE", "zx:str", "x", "1"],
    ["ZREMRANGEBYRANK", "zx:str", "0"],
  ]);
});

test("ZPOPMIN ZPOPMAX ZMPOP: counts, order, key removal, errors (RESP2 and RESP3)", async () => {
  const cmds: Arg[][] = [
    ["ZADD", "zp:a", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
    ["ZPOPMIN", "zp:a"],
    ["ZPOPMAX", "zp:a"],
    ["ZPOPMIN", "zp:a", "2"],
    ["ZPOPMAX", "zp:a", "0"],
    ["ZPOPMAX", "zp:a", "10"],
    ["EXISTS", "zp:a"],
    ["ZPOPMIN", "zp:a"],
    ["ZPOPMIN", "zp:a", "1"],
    ["ZPOPMIN", "zp:a", "-1"],
    ["ZPOPMIN", "zp:a", "abc"],
    ["ZPOPMIN", "zp:a", "1", "2"],
    ["SET", "zp:str", "x"],
    ["ZPOPMIN", "zp:str"],
    ["ZPOPMAX", "zp:str", "0"],
    ["ZPOPMIN", "zp:str", "-1"],
    ["ZADD", "zp:b", "1", "a", "2", "b", "3", "c"],
    ["ZMPOP", "2", "zp:missing", "zp:b", "MIN"],
    ["ZMPOP", "2", "zp:missing", "zp:b", "max", "COUNT", "10"],
    ["EXISTS", "zp:b"],
    ["ZMPOP", "1", "zp:b", "MIN"],
    ["ZMPOP", "2", "zp:missing", "zp:str", "MIN"],
    ["ZMPOP", "2", "zp:str", "zp:missing", "MIN"],
    ["ZMPOP", "0", "zp:b", "MIN"],
    ["ZMPOP", "-1", "zp:b", "MIN"],
    ["ZMPOP", "abc", "zp:b", "MIN"],
    ["ZMPOP", "3", "zp:b", "MIN"],
    ["ZMPOP", "1", "zp:b", "FOO"],
    ["ZMPOP", "1", "zp:b", "MIN", "COUNT"],
    ["ZMPOP", "1", "zp:b", "MIN", "COUNT", "0"],
    ["ZMPOP", "1", "zp:b", "MIN", "COUNT", "abc"],
    ["ZMPOP", "1", "zp:b", "MIN", "COUNT", "1", "COUNT", "1"],
    ["ZMPOP", "1", "zp:b", "MIN", "FOO"],
    ["ZMPOP", "1", "zp:b"],
  ];
  await same(cmds);
  await same3(cmds);
});

test("ZRANDMEMBER: errors, empty cases and whole-set replies are exact; samples have the right shape", async () => {
  const cmds: Arg[][] = [
    ["ZADD", "zd:a", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
    ["ZRANDMEMBER", "zd:missing"],
    ["ZRANDMEMBER", "zd:missing", "5"],
    ["ZRANDMEMBER", "zd:missing", "-5", "WITHSCORES"],
    ["ZRANDMEMBER", "zd:a", "0"],
    ["ZRANDMEMBER", "zd:a", "5"],
    ["ZRANDMEMBER", "zd:a", "100", "WITHSCORES"],
    ["ZRANDMEMBER", "zd:a", "abc"],
    ["ZRANDMEMBER", "zd:a", "1.5"],
    ["ZRANDMEMBER", "zd:a", "-9223372036854775808"],
    ["ZRANDMEMBER", "zd:a", "5000000000000000000", "WITHSCORES"],
    ["ZRANDMEMBER", "zd:a", "-5000000000000000000", "WITHSCORES"],
    ["ZRANDMEMBER", "zd:a", "1", "FOO"],
    ["ZRANDMEMBER", "zd:a", "1", "WITHSCORES", "x"],
    ["SET", "zd:str", "x"],
    ["ZRANDMEMBER", "zd:str"],
    ["ZRANDMEMBER", "zd:str", "0"],
    ["ZRANDMEMBER", "zd:str", "abc"],
  ];
  await same(cmds);
  await same3(cmds);
  const c = await RawConn.connect(pair.kv.port);
  try {
    const all = new Map([["a", "1"], ["b", "2"], ["c", "3"], ["d", "4"], ["e", "5"]]);
    const big = Array.from({ length: 300 }, (_, i) => [String(i), `m${i}`]).flat();
    await c.call("ZADD", "zd:big", ...big);
    for (const key of ["zd:a", "zd:big"]) {
      const size = key === "zd:a" ? 5 : 300;
      const one = decode(await c.call("ZRANDMEMBER", key)) as string;
      expect(typeof one).toBe("string");
      for (const n of [1, 3, 4, size - 1]) {
        const got = decode(await c.call("ZRANDMEMBER", key, n)) as string[];
        expect(got.length).toBe(n);
        expect(new Set(got).size).toBe(n);
        const ws = decode(await c.call("ZRANDMEMBER", key, n, "WITHSCORES")) as string[];
        expect(ws.length).toBe(2 * n);
        for (let i = 0; i < ws.length; i += 2) {
          if (key === "zd:a") expect(all.get(ws[i]!)).toBe(ws[i + 1]!);
          else expect(`m${ws[i + 1]}`).toBe(ws[i]!);
        }
      }
      const rep = decode(await c.call("ZRANDMEMBER", key, -20, "WITHSCORES")) as string[];
      expect(rep.length).toBe(40);
    }
    // Negative counts repeat: 200 draws out of 5 members must repeat.
    const rep = decode(await c.call("ZRANDMEMBER", "zd:a", -200)) as string[];
    expect(rep.length).toBe(200);
    expect(new Set(rep).size).toBeLessThanOrEqual(5);
  } finally {
    c.close();
  }
});

test("ZUNION ZINTER ZDIFF and their STORE forms, ZINTERCARD: weights, aggregates, sets as inputs, errors", async () => {
  const cmds: Arg[][] = [
    ["ZADD", "zu:a", "1", "a", "2", "b", "3", "c"],
    ["ZADD", "zu:b", "10", "b", "20", "c", "30", "d"],
    ["SADD", "zu:s", "a", "d", "x"],
    ["SADD", "zu:i", "1", "2", "b"],
    ["ZADD", "zu:inf", "inf", "a", "-inf", "b", "0", "c"],
  ];
  const inputs: Arg[][] = [["1", "zu:a"], ["2", "zu:a", "zu:b"], ["3", "zu:a", "zu:b", "zu:s"], ["2", "zu:s", "zu:i"], ["2", "zu:a", "zu:missing"], ["2", "zu:a", "zu:a"], ["2", "zu:inf", "zu:inf"], ["2", "zu:a", "zu:inf"]];
  for (const inp of inputs) {
    const n = Number(inp[0]);
    for (const op of ["ZUNION", "ZINTER"]) {
      cmds.push([op, ...inp, "WITHSCORES"]);
      cmds.push([op, ...inp]);
      cmds.push([op, ...inp, "AGGREGATE", "MIN", "WITHSCORES"]);
      cmds.push([op, ...inp, "WITHSCORES", "AGGREGATE", "max"]);
      cmds.push([op, ...inp, "WEIGHTS", ...Array.from({ length: n }, (_, i) => String(i === 0 ? 2 : -0.5)), "WITHSCORES"]);
      cmds.push([op, ...inp, "WEIGHTS", ...Array.from({ length: n }, () => "0"), "WITHSCORES"]);
      cmds.push([op, ...inp, "WEIGHTS", ...Array.from({ length: n }, () => "inf"), "AGGREGATE", "SUM", "WITHSCORES"]);
      cmds.push([`${op}STORE`, "zu:dst", ...inp, "WEIGHTS", ...Array.from({ length: n }, () => "1.5")]);
      cmds.push(["ZRANGE", "zu:dst", "0", "-1", "WITHSCORES"]);
    }
    cmds.push(["ZDIFF", ...inp, "WITHSCORES"], ["ZDIFF", ...inp], ["ZDIFFSTORE", "zu:dst", ...inp], ["ZRANGE", "zu:dst", "0", "-1", "WITHSCORES"]);
    cmds.push(["ZINTERCARD", ...inp], ["ZINTERCARD", ...inp, "LIMIT", "1"], ["ZINTERCARD", ...inp, "LIMIT", "0"]);
    cmds.push(["EXISTS", "zu:dst"]);
  }
  cmds.push(
    ["SET", "zu:dst2", "x", "EX", "100"],
    ["ZUNIONSTORE", "zu:dst2", "1", "zu:a"],
    ["TTL", "zu:dst2"],
    ["ZINTERSTORE", "zu:dst2", "2", "zu:a", "zu:missing"],
    ["EXISTS", "zu:dst2"],
    ["ZUNIONSTORE", "zu:a2", "2", "zu:a", "zu:b"],
    ["ZUNIONSTORE", "zu:a2", "2", "zu:a2", "zu:b"],
    ["ZRANGE", "zu:a2", "0", "-1", "WITHSCORES"],
    ["ZUNION", "0", "zu:a"],
    ["ZUNION", "-1", "zu:a"],
    ["ZUNION", "abc", "zu:a"],
    ["ZUNION", "3", "zu:a", "zu:b"],
    ["ZUNIONSTORE", "zu:dst", "0", "zu:a"],
    ["ZINTERSTORE", "zu:dst", "0", "zu:a"],
    ["ZDIFFSTORE", "zu:dst", "0", "zu:a"],
    ["ZINTER", "0", "zu:a"],
    ["ZDIFF", "0", "zu:a"],
    ["ZINTERCARD", "0", "zu:a"],
    ["ZINTERCARD", "3", "zu:a"],
    ["ZUNION", "1", "zu:a", "WEIGHTS"],
    ["ZUNION", "2", "zu:a", "zu:b", "WEIGHTS", "1"],
    ["ZUNION", "1", "zu:a", "WEIGHTS", "x"],
    ["ZUNION", "1", "zu:a", "WEIGHTS", "nan"],
    ["ZUNION", "1", "zu:a", "AGGREGATE"],
    ["ZUNION", "1", "zu:a", "AGGREGATE", "avg"],
    ["ZUNION", "1", "zu:a", "FOO"],
    ["ZUNIONSTORE", "zu:dst", "1", "zu:a", "WITHSCORES"],
    ["ZDIFF", "1", "zu:a", "WEIGHTS", "1"],
    ["ZDIFF", "1", "zu:a", "AGGREGATE", "SUM"],
    ["ZINTERCARD", "1", "zu:a", "WITHSCORES"],
    ["ZINTERCARD", "1", "zu:a", "WEIGHTS", "1"],
    ["ZINTERCARD", "1", "zu:a", "LIMIT"],
    ["ZINTERCARD", "1", "zu:a", "LIMIT", "-1"],
    ["ZINTERCARD", "1", "zu:a", "LIMIT", "abc"],
    ["ZINTERCARD", "1", "zu:a", "LIMIT", "1", "LIMIT", "2"],
    ["SET", "zu:str", "x"],
    ["ZUNION", "2", "zu:a", "zu:str"],
    ["ZUNION", "2", "zu:a", "zu:str", "FOO"],
    ["ZINTERSTORE", "zu:dst", "2", "zu:str", "zu:a"],
    ["ZDIFF", "2", "zu:missing", "zu:str"],
    ["ZINTERCARD", "1", "zu:str"],
    ["ZUNIONSTORE", "zu:str", "1", "zu:a"],
    ["TYPE", "zu:str"],
    ["ZUNION", "1"],
    ["ZUNIONSTORE", "zu:dst", "1"],
  );
  await same(cmds);
});

test("RESP3: scores are doubles, WITHSCORES replies are [member, score] pairs, nils are nulls", async () => {
  await same3([
    ["ZADD", "z3:a", "1.5", "a", "2", "b", "inf", "c", "-0.25", "d"],
    ["ZSCORE", "z3:a", "a"],
    ["ZSCORE", "z3:a", "c"],
    ["ZSCORE", "z3:a", "nope"],
    ["ZMSCORE", "z3:a", "a", "nope", "c"],
    ["ZINCRBY", "z3:a", "1", "a"],
    ["ZADD", "z3:a", "INCR", "1", "b"],
    ["ZADD", "z3:a", "XX", "INCR", "1", "nope"],
    ["ZRANGE", "z3:a", "0", "-1", "WITHSCORES"],
    ["ZRANGE", "z3:a", "0", "-1"],
    ["ZRANGEBYSCORE", "z3:a", "-inf", "+inf", "WITHSCORES", "LIMIT", "1", "2"],
    ["ZREVRANGE", "z3:a", "0", "1", "WITHSCORES"],
    ["ZUNION", "1", "z3:a", "WITHSCORES"],
    ["ZINTER", "1", "z3:a", "WITHSCORES"],
    ["ZDIFF", "1", "z3:a", "WITHSCORES"],
    ["ZRANK", "z3:a", "nope"],
    ["ZSCAN", "z3:a", "0"],
    ["ZRANDMEMBER", "z3:missing"],
    ["ZPOPMIN", "z3:a"],
    ["ZPOPMAX", "z3:a", "2"],
    ["ZMPOP", "1", "z3:missing", "MIN"],
  ]);
});

test("OBJECT ENCODING: listpack until an entry or length limit, skiplist for good; stores shrink back", async () => {
  const m64 = "x".repeat(64);
  const m65 = "y".repeat(65);
  const many = (n: number, prefix: string): string[] => Array.from({ length: n }, (_, i) => [String(i), `${prefix}${i}`]).flat();
  await same([
    ["ZADD", "ze:a", ...many(128, "m")],
    enc("ze:a"),
    ["ZADD", "ze:a", "1", "m1"],
    enc("ze:a"),
    ["ZADD", "ze:a", "1", "extra"],
    enc("ze:a"),
    ["ZREMRANGEBYRANK", "ze:a", "0", "-3"],
    enc("ze:a"),
    ["ZADD", "ze:v", "1", m64],
    enc("ze:v"),
    ["ZADD", "ze:v", "1", m65],
    enc("ze:v"),
    ["ZADD", "ze:w", "1", m65],
    enc("ze:w"),
    ["ZADD", "ze:dup", ...Array.from({ length: 129 }, () => ["1", "same"]).flat()],
    enc("ze:dup"),
    ["ZINCRBY", "ze:inc", "1", m65],
    enc("ze:inc"),
    ["ZUNIONSTORE", "ze:u", "1", "ze:a"],
    enc("ze:u"),
    ["ZUNIONSTORE", "ze:u2", "1", "ze:v"],
    enc("ze:u2"),
    ["ZADD", "ze:b", ...many(200, "n")],
    ["ZRANGESTORE", "ze:r", "ze:b", "0", "127"],
    enc("ze:r"),
    ["ZRANGESTORE", "ze:r", "ze:b", "0", "128"],
    enc("ze:r"),
    ["ZRANGESTORE", "ze:r", "ze:b", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "10"],
    enc("ze:r"),
    ["ZINTERSTORE", "ze:i", "2", "ze:b", "ze:b"],
    enc("ze:i"),
    ["ZDIFFSTORE", "ze:d", "2", "ze:b", "ze:a"],
    enc("ze:d"),
    ["ZRANGEBYLEX", "ze:v", "-", "+"],
  ]);
  await configBoth("zset-max-listpack-entries", "2");
  await configBoth("zset-max-listpack-value", "3");
  try {
    await same([
      ["ZADD", "ze:c", "1", "a", "2", "b"],
      enc("ze:c"),
      ["ZADD", "ze:c", "3", "c"],
      enc("ze:c"),
      ["ZADD", "ze:c2", "1", "abcd"],
      enc("ze:c2"),
      ["ZADD", "ze:c3", "1", "a", "1", "abcd"],
      enc("ze:c3"),
      ["ZRANGESTORE", "ze:c4", "ze:c", "1", "3", "BYSCORE"],
      enc("ze:c4"),
      ["ZRANGESTORE", "ze:c4", "ze:c", "1", "2", "BYSCORE"],
      enc("ze:c4"),
      ["ZUNIONSTORE", "ze:c5", "1", "ze:c3"],
      enc("ze:c5"),
    ]);
    await configBoth("zset-max-listpack-entries", "0");
    await same([["ZADD", "ze:z", "1", "a"], enc("ze:z"), ["ZRANGESTORE", "ze:z2", "ze:z", "0", "-1"], enc("ze:z2")]);
  } finally {
    await configBoth("zset-max-listpack-entries", "128");
    await configBoth("zset-max-listpack-value", "64");
  }
});

test("ZSCAN: a listpack comes whole in one call; options and errors; a skiplist scan sees everything", async () => {
  await same([
    ["ZADD", "zn:a", "1", "a", "2", "b", "1.5", "ab", "inf", "c"],
    ["ZSCAN", "zn:a", "0"],
    ["ZSCAN", "zn:a", "0", "COUNT", "1"],
    ["ZSCAN", "zn:a", "123", "MATCH", "a*"],
    ["ZSCAN", "zn:a", "0", "MATCH", "*"],
    ["ZSCAN", "zn:a", "0", "match", "[ab]", "count", "100"],
    ["ZSCAN", "zn:a", "0", "COUNT", "0"],
    ["ZSCAN", "zn:a", "0", "COUNT", "-1"],
    ["ZSCAN", "zn:a", "0", "COUNT", "x"],
    ["ZSCAN", "zn:a", "0", "COUNT"],
    ["ZSCAN", "zn:a", "0", "TYPE", "zset"],
    ["ZSCAN", "zn:a", "abc"],
    ["ZSCAN", "zn:a", "-1"],
    ["ZSCAN", "zn:missing", "0"],
    ["ZSCAN", "zn:missing", "0", "FOO"],
    ["SET", "zn:str", "x"],
    ["ZSCAN", "zn:str", "0"],
    ["ZSCAN", "zn:a"],
  ]);
  const args: Arg[] = [];
  for (let i = 0; i < 500; i++) args.push(String(i / 4), `m${i}`);
  await same([["ZADD", "zn:big", ...args], enc("zn:big")]);
  const scan = async (port: number, extra: Arg[]): Promise<Map<string, string>> => {
    const c = await RawConn.connect(port);
    const seen = new Map<string, string>();
    try {
      let cursor = "0";
      let calls = 0;
      do {
        const r = decode(await c.call("ZSCAN", "zn:big", cursor, ...extra)) as [string, string[]];
        cursor = r[0];
        for (let i = 0; i < r[1].length; i += 2) seen.set(r[1][i]!, r[1][i + 1]!);
        expect(++calls).toBeLessThan(10000);
      } while (cursor !== "0");
    } finally {
      c.close();
    }
    return seen;
  };
  for (const extra of [[], ["COUNT", "7"], ["MATCH", "m1*"], ["MATCH", "m2*", "COUNT", "1000"]] as Arg[][]) {
    const [a, b] = await Promise.all([scan(pair.kv.port, extra), scan(pair.redis.port, extra)]);
    expect([...a].sort()).toEqual([...b].sort());
  }
});

test("COMMAND INFO of every sorted set command matches redis-server 7.0 byte for byte", async () => {
  const names = [
    "zadd", "zincrby", "zrem", "zcard", "zcount", "zlexcount", "zscore", "zmscore", "zrange", "zrangebyscore",
    "zrank", "zrevrank", "zrevrangebyscore", "zrangebylex", "zrevrangebylex", "zrevrange", "zrangestore", "zremrangebyrank",
    "zremrangebyscore", "zremrangebylex", "zpopmin", "zpopmax", "zmpop", "zrandmember", "zunion", "zinter", "zdiff",
    "zunionstore", "zinterstore", "zdiffstore", "zintercard", "zscan",
  ];
  await same(names.map((n) => ["COMMAND", "INFO", n]));
});

test("ZMPOP propagates as ZPOPMIN/ZPOPMAX with a count, as Redis writes it to its AOF", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kv-zset-aof-"));
  const redis = await startRedis(["--appendonly", "yes", "--dir", dir]);
  const kv = await startKv();
  const fed: string[][] = [];
  const off = kv.server.propagation.subscribe({
    feed: (_db: number, argv: readonly PropArg[]) => void fed.push(argv.map((a) => (typeof a === "string" ? a : Buffer.from(a).toString("latin1")))),
  });
  try {
    const cmds: Arg[][] = [
      ["ZADD", "p:z", "1", "a", "2", "b", "3", "c", "4", "d"],
      ["ZADD", "p:z", "NX", "5", "a"],
      ["ZMPOP", "2", "p:missing", "p:z", "MIN"],
      ["ZMPOP", "1", "p:z", "max", "COUNT", "2"],
      ["ZMPOP", "1", "p:missing", "MAX"],
      ["ZINCRBY", "p:z", "1.5", "b"],
      ["ZPOPMIN", "p:z", "5"],
      ["ZREM", "p:z", "zz"],
    ];
    for (const port of [kv.port, redis.port]) {
      const c = await RawConn.connect(port);
      for (const cmd of cmds) await c.call(...cmd);
      c.close();
    }
    await Bun.sleep(50);
    const sub = join(dir, "appendonlydir");
    const file = readdirSync(sub).find((f) => f.endsWith(".incr.aof"))!;
    const text = readFileSync(join(sub, file)).toString("latin1");
    const aof: string[][] = [];
    for (let p = 0; p < text.length; ) {
      const [v, q] = decodeAt(text, p);
      p = q;
      const argv = v as string[];
      if (argv[0]!.toUpperCase() !== "SELECT") aof.push(argv);
    }
    expect(fed).toEqual(aof);
  } finally {
    off();
    await kv.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- property ----

const SEED = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));

/**
 * Random command sequences over two keys, compared reply by reply. With skiplist true the
 * listpack limits are tiny so most sets are skiplists: lex ranges over mixed scores and ZSCAN's
 * page order are then Redis's own walk, so those commands are left out of that run.
 */
async function zsetProperty(skiplist: boolean, numRuns: number): Promise<void> {
  const key = fc.constantFrom("k0", "k1");
  const member = fc.constantFrom("a", "b", "c", "d", "e", "f", "", "\xff", "aa");
  const score = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom("0", "1", "-1", "2.5", "1e3", "-inf", "+inf", "0.1", "-0", "3", "2", "1.5") },
    { weight: 1, arbitrary: fc.constantFrom("x", "1e400", "nan") },
  );
  const bound = fc.constantFrom("-inf", "+inf", "0", "(0", "1", "(1", "2.5", "(3", "x", "(");
  const lex = fc.constantFrom("-", "+", "[a", "(a", "[c", "(d", "[", "b", "[aa", "(\xff");
  const idx = fc.constantFrom("0", "1", "-1", "-2", "2", "5", "-10", "x");
  const opts = fc.subarray(["NX", "XX", "GT", "LT", "CH", "INCR"], { maxLength: 2 });
  const pairs = fc.array(fc.tuple(score, member), { minLength: 1, maxLength: 3 }).map((ps) => ps.flat());
  const limit = fc.option(fc.tuple(fc.constantFrom("0", "1", "-1", "2"), fc.constantFrom("1", "2", "-1", "0")), { nil: undefined });
  const ws = fc.boolean();
  const common: fc.Arbitrary<string[]>[] = [
    fc.tuple(key, opts, pairs).map(([k, o, p]) => ["ZADD", k, ...o, ...p]),
    fc.tuple(key, opts, pairs).map(([k, o, p]) => ["ZADD", k, ...o, ...p]),
    fc.tuple(key, opts, pairs).map(([k, o, p]) => ["ZADD", k, ...o, ...p]),
    fc.tuple(key, score, member).map(([k, s, m]) => ["ZINCRBY", k, s, m]),
    fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 3 })).map(([k, ms]) => ["ZREM", k, ...ms]),
    key.map((k) => ["ZCARD", k]),
    fc.tuple(key, member).map(([k, m]) => ["ZSCORE", k, m]),
    fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 3 })).map(([k, ms]) => ["ZMSCORE", k, ...ms]),
    fc.tuple(key, member, fc.boolean()).map(([k, m, r]) => [r ? "ZREVRANK" : "ZRANK", k, m]),
    fc.tuple(key, bound, bound).map(([k, a, b]) => ["ZCOUNT", k, a, b]),
    fc.tuple(key, idx, idx, fc.boolean(), ws).map(([k, a, b, r, w]) => ["ZRANGE", k, a, b, ...(r ? ["REV"] : []), ...(w ? ["WITHSCORES"] : [])]),
    fc.tuple(key, bound, bound, fc.boolean(), ws, limit).map(([k, a, b, r, w, l]) => [
      r ? "ZREVRANGEBYSCORE" : "ZRANGEBYSCORE", k, a, b, ...(w ? ["WITHSCORES"] : []), ...(l ? ["LIMIT", ...l] : []),
    ]),
    fc.tuple(key, bound, bound, fc.boolean(), ws, limit).map(([k, a, b, r, w, l]) => [
      "ZRANGE", k, a, b, "BYSCORE", ...(r ? ["REV"] : []), ...(w ? ["WITHSCORES"] : []), ...(l ? ["LIMIT", ...l] : []),
    ]),
    fc.tuple(key, idx, idx, ws).map(([k, a, b, w]) => ["ZREVRANGE", k, a, b, ...(w ? ["WITHSCORES"] : [])]),
    fc.tuple(key, key, idx, idx).map(([d, k, a, b]) => ["ZRANGESTORE", d, k, a, b]),
    fc.tuple(key, key, bound, bound, limit).map(([d, k, a, b, l]) => ["ZRANGESTORE", d, k, a, b, "BYSCORE", ...(l ? ["LIMIT", ...l] : [])]),
    fc.tuple(key, idx, idx).map(([k, a, b]) => ["ZREMRANGEBYRANK", k, a, b]),
    fc.tuple(key, bound, bound).map(([k, a, b]) => ["ZREMRANGEBYSCORE", k, a, b]),
    fc.tuple(key, fc.boolean(), fc.constantFrom([], ["0"], ["1"], ["3"], ["-1"])).map(([k, max, n]) => [max ? "ZPOPMAX" : "ZPOPMIN", k, ...n]),
    fc.tuple(fc.boolean(), fc.constantFrom([], ["COUNT", "2"])).map(([max, n]) => ["ZMPOP", "2", "k0", "k1", max ? "MAX" : "MIN", ...n]),
    fc.tuple(fc.constantFrom("ZUNION", "ZINTER", "ZDIFF"), ws).map(([op, w]) => [op, "2", "k0", "k1", ...(w ? ["WITHSCORES"] : [])]),
    fc.tuple(fc.constantFrom("ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"), key).map(([op, d]) => [op, d, "2", "k0", "k1"]),
    fc.tuple(fc.constantFrom("SUM", "MIN", "MAX"), fc.constantFrom("1", "-2", "0.5", "inf")).map(([ag, w]) => ["ZUNION", "2", "k0", "k1", "WEIGHTS", w, "1", "AGGREGATE", ag, "WITHSCORES"]),
    fc.tuple(fc.constantFrom("SUM", "MIN", "MAX"), fc.constantFrom("1", "-2", "0.5", "inf")).map(([ag, w]) => ["ZINTER", "2", "k0", "k1", "WEIGHTS", w, "1", "AGGREGATE", ag, "WITHSCORES"]),
    fc.constantFrom<string[]>(["ZINTERCARD", "2", "k0", "k1"], ["ZINTERCARD", "2", "k0", "k1", "LIMIT", "1"]),
    key.map((k) => ["ZRANDMEMBER", k, "100", "WITHSCORES"]),
    key.map((k) => ["OBJECT", "ENCODING", k]),
    key.map((k) => ["SET", k, "str"]),
    key.map((k) => ["DEL", k]),
  ];
  const lexOnly: fc.Arbitrary<string[]>[] = [
    key.map((k) => ["ZADD", k, "0", "a", "0", "b", "0", "c", "0", "d"]),
    fc.tuple(key, lex, lex).map(([k, a, b]) => ["ZLEXCOUNT", k, a, b]),
    fc.tuple(key, lex, lex, fc.boolean(), limit).map(([k, a, b, r, l]) => [r ? "ZREVRANGEBYLEX" : "ZRANGEBYLEX", k, a, b, ...(l ? ["LIMIT", ...l] : [])]),
    fc.tuple(key, lex, lex, fc.boolean(), limit).map(([k, a, b, r, l]) => ["ZRANGE", k, a, b, "BYLEX", ...(r ? ["REV"] : []), ...(l ? ["LIMIT", ...l] : [])]),
    fc.tuple(key, lex, lex).map(([k, a, b]) => ["ZREMRANGEBYLEX", k, a, b]),
    key.map((k) => ["ZSCAN", k, "0"]),
  ];
  const command = fc.oneof(...common, ...(skiplist ? [] : lexOnly));
  let run = 0;
  if (skiplist) {
    await configBoth("zset-max-listpack-entries", "3");
    await configBoth("zset-max-listpack-value", "1");
  }
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 40, size: "max" }), async (cmds) => {
        // Each run gets its own two keys (FLUSHALL may not exist yet).
        const prefix = `pz${skiplist ? "s" : "l"}${run++}:`;
        const mapped = cmds.map((c) => c.map((a) => (a === "k0" || a === "k1" ? prefix + a : a)));
        const { kv, redis } = await runBoth(pair, mapped);
        expect(transcript(mapped, kv)).toEqual(transcript(mapped, redis));
        if (process.env.ZDEBUG) console.log(transcript(mapped, kv).join("\n"));
      }),
      { seed: SEED, numRuns },
    );
  } finally {
    if (skiplist) {
      await configBoth("zset-max-listpack-entries", "128");
      await configBoth("zset-max-listpack-value", "64");
    }
  }
}

test("property: random sorted set command sequences over 2 keys reply exactly as redis-server", async () => {
  console.log(`zset differential property: FC_SEED=${SEED}`);
  await zsetProperty(false, 200);
}, 120000);

test("property: the same over skiplist-encoded sets (tiny listpack limits)", async () => {
  console.log(`zset differential property (skiplist): FC_SEED=${SEED}`);
  await zsetProperty(true, 150);
}, 120000);
