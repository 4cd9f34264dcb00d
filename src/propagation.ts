// The write bus: after a command changed the keyspace, the dispatcher emits its (deterministic)
// argv here; the AOF, replicas and MONITOR subscribe. Owns fan-out only, no encoding or I/O.

/** A propagated argument: a latin1 byte string or raw bytes. */
export type PropArg = string | Uint8Array;

export interface PropagationListener {
  /** A write executed against database dbId. argv must not be retained past the call unless copied. */
  feed(dbId: number, argv: readonly PropArg[]): void;
}

export class Propagation {
  readonly #listeners = new Set<PropagationListener>();

  get active(): boolean {
    return this.#listeners.size !== 0;
  }

  subscribe(l: PropagationListener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  emit(dbId: number, argv: readonly PropArg[]): void {
    for (const l of this.#listeners) l.feed(dbId, argv);
  }
}
