// PING ECHO QUIT SELECT HELLO AUTH RESET against redis-server, byte for byte: every reply that does
// not depend on the client's id or the server's version is compared as is; HELLO's map is compared
// after putting the same id and version into both. Also: COMMAND INFO facts of each command.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { RawConn } from "../support/conn.ts";
import { runBoth, startPair, transcript, type Pair } from "../support/oracle.ts";
import type { Arg } from "../support/resp.ts";
import { connectionCommands } from "../../src/commands/connection.ts";
import { clientCommands } from "../../src/commands/client.ts";
import { aclCategories, type CommandSpec } from "../../src/commands/spec.ts";
import { VERSION } from "../../src/server.ts";

let pair: Pair;
beforeAll(async () => {
  pair = await startPair();
});
afterAll(async () => {
  await pair.stop();
});

/** HELLO's reply with the server version and the client id replaced by placeholders. */
function normalize(r: string): string {
  return r
    .replace(/\$7\r\nversion\r\n\$\d+\r\n[0-9.]+\r\n/, "$7\r\nversion\r\n<version>")
    .replace(/\$2\r\nid\r\n:\d+\r\n/, "$2\r\nid\r\n<id>");
}

async function expectSame(cmds: Arg[][], norm: (r: string) => string = (r) => r): Promise<void> {
  const { kv, redis } = await runBoth(pair, cmds);
  expect(transcript(cmds, kv.map(norm))).toEqual(transcript(cmds, redis.map(norm)));
}

describe("PING ECHO QUIT SELECT", () => {
  test("PING and ECHO, arities and binary payloads", async () => {
    await expectSame([
      ["PING"], ["ping", "x"], ["PING", "a", "b"], ["ECHO"], ["ECHO", "a", "b"], ["echo", "\x00\xff\r\n"], ["ECHO", ""],
    ]);
  });

  test("SELECT: valid, out of range, not an integer, beyond a C int", async () => {
    await expectSame([
      ["SELECT", "15"], ["SELECT", "16"], ["SELECT", "-1"], ["SELECT", "abc"], ["SELECT", "1.5"], ["SELECT", ""],
      ["SELECT", "01"], ["SELECT", " 1"], ["SELECT", "+1"], ["SELECT", "-0"], ["SELECT", "99999999999999999999"],
      ["SELECT", "2147483648"], ["SELECT", "-2147483649"], ["SELECT", "2147483647"], ["SELECT", "-2147483648"],
      ["SELECT", "9223372036854775807"], ["SELECT"], ["SELECT", "1", "2"], ["SELECT", "0"],
    ]);
  });

  test("SELECT really switches the keyspace", async () => {
    await expectSame([
      ["SELECT", "3"], ["SET", "conn:sel", "three"], ["SELECT", "0"], ["GET", "conn:sel"], ["SELECT", "3"], ["GET", "conn:sel"],
    ]);
  });

  test("SELECT agrees with redis-server on any integer-ish string", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: -40, max: 40 }).map(String), fc.stringMatching(/^[-+ 0-9a.]{0,6}$/)),
        async (s) => {
          const { kv, redis } = await runBoth(pair, [["SELECT", s]]);
          expect(kv).toEqual(redis);
        },
      ),
      { numRuns: 40 },
    );
  });

  test("QUIT replies OK (extra arguments ignored) and closes after the reply", async () => {
    for (const port of [pair.kv.port, pair.redis.port]) {
      const c = await RawConn.connect(port);
      await c.send("*2\r\n$4\r\nQUIT\r\n$1\r\nx\r\n*1\r\n$4\r\nPING\r\n");
      expect(await c.waitClosed(2000)).toBe(true);
      expect(c.drain()).toBe("+OK\r\n");
    }
  });
});

