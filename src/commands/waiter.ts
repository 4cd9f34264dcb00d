// The half of a blocking command that every family shares: the timeout argument, parking a client
// in the keyspace's blocking registry, and how a parked client is answered on timeout, on CLIENT
// UNBLOCK … ERROR and when it is done. Serving from a key is each family's own (listblocking.ts,
// zsetpop.ts); the registry itself is keyspace/blocking.ts and is not changed here.
import { parseTimeoutSeconds, type Waiter } from "../keyspace/blocking.ts";
import type { Context } from "./context.ts";

/** Timeout argument i in seconds → ms (0 = forever); replies and returns null when invalid. */
export function timeoutArg(c: Context, i: number): number | null {
  const t = parseTimeoutSeconds(c.args.str(i));
  if (typeof t === "string") {
    c.error(t);
    return null;
  }
  return t;
}

/** The absolute deadline (server clock) of a wait of timeoutMs from now; 0 waits forever. */
export function deadlineAfter(c: Context, timeoutMs: number): number {
  return timeoutMs === 0 ? 0 : c.server.clock.now() + timeoutMs;
}

/** Park c until its waiter is served, times out or is unblocked. */
export function park(c: Context, w: Waiter): void {
  c.blocked = true;
  c.server.blocking.block(w);
}

/**
 * A client parked by a blocking command. Subclasses serve it from a ready key; a wait that ends
 * without data is answered with a null array (matches Redis 7.0 for every blocking pop and move,
 * BLMOVE too), CLIENT UNBLOCK … ERROR with the error, and either way the client resumes.
 */
export abstract class ClientWaiter implements Waiter {
  readonly clientId: number;
  readonly dbId: number;

  constructor(
    readonly c: Context,
    readonly keys: readonly string[],
    readonly deadline: number,
  ) {
    this.clientId = c.id;
    this.dbId = c.db.id;
  }

  abstract serve(key: string): boolean;

  timedOut(): void {
    this.c.reply.nilArray();
    this.finish();
  }

  failed(message: string): void {
    this.c.error(message);
    this.finish();
  }

  /** The client is answered: unblock it, flush its replies and read what it sent meanwhile. */
  protected finish(): void {
    const c = this.c;
    c.blocked = false;
    c.server.requestFlush(c);
    c.resume();
  }
}
