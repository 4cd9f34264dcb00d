// The AOF's pieces on their own: argv → RESP encoding (against the test-side encoder), the RESP
// command reader (any cut of a valid file is a truncated prefix; a damaged byte is corruption at
// its offset), and the manifest format (Redis's own lines, quoting as Redis quotes).
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import fc from "fast-check";
import { CommandEncoder, encodeCommand as encodeOurs, type EncodeArg } from "../../src/resp/encode.ts";
import { encodeCommand as encodeTheirs } from "../support/resp.ts";
import { replayResp } from "../../src/persistence/aofloader.ts";
import { formatManifest, parseManifest, ManifestError } from "../../src/persistence/aofmanifest.ts";
import type { Args } from "../../src/resp/args.ts";
import { aofFiles, rmDir, startKvAof, startRedisAof, tempDir } from "./aofdump.ts";

// Servers, files and child processes: generous limits on a loaded machine.
setDefaultTimeout(30000);

const arg: fc.Arbitrary<EncodeArg> = fc.oneof(
  fc.string({ maxLength: 40 }).map((s) => Buffer.from(s, "utf8").toString("latin1")),
  fc.uint8Array({ maxLength: 100 }),
  fc.integer({ min: 0, max: 255 }).chain((c) => fc.integer({ min: 0, max: 3000 }).map((n) => String.fromCharCode(c).repeat(n))),
  fc.maxSafeInteger(),
  fc.constantFrom(0, -1, 9, 10, -10, 99, 100, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
);
const argv = fc.array(arg, { minLength: 1, maxLength: 8 });

describe("argv → RESP", () => {
  test("one command: the same bytes as the test encoder, for strings, bytes and integers", () => {
    fc.assert(
      fc.property(argv, (a) => {
        expect(Buffer.from(encodeOurs(a)).equals(encodeTheirs(a))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test("many commands into one growing buffer; consume keeps the rest in order", () => {
    fc.assert(
      fc.property(fc.array(argv, { minLength: 1, maxLength: 30 }), fc.nat(), (cmds, cut) => {
        const e = new CommandEncoder(8);
        for (const c of cmds) e.command(c);
        const want = Buffer.concat(cmds.map((c) => encodeTheirs(c)));
        expect(Buffer.from(e.view()).equals(want)).toBe(true);
        const n = cut % (want.length + 1);
        e.consume(n);
        expect(Buffer.from(e.view()).equals(want.subarray(n))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test("reset gives back a buffer grown past its limit", () => {
    const e = new CommandEncoder(16);
    e.command(["SET", "k", "v".repeat(2 * 1024 * 1024)]);
    expect(e.buf.length).toBeGreaterThan(1024 * 1024);
    e.reset();
    expect(e.len).toBe(0);
    expect(e.buf.length).toBeLessThanOrEqual(1024 * 1024);
  });
});

/** The argv the reader hands out, as latin1 strings. */
function collect(buf: Uint8Array): { cmds: string[][]; out: ReturnType<typeof replayResp> } {
  const cmds: string[][] = [];
  const out = replayResp(buf, (a: Args) => {
    cmds.push(a.toStrings());
    return null;
  });
  return { cmds, out };
}

const latin = (a: EncodeArg) => (typeof a === "string" ? a : typeof a === "number" ? String(a) : Buffer.from(a).toString("latin1"));

describe("reading AOF commands", () => {
  test("a whole file reads back every command", () => {
    fc.assert(
      fc.property(fc.array(argv, { maxLength: 20 }), (cmds) => {
        const file = Buffer.concat(cmds.map((c) => encodeTheirs(c)));
        const { cmds: got, out } = collect(file);
        expect(out).toEqual({ kind: "ok", commands: cmds.length });
        expect(got).toEqual(cmds.map((c) => c.map(latin)));
      }),
      { numRuns: 300 },
    );
  });

  test("any cut is a truncated file whose valid prefix ends at the last whole command", () => {
    fc.assert(
      fc.property(fc.array(argv, { minLength: 1, maxLength: 10 }), fc.nat(), (cmds, at) => {
        const parts = cmds.map((c) => encodeTheirs(c));
        const file = Buffer.concat(parts);
        const cut = at % file.length;
        const { cmds: got, out } = collect(file.subarray(0, cut));
        let ends = 0;
        let whole = 0;
        for (const p of parts) {
          if (ends + p.length > cut) break;
          ends += p.length;
          whole++;
        }
        expect(got.length).toBe(whole);
        if (cut === ends) expect(out).toEqual({ kind: "ok", commands: whole });
        else expect(out).toEqual({ kind: "truncated", validUpTo: ends, commands: whole, inMulti: false });
      }),
      { numRuns: 500 },
    );
  });

  test("MULTI … EXEC runs only once complete; an unfinished one is truncated where MULTI began", () => {
    const set = encodeTheirs(["SET", "a", "1"]);
    const multi = encodeTheirs(["MULTI"]);
    const incr = encodeTheirs(["INCR", "a"]);
    const exec = encodeTheirs(["EXEC"]);
    const whole = Buffer.concat([set, multi, incr, incr, exec]);
    expect(collect(whole)).toEqual({ cmds: [["SET", "a", "1"], ["INCR", "a"], ["INCR", "a"]], out: { kind: "ok", commands: 3 } });
    const open = Buffer.concat([set, multi, incr, incr]);
    expect(collect(open)).toEqual({ cmds: [["SET", "a", "1"]], out: { kind: "truncated", validUpTo: set.length, commands: 1, inMulti: true } });
  });

  test("timestamp annotations are skipped", () => {
    const file = Buffer.concat([Buffer.from("#TS:1700000000\r\n"), encodeTheirs(["SET", "a", "1"]), Buffer.from("#TS:1700000001\r\n"), encodeTheirs(["DEL", "a"])]);
    expect(collect(file)).toEqual({ cmds: [["SET", "a", "1"], ["DEL", "a"]], out: { kind: "ok", commands: 2 } });
  });

  test("damage is corruption at the damaged offset", () => {
    const a = encodeTheirs(["SET", "key", "value"]);
    const b = encodeTheirs(["SET", "other", "v2"]);
    const file = Buffer.concat([a, b]);
    const cases: [offset: number, byte: number][] = [
      [a.length, 0x21], // '*' of the second command
      [a.length + 4, 0x25], // '$' of its first argument
      [a.length + 5, 0x78], // a length digit
      [a.length + 4 + 4 + 3, 0x58], // the CR after "SET"
    ];
    for (const [off, byte] of cases) {
      const f = Buffer.from(file);
      f[off] = byte;
      const { cmds, out } = collect(f);
      expect(cmds).toEqual([["SET", "key", "value"]]);
      expect(out.kind).toBe("corrupt");
      if (out.kind === "corrupt") expect(out.offset).toBe(off === a.length + 5 ? a.length + 4 : off);
    }
    expect(collect(Buffer.from("*0\r\n")).out).toEqual({ kind: "corrupt", offset: 0, commands: 0 });
  });
});

describe("manifest", () => {
  const REDIS = "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.1.incr.aof seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n";

  test("Redis's lines parse and format back identically", () => {
    const m = parseManifest(REDIS);
    expect(m.base).toEqual({ name: "appendonly.aof.2.base.rdb", seq: 2, type: "b" });
    expect(m.history).toEqual([{ name: "appendonly.aof.1.incr.aof", seq: 1, type: "h" }]);
    expect(m.incrs.map((f) => f.seq)).toEqual([2, 3]);
    expect(m.incrSeq).toBe(3);
    expect(formatManifest(m)).toBe(REDIS);
  });

  test("comments, blank lines, key order and unknown keys are tolerated; bad lines are not", () => {
    const m = parseManifest("# comment\n\nseq 4 type i file x.incr extra y\n");
    expect(m.incrs).toEqual([{ name: "x.incr", seq: 4, type: "i" }]);
    for (const bad of ["file a seq 1\n", "file a seq x type i\n", "file a seq 1 type z\n", "file a seq 1 type b\nfile b seq 2 type b\n", "file a seq 2 type i\nfile b seq 1 type i\n", "x".repeat(2000)]) {
      expect(() => parseManifest(bad)).toThrow(ManifestError);
    }
  });

  test("names that need quoting are quoted as Redis quotes them", async () => {
    const name = 'a b"c.aof';
    const [kd, rd] = [tempDir(), tempDir()];
    try {
      const kv = await startKvAof(kd, { appendfilename: name });
      await kv.stop();
      const redis = await startRedisAof(rd, ["--appendfilename", name]);
      await redis.stop();
      const ours = aofFiles(kd).get(`${name}.manifest`)!.toString("latin1");
      expect(ours).toBe(aofFiles(rd).get(`${name}.manifest`)!.toString("latin1"));
      expect(parseManifest(ours).base!.name).toBe(`${name}.1.base.rdb`);
    } finally {
      rmDir(kd);
      rmDir(rd);
    }
  });
});
