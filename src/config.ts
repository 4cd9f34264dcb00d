// Typed settings with redis.conf names and Redis's defaults; the redis.conf / command-line
// parser; the backing of CONFIG GET/SET. Owns values and validation, never applies side effects
// itself: the server registers onChange hooks for parameters that need them.

export type ParamKind = "bool" | "int" | "memory" | "string" | "enum" | "save" | "bind";

export interface ParamDef {
  readonly name: string;
  readonly kind: ParamKind;
  readonly default: string;
  readonly aliases?: readonly string[];
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** False: only settable at start-up (CONFIG SET answers Redis's immutable-config error). */
  readonly mutable: boolean;
}

const P = (name: string, kind: ParamKind, def: string, extra: Partial<ParamDef> = {}): ParamDef => ({
  name,
  kind,
  default: def,
  mutable: true,
  ...extra,
});

const LL_MAX = Number.MAX_SAFE_INTEGER;

export const PARAMS: readonly ParamDef[] = [
  P("port", "int", "6379", { min: 0, max: 65535, mutable: false }),
  P("bind", "bind", "127.0.0.1", { mutable: false }),
  P("dir", "string", "", {}),
  P("databases", "int", "16", { min: 1, max: 2147483647, mutable: false }),
  P("requirepass", "string", ""),
  P("daemonize", "bool", "no", { mutable: false }),
  P("pidfile", "string", "", { mutable: false }),
  P("loglevel", "enum", "notice", { values: ["debug", "verbose", "notice", "warning", "nothing"] }),
  P("logfile", "string", "", { mutable: false }),
  P("appendonly", "bool", "no"),
  P("appendfsync", "enum", "everysec", { values: ["always", "everysec", "no"] }),
  P("appendfilename", "string", "appendonly.aof", { mutable: false }),
  P("appenddirname", "string", "appendonlydir", { mutable: false }),
  P("dbfilename", "string", "dump.rdb"),
  P("save", "save", "3600 1 300 100 60 10000"),
  P("maxclients", "int", "10000", { min: 1, max: 2147483647 }),
  P("timeout", "int", "0", { min: 0, max: 2147483647 }),
  P("tcp-keepalive", "int", "300", { min: 0, max: 2147483647 }),
  P("tcp-backlog", "int", "511", { min: 0, max: 2147483647, mutable: false }),
  P("protected-mode", "bool", "yes"),
  P("proto-max-bulk-len", "memory", "536870912", { min: 1024 * 1024, max: LL_MAX }),
  P("client-query-buffer-limit", "memory", "1073741824", { min: 1024 * 1024, max: LL_MAX }),
  P("hz", "int", "10", { min: 0, max: 2147483647 }),
  P("maxmemory", "memory", "0", { min: 0, max: LL_MAX }),
  P("maxmemory-policy", "enum", "noeviction", {
    values: ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"],
  }),
  P("maxmemory-samples", "int", "5", { min: 1, max: 64 }),
  P("active-expire-effort", "int", "1", { min: 1, max: 10 }),
  P("notify-keyspace-events", "string", ""),
  P("slowlog-log-slower-than", "int", "10000", { min: -1, max: LL_MAX }),
  P("slowlog-max-len", "int", "128", { min: 0, max: 2147483647 }),
  P("latency-monitor-threshold", "int", "0", { min: 0, max: LL_MAX }),
  P("lua-time-limit", "int", "5000", { min: 0, max: LL_MAX, aliases: ["busy-reply-threshold"] }),
  P("rdbcompression", "bool", "yes"),
  P("rdbchecksum", "bool", "yes", { mutable: false }),
  P("stop-writes-on-bgsave-error", "bool", "yes"),
  P("hash-max-listpack-entries", "int", "128", { min: 0, max: LL_MAX, aliases: ["hash-max-ziplist-entries"] }),
  P("hash-max-listpack-value", "int", "64", { min: 0, max: LL_MAX, aliases: ["hash-max-ziplist-value"] }),
  P("list-max-listpack-size", "int", "-2", { min: -2147483648, max: 2147483647, aliases: ["list-max-ziplist-size"] }),
  P("list-compress-depth", "int", "0", { min: 0, max: 2147483647 }),
  P("set-max-intset-entries", "int", "512", { min: 0, max: LL_MAX }),
  P("zset-max-listpack-entries", "int", "128", { min: 0, max: LL_MAX, aliases: ["zset-max-ziplist-entries"] }),
  P("zset-max-listpack-value", "int", "64", { min: 0, max: LL_MAX, aliases: ["zset-max-ziplist-value"] }),
  P("lazyfree-lazy-user-flush", "bool", "no"),
  P("enable-debug-command", "enum", "no", { values: ["no", "yes", "local"], mutable: false }),
];

export class ConfigError extends Error {}

const byName = new Map<string, ParamDef>();
for (const p of PARAMS) {
  byName.set(p.name, p);
  for (const a of p.aliases ?? []) byName.set(a, p);
}

export function paramDef(name: string): ParamDef | undefined {
  return byName.get(name.toLowerCase());
}

/** Redis's memtoll: "1gb" → 1073741824, "1k" → 1000; null when malformed. */
export function parseMemory(s: string): number | null {
  const m = /^(-?[0-9]+)([a-z]*)$/i.exec(s);
  if (!m) return null;
  const units: Record<string, number> = {
    "": 1, b: 1, k: 1000, kb: 1024, m: 1000 ** 2, mb: 1024 ** 2, g: 1000 ** 3, gb: 1024 ** 3,
  };
  const u = units[m[2]!.toLowerCase()];
  if (u === undefined) return null;
  return Number(m[1]) * u;
}

export class Config {
  readonly #values = new Map<string, string>();
  readonly #hooks = new Map<string, (value: string) => string | null>();
  /** The config file this server was started with, if any (CONFIG REWRITE). */
  file = "";
  /** Set once a "save" line was read, so repeated lines accumulate as in redis.conf. */
  saveSeen = false;