describe("HELLO", () => {
  test("replies the server map in RESP2 and RESP3, and switches protocol", async () => {
    const { kv } = await runBoth(pair, [["HELLO"]]);
    expect(kv[0]).toContain(`$7\r\nversion\r\n$${VERSION.length}\r\n${VERSION}\r\n`);
    await expectSame(
      [
        ["HELLO"], ["HELLO", "3"], ["PING"], ["GET", "conn:missing"], ["HELLO"], ["HELLO", "2"], ["GET", "conn:missing"],
        ["hello", "3", "setname", "n1"], ["CLIENT", "GETNAME"], ["HELLO", "2", "AUTH", "default", "anything"],
      ],
      normalize,
    );
  });

  test("protocol version errors come before any option is applied", async () => {
    await expectSame(
      [
        ["HELLO", "4", "SETNAME", "x"], ["CLIENT", "GETNAME"], ["HELLO", "abc", "SETNAME", "x"], ["CLIENT", "GETNAME"],
        ["HELLO", "1"], ["HELLO", "0"], ["HELLO", "-1"], ["HELLO", "03"], ["HELLO", "+3"], ["HELLO", " 3"], ["HELLO", "3.0"],
        ["HELLO", "99999999999999999999"], ["HELLO", "9223372036854775807"], ["HELLO", ""],
      ],
      normalize,
    );
  });

  test("option errors: syntax, missing values, bad names; earlier options stay applied", async () => {
    await expectSame(
      [
        ["HELLO", "3", "foo"], ["HELLO", "3", "AUTH"], ["HELLO", "3", "AUTH", "default"], ["HELLO", "3", "SETNAME"],
        ["HELLO", "3", "SETNAME", "a b"], ["HELLO", "3", "SETNAME", "ok", "SETNAME", "a b"], ["CLIENT", "GETNAME"],
        ["HELLO", "3", "SETNAME", "ok2", "FOO"], ["CLIENT", "GETNAME"], ["PING"], ["HELLO", "3", "AUTH", "nobody", "pw"],
        ["HELLO", "2", "SETNAME", ""], ["CLIENT", "GETNAME"], ["HELLO", "3", "SETNAME", "x\x00"],
      ],
      normalize,
    );
  });

  test("HELLO 3 answers in RESP3: nulls, maps and sets byte for byte", async () => {
    await expectSame(
      [
        ["HELLO", "3"], ["CLIENT", "GETNAME"], ["GET", "conn:nothing"], ["CLIENT", "TRACKINGINFO"], ["CLIENT", "LIST", "ID", "999999"],
        ["CLIENT", "KILL", "ID", "999999"], ["CLIENT", "GETREDIR"], ["CLIENT", "SETNAME", "r3"], ["CLIENT", "GETNAME"],
        ["ECHO", "x"], ["HELLO"], ["RESET"], ["CLIENT", "GETNAME"], ["CLIENT", "TRACKINGINFO"],
      ],
      normalize,
    );
  });
});

describe("AUTH without requirepass", () => {
  test("password-only form errors, default user takes any password, others are refused", async () => {
    await expectSame([
      ["AUTH", "x"], ["AUTH", "default", "x"], ["AUTH", "default", ""], ["AUTH", "foo", "x"], ["AUTH", "a", "b", "c"], ["AUTH"], ["PING"],
    ]);
  });
});

describe("RESET", () => {
  test("resets db, name and protocol; arity", async () => {
    await expectSame(
      [
        ["SELECT", "2"], ["CLIENT", "SETNAME", "x"], ["HELLO", "3"], ["RESET"], ["CLIENT", "GETNAME"], ["GET", "conn:reset"],
        ["SET", "conn:reset", "db0"], ["SELECT", "2"], ["GET", "conn:reset"], ["RESET", "x"], ["RESET"], ["GET", "conn:reset"],
      ],
      normalize,
    );
  });

  test("turns NO-EVICT and NO-TOUCH off (7.2) but keeps SETINFO attributes", async () => {
    const kv = await RawConn.connect(pair.kv.port);
    try {
      await kv.call("CLIENT", "NO-EVICT", "on");
      await kv.call("CLIENT", "NO-TOUCH", "on");
      await kv.call("CLIENT", "SETINFO", "LIB-NAME", "lib");
      expect(await kv.call("CLIENT", "INFO")).toMatch(/ flags=eT /);
      expect(await kv.call("RESET")).toBe("+RESET\r\n");
      const info = await kv.call("CLIENT", "INFO");
      expect(info).toMatch(/ flags=N /);
      expect(info).toMatch(/ lib-name=lib /);
    } finally {
      kv.close();
    }
  });
});

