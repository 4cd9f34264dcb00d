// The command table: every family's specs registered once, looked up from argv bytes
// without building strings. Owns per-command stats (INFO commandstats). Runs nothing.
import type { Args } from "../resp/args.ts";
import { eqLowerAscii } from "../util/bytes.ts";
import type { CommandSpec } from "./spec.ts";
import type { LatencyHistogram } from "../stats.ts";

export class CommandStats {
  calls = 0;
  usec = 0;
  rejected = 0;
  failed = 0;
  /** Latency distribution (INFO latencystats), created on the first timed call. */
  latency: LatencyHistogram | null = null;
  reset(): void {
    this.calls = this.usec = this.rejected = this.failed = 0;
    this.latency = null;
  }
}

export class Command {
  readonly spec: CommandSpec;
  /** "get" or "config|get" as Redis reports it. */
  readonly fullName: string;
  readonly parent: Command | null;
  readonly stats = new CommandStats();
  readonly subs: Map<string, Command> | null;
  readonly isWrite: boolean;
  readonly isReadonly: boolean;
  readonly noAuth: boolean;
  readonly denyOom: boolean;
  readonly allowStale: boolean;
  readonly allowLoading: boolean;

  constructor(spec: CommandSpec, parent: Command | null) {
    this.spec = spec;
    this.parent = parent;
    this.fullName = parent ? `${parent.spec.name}|${spec.name}` : spec.name;
    const f = spec.flags;
    this.isWrite = f.includes("write");
    this.isReadonly = f.includes("readonly");
    this.noAuth = f.includes("no_auth");
    this.denyOom = f.includes("denyoom");
    this.allowStale = f.includes("stale");
    this.allowLoading = f.includes("loading");
    this.subs = spec.subcommands ? new Map(spec.subcommands.map((s) => [s.name, new Command(s, this)])) : null;
  }

  /** Check argc against arity (Redis: positive exact, negative minimum). */
  arityOk(argc: number): boolean {
    const a = this.spec.arity;
    return a > 0 ? argc === a : argc >= -a;
  }
}

function hashLower(buf: Uint8Array, start: number, end: number): number {
  let h = 5381;
  for (let i = start; i < end; i++) {
    let c = buf[i]!;
    if (c >= 65 && c <= 90) c |= 0x20;
    h = ((h * 33) ^ c) | 0;
  }
  return h;
}

function hashString(s: string): number {
  let h = 5381;
  for (let i = 0; i < s.length; i++) h = ((h * 33) ^ s.charCodeAt(i)) | 0;
  return h;
}

export class CommandTable {
  readonly byName = new Map<string, Command>();
  readonly #byHash = new Map<number, Command[]>();
  #last: Command | null = null;

  constructor(families: readonly (readonly CommandSpec[])[]) {
    for (const family of families) for (const spec of family) this.add(spec);
  }

  add(spec: CommandSpec): void {
    if (this.byName.has(spec.name)) throw new Error(`command ${spec.name} declared twice`);
    const cmd = new Command(spec, null);
    this.byName.set(spec.name, cmd);
    const h = hashString(spec.name);
    const list = this.#byHash.get(h);
    if (list) list.push(cmd);
    else this.#byHash.set(h, [cmd]);
  }

  /** The top-level command named by argv[0], or undefined. */
  lookup(args: Args): Command | undefined {
    const len = args.len(0);
    if (len === 0 || len > 40) return undefined;
    const start = args.base + args.starts[0]!;
    const end = start + len;
    // Pipelines mostly repeat one command: try the last one found before hashing.
    const last = this.#last;
    if (last !== null && eqLowerAscii(args.buf, start, end, last.spec.name)) return last;
    const list = this.#byHash.get(hashLower(args.buf, start, end));
    if (list === undefined) return undefined;
    for (const cmd of list) {
      if (eqLowerAscii(args.buf, start, end, cmd.spec.name)) {
        this.#last = cmd;
        return cmd;
      }
    }
    return undefined;
  }

  /** Lookup by (lowercased) name, with "parent|sub" for subcommands. */
  byFullName(name: string): Command | undefined {
    const bar = name.indexOf("|");
    if (bar < 0) return this.byName.get(name.toLowerCase());
    const parent = this.byName.get(name.slice(0, bar).toLowerCase());
    return parent?.subs?.get(name.slice(bar + 1).toLowerCase());
  }

  /** Every command and subcommand. */
  *all(): Generator<Command> {
    for (const c of this.byName.values()) {
      yield c;
      if (c.subs) yield* c.subs.values();
    }
  }
}
