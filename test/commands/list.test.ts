// List commands against real redis-server: every command, option and error, compared byte for
// byte, plus a fast-check property running random command sequences over three keys.
import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { RawConn } from "../support/conn.ts";
import { runBoth, startPair, transcript, type Pair } from "../support/oracle.ts";
import type { Arg } from "../support/resp.ts";
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

test("LPUSH RPUSH LPUSHX RPUSHX: order, lengths, missing keys, WRONGTYPE, arity", async () => {
  await same([
    ["LPUSH", "push:a", "1", "2", "3"],
    ["RPUSH", "push:a", "4", "5"],
    ["LRANGE", "push:a", "0", "-1"],
    ["LPUSHX", "push:missing", "x"],
    ["RPUSHX", "push:missing", "x"],
    ["LPUSHX", "push:missing", "probe"],
    ["LPUSHX", "push:a", "x", "y"],
    ["RPUSHX", "push:a", "z"],
    ["LRANGE", "push:a", "0", "-1"],
    ["SET", "push:str", "v"],
    ["LPUSH", "push:str", "x"],
    ["RPUSH", "push:str", "x"],
    ["LPUSHX", "push:str", "x"],
    ["RPUSHX", "push:str", "x"],
    ["LPUSH", "push:a"],
    ["RPUSHX", "push:a"],
    ["RPUSH", "push:bin", "\x00\xff\r\n", ""],
    ["LRANGE", "push:bin", "0", "-1"],
  ]);
});

test("LPOP RPOP: single, count, count 0, negative and invalid counts, empty-list removal", async () => {
  await same([
    ["RPUSH", "pop:a", "a", "b", "c", "d", "e"],
    ["LPOP", "pop:a"],
    ["RPOP", "pop:a"],
    ["LPOP", "pop:a", "0"],
    ["RPOP", "pop:a", "0"],
    ["LPOP", "pop:a", "2"],
    ["RPOP", "pop:a", "-1"],
    ["LPOP", "pop:a", "x"],
    ["LPOP", "pop:a", "9223372036854775808"],
    ["LPOP", "pop:a", "1", "2"],
    ["RPOP", "pop:a", "1", "2"],
    ["RPOP", "pop:a", "9223372036854775807"],
    ["LPUSHX", "pop:a", "probe"],
    ["LPOP", "pop:a"],
    ["RPOP", "pop:a"],
    ["LPOP", "pop:a", "3"],
    ["RPOP", "pop:a", "0"],
    ["LPOP", "pop:missing", "x"],
    ["LPOP", "pop:missing", "-1"],
    ["SET", "pop:str", "v"],
    ["LPOP", "pop:str"],
    ["RPOP", "pop:str", "2"],
    ["RPOP", "pop:str", "x"],
    ["RPUSH", "pop:b", "x"],
    ["RPOP", "pop:b"],
    ["LPUSHX", "pop:b", "probe"],
    ["LPOP"],
  ]);
});

test("LLEN LINDEX LRANGE: indices from both ends, out of range, invalid integers", async () => {
  const cmds: Arg[][] = [
    ["RPUSH", "rng:a", "a", "b", "c", "d", "e", "f"],
    ["LLEN", "rng:a"],
    ["LLEN", "rng:missing"],
    ["LINDEX", "rng:missing", "0"],
    ["LINDEX", "rng:missing", "x"],
    ["LRANGE", "rng:missing", "x", "0"],
    ["LINDEX", "rng:a", "x"],
    ["LINDEX", "rng:a", "9223372036854775808"],
    ["LINDEX", "rng:a", "-9223372036854775808"],
    ["LRANGE", "rng:a", "x", "1"],
    ["LRANGE", "rng:a", "1", "x"],
    ["LRANGE", "rng:missing", "0", "-1"],
    ["LRANGE", "rng:a", "-9223372036854775808", "9223372036854775807"],
    ["SET", "rng:str", "v"],
    ["LLEN", "rng:str"],
    ["LINDEX", "rng:str", "0"],
    ["LRANGE", "rng:str", "0", "1"],
    ["LLEN"],
    ["LRANGE", "rng:a", "0"],
  ];
  for (const i of ["0", "5", "6", "-1", "-6", "-7", "100", "-100", "+1", "01", " 1"]) cmds.push(["LINDEX", "rng:a", i]);
  const bounds = ["0", "1", "3", "5", "6", "7", "-1", "-2", "-6", "-7", "-100", "100"];
  for (const s of bounds) for (const e of bounds) cmds.push(["LRANGE", "rng:a", s, e]);
  await same(cmds);
});

