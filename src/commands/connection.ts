// Connection commands: PING ECHO QUIT SELECT, and the connection-state ones HELLO AUTH RESET.
// They change only the calling client's Context (protocol, auth, db, name); CLIENT is in client.ts.
import { discardTransaction } from "./transaction.ts";
import { createHash, timingSafeEqual } from "node:crypto";
import { E } from "../errors.ts";
import { VERSION } from "../server.ts";
import { string2ll } from "../util/number.ts";
import { BAD_CLIENT_NAME, validClientAttr } from "./client.ts";
import type { Context } from "./context.ts";
import type { CommandFlag, CommandSpec } from "./spec.ts";

const HELLO_NOAUTH =
  "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time";

/** Is a password required right now (Redis: the default user has a password)? */
function authRequired(c: Context): boolean {
  return c.server.config.requirepass !== "";
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s, "latin1").digest();
}

/**
 * Redis's ACL check for the only user there is, "default": without requirepass it takes any
 * password (nopass); with one, the password must match, compared in constant time.
 */
function credentialsOk(c: Context, user: string, pass: string): boolean {
  const required = c.server.config.requirepass;
  // Compare digests so neither the length nor the content of the password leaks through timing.
  const passOk = required === "" || timingSafeEqual(digest(pass), digest(required));
  return user === "default" && passOk;
}

function hello(c: Context): void {
  const argc = c.args.argc;
  let proto = c.reply.proto as number;
  if (argc >= 2) {
    const v = string2ll(c.args.str(1));
    if (v === null) return c.error("ERR Protocol version is not an integer or out of range");
    if (v !== 2 && v !== 3) return c.error(E.noproto);
    proto = v;
  }
  // Matches Redis 7.0: options apply one by one as they are read, so an error part-way leaves
  // the earlier ones (an AUTH, a SETNAME) in effect, and the protocol unchanged.
  for (let j = 2; j < argc; j++) {
    const more = argc - 1 - j;
    if (c.args.is(j, "auth") && more >= 2) {
      if (!credentialsOk(c, c.args.str(j + 1), c.args.str(j + 2))) return c.error(E.wrongPass);
      c.authenticated = true;
      j += 2;
    } else if (c.args.is(j, "setname") && more >= 1) {
      const name = c.args.str(j + 1);
      if (!validClientAttr(name)) return c.error(BAD_CLIENT_NAME);
      c.name = name;
      j++;
    } else {
      return c.error(`ERR Syntax error in HELLO option '${c.args.str(j)}'`);
    }
  }
  if (!c.authenticated && authRequired(c)) return c.error(HELLO_NOAUTH);
  const r = c.reply;
  r.proto = proto === 3 ? 3 : 2;
  r.map(7);
  r.bulk("server");
  r.bulk("redis");
  r.bulk("version");
  r.bulk(VERSION);
  r.bulk("proto");
  r.int(proto);
  r.bulk("id");
  r.int(c.id);
  r.bulk("mode");
  r.bulk("standalone");
  r.bulk("role");
  r.bulk("master");
  r.bulk("modules");
  r.array(0);
}

function auth(c: Context): void {
  const argc = c.args.argc;
  if (argc > 3) return c.error(E.syntax);
  if (argc === 2 && !authRequired(c)) return c.error(E.authNoPassword);
  const user = argc === 3 ? c.args.str(1) : "default";
  // A failed AUTH leaves an authenticated client authenticated (matches Redis).
  if (!credentialsOk(c, user, c.args.str(argc - 1))) return c.error(E.wrongPass);
  c.authenticated = true;
  c.reply.ok();
}

function reset(c: Context): void {
  // Matches Redis: RESET ends CLIENT REPLY OFF and so is answered, but a SKIP pending from the
  // previous command still swallows its reply.
  if (c.replyMode === "off") c.muted = false;
  c.replyMode = "on";
  c.reply.proto = 2;
  c.db = c.server.dbs[0]!;
  c.name = "";
  c.noEvict = false;
  c.noTouch = false;
  c.authenticated = !authRequired(c);
  c.server.pubsub.removeClient(c);
  c.server.monitors.remove(c);
  discardTransaction(c);
  c.reply.simple("RESET");
}

/** Flags of the commands a client may send before authenticating. */
const NO_AUTH: readonly CommandFlag[] = ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"];

export const connectionCommands: readonly CommandSpec[] = [
  {
    name: "ping",
    arity: -1,
    flags: ["fast"],
    acl: ["connection"],
    group: "connection",
    since: "1.0.0",
    summary: "Returns the server's liveliness response.",
    run(c) {
      if (c.args.argc > 2) return c.error("ERR wrong number of arguments for 'ping' command");
      // Matches Redis: in RESP2 subscribed mode PING answers like a message: ["pong", arg or ""].
      if (c.pubsub !== null && c.reply.proto === 2) {
        c.reply.array(2);
        c.reply.bulk("pong");
        c.reply.bulk(c.args.argc === 2 ? c.args.str(1) : "");
        return;
      }
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
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
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
      const n = string2ll(c.args.str(1));
      if (n === null) return c.error(E.notInteger);
      // Matches Redis: the index is parsed as a C int before it is checked against databases.
      if (n < -2147483648 || n > 2147483647) {
        return c.error("ERR value is out of range, value must between -2147483648 and 2147483647");
      }
      const db = n >= 0 ? c.server.dbs[Number(n)] : undefined;
      if (db === undefined) return c.error(E.dbIndexOutOfRange);
      c.db = db;
      c.reply.ok();
    },
  },
  {
    name: "hello",
    arity: -1,
    flags: NO_AUTH,
    acl: ["connection"],
    group: "connection",
    since: "6.0.0",
    summary: "Chooses the protocol version, optionally authenticating and naming the connection.",
    run: hello,
  },
  {
    name: "auth",
    arity: -2,
    flags: NO_AUTH,
    acl: ["connection"],
    group: "connection",
    since: "1.0.0",
    summary: "Authenticates the connection.",
    run: auth,
  },
  {
    name: "reset",
    arity: 1,
    flags: NO_AUTH,
    acl: ["connection"],
    group: "connection",
    since: "6.2.0",
    summary: "Returns the connection to the state it had when it was opened.",
    run: reset,
  },
];
