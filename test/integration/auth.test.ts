// requirepass end to end, kvserver and redis-server side by side with the same password: which
// commands run before AUTH, AUTH and HELLO AUTH in every order, RESET, and changing the password
// at run time. Replies are compared byte for byte (HELLO's after normalising version and id).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RawConn } from "../support/conn.ts";
import { transcript } from "../support/oracle.ts";
import { startKv, startRedis, type KvRunning, type Running } from "../support/servers.ts";
import type { Arg } from "../support/resp.ts";

const PASS = "s3cr\x00t\xff";
let kv: KvRunning;
let redis: Running;

beforeAll(async () => {
  [kv, redis] = await Promise.all([startKv({ config: { requirepass: "secret" } }), startRedis(["--requirepass", "secret"])]);
});
afterAll(async () => {
  await Promise.all([kv.stop(), redis.stop()]);
});

function normalize(r: string): string {
  return r
    .replace(/\$7\r\nversion\r\n\$\d+\r\n[0-9.]+\r\n/, "$7\r\nversion\r\n<version>")
    .replace(/\$2\r\nid\r\n:\d+\r\n/, "$2\r\nid\r\n<id>");
}

/** Run cmds on a fresh connection to each server; replies normalised. */
async function both(cmds: readonly (readonly Arg[])[]): Promise<{ kv: string[]; redis: string[] }> {
  const run = async (port: number) => {
    const c = await RawConn.connect(port);
    try {
      const out: string[] = [];
      for (const cmd of cmds) out.push(normalize(await c.call(...cmd)));
      return out;
    } finally {
      c.close();
    }
  };
  const [a, b] = await Promise.all([run(kv.port), run(redis.port)]);
  return { kv: a, redis: b };
}

async function expectSame(cmds: Arg[][]): Promise<void> {
  const r = await both(cmds);
  expect(transcript(cmds, r.kv)).toEqual(transcript(cmds, r.redis));
}

describe("before AUTH", () => {
  test("commands are refused with NOAUTH after unknown-command and arity checks", async () => {
    await expectSame([
      ["PING"], ["ECHO", "x"], ["SELECT", "1"], ["GET", "k"], ["SET", "k", "v"], ["CLIENT", "ID"], ["CLIENT", "SETNAME", "x"],
      ["NOSUCH", "a"], ["GET"], ["CLIENT"], ["CLIENT", "NOSUCH"], ["AUTH"], ["HELLO"], ["HELLO", "3"], ["HELLO", "2", "SETNAME", "x"],
      ["HELLO", "4"], ["HELLO", "abc"], ["RESET"], ["PING"],
    ]);
  });

  test("exactly AUTH, HELLO, QUIT and RESET run unauthenticated, as in redis-server", async () => {
    const c = await RawConn.connect(kv.port);
    await c.call("AUTH", "secret");
    c.close();
    const names = [...kv.server.table.byName.keys()].filter((n) => n !== "quit").sort();
    const cmds: Arg[][] = names.map((n) => {
      const spec = kv.server.table.byName.get(n)!.spec;
      if (spec.subcommands) return [n, "help"];
      return [n, ...Array.from({ length: Math.abs(spec.arity) - 1 }, () => "x")];
    });
    const r = await both(cmds);
    const diffs: string[] = [];
    for (let i = 0; i < cmds.length; i++) {
      // Commands redis-server 7.0 does not know (7.2 additions) have nothing to compare with.
      if (r.redis[i]!.startsWith("-ERR unknown command")) continue;
      if (r.kv[i] !== r.redis[i]) diffs.push(`${cmds[i]!.join(" ")}: kv ${JSON.stringify(r.kv[i])} redis ${JSON.stringify(r.redis[i])}`);
    }
    expect(diffs).toEqual([]);
    // Matches Redis: a refused EXEC names the reason inside its EXECABORT.
    const refused = (reply: string) => reply === "-NOAUTH Authentication required.\r\n" || reply === "-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n";
    const allowed = cmds.filter((_, i) => !refused(r.kv[i]!)).map((c) => String(c[0]));
    expect(allowed.sort()).toEqual(["auth", "hello", "reset"]);
    const flagged = [...kv.server.table.all()].filter((c) => c.noAuth).map((c) => c.fullName);
    expect(flagged.sort()).toEqual(["auth", "hello", "quit", "reset"]);
  });

  test("QUIT works unauthenticated", async () => {
    for (const port of [kv.port, redis.port]) {
      const c = await RawConn.connect(port);
      expect(await c.call("QUIT")).toBe("+OK\r\n");
      expect(await c.waitClosed(2000)).toBe(true);
    }
  });
});