test("LSET: in range, negative, out of range, missing key, WRONGTYPE, bad index", async () => {
  await same([
    ["RPUSH", "set:a", "a", "b", "c"],
    ["LSET", "set:a", "0", "A"],
    ["LSET", "set:a", "-1", "C"],
    ["LSET", "set:a", "1", "x".repeat(10000)],
    ["LRANGE", "set:a", "0", "0"],
    ["LINDEX", "set:a", "2"],
    ["LSET", "set:a", "3", "x"],
    ["LSET", "set:a", "-4", "x"],
    ["LSET", "set:a", "x", "x"],
    ["LSET", "set:missing", "0", "x"],
    ["LSET", "set:missing", "x", "x"],
    ["LTRIM", "set:missing", "x", "0"],
    ["LREM", "set:missing", "x", "a"],
    ["SET", "set:str", "v"],
    ["LSET", "set:str", "0", "x"],
    ["LSET", "set:str", "x", "x"],
  ]);
});

test("LINSERT: BEFORE/AFTER, first pivot only, missing pivot, missing key, errors", async () => {
  await same([
    ["RPUSH", "ins:a", "a", "b", "a", "c"],
    ["LINSERT", "ins:a", "BEFORE", "a", "x"],
    ["LINSERT", "ins:a", "after", "a", "y"],
    ["LINSERT", "ins:a", "AFTER", "c", "z"],
    ["LINSERT", "ins:a", "before", "zz", "q"],
    ["LRANGE", "ins:a", "0", "-1"],
    ["LINSERT", "ins:missing", "BEFORE", "a", "x"],
    ["LINSERT", "ins:missing", "middle", "a", "x"],
    ["LINSERT", "ins:a", "middle", "a", "x"],
    ["SET", "ins:str", "v"],
    ["LINSERT", "ins:str", "BEFORE", "a", "x"],
    ["LINSERT", "ins:str", "middle", "a", "x"],
    ["LINSERT", "ins:a", "BEFORE", "a"],
  ]);
});

test("LREM: from head, from tail, all, none, empty-list removal, errors", async () => {
  await same([
    ["RPUSH", "rem:a", "a", "b", "a", "c", "a", "b", "a"],
    ["LREM", "rem:a", "2", "a"],
    ["LRANGE", "rem:a", "0", "-1"],
    ["LREM", "rem:a", "-1", "a"],
    ["LRANGE", "rem:a", "0", "-1"],
    ["LREM", "rem:a", "0", "b"],
    ["LREM", "rem:a", "0", "zz"],
    ["LRANGE", "rem:a", "0", "-1"],
    ["LREM", "rem:a", "-100", "a"],
    ["LREM", "rem:a", "0", "c"],
    ["LPUSHX", "rem:a", "probe"],
    ["LREM", "rem:missing", "0", "a"],
    ["LREM", "rem:missing", "x", "a"],
    ["SET", "rem:str", "v"],
    ["LREM", "rem:str", "0", "a"],
    ["LREM", "rem:str", "x", "a"],
  ]);
});

test("LTRIM: ranges from both ends, emptying removes the key, errors", async () => {
  const cmds: Arg[][] = [];
  const bounds = ["0", "1", "4", "5", "-1", "-2", "-5", "-6", "100", "-100"];
  let n = 0;
  for (const s of bounds) {
    for (const e of bounds) {
      const k = `trim:${n++}`;
      cmds.push(["RPUSH", k, "a", "b", "c", "d", "e"], ["LTRIM", k, s, e], ["LRANGE", k, "0", "-1"], ["LPUSHX", k, "probe"]);
    }
  }
  cmds.push(
    ["LTRIM", "trim:missing", "0", "1"],
    ["LTRIM", "trim:0", "x", "1"],
    ["LTRIM", "trim:0", "0", "x"],
    ["SET", "trim:str", "v"],
    ["LTRIM", "trim:str", "0", "1"],
    ["LTRIM", "trim:str", "x", "1"],
  );
  await same(cmds);
});

