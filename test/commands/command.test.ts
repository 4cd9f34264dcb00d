// COMMAND and its subcommands against real redis-server 7.0, plus the table-wide check that every
// command we declare reports the same name, arity, flags, key positions and ACL categories.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RawConn } from "../support/conn.ts";
import { runBoth, startPair, type Pair } from "../support/oracle.ts";
import type { Arg } from "../support/resp.ts";
import { decode, items, pairs, type RespValue } from "../support/value.ts";

let pair: Pair;
beforeAll(async () => {
  pair = await startPair();
});
afterAll(async () => {
  await pair.stop();
});

/** Commands we implement from Redis 7.2 that the 7.0 oracle does not have. */
const NEWER_THAN_ORACLE = new Set(["client|setinfo", "client|no-touch"]);

/** Every command and subcommand name in our table ("get", "config|get") that the oracle knows. */
function ourNames(): string[] {
  return [...pair.kv.server.table.all()].map((c) => c.fullName).filter((n) => !NEWER_THAN_ORACLE.has(n));
}

/** Switch a connection to RESP3 (HELLO 3; until HELLO exists, flip the client's protocol directly). */
async function resp3(conn: RawConn, kv: boolean): Promise<void> {
  const r = await conn.call("HELLO", "3");
  if (!r.startsWith("-")) return;
  if (!kv) throw new Error(`HELLO 3 failed on redis: ${r}`);
  let newest = null;
  for (const c of pair.kv.server.clients.values()) if (newest === null || c.id > newest.id) newest = c;
  newest!.reply.proto = 3;
}

async function both(cmds: readonly (readonly Arg[])[]) {
  return runBoth(pair, cmds);
}