describe("AUTH", () => {
  test("wrong passwords, other users, near misses; a failed AUTH keeps an earlier success", async () => {
    await expectSame([
      ["AUTH", "bad"], ["AUTH", "secre"], ["AUTH", "secret1"], ["AUTH", ""], ["AUTH", "SECRET"], ["AUTH", "default", "bad"],
      ["AUTH", "nouser", "secret"], ["AUTH", "Default", "secret"], ["AUTH", "default"], ["AUTH", "a", "b", "c"], ["PING"],
      ["AUTH", "secret"], ["PING"], ["AUTH", "bad"], ["PING"], ["AUTH", "default", ""], ["PING"], ["AUTH", "default", "secret"],
      ["CLIENT", "GETNAME"],
    ]);
  });

  test("RESET requires authenticating again and clears the name set before it", async () => {
    await expectSame([
      ["AUTH", "secret"], ["CLIENT", "SETNAME", "n"], ["SELECT", "3"], ["RESET"], ["PING"], ["CLIENT", "GETNAME"], ["AUTH", "secret"],
      ["CLIENT", "GETNAME"], ["SET", "auth:db", "0"], ["SELECT", "3"], ["GET", "auth:db"],
    ]);
  });
});

describe("HELLO with AUTH", () => {
  const SEQUENCES: Arg[][][] = [
    [["HELLO", "3", "AUTH", "default", "secret"], ["PING"], ["GET", "auth:none"]],
    [["HELLO", "2", "AUTH", "default", "bad"], ["PING"]],
    [["HELLO", "2", "AUTH", "foo", "secret"], ["PING"]],
    [["HELLO", "4", "AUTH", "default", "secret"], ["PING"]],
    [["HELLO", "3", "AUTH", "default", "secret", "SETNAME", "a b"], ["PING"], ["GET", "auth:none"]],
    [["HELLO", "3", "AUTH", "default", "bad", "FOO"], ["PING"]],
    [["HELLO", "3", "SETNAME", "a b", "AUTH", "default", "bad"], ["PING"]],
    [["HELLO", "3", "AUTH", "default", "secret", "SETNAME", "ok", "FOO"], ["PING"], ["CLIENT", "GETNAME"]],
    [["HELLO", "3", "SETNAME", "ok", "AUTH", "default", "bad"], ["AUTH", "secret"], ["CLIENT", "GETNAME"]],
    [["HELLO", "2", "SETNAME", "x"], ["AUTH", "secret"], ["CLIENT", "GETNAME"]],
    [["HELLO", "3", "AUTH", "default", "secret", "AUTH", "default", "bad"], ["PING"]],
    [["HELLO", "3", "AUTH", "default", "secret", "SETNAME", "nm"], ["CLIENT", "GETNAME"], ["RESET"], ["PING"], ["HELLO", "AUTH", "default", "secret"]],
    [["HELLO", "2", "AUTH", "default"], ["HELLO", "2", "AUTH"], ["PING"]],
  ];

  test("options apply in order; errors leave earlier ones in effect", async () => {
    for (const seq of SEQUENCES) await expectSame(seq);
  });
});

describe("changing requirepass at run time", () => {
  test("clearing it lets unauthenticated clients in; setting it again shuts them out, not the authenticated", async () => {
    const scenario = async (port: number) => {
      const [a, b] = await Promise.all([RawConn.connect(port), RawConn.connect(port)]);
      const out: string[] = [];
      try {
        out.push(await a.call("PING"), await b.call("AUTH", "secret"), await b.call("CONFIG", "SET", "requirepass", ""));
        out.push(await a.call("PING"), await a.call("AUTH", "x"), await a.call("AUTH", "default", "whatever"));
        const c = await RawConn.connect(port);
        out.push(await c.call("PING"));
        out.push(await b.call("CONFIG", "SET", "requirepass", PASS));
        out.push(await a.call("PING"), await b.call("PING"), await c.call("PING"));
        const d = await RawConn.connect(port);
        out.push(await d.call("PING"), await d.call("AUTH", "secret"), await d.call("AUTH", PASS), await d.call("PING"));
        out.push(await b.call("CONFIG", "SET", "requirepass", "secret"));
        c.close();
        d.close();
      } finally {
        a.close();
        b.close();
      }
      return out;
    };
    const [k, r] = await Promise.all([scenario(kv.port), scenario(redis.port)]);
    expect(k).toEqual(r);
  });
});