test("LPOS: RANK, COUNT, MAXLEN, combinations and every error", async () => {
  const cmds: Arg[][] = [["RPUSH", "pos:a", "a", "b", "c", "a", "b", "a", "c", "a"]];
  for (const rank of [null, "1", "2", "4", "5", "-1", "-2", "-4", "-5", "9223372036854775807", "-9223372036854775808"]) {
    for (const count of [null, "0", "1", "2", "10"]) {
      for (const maxlen of [null, "0", "1", "3", "100"]) {
        const c: Arg[] = ["LPOS", "pos:a", "a"];
        if (rank) c.push("RANK", rank);
        if (count) c.push("COUNT", count);
        if (maxlen) c.push("MAXLEN", maxlen);
        cmds.push(c);
      }
    }
  }
  cmds.push(
    ["LPOS", "pos:a", "zz"],
    ["LPOS", "pos:a", "zz", "COUNT", "0"],
    ["LPOS", "pos:missing", "a"],
    ["LPOS", "pos:missing", "a", "COUNT", "0"],
    ["LPOS", "pos:missing", "a", "RANK", "0"],
    ["LPOS", "pos:a", "a", "RANK", "0"],
    ["LPOS", "pos:a", "a", "RANK", "x"],
    ["LPOS", "pos:a", "a", "COUNT", "-1"],
    ["LPOS", "pos:a", "a", "COUNT", "x"],
    ["LPOS", "pos:a", "a", "MAXLEN", "-1"],
    ["LPOS", "pos:a", "a", "MAXLEN", "x"],
    ["LPOS", "pos:a", "a", "RANK"],
    ["LPOS", "pos:a", "a", "FOO", "1"],
    ["LPOS", "pos:a", "a", "rank", "2", "count", "1", "rank", "-1"],
    ["LPOS", "pos:a", "a", "COUNT", "-1", "RANK", "0"],
    ["LPOS", "pos:a", "a", "RANK", "0", "COUNT", "-1"],
    ["SET", "pos:str", "v"],
    ["LPOS", "pos:str", "a"],
    ["LPOS", "pos:str", "a", "RANK", "0"],
    ["LPOS", "pos:a"],
  );
  await same(cmds);
});

test("LMOVE and RPOPLPUSH: all four directions, same key rotation, WRONGTYPE on either side", async () => {
  const cmds: Arg[][] = [["RPUSH", "mv:src", "1", "2", "3", "4", "5", "6"]];
  for (const from of ["LEFT", "RIGHT", "left", "Right"]) {
    for (const to of ["LEFT", "RIGHT"]) cmds.push(["LMOVE", "mv:src", "mv:dst", from, to], ["LRANGE", "mv:dst", "0", "-1"]);
  }
  cmds.push(
    ["LRANGE", "mv:src", "0", "-1"],
    ["RPOPLPUSH", "mv:src", "mv:dst"],
    ["RPOPLPUSH", "mv:src", "mv:dst"],
    ["LPUSHX", "mv:src", "probe"],
    ["LMOVE", "mv:src", "mv:dst", "LEFT", "LEFT"],
    ["RPOPLPUSH", "mv:src", "mv:dst"],
    ["RPUSH", "mv:rot", "a", "b", "c"],
    ["LMOVE", "mv:rot", "mv:rot", "LEFT", "RIGHT"],
    ["RPOPLPUSH", "mv:rot", "mv:rot"],
    ["LMOVE", "mv:rot", "mv:rot", "LEFT", "LEFT"],
    ["LRANGE", "mv:rot", "0", "-1"],
    ["RPUSH", "mv:one", "x"],
    ["LMOVE", "mv:one", "mv:one", "RIGHT", "LEFT"],
    ["LRANGE", "mv:one", "0", "-1"],
    ["SET", "mv:str", "v"],
    ["LMOVE", "mv:str", "mv:dst", "LEFT", "LEFT"],
    ["LMOVE", "mv:dst", "mv:str", "LEFT", "LEFT"],
    ["LMOVE", "mv:missing", "mv:str", "LEFT", "LEFT"],
    ["RPOPLPUSH", "mv:str", "mv:dst"],
    ["RPOPLPUSH", "mv:dst", "mv:str"],
    ["LLEN", "mv:dst"],
    ["LMOVE", "mv:dst", "mv:x", "UP", "LEFT"],
    ["LMOVE", "mv:dst", "mv:x", "LEFT", "DOWN"],
    ["LMOVE", "mv:missing", "mv:x", "UP", "LEFT"],
    ["LMOVE", "mv:str", "mv:x", "UP", "LEFT"],
    ["LMOVE", "mv:dst", "mv:x", "LEFT"],
    ["RPOPLPUSH", "mv:dst"],
  );
  await same(cmds);
});