  constructor() {
    for (const p of PARAMS) this.#values.set(p.name, p.default);
  }

  // Typed accessors for the hot ones.
  get port(): number { return Number(this.get("port")); }
  get bind(): string[] { return this.get("bind").split(" ").filter(Boolean); }
  get databases(): number { return Number(this.get("databases")); }
  get requirepass(): string { return this.get("requirepass"); }
  get protoMaxBulkLen(): number { return Number(this.get("proto-max-bulk-len")); }
  get queryBufferLimit(): number { return Number(this.get("client-query-buffer-limit")); }
  get hz(): number { return Math.min(500, Math.max(1, Number(this.get("hz")))); }
  get maxclients(): number { return Number(this.get("maxclients")); }
  get timeout(): number { return Number(this.get("timeout")); }

  get(name: string): string {
    const p = paramDef(name);
    if (!p) throw new ConfigError(`unknown parameter ${name}`);
    return this.#values.get(p.name)!;
  }

  /** Hook run before a value is accepted at runtime; returns an error text to refuse it. */
  onChange(name: string, hook: (value: string) => string | null): void {
    this.#hooks.set(name, hook);
  }

  /** Validate and store; returns null or the reason it was refused (Redis's wording). */
  set(name: string, raw: string, atStartup = false): string | null {
    const p = paramDef(name);
    if (!p) return "Unknown option or number of arguments for CONFIG SET - '" + name + "'";
    if (!atStartup && !p.mutable) return "can't set immutable config";
    const norm = normalize(p, raw);
    if (typeof norm !== "string") return norm.error;
    const hook = this.#hooks.get(p.name);
    if (hook && !atStartup) {
      const err = hook(norm);
      if (err !== null) return err;
    }
    this.#values.set(p.name, norm);
    return null;
  }

  /** Names and values matching a Redis glob (CONFIG GET). */
  entries(): [string, string][] {
    return PARAMS.map((p) => [p.name, this.#values.get(p.name)!]);
  }
}

function normalize(p: ParamDef, raw: string): string | { error: string } {
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
      if (!/^-?[0-9]+$/.test(raw)) return { error: "argument couldn't be parsed into an integer" };
      const n = Number(raw);
      if ((p.min !== undefined && n < p.min) || (p.max !== undefined && n > p.max)) {
        return { error: `argument must be between ${p.min} and ${p.max} inclusive` };
      }
      return String(n);
    }
    case "memory": {
      const n = parseMemory(raw);
      if (n === null) return { error: "argument must be a memory value" };
      if ((p.min !== undefined && n < p.min) || (p.max !== undefined && n > p.max)) {
        return { error: `argument must be between ${p.min} and ${p.max} inclusive` };
      }
      return String(n);
    }
    case "save": {
      const parts = raw.split(/\s+/).filter(Boolean);
      if (parts.length % 2 !== 0 || parts.some((x) => !/^[0-9]+$/.test(x))) return { error: "Invalid save parameters" };
      return parts.join(" ");
    }
    case "bind":
      return raw.split(/\s+/).filter(Boolean).join(" ");
    case "string":
      return raw;
  }
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
    const multi = p!.kind === "save" || p!.kind === "bind";
    if (!multi && argv!.length !== 2) fail("wrong number of arguments");
    let value = argv!.slice(1).join(" ");
    if (p!.kind === "save" && name === "save" && argv!.length === 2 && argv![1] === "") value = "";
    // Repeated "save" lines accumulate, as in redis.conf.
    if (p!.kind === "save" && value !== "" && cfg.saveSeen) value = `${cfg.get("save")} ${value}`.trim();
    if (p!.kind === "save") cfg.saveSeen = true;
    const err = cfg.set(name, value, true);
    if (err !== null) fail(err);
  }
}

