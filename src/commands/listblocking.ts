// Blocking list commands: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP. Serves them at once when a key
// holds a list, else parks the client as a ListWaiter in the keyspace's blocking registry and
// replies on its behalf when it is served. The list moves themselves are list.ts's; the registry
// (keyspace/blocking.ts) is not ours to change.
import { E } from "../errors.ts";
import type { List } from "../types/list.ts";
import type { Context } from "./context.ts";
import type { CommandSpec } from "./spec.ts";
import { ClientWaiter, deadlineAfter, park, timeoutArg } from "./waiter.ts";
import {
  MOVE_KEYS,
  POP_EVENT,
  POP_FLAGS,
  asList,
  deleteIfEmpty,
  moveElement,
  mpopFirst,
  mpopKeys,
  parseEnd,
  parseMpop,
  popEnd,
  popRangeWithKey,
  touched,
  type End,
} from "./list.ts";

/**
 * Pop one element from where and reply [key, element]: BLPOP/BRPOP served at once or once woken.
 * Returns the propagated form ([LR]POP key) as Redis rewrites it.
 */
function popWithKey(c: Context, key: string, l: List, where: End): string[] {
  const v = popEnd(l, where);
  c.reply.array(2);
  c.reply.bulk(key);
  c.reply.bulk(v);
  touched(c, POP_EVENT[where], key);
  deleteIfEmpty(c, key, l);
  c.dirty();
  return [where === "LEFT" ? "LPOP" : "RPOP", key];
}

/** What a blocked client will do once one of its keys holds a list. */
type BlockOp =
  | { readonly kind: "pop"; readonly where: End }
  | { readonly kind: "mpop"; readonly where: End; readonly count: number }
  | { readonly kind: "move"; readonly from: End; readonly to: End; readonly dst: string; readonly rpoplpush: boolean };

/**
 * A client parked by a blocking list command. Served by the registry after the command that
 * filled one of its keys: it replies on its own connection and propagates the non-blocking
 * equivalent (BLPOP → LPOP key, BLMOVE → LMOVE …, BLMPOP → LPOP key n) as Redis does.
 */
class ListWaiter extends ClientWaiter {
  constructor(
    c: Context,
    keys: readonly string[],
    deadline: number,
    readonly op: BlockOp,
  ) {
    super(c, keys, deadline);
  }

  serve(key: string): boolean {
    const c = this.c;
    const l = asList(c.db.lookup(key));
    if (l === undefined || l === null || l.length === 0) return false;
    const op = this.op;
    let argv: string[];
    if (op.kind === "pop") {
      argv = popWithKey(c, key, l, op.where);
    } else if (op.kind === "mpop") {
      argv = popRangeWithKey(c, key, l, op.where, op.count);
      c.dirty();
    } else {
      const dl = asList(c.db.lookup(op.dst));
      if (dl === undefined) {
        // Matches Redis: the waiter is answered WRONGTYPE and the element stays where it was.
        c.error(E.wrongType);
        this.finish();
        return true;
      }
      moveElement(c, key, l, op.dst, dl, op.from, op.to);
      // Matches Redis 7.0's AOF: a served BLMOVE is logged with lowercase ends.
      argv = op.rpoplpush
        ? ["RPOPLPUSH", key, op.dst]
        : ["LMOVE", key, op.dst, op.from === "LEFT" ? "left" : "right", op.to === "LEFT" ? "left" : "right"];
    }
    const prop = c.server.propagation;
    if (prop.active) prop.emit(this.dbId, argv);
    this.finish();
    return true;
  }
}

/** Park c on keys until one holds a list, the timeout (ms, 0 = forever) passes or it is unblocked. */
function block(c: Context, keys: string[], timeoutMs: number, op: BlockOp): void {
  park(c, new ListWaiter(c, keys, deadlineAfter(c, timeoutMs), op));
}

