// CLIENT and its subcommands: naming, listing and killing connections, reply modes, pauses.
// Reads and changes per-connection state on Context and the pause state on Server; the socket
// side of a pause (input waiting) lives in net/client, the reply suppression in the dispatcher.
import { E } from "../errors.ts";
import { string2ll } from "../util/number.ts";
import type { Context } from "./context.ts";
import type { CommandFlag, CommandSpec } from "./spec.ts";

export const BAD_CLIENT_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";

/** Redis's rule for names and attributes shown in CLIENT LIST: printable ASCII, no space. */
export function validClientAttr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 0x21 || ch > 0x7e) return false;
  }
  return true;
}

type ClientType = "normal" | "replica" | "master" | "pubsub";

/** TYPE argument of CLIENT LIST / KILL (matches Redis: "slave" is an alias of "replica"). */
function parseType(s: string): ClientType | null {
  switch (s.toLowerCase()) {
    case "normal": return "normal";
    case "slave": case "replica": return "replica";
    case "master": return "master";
    case "pubsub": return "pubsub";
    default: return null;
  }
}

/** Replication links are not modelled on Context yet: a client is pubsub while subscribed, else normal. */
function typeOf(c: Context): ClientType {
  return c.pubsub !== null ? "pubsub" : "normal";
}

/** The flags= field: letters in Redis's order, N when none apply. */
function flagsOf(c: Context): string {
  let f = "";
  if (c.monitor) f += "O";
  if (c.pubsub !== null) f += "P";
  if (c.multi !== null) f += "x";
  if (c.blocked || c.postponed) f += "b";
  if (c.dirtyCas) f += "d";
  if (c.closeAfterReply) f += "c";
  if (c.pubsub?.closing) f += "A";
  if (c.noEvict) f += "e";
  if (c.noTouch) f += "T";
  return f === "" ? "N" : f;
}