async function bothResp3(cmds: readonly (readonly Arg[])[]): Promise<{ kv: string[]; redis: string[] }> {
  const [a, b] = await Promise.all([RawConn.connect(pair.kv.port), RawConn.connect(pair.redis.port)]);
  try {
    await resp3(a, true);
    await resp3(b, false);
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

interface InfoEntry {
  name: string;
  arity: number;
  flags: string[];
  first: number;
  last: number;
  step: number;
  acl: string[];
  tips: string[];
  keySpecs: RespValue[];
  subs: InfoEntry[];
}

function toEntry(v: RespValue): InfoEntry | null {
  if (v === null) return null;
  const e = items(v);
  return {
    name: e[0] as string,
    arity: e[1] as number,
    flags: items(e[2]!) as string[],
    first: e[3] as number,
    last: e[4] as number,
    step: e[5] as number,
    acl: items(e[6]!) as string[],
    tips: items(e[7]!) as string[],
    keySpecs: items(e[8]!),
    subs: items(e[9]!).map((s) => toEntry(s)!),
  };
}

describe("COMMAND INFO", () => {
  test("every command in our table matches redis-server 7.0: name, arity, flags, first/last/step, ACL categories", async () => {
    const names = ourNames();
    const { kv, redis } = await both([["COMMAND", "INFO", ...names]]);
    const ours = items(decode(kv[0]!)).map(toEntry);
    const theirs = items(decode(redis[0]!)).map(toEntry);
    const mismatches: string[] = [];
    names.forEach((name, i) => {
      const a = ours[i]!;
      const b = theirs[i];
      if (!b) {
        mismatches.push(`${name}: not a redis-server 7.0 command`);
        return;
      }
      const show = (e: InfoEntry) =>
        JSON.stringify([e.name, e.arity, e.flags, e.first, e.last, e.step, e.acl]);
      if (show(a) !== show(b)) mismatches.push(`${name}:\n    ours   ${show(a)}\n    redis  ${show(b)}`);
    });
    expect(mismatches).toEqual([]);
  });

  test("since and group of every command match redis-server 7.0 (COMMAND DOCS)", async () => {
    const names = ourNames();
    const { kv, redis } = await both([["COMMAND", "DOCS", ...names]]);
    const docs = (raw: string) =>
      new Map(pairs(decode(raw)).map(([k, v]) => [k as string, new Map(pairs(v) as [string, RespValue][])]));
    const ours = docs(kv[0]!);
    const theirs = docs(redis[0]!);
    const mismatches: string[] = [];
    for (const name of names) {
      const a = ours.get(name);
      const b = theirs.get(name);
      if (!a || !b) continue; // subcommands are nested under their container; missing ones are reported above
      for (const f of ["since", "group"]) {
        if (a.get(f) !== b.get(f)) mismatches.push(`${name} ${f}: ours ${a.get(f)} redis ${b.get(f)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  test("key specs and tips match redis-server 7.0 for commands that declare them", async () => {
    const cmds = [...pair.kv.server.table.all()].filter((c) => c.spec.keyFlags || c.spec.keySpecs || c.spec.tips);
    const names = cmds.map((c) => c.fullName);
    const { kv, redis } = await both([["COMMAND", "INFO", ...names]]);
    const ours = items(decode(kv[0]!)).map(toEntry);
    const theirs = items(decode(redis[0]!)).map(toEntry);
    const mismatches: string[] = [];
    names.forEach((name, i) => {
      const a = ours[i]!;
      const b = theirs[i];
      if (!b) return;
      const spec = cmds[i]!.spec;
      if (spec.tips && JSON.stringify(a.tips) !== JSON.stringify(b.tips)) {
        mismatches.push(`${name} tips: ours ${JSON.stringify(a.tips)} redis ${JSON.stringify(b.tips)}`);
      }
      if ((spec.keyFlags || spec.keySpecs) && JSON.stringify(a.keySpecs) !== JSON.stringify(b.keySpecs)) {
        mismatches.push(`${name} key specs:\n    ours  ${JSON.stringify(a.keySpecs)}\n    redis ${JSON.stringify(b.keySpecs)}`);
      }
    });
    expect(mismatches).toEqual([]);
  });

  test("whole replies are byte-identical for leaf commands, unknown names and subcommand names", async () => {
    const cmds = [
      ["COMMAND", "INFO", "get"],
      ["COMMAND", "INFO", "GET", "nosuch", "config|get", "CONFIG|SET", "config|", "get|x", "|"],
      ["COMMAND", "INFO", "time", "info", "debug", "command|info", "command|count", "config|help"],
      ["COMMAND", "INFO", "nosuch"],
    ];
    const r2 = await both(cmds);
    expect(r2.kv).toEqual(r2.redis);
    const r3 = await bothResp3(cmds);
    expect(r3.kv).toEqual(r3.redis);
  });

  test("a container lists its subcommands (in any order) and, in RESP3, as an array of entries", async () => {
    const pick = (raw: string) => {
      const e = toEntry(items(decode(raw))[0]!)!;
      return { ...e, subs: e.subs.map((s) => JSON.stringify(s)).sort() };
    };
    for (const run of [both, bothResp3]) {
      const { kv, redis } = await run([["COMMAND", "INFO", "command"]]);
      expect(pick(kv[0]!)).toEqual(pick(redis[0]!));
      // config: the same subcommands (Redis lists them in its own hash order).
      const c = await run([["COMMAND", "INFO", "config"]]);
      const ours = pick(c.kv[0]!);
      const theirs = pick(c.redis[0]!);
      expect([...ours.subs].sort()).toEqual([...theirs.subs].sort());
      expect({ ...ours, subs: [] }).toEqual({ ...theirs, subs: [] });
    }
    const r3 = await bothResp3([["COMMAND", "INFO", "config"]]);
    expect(r3.kv[0]!.startsWith("*1\r\n*10\r\n$6\r\nconfig\r\n:-2\r\n~0\r\n:0\r\n:0\r\n:0\r\n~1\r\n+@slow\r\n~0\r\n~0\r\n*5\r\n")).toBe(true);
  });

  test("bare COMMAND and COMMAND INFO without names describe every top-level command", async () => {
    const c = await RawConn.connect(pair.kv.port);
    try {
      const top = [...pair.kv.server.table.byName.keys()];
      for (const cmd of [["COMMAND"], ["COMMAND", "INFO"]]) {
        const all = items(decode(await c.call(...cmd))).map((e) => toEntry(e)!);
        expect(all.map((e) => e.name).sort()).toEqual([...top].sort());
      }
      const get = await c.call("COMMAND", "INFO", "get");
      const fromAll = items(decode(await c.call("COMMAND"))).find((e) => items(e)[0] === "get");
      expect(JSON.stringify(fromAll)).toBe(JSON.stringify(items(decode(get))[0]));
    } finally {
      c.close();
    }
  });
});

describe("COMMAND COUNT, LIST, HELP and errors", () => {
  test("COUNT is the number of top-level commands; errors match redis", async () => {
    const c = await RawConn.connect(pair.kv.port);
    expect(await c.call("COMMAND", "COUNT")).toBe(`:${pair.kv.server.table.byName.size}\r\n`);
    c.close();
    const cmds = [
      ["COMMAND", "COUNT", "x"],
      ["COMMAND", "FOO"],
      ["COMMAND", "HELP"],
      ["COMMAND", "HELP", "x"],
      ["command", "list", "foo"],
      ["COMMAND", "LIST", "FILTERBY"],
      ["COMMAND", "LIST", "FILTERBY", "foo", "x"],
      ["COMMAND", "LIST", "FILTERBY", "pattern", "get", "extra"],
      ["COMMAND", "LIST", "FILTERBY", "module", "x"],
      ["COMMAND", "LIST", "FILTERBY", "aclcat", "nosuch"],
      ["COMMAND", "LIST", "FILTERBY", "aclcat", "@read"],
    ];
    const r = await both(cmds);
    expect(r.kv).toEqual(r.redis);
  });

  test("LIST (with every filter) gives redis's names restricted to the commands we have", async () => {
    const ours = new Set(ourNames());
    const filters: Arg[][] = [
      [],
      ["FILTERBY", "PATTERN", "con*"],
      ["FILTERBY", "pattern", "CONFIG|G*"],
      ["FILTERBY", "pattern", "*|*"],
      ["FILTERBY", "pattern", "?et"],
      ["FILTERBY", "aclcat", "connection"],
      ["FILTERBY", "ACLCAT", "ADMIN"],
      ["FILTERBY", "aclcat", "dangerous"],
      ["FILTERBY", "aclcat", "fast"],
      ["FILTERBY", "aclcat", "slow"],
      ["FILTERBY", "aclcat", "read"],
      ["FILTERBY", "aclcat", "write"],
      ["FILTERBY", "aclcat", "keyspace"],
      ["FILTERBY", "aclcat", "string"],
    ];
    for (const f of filters) {
      const { kv, redis } = await both([["COMMAND", "LIST", ...f]]);
      const a = (items(decode(kv[0]!)) as string[]).filter((n) => !NEWER_THAN_ORACLE.has(n)).sort();
      const b = (items(decode(redis[0]!)) as string[]).filter((n) => ours.has(n)).sort();
      expect({ filter: f, names: a }).toEqual({ filter: f, names: b });
    }
    const all = await both([["COMMAND", "LIST"]]);
    expect((items(decode(all.kv[0]!)) as string[]).filter((n) => !NEWER_THAN_ORACLE.has(n)).sort()).toEqual([...ours].sort());
    const r3 = await bothResp3([["COMMAND", "LIST", "FILTERBY", "pattern", "config|get"]]);
    expect(r3.kv).toEqual(r3.redis);
  });
});

describe("COMMAND DOCS", () => {
  test("unknown names are left out; RESP2 flat pairs, RESP3 maps; declared fields only", async () => {
    const r = await both([["COMMAND", "DOCS", "nosuch"], ["COMMAND", "DOCS", "nosuch", "other"]]);
    expect(r.kv).toEqual(r.redis);
    const c = await RawConn.connect(pair.kv.port);
    try {
      const d = pairs(decode(await c.call("COMMAND", "DOCS", "GET", "nosuch", "config|get")));
      expect(d.map(([k]) => k)).toEqual(["get", "config|get"]);
      const get = new Map(pairs(d[0]![1]) as [string, RespValue][]);
      expect(get.get("since")).toBe("1.0.0");
      expect(get.get("group")).toBe("string");
      expect(typeof get.get("summary")).toBe("string");
      const cfg = new Map(pairs(d[1]![1]) as [string, RespValue][]);
      expect(cfg.get("complexity")).toBe("O(N) when N is the number of configuration parameters provided");
      expect(JSON.stringify(cfg.get("arguments"))).toBe(
        JSON.stringify([["name", "parameter", "type", "block", "flags", ["multiple"], "arguments", [["name", "parameter", "type", "string"]]]]),
      );
      // A container nests its subcommands' docs.
      const config = new Map(pairs(pairs(decode(await c.call("COMMAND", "DOCS", "config")))[0]![1]) as [string, RespValue][]);
      const subs = pairs(config.get("subcommands")!).map(([k]) => k).sort();
      expect(subs).toEqual(["config|get", "config|help", "config|resetstat", "config|rewrite", "config|set"]);
      const all = pairs(decode(await c.call("COMMAND", "DOCS")));
      expect(all.length).toBe(pair.kv.server.table.byName.size);
    } finally {
      c.close();
    }
  });

  test("argument docs have Redis's shape (compared where both describe the same command)", async () => {
    const names = ["info", "command|list", "command|info", "config|set"];
    for (const run of [both, bothResp3]) {
      const { kv, redis } = await run([["COMMAND", "DOCS", ...names]]);
      const args = (raw: string) =>
        new Map(pairs(decode(raw)).map(([k, v]) => [k, JSON.stringify(new Map(pairs(v)).get("arguments"))]));
      const a = args(kv[0]!);
      const b = args(redis[0]!);
      for (const n of names) expect({ n, args: a.get(n) }).toEqual({ n, args: b.get(n) });
    }
  });
});

describe("COMMAND GETKEYS / GETKEYSANDFLAGS", () => {
  test("keys and errors match redis", async () => {
    const have = new Set(ourNames());
    const cases: Arg[][] = [
      ["COMMAND", "GETKEYS", "set", "a", "b"],
      ["COMMAND", "GETKEYS", "SET", "a", "b", "EX", "10"],
      ["COMMAND", "GETKEYS", "get", "a", "b"],
      ["COMMAND", "GETKEYS", "get"],
      ["COMMAND", "GETKEYS"],
      ["COMMAND", "GETKEYS", "nosuch", "a"],
      ["COMMAND", "GETKEYS", "ping", "x"],
      ["COMMAND", "GETKEYS", "config", "get", "x"],
      ["COMMAND", "GETKEYS", "config", "foo"],
      ["COMMAND", "GETKEYS", "CONFIG|GET", "x", "y"],
      ["COMMAND", "GETKEYS", "set|x", "a", "b"],
      ["COMMAND", "GETKEYS", "command", "x"],
      ["COMMAND", "GETKEYS", "command", "info", "x"],
      ["COMMAND", "GETKEYSANDFLAGS", "get", "k"],
      ["COMMAND", "GETKEYSANDFLAGS", "config", "get", "x"],
    ];
    const optional: Arg[][] = [
      ["COMMAND", "GETKEYS", "mset", "a", "b", "c", "d"],
      ["COMMAND", "GETKEYS", "mset", "a", "b", "c"],
      ["COMMAND", "GETKEYS", "del", "a", "b", "c"],
      ["COMMAND", "GETKEYS", "lmpop", "2", "a", "b", "left"],
      ["COMMAND", "GETKEYS", "rpoplpush", "a", "b"],
      ["COMMAND", "GETKEYS", "blpop", "a", "b", "0"],
    ];
    for (const cmd of optional) if (have.has(String(cmd[2]).toLowerCase())) cases.push(cmd);
    // Key flags are compared only for commands that declare them (others get a default).
    const flagged: Arg[][] = [
      ["COMMAND", "GETKEYSANDFLAGS", "lpush", "a", "x"],
      ["COMMAND", "GETKEYSANDFLAGS", "rpoplpush", "a", "b"],
      ["COMMAND", "GETKEYSANDFLAGS", "del", "a", "b"],
      ["COMMAND", "GETKEYSANDFLAGS", "incr", "a"],
      ["COMMAND", "GETKEYSANDFLAGS", "hset", "h", "f", "v"],
    ];
    for (const cmd of flagged) {
      const spec = pair.kv.server.table.byFullName(String(cmd[2]))?.spec;
      if (spec && (spec.keyFlags || spec.keySpecs)) cases.push(cmd);
    }
    const r = await both(cases);
    expect(r.kv).toEqual(r.redis);
    const r3 = await bothResp3([["COMMAND", "GETKEYSANDFLAGS", "get", "k"]]);
    expect(r3.kv).toEqual(r3.redis);
  });
});
