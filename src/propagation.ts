// The write bus: after a command changed the keyspace, the dispatcher emits its (deterministic)
// argv here; the AOF, replicas and MONITOR subscribe. Owns fan-out only, no encoding or I/O.
import type { Args } from "./resp/args.ts";

/** A propagated argument: a latin1 byte string or raw bytes. */
export type PropArg = string | Uint8Array;

export interface PropagationListener {
  /** A write executed against database dbId. argv must not be retained past the call unless copied. */
  feed(dbId: number, argv: readonly PropArg[]): void;
  /**
   * Optional fast path for a request propagated unchanged: its parsed argv (views into the
   * input buffer), valid only during the call. Lets byte-level listeners skip building strings.
   */
  feedArgs?(dbId: number, args: Args): void;
}

export class Propagation {
  readonly #listeners = new Set<PropagationListener>();
  /** Every listener takes feedArgs (then emitArgs builds no strings). */
  #allArgs = true;

  get active(): boolean {
    return this.#listeners.size !== 0;
  }

  subscribe(l: PropagationListener): () => void {
    this.#listeners.add(l);
    this.#allArgs = [...this.#listeners].every((x) => x.feedArgs !== undefined);
    return () => {
      this.#listeners.delete(l);
      this.#allArgs = [...this.#listeners].every((x) => x.feedArgs !== undefined);
    };
  }

  /** Writes held back while a transaction runs (Redis's also_propagate), or null. */
  #batch: { dbId: number; argv: readonly PropArg[] }[] | null = null;

  emit(dbId: number, argv: readonly PropArg[]): void {
    if (this.#batch !== null) {
      this.#batch.push({ dbId, argv });
      return;
    }
    for (const l of this.#listeners) l.feed(dbId, argv);
  }

  /** emit() for a request propagated as received: no strings are built when no one needs them. */
  emitArgs(dbId: number, args: Args): void {
    if (this.#batch !== null || !this.#allArgs) return this.emit(dbId, args.toStrings());
    for (const l of this.#listeners) l.feedArgs!(dbId, args);
  }

  /** EXEC begins: hold every write until endBatch() decides how to send them. */
  beginBatch(): void {
    this.#batch = [];
  }

  /**
   * EXEC ended. Matches Redis: a single write goes out alone; several are wrapped in
   * MULTI … EXEC so replicas and the AOF apply them atomically; none sends nothing.
   */
  endBatch(): void {
    const ops = this.#batch;
    this.#batch = null;
    if (ops === null || ops.length === 0) return;
    if (ops.length === 1) return this.emit(ops[0]!.dbId, ops[0]!.argv);
    this.emit(ops[0]!.dbId, ["MULTI"]);
    for (const op of ops) this.emit(op.dbId, op.argv);
    this.emit(ops[ops.length - 1]!.dbId, ["EXEC"]);
  }
}