test("LMPOP: numkeys, LEFT/RIGHT, COUNT, first non-empty key, and every error", async () => {
  await same([
    ["RPUSH", "mp:b", "1", "2", "3", "4", "5"],
    ["RPUSH", "mp:c", "x", "y"],
    ["LMPOP", "1", "mp:a", "LEFT"],
    ["LMPOP", "3", "mp:a", "mp:b", "mp:c", "LEFT"],
    ["LMPOP", "3", "mp:a", "mp:b", "mp:c", "right", "COUNT", "2"],
    ["LMPOP", "2", "mp:b", "mp:c", "LEFT", "count", "10"],
    ["LPUSHX", "mp:b", "probe"],
    ["LMPOP", "2", "mp:b", "mp:c", "RIGHT", "COUNT", "1"],
    ["LMPOP", "2", "mp:b", "mp:c", "RIGHT", "COUNT", "1"],
    ["SET", "mp:str", "v"],
    ["RPUSH", "mp:d", "q"],
    ["LMPOP", "2", "mp:str", "mp:d", "LEFT"],
    ["LMPOP", "2", "mp:d", "mp:str", "LEFT"],
    ["LMPOP", "2", "mp:missing", "mp:str", "LEFT"],
    ["LMPOP", "0", "mp:a", "LEFT"],
    ["LMPOP", "-1", "mp:a", "LEFT"],
    ["LMPOP", "x", "mp:a", "LEFT"],
    ["LMPOP", "9223372036854775808", "mp:a", "LEFT"],
    ["LMPOP", "9223372036854775807", "mp:a", "LEFT"],
    ["LMPOP", "2147483648", "mp:a", "LEFT"],
    ["LMPOP", "2", "mp:a", "LEFT"],
    ["LMPOP", "1", "mp:a", "MIDDLE"],
    ["LMPOP", "1", "mp:a", "LEFT", "COUNT", "0"],
    ["LMPOP", "1", "mp:a", "LEFT", "COUNT", "-1"],
    ["LMPOP", "1", "mp:a", "LEFT", "COUNT", "x"],
    ["LMPOP", "1", "mp:a", "LEFT", "COUNT", "1", "COUNT", "2"],
    ["LMPOP", "1", "mp:a", "LEFT", "COUNT"],
    ["LMPOP", "1", "mp:a", "LEFT", "FOO"],
    ["LMPOP", "1", "mp:a", "LEFT", "1"],
    ["LMPOP", "1", "mp:str", "LEFT", "COUNT", "0"],
    ["LMPOP", "1", "mp:a"],
  ]);
});

test("a 20,000-element list built from both ends: indexing, edits and ranges near either end", async () => {
  const cmds: Arg[][] = [];
  for (let b = 0; b < 10; b++) {
    const batch = Array.from({ length: 1000 }, (_, i) => `e${b}-${i}`);
    cmds.push(["LPUSH", "big:a", ...batch], ["RPUSH", "big:a", ...batch]);
  }
  cmds.push(
    ["LLEN", "big:a"],
    ["LINDEX", "big:a", "0"], ["LINDEX", "big:a", "-1"], ["LINDEX", "big:a", "9999"], ["LINDEX", "big:a", "10000"],
    ["LSET", "big:a", "1", "s1"], ["LSET", "big:a", "-2", "s2"], ["LSET", "big:a", "10000", "mid"],
    ["LRANGE", "big:a", "0", "3"], ["LRANGE", "big:a", "-4", "-1"], ["LRANGE", "big:a", "9998", "10001"],
    ["LINSERT", "big:a", "BEFORE", "s1", "ins1"], ["LINSERT", "big:a", "AFTER", "s2", "ins2"],
    ["LPOS", "big:a", "ins2"], ["LPOS", "big:a", "e9-999", "COUNT", "0"], ["LPOS", "big:a", "e0-0", "RANK", "-1"],
    ["LREM", "big:a", "1", "e3-5"], ["LREM", "big:a", "-1", "e3-5"], ["LREM", "big:a", "0", "mid"],
    ["LPOP", "big:a", "3"], ["RPOP", "big:a", "3"],
    ["LTRIM", "big:a", "100", "-100"], ["LLEN", "big:a"], ["LRANGE", "big:a", "0", "2"], ["LRANGE", "big:a", "-3", "-1"],
    ["LTRIM", "big:a", "5", "9"], ["LRANGE", "big:a", "0", "-1"],
  );
  await same(cmds);
});