// ---- COMMAND INFO facts, compared with redis-server 7.0 ----

type Resp = string | number | null | Resp[];

/** A minimal RESP2 reader for COMMAND INFO (independent of src/resp). */
function parseResp(s: string): Resp {
  let p = 0;
  const line = (): string => {
    const e = s.indexOf("\r\n", p);
    const l = s.slice(p, e);
    p = e + 2;
    return l;
  };
  const one = (): Resp => {
    const l = line();
    const t = l[0];
    const rest = l.slice(1);
    if (t === "+" || t === "-") return rest;
    if (t === ":") return Number(rest);
    if (t === "$") {
      const n = Number(rest);
      if (n < 0) return null;
      const v = s.slice(p, p + n);
      p += n + 2;
      return v;
    }
    if (t === "*") {
      const n = Number(rest);
      if (n < 0) return null;
      const out: Resp[] = [];
      for (let i = 0; i < n; i++) out.push(one());
      return out;
    }
    throw new Error(`unexpected ${l}`);
  };
  return one();
}

interface CommandFacts {
  name: string;
  arity: number;
  flags: string[];
  keys: [number, number, number];
  acl: string[];
  subs: CommandFacts[];
}

function facts(entry: Resp[]): CommandFacts {
  return {
    name: entry[0] as string,
    arity: entry[1] as number,
    flags: [...(entry[2] as string[])].sort(),
    keys: [entry[3] as number, entry[4] as number, entry[5] as number],
    acl: (entry[6] as string[]).map((a) => a.replace(/^@/, "")),
    subs: ((entry[9] as Resp[] | undefined) ?? []).map((e) => facts(e as Resp[])),
  };
}

async function oracleCommandInfo(port: number, name: string): Promise<CommandFacts> {
  const c = await RawConn.connect(port);
  try {
    const r = parseResp(await c.call("COMMAND", "INFO", name)) as Resp[];
    return facts(r[0] as Resp[]);
  } finally {
    c.close();
  }
}

function specFacts(spec: CommandSpec, parent = ""): CommandFacts {
  return {
    name: parent ? `${parent}|${spec.name}` : spec.name,
    arity: spec.arity,
    flags: [...spec.flags].sort(),
    keys: [...(spec.keys ?? [0, 0, 0])] as [number, number, number],
    acl: aclCategories(spec),
    subs: (spec.subcommands ?? []).map((s) => specFacts(s, spec.name)),
  };
}

test("connection commands declare redis-server 7.0's arity, flags, keys and ACL categories", async () => {
  for (const spec of connectionCommands) {
    const want = await oracleCommandInfo(pair.redis.port, spec.name);
    expect(specFacts(spec)).toEqual(want);
  }
});

test("CLIENT and its subcommands declare redis-server 7.0's facts; 7.2's two as documented", async () => {
  const client = clientCommands.find((s) => s.name === "client")!;
  const ours = specFacts(client);
  const want = await oracleCommandInfo(pair.redis.port, "client");
  expect({ ...ours, subs: [] }).toEqual({ ...want, subs: [] });
  const theirs = new Map(want.subs.map((s) => [s.name, s]));
  for (const sub of ours.subs) {
    const w = theirs.get(sub.name);
    if (w !== undefined) {
      expect(sub).toEqual(w);
    } else {
      // CLIENT NO-TOUCH and CLIENT SETINFO arrived in Redis 7.2 (connection, slow; noscript loading stale).
      expect(["client|no-touch", "client|setinfo"]).toContain(sub.name);
      expect(sub.flags).toEqual(["loading", "noscript", "stale"]);
      expect(sub.acl).toEqual(["slow", "connection"]);
      expect(sub.arity).toBe(sub.name === "client|setinfo" ? 4 : 3);
    }
  }
  // Every 7.0 subcommand is there except TRACKING (client-side caching is not implemented).
  const missing = want.subs.map((s) => s.name).filter((n) => !ours.subs.some((s) => s.name === n));
  expect(missing).toEqual(["client|tracking"]);
});
