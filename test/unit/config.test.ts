// Config as a typed store: Redis's value parsing (integers, memory units, enums, save, notify
// flags), CONFIG SET's all-or-nothing multi-set with runtime hooks, and the redis.conf parser.
// Expected texts and canonical forms were taken from redis-server 7.0.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Config, ConfigError, PARAMS, PARAM_NAMES, canonicalNotify, loadConfigText, paramDef, parseMemoryBig } from "../../src/config.ts";

const split = (line: string): string[] | null => {
  // A small stand-in for the real line splitter: words, and "quoted strings" kept whole.
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) out.push(m[1] !== undefined ? m[1] : m[2]!);
  return out;
};

describe("defaults", () => {
  test("every default is a valid value of its parameter, stored as given", () => {
    const cfg = new Config();
    for (const p of PARAMS) {
      expect({ p: p.name, err: cfg.set(p.name, p.default, true) }).toEqual({ p: p.name, err: null });
      expect({ p: p.name, v: cfg.get(p.name) }).toEqual({ p: p.name, v: p.default });
    }
  });

  test("aliases reach the same value; names are case-insensitive", () => {
    const cfg = new Config();
    expect(cfg.set("HASH-MAX-ZIPLIST-ENTRIES", "100", true)).toBeNull();
    expect(cfg.get("hash-max-listpack-entries")).toBe("100");
    expect(cfg.get("lua-time-limit")).toBe(cfg.get("busy-reply-threshold"));
    expect(paramDef("Slave-Read-Only")?.name).toBe("replica-read-only");
    const names = PARAM_NAMES.map(([n]) => n);
    expect(names).toContain("hash-max-ziplist-entries");
    expect(names).toContain("hash-max-listpack-entries");
    expect(new Set(names).size).toBe(names.length);
    expect(() => cfg.get("nosuch")).toThrow(ConfigError);
  });

  test("typed accessors read the cached numbers", () => {
    const cfg = new Config();
    expect(cfg.port).toBe(6379);
    expect(cfg.hz).toBe(10);
    expect(cfg.maxclients).toBe(10000);
    expect(cfg.protoMaxBulkLen).toBe(536870912);
    cfg.set("client-query-buffer-limit", "2mb", true);
    expect(cfg.queryBufferLimit).toBe(2 * 1024 * 1024);
    expect(cfg.num("repl-backlog-size")).toBe(1048576);
    expect(cfg.bind).toEqual(["127.0.0.1"]);
  });
});

