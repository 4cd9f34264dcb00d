// WATCHed keys: which clients watch which key of which db, and the flag a change raises on each
// of them (Redis's CLIENT_DIRTY_CAS). Knows nothing of commands or replies: Context.signalModified,
// the keyspace hooks and FLUSH*/SWAPDB call touch()/touchFlushed(); EXEC reads the flag.
import type { Db } from "./db.ts";

/** One watched key of one client. */
export interface WatchedKey {
  readonly db: Db;
  readonly key: string;
  /** The key was already (logically) expired when watched: its deletion is then no change. */
  expired: boolean;
}

/** A client as WATCH sees it: its own watched keys and the flag EXEC checks. */
export interface Watcher {
  /** Set when a watched key changed: EXEC then aborts. */
  dirtyCas: boolean;
  /** The keys this client watches, in WATCH order. */
  readonly watched: WatchedKey[];
}

export class WatchRegistry {
  /** Per db: key → the clients watching it, each with its own entry. */
  readonly #byDb = new Map<Db, Map<string, Map<Watcher, WatchedKey>>>();
  #keys = 0;

  /** Watched (db, key) pairs with at least one watcher. */
  get keyCount(): number {
    return this.#keys;
  }

  /** True when nobody watches anything: touching is then a no-op and callers may skip it. */
  get empty(): boolean {
    return this.#keys === 0;
  }

  /** Redis's watchForKey: watching a key twice is a no-op. */
  watch(w: Watcher, db: Db, key: string): void {
    let byKey = this.#byDb.get(db);
    if (byKey === undefined) this.#byDb.set(db, (byKey = new Map()));
    let watchers = byKey.get(key);
    if (watchers === undefined) {
      byKey.set(key, (watchers = new Map()));
      this.#keys++;
    }
    if (watchers.has(w)) return;
    const entry: WatchedKey = { db, key, expired: db.isExpired(key) };
    watchers.set(w, entry);
    w.watched.push(entry);
  }

  /** UNWATCH, EXEC, DISCARD, RESET, disconnect: forget every key of this client and clear its flag. */
  unwatchAll(w: Watcher): void {
    for (const { db, key } of w.watched) {
      const byKey = this.#byDb.get(db);
      const watchers = byKey?.get(key);
      if (watchers === undefined) continue;
      watchers.delete(w);
      if (watchers.size === 0) {
        byKey!.delete(key);
        this.#keys--;
        if (byKey!.size === 0) this.#byDb.delete(db);
      }
    }
    w.watched.length = 0;
    w.dirtyCas = false;
  }

  /** Redis's touchWatchedKey, called after the key changed. */
  touch(db: Db, key: string): void {
    const watchers = this.#byDb.get(db)?.get(key);
    if (watchers === undefined) return;
    for (const [w, entry] of watchers) {
      // Matches Redis: deleting a key that was already expired when watched is no logical change.
      if (entry.expired && !db.dict.has(key)) {
        entry.expired = false;
        continue;
      }
      w.dirtyCas = true;
    }
  }

  /**
   * Redis's touchAllWatchedKeysInDb, called before `emptied` is flushed (replacedWith null) or
   * swapped with `replacedWith` (SWAPDB): a watched key changes if it exists on either side.
   */
  touchFlushed(emptied: Db, replacedWith: Db | null): void {
    const byKey = this.#byDb.get(emptied);
    if (byKey === undefined) return;
    for (const [key, watchers] of byKey) {
      const inEmptied = emptied.dict.has(key);
      const inReplacement = replacedWith !== null && replacedWith.dict.has(key);
      if (!inEmptied && !inReplacement) continue;
      for (const [w, entry] of watchers) {
        if (entry.expired) {
          if (!inReplacement) {
            entry.expired = false;
            continue;
          }
          if (replacedWith!.isExpired(key)) continue;
        } else if (!inEmptied && replacedWith!.isExpired(key)) {
          entry.expired = true;
          continue;
        }
        w.dirtyCas = true;
      }
    }
  }

  /** Redis's isWatchedKeyExpired: has a watched key, live when watched, expired since? */
  anyExpiredSince(w: Watcher): boolean {
    for (const entry of w.watched) if (!entry.expired && entry.db.isExpired(entry.key)) return true;
    return false;
  }
}