/** BLPOP/BRPOP key… timeout. */
function bpop(c: Context, where: End): void {
  const argc = c.args.argc;
  const t = timeoutArg(c, argc - 1);
  if (t === null) return;
  const keys: string[] = [];
  for (let i = 1; i < argc - 1; i++) {
    const key = c.args.str(i);
    const l = asList(c.lookupWrite(key));
    if (l === undefined) return c.error(E.wrongType);
    if (l === null) {
      keys.push(key);
      continue;
    }
    c.propagateAs = popWithKey(c, key, l, where);
    return;
  }
  // Inside EXEC (or a script) nothing can fill the keys: answer as a timeout at once.
  if (c.denyBlocking) return c.reply.nilArray();
  block(c, keys, t, { kind: "pop", where });
}

/** BLMOVE/BRPOPLPUSH once the ends are parsed; the timeout is argv[timeoutIdx]. */
function bmove(c: Context, from: End, to: End, timeoutIdx: number, rpoplpush: boolean): void {
  const t = timeoutArg(c, timeoutIdx);
  if (t === null) return;
  const src = c.args.str(1);
  const dst = c.args.str(2);
  const sl = asList(c.lookupWrite(src));
  if (sl === undefined) return c.error(E.wrongType);
  if (sl !== null) {
    const dl = asList(c.lookupWrite(dst));
    if (dl === undefined) return c.error(E.wrongType);
    moveElement(c, src, sl, dst, dl, from, to);
    c.propagateAs = rpoplpush ? ["RPOPLPUSH", src, dst] : ["LMOVE", src, dst, c.args.str(3), c.args.str(4)];
    return;
  }
  if (c.denyBlocking) return c.reply.nil();
  block(c, [src], t, { kind: "move", from, to, dst, rpoplpush });
}

// ---- specs ----

const bpopSpec = (name: string, summary: string, where: End): CommandSpec => ({
  name,
  arity: -3,
  flags: ["write", "noscript", "blocking"],
  keys: [1, -2, 1],
  acl: ["list"],
  group: "list",
  since: "2.0.0",
  summary,
  keyFlags: POP_FLAGS,
  run: (c) => bpop(c, where),
});

export const listBlockingCommands: readonly CommandSpec[] = [
  bpopSpec("blpop", "Pops the first element of the first non-empty list, waiting for one if all are empty.", "LEFT"),
  bpopSpec("brpop", "Pops the last element of the first non-empty list, waiting for one if all are empty.", "RIGHT"),
  {
    name: "blmove",
    arity: 6,
    flags: ["write", "denyoom", "noscript", "blocking"],
    keys: [1, 2, 1],
    acl: ["list"],
    group: "list",
    since: "6.2.0",
    summary: "Like LMOVE, but waits for the source list to receive an element when it is empty.",
    keySpecs: MOVE_KEYS,
    run(c) {
      const from = parseEnd(c, 3);
      const to = parseEnd(c, 4);
      if (from === null || to === null) return c.error(E.syntax);
      bmove(c, from, to, 5, false);
    },
  },
  {
    name: "brpoplpush",
    arity: 4,
    flags: ["write", "denyoom", "noscript", "blocking"],
    keys: [1, 2, 1],
    acl: ["list"],
    group: "list",
    since: "2.2.0",
    summary: "Like RPOPLPUSH, but waits for the source list to receive an element when it is empty.",
    keySpecs: MOVE_KEYS,
    run: (c) => bmove(c, "RIGHT", "LEFT", 3, true),
  },
  {
    name: "blmpop",
    arity: -5,
    flags: ["write", "blocking", "movablekeys"],
    keys: [0, 0, 0],
    acl: ["list"],
    group: "list",
    since: "7.0.0",
    summary: "Like LMPOP, but waits for one of the lists to receive elements when all are empty.",
    keySpecs: mpopKeys(2),
    run(c) {
      const t = timeoutArg(c, 1);
      if (t === null) return;
      const a = parseMpop(c, 2);
      if (a === null || mpopFirst(c, a)) return;
      if (c.denyBlocking) return c.reply.nilArray();
      block(c, a.keys, t, { kind: "mpop", where: a.where, count: a.count });
    },
  },
];