describe("value parsing", () => {
  test("integers are strict int64 decimals, range-checked with Redis's message", () => {
    const cfg = new Config();
    for (const bad of ["", "+5", "010", "1k", "1.5", " 1", "1 ", "-0", "0x10", "9223372036854775808", "-9223372036854775809"]) {
      expect({ bad, err: cfg.set("slowlog-max-len", bad) }).toEqual({ bad, err: "argument couldn't be parsed into an integer" });
    }
    expect(cfg.set("slowlog-max-len", "9223372036854775807")).toBeNull();
    expect(cfg.get("slowlog-max-len")).toBe("9223372036854775807");
    expect(cfg.set("slowlog-log-slower-than", "-2")).toBe("argument must be between -1 and 9223372036854775807 inclusive");
    expect(cfg.set("maxclients", "0")).toBe("argument must be between 1 and 4294967295 inclusive");
    expect(cfg.set("list-max-listpack-size", "-2147483649")).toBe("argument must be between -2147483648 and 2147483647 inclusive");
  });

  test("hz is clamped to 1..500 as Redis does", () => {
    const cfg = new Config();
    expect(cfg.set("hz", "0")).toBeNull();
    expect(cfg.get("hz")).toBe("1");
    expect(cfg.set("hz", "100000")).toBeNull();
    expect(cfg.hz).toBe(500);
    expect(cfg.set("hz", "-1")).toBe("argument must be between 0 and 2147483647 inclusive");
  });

  test("memory values: digits then an optional unit, any case", () => {
    const units: [string, bigint][] = [["", 1n], ["b", 1n], ["k", 1000n], ["kb", 1024n], ["m", 1000000n], ["mb", 1048576n], ["g", 1000000000n], ["gb", 1073741824n]];
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 33n }), fc.constantFrom(...units), fc.boolean(), (n, [u, mult], upper) => {
        const unit = upper ? u.toUpperCase() : u;
        expect(parseMemoryBig(`${n}${unit}`)).toBe(n * mult);
      }),
    );
    expect(parseMemoryBig("k")).toBe(0n);
    expect(parseMemoryBig("01kb")).toBe(1024n);
    for (const bad of ["+1", " 1", "1 ", "-1", "-0", "1.5gb", "1t", "1tb", "1kbx", "0x10", "1e3"]) {
      expect({ bad, v: parseMemoryBig(bad) }).toEqual({ bad, v: null });
    }
    const cfg = new Config();
    expect(cfg.set("maxmemory", "1.5gb")).toBe("argument must be a memory value");
    expect(cfg.set("proto-max-bulk-len", "1")).toBe("argument must be between 1048576 and 9223372036854775807 inclusive");
    expect(cfg.set("maxmemory", "1GB")).toBeNull();
    expect(cfg.maxmemory).toBe(1073741824);
  });

  test("enums and booleans are case-insensitive and stored lowercase", () => {
    const cfg = new Config();
    expect(cfg.set("appendfsync", "ALWAYS")).toBeNull();
    expect(cfg.get("appendfsync")).toBe("always");
    expect(cfg.set("appendfsync", "sometimes")).toBe("argument(s) must be one of the following: everysec, always, no");
    expect(cfg.set("loglevel", "nothing")).toBe("argument(s) must be one of the following: debug, verbose, notice, warning");
    expect(cfg.set("protected-mode", "NO")).toBeNull();
    expect(cfg.get("protected-mode")).toBe("no");
    expect(cfg.set("protected-mode", "maybe")).toBe("argument must be 'yes' or 'no'");
  });

  test("save: empty, or pairs of non-negative integers separated by single spaces", () => {
    const cfg = new Config();
    expect(cfg.set("save", "")).toBeNull();
    expect(cfg.get("save")).toBe("");
    expect(cfg.set("save", "100 10 60 5")).toBeNull();
    expect(cfg.get("save")).toBe("100 10 60 5");
    for (const bad of ["bad", "1 2 3", "100 10  50 5", "-1 1", " ", "1 -1"]) {
      expect({ bad, err: cfg.set("save", bad) }).toEqual({ bad, err: "Invalid save parameters" });
    }
  });

  test("notify-keyspace-events: Redis's canonical spelling", () => {
    const examples: [string, string][] = [
      ["KEA", "AKE"], ["A", "A"], ["g", "g"], ["g$lshzxetd", "A"], ["g$lshzxetdKE", "AKE"], ["Kx", "xK"],
      ["AKEmn", "AKEm"], ["EKm", "KEm"], ["n", "n"], ["Ad", "A"], ["tmdn", "tdnm"], ["Ag$lshzxeKEtmdn", "AKEm"], ["", ""],
    ];
    for (const [raw, canon] of examples) expect({ raw, v: canonicalNotify(raw) }).toEqual({ raw, v: canon });
    expect(canonicalNotify("KEAa")).toBeNull();
    fc.assert(
      fc.property(fc.stringMatching(/^[Ag$lshzxeKEtmdn]{0,12}$/), (s) => {
        const once = canonicalNotify(s)!;
        // Canonical forms are fixed points, except that "A" absorbs 'n' (as Redis 7.0 prints it).
        expect(canonicalNotify(once)).toBe(once);
      }),
    );
    const cfg = new Config();
    expect(cfg.set("notify-keyspace-events", "xyzq")).toBe("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  });
});

describe("CONFIG SET semantics", () => {
  test("immutable parameters are refused at runtime, accepted at start-up", () => {
    const cfg = new Config();
    expect(cfg.set("databases", "4")).toBe("can't set immutable config");
    expect(cfg.set("databases", "4", true)).toBeNull();
    expect(cfg.databases).toBe(4);
    expect(cfg.setMany([["daemonize", "yes"]], true)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config",
    );
  });

  test("checks names first (unknown, immutable, protected, duplicate), then values, in argument order", () => {
    const cfg = new Config();
    expect(cfg.setMany([["hz", "abc"], ["foo", "bar"]], true)).toBe("ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    expect(cfg.setMany([["hz", "abc"], ["dir", "/tmp"]], true)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
    );
    expect(cfg.setMany([["HZ", "5"], ["maxmemory", "bad"], ["hz", "6"]], true)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter",
    );
    // An alias and its canonical name are not duplicates (the later one wins).
    expect(cfg.setMany([["lua-time-limit", "1"], ["busy-reply-threshold", "2"]], true)).toBeNull();
    expect(cfg.get("lua-time-limit")).toBe("2");
    expect(cfg.setMany([["maxmemory", "bad"], ["hz", "abc"]], true)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
    );
  });

  test("protected parameters follow enable-protected-configs (local means loopback clients only)", () => {
    const cfg = new Config();
    cfg.set("enable-protected-configs", "local", true);
    expect(cfg.setMany([["dir", "/tmp"]], false)).toContain("can't set protected config");
    expect(cfg.setMany([["dir", "/tmp"]], true)).toBeNull();
    expect(cfg.get("dir")).toBe("/tmp");
  });

  test("all or nothing: a hook refusing a value restores every earlier change and re-applies it", () => {
    const cfg = new Config();
    const applied: string[] = [];
    cfg.onChange("maxmemory-samples", (v) => {
      applied.push(`samples=${v}`);
      return null;
    });
    cfg.onChange("timeout", (v) => (v === "13" ? "thirteen is unlucky" : null));
    expect(cfg.setMany([["maxmemory-samples", "7"], ["slowlog-max-len", "9"], ["timeout", "13"]], true)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'timeout') - thirteen is unlucky",
    );
    expect(cfg.get("maxmemory-samples")).toBe("5");
    expect(cfg.get("slowlog-max-len")).toBe("128");
    expect(cfg.get("timeout")).toBe("0");
    expect(applied).toEqual(["samples=7", "samples=5"]);
    expect(cfg.setMany([["maxmemory-samples", "7"], ["timeout", "12"]], true)).toBeNull();
    expect(cfg.timeout).toBe(12);
    expect(applied).toEqual(["samples=7", "samples=5", "samples=7"]);
  });

  test("several hooks may watch one parameter; a refusal by any undoes the change for all", () => {
    const cfg = new Config();
    const seen: string[] = [];
    cfg.onChange("maxmemory-policy", (v) => (seen.push(`a:${v}`), null));
    cfg.onChange("maxmemory-policy", (v) => (seen.push(`b:${v}`), v === "allkeys-lfu" ? "no lfu here" : null));
    expect(cfg.setMany([["maxmemory-policy", "allkeys-lru"]], true)).toBeNull();
    expect(cfg.setMany([["maxmemory-policy", "allkeys-lfu"]], true)).toContain("no lfu here");
    expect(cfg.get("maxmemory-policy")).toBe("allkeys-lru");
    expect(seen).toEqual(["a:allkeys-lru", "b:allkeys-lru", "a:allkeys-lfu", "b:allkeys-lfu", "a:allkeys-lru", "b:allkeys-lru"]);
    expect(cfg.set("maxmemory-policy", "allkeys-lfu")).toBe("no lfu here");
    expect(cfg.get("maxmemory-policy")).toBe("allkeys-lru");
  });

  test("a value refused by validation changes nothing and runs no hook", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("maxmemory-samples", "slowlog-max-len", "tcp-keepalive"), { minLength: 1, maxLength: 3 }), (names) => {
        const cfg = new Config();
        let runs = 0;
        for (const n of names) cfg.onChange(n, () => (runs++, null));
        const distinct = [...new Set(names)];
        const err = cfg.setMany([...distinct.map((n) => [n, "42"] as [string, string]), ["hz", "x"]], true);
        expect(err).toContain("argument 'hz'");
        expect(runs).toBe(0);
        for (const n of distinct) expect(cfg.get(n)).toBe(paramDef(n)!.default);
      }),
    );
  });
});