/** One CLIENT LIST / CLIENT INFO line (without the trailing newline), fields in Redis 7.2's order. */
export function clientInfoLine(c: Context, self: Context): string {
  const now = c.server.clock.now();
  let argvMem = 0;
  // Redis keeps the argv of the running command and of blocked or paused clients only.
  if (c === self || c.blocked || c.postponed) for (let i = 0; i < c.args.argc; i++) argvMem += c.args.len(i);
  const rbs = c.reply.buf.length;
  const qbuf = c.pendingInput;
  const qfree = c.inputFree;
  const totMem = 1024 + qbuf + qfree + argvMem + rbs + c.pendingOutput;
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.fd} name=${c.name}` +
    ` age=${Math.floor((now - c.createdMs) / 1000)} idle=${Math.floor((now - c.lastInteractionMs) / 1000)}` +
    ` flags=${flagsOf(c)} db=${c.db.id} sub=${c.pubsub?.channels.size ?? 0} psub=${c.pubsub?.patterns.size ?? 0}` +
    ` ssub=${c.pubsub?.shard.size ?? 0} multi=${c.multi?.length ?? -1}` +
    ` qbuf=${qbuf} qbuf-free=${qfree} argv-mem=${argvMem} multi-mem=0 rbs=${rbs} rbp=${rbs}` +
    ` obl=${c.reply.pos} oll=${c.outputChunks} omem=${c.pendingOutput} tot-mem=${totMem}` +
    ` events=${c.pendingOutput > 0 ? "rw" : "r"} cmd=${c.cmd?.fullName ?? "NULL"} user=default redir=-1` +
    ` resp=${c.reply.proto} lib-name=${c.libName} lib-ver=${c.libVer}`
  );
}

function wrongSubArgs(c: Context): void {
  c.error(`ERR unknown subcommand or wrong number of arguments for '${c.args.str(1)}'. Try CLIENT HELP.`);
}

function list(c: Context): void {
  const argc = c.args.argc;
  let type: ClientType | null = null;
  let ids: number[] | null = null;
  if (argc === 4 && c.args.is(2, "type")) {
    type = parseType(c.args.str(3));
    if (type === null) return c.error(`ERR Unknown client type '${c.args.str(3)}'`);
  } else if (argc >= 4 && c.args.is(2, "id")) {
    ids = [];
    for (let i = 3; i < argc; i++) {
      const v = string2ll(c.args.str(i));
      if (v === null) return c.error("ERR Invalid client ID");
      ids.push(Number(v));
    }
  } else if (argc !== 2) {
    return c.error(E.syntax);
  }
  let out = "";
  if (ids !== null) {
    // Matches Redis: one line per listed ID, in the order given.
    for (const id of ids) {
      const other = c.server.clients.get(id);
      if (other !== undefined) out += clientInfoLine(other, c) + "\n";
    }
  } else {
    for (const other of c.server.clients.values()) {
      if (type === null || typeOf(other) === type) out += clientInfoLine(other, c) + "\n";
    }
  }
  c.reply.verbatim(out);
}

interface KillFilter {
  id: number | null;
  type: ClientType | null;
  addr: string | null;
  laddr: string | null;
  skipMe: boolean;
  maxAgeSec: number;
}

function kill(c: Context): void {
  const argc = c.args.argc;
  const srv = c.server;
  if (argc === 3) {
    // Old form: CLIENT KILL addr:port — OK or an error, never a count.
    const addr = c.args.str(2);
    for (const other of srv.clients.values()) {
      if (other.addr !== addr) continue;
      c.reply.ok();
      killOne(c, other);
      return;
    }
    return c.error("ERR No such client");
  }
  const f: KillFilter = { id: null, type: null, addr: null, laddr: null, skipMe: true, maxAgeSec: 0 };
  for (let i = 2; i < argc; i += 2) {
    if (i + 1 >= argc) return c.error(E.syntax);
    const val = c.args.str(i + 1);
    if (c.args.is(i, "id")) {
      const v = string2ll(val);
      if (v === null || v <= 0) return c.error("ERR client-id should be greater than 0");
      f.id = Number(v);
    } else if (c.args.is(i, "type")) {
      f.type = parseType(val);
      if (f.type === null) return c.error(`ERR Unknown client type '${val}'`);
    } else if (c.args.is(i, "addr")) {
      f.addr = val;
    } else if (c.args.is(i, "laddr")) {
      f.laddr = val;
    } else if (c.args.is(i, "user")) {
      // Only the default user exists (no ACL users): any other name is unknown.
      if (val !== "default") return c.error(`ERR No such user '${val}'`);
    } else if (c.args.is(i, "skipme")) {
      if (c.args.is(i + 1, "yes")) f.skipMe = true;
      else if (c.args.is(i + 1, "no")) f.skipMe = false;
      else return c.error(E.syntax);
    } else if (c.args.is(i, "maxage")) {
      // Redis 7.4's filter: only clients connected for longer than maxage seconds.
      const v = string2ll(val);
      if (v === null) return c.error(E.notInteger);
      f.maxAgeSec = Number(v);
    } else {
      return c.error(E.syntax);
    }
  }
  const now = srv.clock.now();
  const victims: Context[] = [];
  for (const other of srv.clients.values()) {
    if (f.id !== null && other.id !== f.id) continue;
    if (f.type !== null && typeOf(other) !== f.type) continue;
    if (f.addr !== null && other.addr !== f.addr) continue;
    if (f.laddr !== null && other.laddr !== f.laddr) continue;
    if (f.skipMe && other === c) continue;
    if (f.maxAgeSec > 0 && (now - other.createdMs) / 1000 <= f.maxAgeSec) continue;
    victims.push(other);
  }
  c.reply.int(victims.length);
  for (const v of victims) killOne(c, v);
}

/** Close a client; the caller itself goes only after this reply is written (matches Redis). */
function killOne(c: Context, victim: Context): void {
  if (victim === c) c.closeAfterReply = true;
  else victim.kill();
}

function pause(c: Context): void {
  const argc = c.args.argc;
  if (argc > 4) return wrongSubArgs(c);
  const t = string2ll(c.args.str(2));
  if (t === null) return c.error("ERR timeout is not an integer or out of range");
  if (t < 0) return c.error(E.timeoutNegative);
  let writesOnly = false;
  if (argc === 4) {
    if (c.args.is(3, "write")) writesOnly = true;
    else if (!c.args.is(3, "all")) return c.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
  }
  const srv = c.server;
  const now = srv.clock.now();
  // Matches Redis: a deadline past the int64 range wraps into the past, so nothing is paused.
  if (typeof t === "bigint" || now + t > Number.MAX_SAFE_INTEGER) return c.reply.ok();
  const until = now + t;
  if (srv.pauseUntilMs > now) {
    // A pause already running is never shortened, nor narrowed from ALL to WRITE.
    srv.pauseUntilMs = Math.max(srv.pauseUntilMs, until);
    srv.pauseWritesOnly = srv.pauseWritesOnly && writesOnly;
  } else {
    srv.pauseUntilMs = until;
    srv.pauseWritesOnly = writesOnly;
  }
  c.reply.ok();
}

function unpause(c: Context): void {
  const srv = c.server;
  srv.pauseUntilMs = 0;
  srv.pauseWritesOnly = false;
  // Resume after this batch of replies, in the order the clients were paused.
  for (const wake of srv.pausedClients) queueMicrotask(wake);
  c.reply.ok();
}

function reply(c: Context): void {
  if (c.args.is(2, "on")) {
    c.replyMode = "on";
    c.muted = false;
    c.reply.ok();
  } else if (c.args.is(2, "off")) {
    c.replyMode = "off";
  } else if (c.args.is(2, "skip")) {
    // Matches Redis: SKIP does nothing while replies are off.
    if (c.replyMode !== "off") c.replyMode = "skip";
  } else {
    c.error(E.syntax);
  }
}

/** ON|OFF argument at position 2; replies a syntax error and returns null otherwise. */
function onOff(c: Context): boolean | null {
  if (c.args.is(2, "on")) return true;
  if (c.args.is(2, "off")) return false;
  c.error(E.syntax);
  return null;
}

function setinfo(c: Context): void {
  const attr = c.args.str(2);
  const val = c.args.str(3);
  const isName = c.args.is(2, "lib-name");
  if (!isName && !c.args.is(2, "lib-ver")) return c.error(`ERR Unrecognized option '${attr}'`);
  if (!validClientAttr(val)) return c.error(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
  if (isName) c.libName = val;
  else c.libVer = val;
  c.reply.ok();
}

function unblock(c: Context): void {
  const argc = c.args.argc;
  if (argc > 4) return wrongSubArgs(c);
  const id = string2ll(c.args.str(2));
  if (id === null) return c.error(E.notInteger);
  if (argc === 4 && !c.args.is(3, "timeout") && !c.args.is(3, "error")) {
    return c.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  }
  // Only clients waiting in a blocking command can be woken; a client held by CLIENT PAUSE cannot.
  const woke = typeof id === "number" && c.server.blocking.unblock(id, argc === 4 && c.args.is(3, "error"));
  c.reply.int(woke ? 1 : 0);
}

const HELP = [
  "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CACHING (YES|NO)",
  "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
  "GETREDIR",
  "    Return the client ID we are redirecting to when tracking is enabled.",
  "GETNAME",
  "    Return the name of the current connection.",
  "ID",
  "    Return the ID of the current connection.",
  "INFO",
  "    Return information about the current client connection.",
  "KILL <ip:port>",
  "    Kill connection made from <ip:port>.",
  "KILL <option> <value> [<option> <value> [...]]",
  "    Kill connections. Options are:",
  "    * ADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made from the specified address",
  "    * LADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made to specified local address",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Kill connections by type.",
  "    * USER <username>",
  "      Kill connections authenticated by <username>.",
  "    * SKIPME (YES|NO)",
  "      Skip killing current connection (default: yes).",
  "LIST [options ...]",
  "    Return information about client connections. Options:",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Return clients of specified type.",
  "UNPAUSE",
  "    Stop the current client pause, resuming traffic.",
  "PAUSE <timeout> [WRITE|ALL]",
  "    Suspend all, or just write, clients for <timeout> milliseconds.",
  "REPLY (ON|OFF|SKIP)",
  "    Control the replies sent to the current connection.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "UNBLOCK <clientid> [TIMEOUT|ERROR]",
  "    Unblock the specified blocked client.",
  "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
  "         [OPTIN] [OPTOUT] [NOLOOP]",
  "    Control server assisted client side caching.",
  "TRACKINGINFO",
  "    Report tracking status for the current connection.",
  "NO-EVICT (ON|OFF)",
  "    Protect current client connection from eviction.",
  // The two 7.2 subcommands, worded here (7.0, our oracle, lacks them).
  "NO-TOUCH (ON|OFF)",
  "    Keep this connection's reads from updating the keys' access time.",
  "SETINFO <LIB-NAME|LIB-VER> <value>",
  "    Record the client library's name or version, shown by CLIENT LIST.",
  "HELP",
  "    Prints this help.",
];

const SUB: readonly CommandFlag[] = ["noscript", "loading", "stale"];
const ADMIN: readonly CommandFlag[] = ["admin", "noscript", "loading", "stale"];

function sub(name: string, arity: number, flags: readonly CommandFlag[], since: string, summary: string, run: (c: Context) => void): CommandSpec {
  return { name, arity, flags, acl: ["connection"], group: "connection", since, summary, run };
}

export const clientCommands: readonly CommandSpec[] = [
  {
    name: "client",
    arity: -2,
    flags: [],
    group: "connection",
    since: "2.4.0",
    summary: "Inspects and controls client connections.",
    subcommands: [
      sub("id", 2, SUB, "5.0.0", "Returns this connection's unique ID.", (c) => c.reply.int(c.id)),
      sub("setname", 3, SUB, "2.6.9", "Names this connection.", (c) => {
        const name = c.args.str(2);
        if (!validClientAttr(name)) return c.error(BAD_CLIENT_NAME);
        c.name = name;
        c.reply.ok();
      }),
      sub("getname", 2, SUB, "2.6.9", "Returns this connection's name.", (c) => {
        if (c.name === "") c.reply.nil();
        else c.reply.bulk(c.name);
      }),
      sub("info", 2, SUB, "6.2.0", "Describes this connection.", (c) => c.reply.verbatim(clientInfoLine(c, c) + "\n")),
      sub("list", -2, ADMIN, "2.4.0", "Describes every connection, or those of a type or with given IDs.", list),
      sub("kill", -3, ADMIN, "2.4.0", "Closes the connections matching an address or a set of filters.", kill),
      sub("setinfo", 4, SUB, "7.2.0", "Records the client library's name or version.", setinfo),
      sub("reply", 3, SUB, "3.2.0", "Turns this connection's replies on, off, or off for the next command.", reply),
      sub("no-evict", 3, ADMIN, "7.0.0", "Exempts this connection from client eviction.", (c) => {
        const v = onOff(c);
        if (v === null) return;
        c.noEvict = v;
        c.reply.ok();
      }),
      sub("no-touch", 3, SUB, "7.2.0", "Keeps this connection's reads from updating access times.", (c) => {
        const v = onOff(c);
        if (v === null) return;
        c.noTouch = v;
        c.reply.ok();
      }),
      sub("pause", -3, ADMIN, "2.9.50", "Holds clients' commands, all or only writes, for some milliseconds.", pause),
      sub("unpause", 2, ADMIN, "6.2.0", "Ends a CLIENT PAUSE.", unpause),
      sub("unblock", -3, ADMIN, "5.0.0", "Wakes a client blocked in a blocking command.", unblock),
      sub("getredir", 2, SUB, "6.0.0", "Returns where tracking invalidations go (-1: tracking is off).", (c) => c.reply.int(-1)),
      sub("trackinginfo", 2, SUB, "6.2.0", "Describes this connection's key tracking.", (c) => {
        // Tracking is never on: flags [off], no redirection, no prefixes.
        c.reply.map(3);
        c.reply.bulk("flags");
        c.reply.set(1);
        c.reply.bulk("off");
        c.reply.bulk("redirect");
        c.reply.int(-1);
        c.reply.bulk("prefixes");
        c.reply.array(0);
      }),
      sub("caching", 3, SUB, "6.0.0", "Tells tracking whether to track the next command's keys.", (c) =>
        c.error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"),
      ),
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        acl: ["connection"],
        group: "connection",
        since: "5.0.0",
        summary: "Lists the CLIENT subcommands.",
        run(c) {
          c.reply.array(HELP.length);
          for (const line of HELP) c.reply.simple(line);
        },
      },
    ],
  },
];