test("list command metadata matches COMMAND INFO of redis-server 7.0", async () => {
  // Compared field by field from a live redis-server: arity, flags, key positions, categories.
  const names = [
    "lpush", "rpush", "lpushx", "rpushx", "lpop", "rpop", "llen", "lrange", "lindex", "lset", "linsert", "lrem",
    "ltrim", "lpos", "lmove", "rpoplpush", "lmpop", "blpop", "brpop", "blmove", "brpoplpush", "blmpop",
  ];
  const r = await RawConn.connect(pair.redis.port);
  const { aclCategories } = await import("../../src/commands/spec.ts");
  try {
    for (const name of names) {
      const info = await r.call("COMMAND", "INFO", name);
      const spec = pair.kv.server.table.byName.get(name)?.spec;
      expect(spec, name).toBeDefined();
      const lines = info.split("\r\n");
      // *1 *10 $n name :arity *f +flag… :first :last :step *c +@cat…
      let i = 2;
      const next = (): string => lines[i++]!;
      next();
      expect(next(), name).toBe(name);
      expect(Number(next().slice(1)), name).toBe(spec!.arity);
      const nf = Number(next().slice(1));
      const flags: string[] = [];
      for (let k = 0; k < nf; k++) flags.push(next().slice(1));
      expect([...spec!.flags].sort(), name).toEqual(flags.sort() as never);
      const keys = [next(), next(), next()].map((s) => Number(s.slice(1)));
      expect(keys, name).toEqual([...(spec!.keys ?? [0, 0, 0])]);
      const nc = Number(next().slice(1));
      const cats: string[] = [];
      for (let k = 0; k < nc; k++) cats.push(next().slice(2));
      expect(aclCategories(spec!), name).toEqual(cats as never);
    }
  } finally {
    r.close();
  }
});

test("LMPOP and served pops propagate as [LR]POP key count; pushes as sent", async () => {
  const kv = pair.kv.server;
  const log: string[] = [];
  const off = kv.propagation.subscribe({ feed: (_db: number, argv: readonly PropArg[]) => void log.push(argv.map(String).join(" ")) });
  const c = await RawConn.connect(pair.kv.port);
  try {
    await c.call("RPUSH", "prop:a", "1", "2", "3");
    await c.call("LMPOP", "1", "prop:a", "LEFT", "COUNT", "10");
    await c.call("LMPOP", "1", "prop:a", "LEFT");
    await c.call("LPOP", "prop:a");
    await c.call("RPUSH", "prop:b", "x", "y");
    await c.call("LMOVE", "prop:b", "prop:c", "left", "RIGHT");
    await c.call("LPOP", "prop:b", "0");
    await c.call("LREM", "prop:c", "0", "nothing");
    expect(log).toEqual(["RPUSH prop:a 1 2 3", "LPOP prop:a 3", "RPUSH prop:b x y", "LMOVE prop:b prop:c left RIGHT"]);
  } finally {
    off();
    c.close();
  }
});