describe("redis.conf parsing", () => {
  test("directives, quoting, repeated save lines, save \"\"", () => {
    const cfg = new Config();
    loadConfigText(cfg, ["# comment", "", "port 7000", "save 900 1", "save 300 10", "maxmemory 2mb", 'requirepass "a b"', "hz 0"].join("\n"), split);
    expect(cfg.port).toBe(7000);
    expect(cfg.get("save")).toBe("900 1 300 10");
    expect(cfg.maxmemory).toBe(2 * 1024 * 1024);
    expect(cfg.requirepass).toBe("a b");
    expect(cfg.hz).toBe(1);
    const off = new Config();
    loadConfigText(off, 'save ""', split);
    expect(off.get("save")).toBe("");
  });

  test("bad lines stop start-up with Redis's report", () => {
    const bad = (text: string, reason: string) => {
      const cfg = new Config();
      let msg = "";
      try {
        loadConfigText(cfg, text, split);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        msg = (e as Error).message;
      }
      expect(msg).toContain("*** FATAL CONFIG FILE ERROR");
      expect(msg).toContain(reason);
    };
    bad("nosuch 1", "Bad directive or wrong number of arguments");
    bad("port 1 2", "wrong number of arguments");
    bad("port abc", "argument couldn't be parsed into an integer");
    bad("maxmemory-policy lru", "argument(s) must be one of the following");
  });
});
