// Keyspace notifications: the notify-keyspace-events classes as bits, and notifyKeyspaceEvent,
// which publishes `__keyspace@<db>__:<key>` → event and `__keyevent@<db>__:<event>` → key.
// Commands call it through Context.notify; the enabled classes are one cached integer, so a
// disabled notification costs one AND. Validation of the flag string lives in config.ts.
import type { PubSub } from "./pubsub.ts";

// Event classes, as Redis numbers them (NOTIFY_*).
export const NOTIFY_KEYSPACE = 1 << 0; // K
export const NOTIFY_KEYEVENT = 1 << 1; // E
export const NOTIFY_GENERIC = 1 << 2; // g
export const NOTIFY_STRING = 1 << 3; // $
export const NOTIFY_LIST = 1 << 4; // l
export const NOTIFY_SET = 1 << 5; // s
export const NOTIFY_HASH = 1 << 6; // h
export const NOTIFY_ZSET = 1 << 7; // z
export const NOTIFY_EXPIRED = 1 << 8; // x
export const NOTIFY_EVICTED = 1 << 9; // e
export const NOTIFY_STREAM = 1 << 10; // t
export const NOTIFY_KEY_MISS = 1 << 11; // m
export const NOTIFY_LOADED = 1 << 12; // module only
export const NOTIFY_MODULE = 1 << 13; // d
export const NOTIFY_NEW = 1 << 14; // n
/** 'A': every class but key misses and new keys. */
export const NOTIFY_ALL =
  NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET |
  NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE;

const BITS: Record<string, number> = {
  A: NOTIFY_ALL, g: NOTIFY_GENERIC, $: NOTIFY_STRING, l: NOTIFY_LIST, s: NOTIFY_SET, h: NOTIFY_HASH,
  z: NOTIFY_ZSET, x: NOTIFY_EXPIRED, e: NOTIFY_EVICTED, K: NOTIFY_KEYSPACE, E: NOTIFY_KEYEVENT,
  t: NOTIFY_STREAM, m: NOTIFY_KEY_MISS, d: NOTIFY_MODULE, n: NOTIFY_NEW,
};

/**
 * The bits of a (validated) notify-keyspace-events value. Matches Redis: nothing is published
 * unless K or E is set too, so a value without either enables nothing.
 */
export function notifyFlags(value: string): number {
  let flags = 0;
  for (const ch of value) flags |= BITS[ch] ?? 0;
  if ((flags & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT)) === 0) return 0;
  return flags;
}

/**
 * Redis's notifyKeyspaceEvent: publish one event of the given class about key in db, on the
 * keyspace channel, the keyevent channel, or both, as the flags ask.
 */
export function notifyKeyspaceEvent(pubsub: PubSub, flags: number, type: number, event: string, key: string, dbId: number): void {
  // Nobody listening: nothing to build (the channel names cost more than the check).
  if ((flags & type) === 0 || pubsub.idle) return;
  if ((flags & NOTIFY_KEYSPACE) !== 0) pubsub.publish(`__keyspace@${dbId}__:${key}`, event);
  if ((flags & NOTIFY_KEYEVENT) !== 0) pubsub.publish(`__keyevent@${dbId}__:${event}`, key);
}
