// Typed settings with redis.conf names and Redis's defaults; the redis.conf / command-line
// parser; the backing of CONFIG GET/SET (validation, Redis's value formats, atomic multi-set).
// Owns values and validation, never applies side effects itself: the server registers onChange
// hooks for parameters that need them.

import { string2d } from "./util/number.ts";

export type ParamKind = "bool" | "int" | "memory" | "string" | "enum" | "save" | "bind" | "notify" | "percentiles" | "obuf";

export interface ParamDef {
  readonly name: string;
  readonly kind: ParamKind;
  readonly default: string;
  readonly aliases?: readonly string[];
  readonly values?: readonly string[];
  readonly min?: bigint;
  readonly max?: bigint;
  /** Values outside this range are accepted and clamped (Redis clamps hz to 1..500). */
  readonly clamp?: readonly [lo: number, hi: number];
  /** False: only settable at start-up (CONFIG SET answers Redis's immutable-config error). */
  readonly mutable: boolean;
  /** Protected configs are settable at runtime only under enable-protected-configs. */
  readonly protected?: boolean;
}

const P = (name: string, kind: ParamKind, def: string, extra: Partial<ParamDef> = {}): ParamDef => ({
  name,
  kind,
  default: def,
  mutable: true,
  ...extra,
});

const LL_MAX = (1n << 63n) - 1n;
const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;
const UINT_MAX = 4294967295n;
const ULL_MAX = (1n << 64n) - 1n;
const NUM = (min: bigint, max: bigint): Partial<ParamDef> => ({ min, max });
const bool = (name: string, def: "yes" | "no", extra: Partial<ParamDef> = {}) => P(name, "bool", def, extra);
const int = (name: string, def: string, min: bigint, max: bigint, extra: Partial<ParamDef> = {}) =>
  P(name, "int", def, { ...NUM(min, max), ...extra });
const mem = (name: string, def: string, min: bigint, max: bigint, extra: Partial<ParamDef> = {}) =>
  P(name, "memory", def, { ...NUM(min, max), ...extra });

