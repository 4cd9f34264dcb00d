// Connection commands: PING ECHO QUIT SELECT. (HELLO, AUTH, RESET, CLIENT live in their own files.)
import { E } from "../errors.ts";
import type { CommandSpec } from "./spec.ts";

export const connectionCommands: readonly CommandSpec[] = [
  {
    name: "ping",
    arity: -1,
    flags: ["fast"],
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    acl: ["connection"],
    group: "connection",
    since: "1.0.0",
    summary: "Returns the server's liveliness response.",
    run(c) {
      if (c.args.argc > 2) return c.error("ERR wrong number of arguments for 'ping' command");
      if (c.args.argc === 2) c.reply.bulk(c.args.str(1));
      else c.reply.simple("PONG");
    },
  },
  {
    name: "echo",
    arity: 2,
    flags: ["loading", "stale", "fast"],
    acl: ["connection"],
    group: "connection",
    since: "1.0.0",
    summary: "Returns the given string.",
    run(c) {
      c.reply.bulk(c.args.str(1));
    },
  },
  {
    name: "quit",
    arity: -1,
    flags: ["allow_busy", "noscript", "loading", "stale", "fast", "no_auth"],
    acl: ["connection"],
    group: "connection",
    since: "1.0.0",
    summary: "Closes the connection.",
    run(c) {
      c.reply.ok();
      c.closeAfterReply = true;
    },
  },
  {
    name: "select",
    arity: 2,
    flags: ["loading", "stale", "fast"],
    acl: ["connection"],
    group: "connection",
    since: "1.0.0",
    summary: "Changes the selected database.",
    run(c) {
      const s = c.args.str(1);
      if (!/^-?[0-9]+$/.test(s)) return c.error(E.invalidDbIndex);
      const n = Number(s);
      const db = c.server.dbs[n];
      if (db === undefined) return c.error(E.dbIndexOutOfRange);
      c.db = db;
      c.reply.ok();
    },
  },
];