test("property: random list command sequences over three keys reply like redis-server", async () => {
  const seed = Number(process.env.FC_SEED ?? Date.now() % 1e9);
  console.log(`list property seed: ${seed}`);
  let run = 0;
  let total = 0;
  const elem = fc.constantFrom("a", "b", "c", "", "1", "\x00\xff");
  const idx = fc.oneof(fc.integer({ min: -8, max: 8 }).map(String), fc.constantFrom("x", "9223372036854775807"));
  const end = fc.constantFrom("LEFT", "RIGHT");
  const key = fc.integer({ min: 0, max: 2 });
  type KeyOf = (i: number) => string;
  type Cmd = (k: KeyOf) => Arg[];
  const cmd: fc.Arbitrary<Cmd> = fc.oneof(
    fc.tuple(fc.constantFrom("LPUSH", "RPUSH", "LPUSHX", "RPUSHX"), key, fc.array(elem, { minLength: 1, maxLength: 4 })).map(
      ([n, k, es]) => (K: KeyOf) => [n, K(k), ...es],
    ),
    fc.tuple(fc.constantFrom("LPOP", "RPOP"), key, fc.option(fc.integer({ min: -1, max: 5 }))).map(
      ([n, k, cnt]) => (K: KeyOf) => (cnt === null ? [n, K(k)] : [n, K(k), String(cnt)]),
    ),
    key.map((k): Cmd => (K: KeyOf) => ["LLEN", K(k)]),
    fc.tuple(key, idx, idx).map(([k, a, b]) => (K: KeyOf) => ["LRANGE", K(k), a, b]),
    fc.tuple(key, idx).map(([k, a]) => (K: KeyOf) => ["LINDEX", K(k), a]),
    fc.tuple(key, idx, elem).map(([k, a, e]) => (K: KeyOf) => ["LSET", K(k), a, e]),
    fc.tuple(key, fc.constantFrom("BEFORE", "AFTER"), elem, elem).map(([k, w, p, e]) => (K: KeyOf) => ["LINSERT", K(k), w, p, e]),
    fc.tuple(key, fc.integer({ min: -3, max: 3 }), elem).map(([k, n, e]) => (K: KeyOf) => ["LREM", K(k), String(n), e]),
    fc.tuple(key, idx, idx).map(([k, a, b]) => (K: KeyOf) => ["LTRIM", K(k), a, b]),
    fc.tuple(key, elem, fc.option(fc.integer({ min: -3, max: 3 })), fc.option(fc.integer({ min: 0, max: 3 })), fc.option(fc.integer({ min: 0, max: 4 }))).map(
      ([k, e, r, c, m]) => (K: KeyOf) => {
        const a: Arg[] = ["LPOS", K(k), e];
        if (r !== null) a.push("RANK", String(r));
        if (c !== null) a.push("COUNT", String(c));
        if (m !== null) a.push("MAXLEN", String(m));
        return a;
      },
    ),
    fc.tuple(key, key, end, end).map(([a, b, f, t]) => (K: KeyOf) => ["LMOVE", K(a), K(b), f, t]),
    fc.tuple(key, key).map(([a, b]) => (K: KeyOf) => ["RPOPLPUSH", K(a), K(b)]),
    fc.tuple(fc.uniqueArray(key, { minLength: 1, maxLength: 3 }), end, fc.option(fc.integer({ min: 0, max: 4 }))).map(
      ([ks, w, c]) => (K: KeyOf) => {
        const a: Arg[] = ["LMPOP", String(ks.length), ...ks.map(K), w];
        if (c !== null) a.push("COUNT", String(c));
        return a;
      },
    ),
  );
  // Occasionally turn a key into a string (WRONGTYPE paths), or empty it with LTRIM.
  const any = fc.oneof(
    { arbitrary: cmd, weight: 30 },
    { arbitrary: fc.tuple(key, elem).map(([k, e]): Cmd => (K: KeyOf) => ["SET", K(k), e]), weight: 1 },
    { arbitrary: key.map((k): Cmd => (K: KeyOf) => ["LTRIM", K(k), "1", "0"]), weight: 2 },
  );
  await fc.assert(
    fc.asyncProperty(fc.array(any, { minLength: 5, maxLength: 60, size: "max" }), async (seq) => {
      const r = run++;
      const K = (i: number): string => `prop${r}:k${i}`;
      const cmds = seq.map((f) => f(K));
      total += cmds.length;
      const { kv, redis } = await runBoth(pair, cmds);
      expect(transcript(cmds, kv)).toEqual(transcript(cmds, redis));
    }),
    { seed, numRuns: 200 },
  );
  console.log(`list property: ${run} sequences, ${total} commands`);
});