/** Redis 7.0's parameters that kvserver keeps, with their compiled-in defaults and ranges. */
export const PARAMS: readonly ParamDef[] = [
  int("port", "6379", 0n, 65535n, { mutable: false }),
  P("bind", "bind", "127.0.0.1", { mutable: false }),
  P("dir", "string", "", { protected: true }),
  int("databases", "16", 1n, INT_MAX, { mutable: false }),
  P("requirepass", "string", ""),
  bool("daemonize", "no", { mutable: false }),
  P("pidfile", "string", "", { mutable: false }),
  P("loglevel", "enum", "notice", { values: ["debug", "verbose", "notice", "warning"] }),
  P("logfile", "string", "", { mutable: false }),
  // kvserver differs from Redis (no): durable by default (README, Configuration).
  bool("appendonly", "yes"),
  P("appendfsync", "enum", "everysec", { values: ["everysec", "always", "no"] }),
  P("appendfilename", "string", "appendonly.aof", { mutable: false }),
  P("appenddirname", "string", "appendonlydir", { mutable: false }),
  bool("aof-use-rdb-preamble", "yes"),
  bool("aof-load-truncated", "yes"),
  bool("aof-timestamp-enabled", "no"),
  bool("aof-rewrite-incremental-fsync", "yes"),
  bool("no-appendfsync-on-rewrite", "no"),
  int("auto-aof-rewrite-percentage", "100", 0n, INT_MAX),
  mem("auto-aof-rewrite-min-size", "67108864", 0n, LL_MAX),
  P("dbfilename", "string", "dump.rdb", { protected: true }),
  P("save", "save", "3600 1 300 100 60 10000"),
  bool("rdbcompression", "yes"),
  bool("rdbchecksum", "yes", { mutable: false }),
  bool("rdb-save-incremental-fsync", "yes"),
  bool("rdb-del-sync-files", "no"),
  bool("stop-writes-on-bgsave-error", "yes"),
  bool("sanitize-dump-payload", "no"),
  int("maxclients", "10000", 1n, UINT_MAX),
  int("timeout", "0", 0n, INT_MAX),
  int("tcp-keepalive", "300", 0n, INT_MAX),
  int("tcp-backlog", "511", 0n, INT_MAX, { mutable: false }),
  bool("protected-mode", "yes"),
  mem("proto-max-bulk-len", "536870912", 1024n * 1024n, LL_MAX),
  mem("client-query-buffer-limit", "1073741824", 1024n * 1024n, LL_MAX),
  int("hz", "10", 0n, INT_MAX, { clamp: [1, 500] }),
  bool("dynamic-hz", "yes"),
  bool("activerehashing", "yes"),
  mem("maxmemory", "0", 0n, ULL_MAX),
  P("maxmemory-policy", "enum", "noeviction", {
    values: ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"],
  }),
  int("maxmemory-samples", "5", 1n, INT_MAX),
  int("maxmemory-eviction-tenacity", "10", 0n, 100n),
  int("lfu-log-factor", "10", 0n, INT_MAX),
  int("lfu-decay-time", "1", 0n, INT_MAX),
  int("active-expire-effort", "1", 1n, 10n),
  P("notify-keyspace-events", "notify", ""),
  P("client-output-buffer-limit", "obuf", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
  int("slowlog-log-slower-than", "10000", -1n, LL_MAX),
  int("slowlog-max-len", "128", 0n, LL_MAX),
  int("latency-monitor-threshold", "0", 0n, LL_MAX),
  bool("latency-tracking", "yes"),
  P("latency-tracking-info-percentiles", "percentiles", "50 99 99.9"),
  int("busy-reply-threshold", "5000", 0n, LL_MAX, { aliases: ["lua-time-limit"] }),
  int("hash-max-listpack-entries", "512", 0n, LL_MAX, { aliases: ["hash-max-ziplist-entries"] }),
  mem("hash-max-listpack-value", "64", 0n, LL_MAX, { aliases: ["hash-max-ziplist-value"] }),
  int("list-max-listpack-size", "-2", INT_MIN, INT_MAX, { aliases: ["list-max-ziplist-size"] }),
  int("list-compress-depth", "0", 0n, INT_MAX),
  int("set-max-intset-entries", "512", 0n, LL_MAX),
  int("zset-max-listpack-entries", "128", 0n, LL_MAX, { aliases: ["zset-max-ziplist-entries"] }),
  mem("zset-max-listpack-value", "64", 0n, LL_MAX, { aliases: ["zset-max-ziplist-value"] }),
  mem("hll-sparse-max-bytes", "3000", 0n, LL_MAX),
  mem("stream-node-max-bytes", "4096", 0n, LL_MAX),
  int("stream-node-max-entries", "100", 0n, LL_MAX),
  bool("lazyfree-lazy-eviction", "no"),
  bool("lazyfree-lazy-expire", "no"),
  bool("lazyfree-lazy-server-del", "no"),
  bool("lazyfree-lazy-user-del", "no"),
  bool("lazyfree-lazy-user-flush", "no"),
  P("replicaof", "string", "", { aliases: ["slaveof"], mutable: false }),
  P("masterauth", "string", ""),
  P("masteruser", "string", ""),
  bool("replica-read-only", "yes", { aliases: ["slave-read-only"] }),
  bool("replica-serve-stale-data", "yes", { aliases: ["slave-serve-stale-data"] }),
  bool("replica-lazy-flush", "no", { aliases: ["slave-lazy-flush"] }),
  bool("replica-ignore-maxmemory", "yes", { aliases: ["slave-ignore-maxmemory"] }),
  int("replica-priority", "100", 0n, INT_MAX, { aliases: ["slave-priority"] }),
  mem("repl-backlog-size", "1048576", 1n, LL_MAX),
  int("repl-backlog-ttl", "3600", 0n, LL_MAX),
  int("repl-timeout", "60", 1n, INT_MAX),
  int("repl-ping-replica-period", "10", 1n, INT_MAX, { aliases: ["repl-ping-slave-period"] }),
  bool("repl-diskless-sync", "yes"),
  int("repl-diskless-sync-delay", "5", 0n, INT_MAX),
  P("repl-diskless-load", "enum", "disabled", { values: ["disabled", "on-empty-db", "swapdb"] }),
  bool("repl-disable-tcp-nodelay", "no"),
  int("min-replicas-to-write", "0", 0n, INT_MAX, { aliases: ["min-slaves-to-write"] }),
  int("min-replicas-max-lag", "10", 0n, INT_MAX, { aliases: ["min-slaves-max-lag"] }),
  int("shutdown-timeout", "10", 0n, INT_MAX),
  P("enable-debug-command", "enum", "no", { values: ["no", "yes", "local"], mutable: false }),
  P("enable-protected-configs", "enum", "no", { values: ["no", "yes", "local"], mutable: false }),
];

export class ConfigError extends Error {}

const byName = new Map<string, ParamDef>();
for (const p of PARAMS) {
  byName.set(p.name, p);
  for (const a of p.aliases ?? []) byName.set(a, p);
}

/** Every name CONFIG GET can match: canonical names and their aliases, each with its definition. */
export const PARAM_NAMES: readonly (readonly [name: string, def: ParamDef])[] = [...byName.entries()];

export function paramDef(name: string): ParamDef | undefined {
  return byName.get(name.toLowerCase());
}

const MEMORY_UNITS: Record<string, bigint> = {
  "": 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000n ** 2n, mb: 1024n ** 2n, g: 1000n ** 3n, gb: 1024n ** 3n,
};

/**
 * Redis's memtoull: "1gb" → 1073741824, "1k" → 1000, "k" → 0 (no digits reads as 0); units are
 * case-insensitive; signs, spaces and fractions are refused. Returns null when malformed.
 */
export function parseMemoryBig(s: string): bigint | null {
  const m = /^([0-9]*)([a-zA-Z]*)$/.exec(s);
  if (!m || m[1]!.length > 20) return null;
  const u = MEMORY_UNITS[m[2]!.toLowerCase()];
  if (u === undefined) return null;
  const v = (m[1] === "" ? 0n : BigInt(m[1]!)) * u;
  return v > ULL_MAX ? null : v;
}

/** parseMemory as a JS number (precision beyond 2^53 is not needed by any caller). */
export function parseMemory(s: string): number | null {
  const v = parseMemoryBig(s);
  return v === null ? null : Number(v);
}

// Keyspace-notification classes, in the order Redis prints them back.
const NOTIFY_CLASSES = "g$lshzxetd";
const NOTIFY_ALL_CHARS = NOTIFY_CLASSES;

/** Parse notify-keyspace-events flags into Redis's canonical spelling, or null if invalid. */
export function canonicalNotify(raw: string): string | null {
  const set = new Set<string>();
  for (const ch of raw) {
    if (ch === "A") for (const x of NOTIFY_ALL_CHARS) set.add(x);
    else if ("g$lshzxeKEtmdn".includes(ch)) set.add(ch);
    else return null;
  }
  let out = "";
  // Matches Redis 7.0: when every class of 'A' is set it prints "A" and drops 'n'.
  if ([...NOTIFY_ALL_CHARS].every((x) => set.has(x))) out = "A";
  else for (const x of NOTIFY_CLASSES + "n") if (set.has(x)) out += x;
  for (const x of "KEm") if (set.has(x)) out += x;
  return out;
}

/** A runtime side effect of a parameter: returns an error text to refuse the new value. */
export type ConfigHook = (value: string) => string | null;

export class Config {
  readonly #values = new Map<string, string>();
  readonly #numbers = new Map<string, number>();
  readonly #hooks = new Map<string, ConfigHook[]>();
  /** The config file this server was started with, if any (CONFIG REWRITE, INFO config_file). */
  file = "";
  /** Set once a "save" line was read, so repeated lines accumulate as in redis.conf. */
  saveSeen = false;

  constructor() {
    for (const p of PARAMS) this.#store(p, p.default);
  }

  #store(p: ParamDef, v: string): void {
    this.#values.set(p.name, v);
    if (p.kind === "int" || p.kind === "memory") this.#numbers.set(p.name, Number(v));
  }

  // Typed accessors for the hot ones (numbers are cached, no parsing per call).
  get port(): number { return this.#numbers.get("port")!; }
  get bind(): string[] { return this.get("bind").split(" ").filter(Boolean); }
  get databases(): number { return this.#numbers.get("databases")!; }
  get requirepass(): string { return this.#values.get("requirepass")!; }
  get protoMaxBulkLen(): number { return this.#numbers.get("proto-max-bulk-len")!; }
  get queryBufferLimit(): number { return this.#numbers.get("client-query-buffer-limit")!; }
  /** Effective hz: the stored value is already clamped to Redis's 1..500. */
  get hz(): number { return this.#numbers.get("hz")!; }
  get maxclients(): number { return this.#numbers.get("maxclients")!; }
  get timeout(): number { return this.#numbers.get("timeout")!; }
  get maxmemory(): number { return this.#numbers.get("maxmemory")!; }

  get(name: string): string {
    const p = paramDef(name);
    if (!p) throw new ConfigError(`unknown parameter ${name}`);
    return this.#values.get(p.name)!;
  }

  /** A numeric parameter's value as a number. */
  num(name: string): number {
    const p = paramDef(name);
    const v = p && this.#numbers.get(p.name);
    if (v === undefined) throw new ConfigError(`not a numeric parameter ${name}`);
    return v;
  }

  /** The value as CONFIG GET shows it (dir is the working directory, as Redis reports it). */
  display(p: ParamDef): string {
    const v = this.#values.get(p.name)!;
    if (p.name === "dir" && v === "") return process.cwd();
    if (p.kind === "notify" && v.startsWith("An")) return "A" + v.slice(2);
    return v;
  }

  /**
   * Install a runtime effect of a parameter (run on CONFIG SET, not at start-up). Several
   * subsystems may watch one parameter; they run in the order they were installed.
   */
  onChange(name: string, hook: ConfigHook): void {
    const p = paramDef(name);
    if (!p) throw new ConfigError(`unknown parameter ${name}`);
    const list = this.#hooks.get(p.name);
    if (list) list.push(hook);
    else this.#hooks.set(p.name, [hook]);
  }

  /** Run a parameter's hooks; the first refusal stops them and is returned. */
  #apply(p: ParamDef, value: string): string | null {
    const list = this.#hooks.get(p.name);
    if (list === undefined) return null;
    for (const hook of list) {
      const err = hook(value);
      if (err !== null) return err;
    }
    return null;
  }

  /** Validate and store one value; returns null or the reason it was refused (Redis's wording). */
  set(name: string, raw: string, atStartup = false): string | null {
    const p = paramDef(name);
    if (!p) return "Unknown option or number of arguments for CONFIG SET - '" + name + "'";
    if (!atStartup && !p.mutable) return "can't set immutable config";
    const norm = normalize(p, raw, this.#values.get(p.name)!);
    if (typeof norm !== "string") return norm.error;
    if (!atStartup) {
      const old = this.#values.get(p.name)!;
      this.#store(p, norm);
      const err = this.#apply(p, norm);
      if (err !== null) {
        this.#store(p, old);
        this.#apply(p, old);
      }
      return err;
    }
    this.#store(p, norm);
    return null;
  }

  /**
   * CONFIG SET's all-or-nothing multi-set: checks every name first (unknown, immutable, protected,
   * duplicate), then every value, then applies them in order; if a runtime hook refuses a value,
   * every parameter already changed gets its old value (and hook) back. Returns the full error
   * reply text, or null on success.
   */
  setMany(pairs: readonly (readonly [name: string, raw: string])[], local: boolean): string | null {
    const defs: ParamDef[] = [];
    const seen = new Set<string>();
    for (const [name] of pairs) {
      const p = paramDef(name);
      if (!p) return `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
      const fail = (reason: string) => `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
      if (!p.mutable) return fail("can't set immutable config");
      if (p.protected && !this.#allowed("enable-protected-configs", local)) return fail("can't set protected config");
      const key = name.toLowerCase();
      if (seen.has(key)) return fail("duplicate parameter");
      seen.add(key);
      defs.push(p);
    }
    const values: string[] = [];
    for (let i = 0; i < pairs.length; i++) {
      const norm = normalize(defs[i]!, pairs[i]![1], this.#values.get(defs[i]!.name)!);
      if (typeof norm !== "string") {
        return `ERR CONFIG SET failed (possibly related to argument '${pairs[i]![0]}') - ${norm.error}`;
      }
      values.push(norm);
    }
    const old = defs.map((p) => this.#values.get(p.name)!);
    for (let i = 0; i < defs.length; i++) {
      const p = defs[i]!;
      this.#store(p, values[i]!);
      const err = this.#apply(p, values[i]!);
      if (err !== null) {
        for (let j = i; j >= 0; j--) {
          const q = defs[j]!;
          this.#store(q, old[j]!);
          this.#apply(q, old[j]!);
        }
        return `ERR CONFIG SET failed (possibly related to argument '${pairs[i]![0]}') - ${err}`;
      }
    }
    return null;
  }

  /** An enable-* switch ("no" | "yes" | "local") for a client that is or is not local. */
  #allowed(name: string, local: boolean): boolean {
    const v = this.#values.get(name);
    return v === "yes" || (v === "local" && local);
  }

  /** enable-debug-command / enable-protected-configs as Redis checks them. */
  allows(name: "enable-debug-command" | "enable-protected-configs", local: boolean): boolean {
    return this.#allowed(name, local);
  }

  /** Canonical names and values (every parameter once). */
  entries(): [string, string][] {
    return PARAMS.map((p) => [p.name, this.display(p)]);
  }

  /** Restore every parameter to its default (tests). */
  reset(): void {
    for (const p of PARAMS) this.#store(p, p.default);
  }
}

/** A percentile as Redis prints it: "%f" without trailing zeros (99.9, 50, 0.5). */
export function formatPercentile(v: number): string {
  const f = v.toFixed(6);
  return f.includes(".") ? f.replace(/0+$/, "").replace(/\.$/, "") : f;
}

function checkRange(p: ParamDef, n: bigint): { error: string } | null {
  if ((p.min !== undefined && n < p.min) || (p.max !== undefined && n > p.max)) {
    return { error: `argument must be between ${p.min} and ${p.max} inclusive` };
  }
  return null;
}

function normalize(p: ParamDef, raw: string, current: string): string | { error: string } {
  switch (p.kind) {
    case "bool": {
      const v = raw.toLowerCase();
      if (v === "yes" || v === "no") return v;
      return { error: "argument must be 'yes' or 'no'" };
    }
    case "enum": {
      const v = raw.toLowerCase();
      if (p.values!.includes(v)) return v;
      return { error: "argument(s) must be one of the following: " + p.values!.join(", ") };
    }
    case "int": {
      // string2ll: no sign but '-', no leading zeros, int64 range.
      if (!/^(0|-?[1-9][0-9]{0,18})$/.test(raw)) return { error: "argument couldn't be parsed into an integer" };
      const n = BigInt(raw);
      if (n > LL_MAX || n < -LL_MAX - 1n) return { error: "argument couldn't be parsed into an integer" };
      const bad = checkRange(p, n);
      if (bad) return bad;
      if (p.clamp) return String(Math.min(p.clamp[1], Math.max(p.clamp[0], Number(n))));
      return n.toString();
    }
    case "memory": {
      const n = parseMemoryBig(raw);
      if (n === null) return { error: "argument must be a memory value" };
      return checkRange(p, n) ?? n.toString();
    }
    case "save": {
      // Matches Redis: "" disables; otherwise pairs of non-negative seconds/changes.
      if (raw === "") return "";
      const parts = raw.split(" ");
      if (parts.length % 2 !== 0 || parts.some((x) => !/^(0|[1-9][0-9]*)$/.test(x))) {
        return { error: "Invalid save parameters" };
      }
      return parts.join(" ");
    }
    case "notify": {
      const v = canonicalNotify(raw);
      if (v === null) return { error: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." };
      // Redis prints "A" without 'n' but still publishes new-key events: keep 'n' in the stored
      // value (display() hides it), so the value alone says what is published.
      if (v.startsWith("A") && raw.includes("n")) return "An" + v.slice(1);
      return v;
    }
    case "percentiles": {
      const out: string[] = [];
      for (const w of raw.split(" ").filter(Boolean)) {
        const v = string2d(w);
        if (v === null) return { error: "Invalid latency-tracking-info-percentiles parameters" };
        if (!(v >= 0 && v <= 100)) return { error: "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]" };
        out.push(formatPercentile(v));
      }
      return out.join(" ");
    }
    case "bind":
      return raw.split(/\s+/).filter(Boolean).join(" ");
    case "obuf":
      return outputBufferLimits(raw, current);
    case "string":
      return raw;
  }
}

/** Redis's memtoull: digits (saturating at 2^64-1) times a unit, wrapping like C's u64 product. */
function memtoull(s: string): bigint | null {
  const m = /^([0-9]*)([a-zA-Z]*)$/.exec(s);
  if (!m || m[1]!.length > 127) return null;
  const u = MEMORY_UNITS[m[2]!.toLowerCase()];
  if (u === undefined) return null;
  let v = m[1] === "" ? 0n : BigInt(m[1]!);
  if (v > ULL_MAX) v = ULL_MAX;
  return BigInt.asUintN(64, v * u);
}

/** C's (int)strtoll(s, &end, 10) with *end required to be '\0'; null when not a number. */
function strtollInt(s: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]*)$/.exec(s);
  if (!m) return null;
  if (m[2] === "") return s === "" ? 0 : null;
  let v = BigInt(m[2]!);
  if (m[1] === "-") v = -v;
  if (v > LL_MAX) v = LL_MAX;
  if (v < -LL_MAX - 1n) v = -LL_MAX - 1n;
  return Number(BigInt.asIntN(32, v));
}

const OBUF_CLASSES: Record<string, number> = { normal: 0, slave: 1, replica: 1, pubsub: 2 };
const OBUF_NAMES = ["normal", "slave", "pubsub"];

/**
 * client-output-buffer-limit: groups of "<class> <hard> <soft> <soft-seconds>" update those
 * classes of the current value (matches Redis 7.0: words split on single spaces, memory units,
 * seconds read as a C int, any bad group refuses the whole value).
 */
function outputBufferLimits(raw: string, current: string): string | { error: string } {
  if (raw === "") return current;
  const w = raw.split(" ");
  if (w.length % 4 !== 0) return { error: "Wrong number of arguments in buffer limit configuration." };
  const cur = current.split(" ");
  const limits = OBUF_NAMES.map((_, i) => cur.slice(i * 4 + 1, i * 4 + 4));
  for (let j = 0; j < w.length; j += 4) {
    const cls = OBUF_CLASSES[w[j]!.toLowerCase()];
    const hard = memtoull(w[j + 1]!);
    const soft = memtoull(w[j + 2]!);
    const secs = strtollInt(w[j + 3]!);
    if (cls === undefined) return { error: "Invalid client class specified in buffer limit configuration." };
    if (hard === null || soft === null || secs === null || secs < 0) {
      return { error: "Error in hard, soft or soft_seconds setting in buffer limit configuration." };
    }
    limits[cls] = [hard.toString(), soft.toString(), String(secs)];
  }
  return OBUF_NAMES.map((n, i) => `${n} ${limits[i]!.join(" ")}`).join(" ");
}

/**
 * Parse redis.conf text (and command-line options turned into lines) into the config.
 * Throws ConfigError with Redis's "FATAL CONFIG FILE ERROR" details on the first bad line.
 */
export function loadConfigText(cfg: Config, text: string, splitLine: (line: string) => string[] | null): void {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const argv = splitLine(line);
    const fail = (reason: string): never => {
      throw new ConfigError(
        `\n*** FATAL CONFIG FILE ERROR (kvserver) ***\nReading the configuration file, at line ${i + 1}\n>>> '${line}'\n${reason}`,
      );
    };
    if (argv === null) fail("Unbalanced quotes in configuration line");
    if (argv!.length === 0) continue;
    const name = argv![0]!.toLowerCase();
    const p = paramDef(name);
    if (!p) fail(`Bad directive or wrong number of arguments`);
    const multi = p!.kind === "save" || p!.kind === "bind" || p!.kind === "obuf" || p!.kind === "percentiles" || p!.name === "replicaof";
    if (!multi && argv!.length !== 2) fail("wrong number of arguments");
    let value = argv!.slice(1).join(" ");
    if (p!.kind === "save" && argv!.length === 2 && argv![1] === "") value = "";
    // Repeated "save" lines accumulate, as in redis.conf.
    if (p!.kind === "save" && value !== "" && cfg.saveSeen) value = `${cfg.get("save")} ${value}`.trim();
    if (p!.kind === "save") cfg.saveSeen = true;
    const err = cfg.set(name, value, true);
    if (err !== null) fail(err);
  }
}
