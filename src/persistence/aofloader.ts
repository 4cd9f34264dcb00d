// Loading the AOF at start-up: the manifest (and Redis 7's upgrade of a legacy appendonly.aof),
// the base (RDB preamble or RESP) and incr files in order; the RESP command reader (valid prefix,
// truncated tail cut as Redis cuts it, corruption with its offset, #-annotations, MULTI … EXEC
// applied whole); replay through the command table with a fake client that never replies or
// propagates; the base and incr file created when missing. Appending is aof.ts's business.
import { existsSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { Args } from "../resp/args.ts";
import { eqLowerAscii, latin1 } from "../util/bytes.ts";
import { Context } from "../commands/context.ts";
import type { Server } from "../server.ts";
import { loadRdb, RdbFormatError } from "./rdb.ts";
import { aofNames, cloneManifest, emptyManifest, fsyncDir, ManifestError, parseManifest, persistManifest, strerror, writeFileDurable, type AofFileInfo, type Manifest } from "./aofmanifest.ts";
import { newBaseSerializer, serializeAll } from "./aofbase.ts";

export type ReplayOutcome =
  | { kind: "ok"; commands: number }
  /** The file ends inside a command (or inside MULTI without EXEC): validUpTo is where the last
   * complete command (or the unfinished MULTI) ends. */
  | { kind: "truncated"; validUpTo: number; commands: number; inMulti: boolean }
  /** Bytes that are not an AOF command at offset. */
  | { kind: "corrupt"; offset: number; commands: number }
  /** A command the server refused to replay (unknown name, wrong arity). */
  | { kind: "refused"; offset: number; message: string; commands: number };

/** Runs one command; returns null, or why it cannot be replayed (stops the load). */
export type CommandSink = (args: Args) => string | null;

const NL = 10;
const CR = 13;

/** Index of the next '\n' in buf[from, end), or -1. */
function lineEnd(buf: Uint8Array, from: number, end: number): number {
  const i = buf.indexOf(NL, from);
  return i < 0 || i >= end ? -1 : i;
}

/** A non-negative decimal in buf[from, to) (a trailing '\r' ignored), or -1 when malformed. */
function readCount(buf: Uint8Array, from: number, to: number): number {
  if (to > from && buf[to - 1] === CR) to--;
  if (to <= from || to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** One step of the reader: a command was read into args and ends at `next`. */
const TRUNCATED = -1;
const CORRUPT = -2;

/**
 * Read the command at pos into args (views into buf). Returns the offset past it, or TRUNCATED
 * (the file ends first) or CORRUPT (with the bad offset in errAt[0]).
 */
function readCommand(buf: Uint8Array, pos: number, end: number, args: Args, errAt: number[]): number {
  let p = pos;
  if (buf[p] !== 42) {
    errAt[0] = p;
    return CORRUPT;
  }
  let nl = lineEnd(buf, p, end);
  if (nl < 0) return TRUNCATED;
  const argc = readCount(buf, p + 1, nl);
  if (argc < 1) {
    errAt[0] = p;
    return CORRUPT;
  }
  p = nl + 1;
  args.buf = buf;
  args.base = 0;
  args.argc = 0;
  for (let i = 0; i < argc; i++) {
    if (p >= end) return TRUNCATED;
    if (buf[p] !== 36) {
      errAt[0] = p;
      return CORRUPT;
    }
    nl = lineEnd(buf, p, end);
    if (nl < 0) return TRUNCATED;
    const len = readCount(buf, p + 1, nl);
    if (len < 0) {
      errAt[0] = p;
      return CORRUPT;
    }
    const s = nl + 1;
    if (s + len + 2 > end) return TRUNCATED;
    if (buf[s + len] !== CR || buf[s + len + 1] !== NL) {
      errAt[0] = s + len;
      return CORRUPT;
    }
    if (i >= args.starts.length) args.reserve(i + 1);
    args.starts[i] = s;
    args.ends[i] = s + len;
    p = s + len + 2;
  }
  args.argc = argc;
  return p;
}

function isWord(args: Args, lower: string): boolean {
  return args.argc === 1 && eqLowerAscii(args.buf, args.starts[0]!, args.ends[0]!, lower);
}

/**
 * Replay the RESP commands in buf[start, end) through sink. Matches Redis's loader: '#' lines
 * (timestamp annotations) are skipped; commands between MULTI and EXEC run only once EXEC is
 * read, and a file that ends before that EXEC counts as truncated where MULTI began.
 */
export function replayResp(buf: Uint8Array, sink: CommandSink, start = 0, end = buf.length): ReplayOutcome {
  const args = new Args();
  const errAt = [0];
  let pos = start;
  let commands = 0;
  let multiAt = -1;
  let blockStart = -1;
  while (pos < end) {
    if (buf[pos] === 35) {
      const nl = lineEnd(buf, pos, end);
      if (nl < 0) return truncated(multiAt >= 0 ? multiAt : pos, commands, multiAt >= 0);
      pos = nl + 1;
      continue;
    }
    const next = readCommand(buf, pos, end, args, errAt);
    if (next === TRUNCATED) return truncated(multiAt >= 0 ? multiAt : pos, commands, multiAt >= 0);
    if (next === CORRUPT) return { kind: "corrupt", offset: errAt[0]!, commands };
    if (multiAt < 0 && isWord(args, "multi")) {
      multiAt = pos;
      blockStart = next;
    } else if (multiAt >= 0 && isWord(args, "exec")) {
      // Run the transaction's commands now that it is known to be complete.
      let q = blockStart;
      while (q < pos) {
        if (buf[q] === 35) {
          q = lineEnd(buf, q, end) + 1;
          continue;
        }
        const at = q;
        q = readCommand(buf, q, end, args, errAt);
        const err = sink(args);
        if (err !== null) return { kind: "refused", offset: at, message: err, commands };
        commands++;
      }
      multiAt = -1;
    } else if (multiAt < 0) {
      const err = sink(args);
      if (err !== null) return { kind: "refused", offset: pos, message: err, commands };
      commands++;
    }
    pos = next;
  }
  if (multiAt >= 0) return truncated(multiAt, commands, true);
  return { kind: "ok", commands };
}

function truncated(validUpTo: number, commands: number, inMulti: boolean): ReplayOutcome {
  return { kind: "truncated", validUpTo, commands, inMulti };
}

/**
 * Redis's fake AOF client: runs commands straight through their handlers (no stats, no
 * propagation, no blocking), in whatever db the file SELECTs. One per file, as in Redis.
 */
export class AofReplayer {
  readonly #srv: Server;
  readonly #c: Context;

  constructor(srv: Server) {
    this.#srv = srv;
    this.#c = new Context(srv, -1, srv.dbs[0]!);
    this.#c.authenticated = true;
    this.#c.denyBlocking = true;
  }

  readonly exec: CommandSink = (args: Args): string | null => {
    const c = this.#c;
    const table = this.#srv.table;
    let cmd = table.lookup(args);
    if (cmd === undefined) return `Unknown command '${latin1(args.buf, args.starts[0]!, args.ends[0]!)}' reading the append only file`;
    if (cmd.subs !== null && args.argc >= 2) {
      const sub = cmd.subs.get(latin1(args.buf, args.starts[1]!, args.ends[1]!).toLowerCase());
      if (sub === undefined) return `Unknown command '${cmd.spec.name}|${latin1(args.buf, args.starts[1]!, args.ends[1]!)}' reading the append only file`;
      cmd = sub;
    }
    if (!cmd.arityOk(args.argc) || cmd.spec.run === undefined) return `Wrong number of arguments for '${cmd.fullName}' reading the append only file`;
    c.args = args;
    c.cmd = cmd;
    c.propagateAs = null;
    c.failed = false;
    cmd.spec.run(c);
    c.reply.reset();
    return null;
  };
}

/** A start-up load that must stop the server (the files are left untouched). */
export class AofLoadError extends Error {
  override name = "AofLoadError";
}

/** What start-up loaded and opened: the manifest, the incr file to append to, and sizes. */
export interface OpenedAof {
  manifest: Manifest;
  fd: number;
  /** Size of the open incr file; size of all files (aof_current_size); of the base. */
  incrSize: number;
  size: number;
  baseSize: number;
}

/**
 * Start-up with appendonly yes: read the manifest (upgrading a legacy appendonly.aof), load the
 * base then the incr files in order, create a base and an incr file when missing, and open the
 * last incr file. Throws AofLoadError when the files cannot be loaded: nothing is modified then,
 * but a truncated tail when aof-load-truncated allows.
 */
export function loadAtStartup(srv: Server, root: string, dir: string, fn: string, preamble: boolean): OpenedAof {
  const m = readManifest(srv, root, dir, fn);
  const baseSize = loadFiles(srv, dir, m);
  try {
    return openOnStart(srv, dir, fn, preamble, m, baseSize);
  } catch (e) {
    throw new AofLoadError(`Can't open the append-only file in ${dir}: ${strerror(e)}`);
  }
}

/** The manifest when the AOF is off (sequence numbers only); an unreadable one is ignored. */
export function peekManifest(srv: Server, dir: string, fn: string): Manifest {
  try {
    const path = join(dir, aofNames.manifest(fn));
    if (existsSync(path)) return parseManifest(readFileSync(path, "latin1"));
  } catch (e) {
    srv.log.warning(`Ignoring the unreadable AOF manifest in ${dir}: ${e instanceof ManifestError ? e.message : strerror(e)}`);
  }
  return emptyManifest();
}

/** The manifest, or what a legacy single appendonly.aof (Redis < 7) amounts to, or empty. */
function readManifest(srv: Server, root: string, dir: string, fn: string): Manifest {
  const path = join(dir, aofNames.manifest(fn));
  const legacy = join(root, fn);
  if (existsSync(path)) {
    let m: Manifest;
    try {
      m = parseManifest(readFileSync(path, "latin1"));
    } catch (e) {
      const why = e instanceof ManifestError ? e.message : strerror(e);
      throw new AofLoadError(`Can't load the AOF manifest file ${path}: ${why}`);
    }
    // An upgrade interrupted between writing the manifest and moving the old file: finish it.
    if (m.base !== null && m.base.name === fn && !existsSync(join(dir, fn)) && existsSync(legacy)) renameSync(legacy, join(dir, fn));
    return m;
  }
  if (existsSync(legacy) && statSync(legacy).isFile()) {
    // Matches Redis 7's upgrade: the old file becomes the base of a new manifest, moved into
    // the directory once the manifest naming it is safely on disk.
    const m = emptyManifest();
    m.base = { name: fn, seq: 1, type: "b" };
    m.baseSeq = 1;
    try {
      mkdirSync(dir, { recursive: true });
      persistManifest(dir, fn, m);
      renameSync(legacy, join(dir, fn));
      fsyncDir(root);
    } catch (e) {
      throw new AofLoadError(`Can't upgrade the old-style AOF ${legacy} into ${dir}: ${strerror(e)}`);
    }
    srv.log.notice(`Successfully migrated an old-style AOF into the AOF directory ${dir}`);
    return m;
  }
  return emptyManifest();
}

/** Load base then incr files into the (empty) databases. */
function loadFiles(srv: Server, dir: string, m: Manifest): number {
  const files: AofFileInfo[] = [];
  if (m.base !== null) files.push(m.base);
  files.push(...m.incrs);
  if (files.length === 0) return 0;
  const p = srv.stats.persistence;
  p.loading = true;
  const t0 = performance.now();
  let total = 0;
  try {
    for (let i = 0; i < files.length; i++) {
      const f = files[i]!;
      const path = join(dir, f.name);
      if (!existsSync(path)) throw new AofLoadError(`The AOF file ${f.name} listed in the manifest doesn't exist in ${dir}`);
      const t1 = performance.now();
      total += loadFile(srv, path, f, i === files.length - 1);
      const secs = ((performance.now() - t1) / 1000).toFixed(3);
      srv.log.notice(`DB loaded from ${f.type === "b" ? "base" : "incr"} file ${f.name}: ${secs} seconds`);
    }
  } finally {
    p.loading = false;
  }
  let keys = 0;
  for (const db of srv.dbs) keys += db.size;
  const secs = ((performance.now() - t0) / 1000).toFixed(3);
  srv.log.notice(`DB loaded from append only file: ${secs} seconds`);
  srv.log.notice(`AOF loaded: ${keys} keys from ${files.length} file(s), ${total} bytes`);
  return m.base !== null ? statSync(join(dir, m.base.name)).size : 0;
}

/** Load one file (RDB preamble and/or RESP commands); returns its size after any truncation. */
function loadFile(srv: Server, path: string, f: AofFileInfo, last: boolean): number {
  let bytes: Buffer;
  try {
    // Matches Redis: an empty file (by its size: a device reads forever) loads nothing.
    if (statSync(path).size === 0) return 0;
    bytes = readFileSync(path);
  } catch (e) {
    throw new AofLoadError(`Can't open the append-only file ${f.name}: ${strerror(e)}`);
  }
  let start = 0;
  if (bytes.length >= 5 && bytes.toString("latin1", 0, 5) === "REDIS") {
    // An RDB base (or a legacy AOF with an RDB preamble followed by commands).
    srv.log.notice(`Reading RDB base file on AOF loading...`);
    try {
      const r = loadRdb(bytes, srv.dbs, srv.clock.now(), {
        limits: srv.rdb.loadLimits(),
        keepExpired: true,
        lfu: srv.config.get("maxmemory-policy").endsWith("-lfu"),
      });
      srv.log.notice(`Done loading RDB, keys loaded: ${r.keys}, keys expired: ${r.expired}.`);
      start = r.end;
    } catch (e) {
      if (e instanceof RdbFormatError) throw new AofLoadError(`Bad file format reading the append only file ${f.name}: ${e.message}`);
      throw e;
    }
    if (start < bytes.length) srv.log.notice(`Reading the remaining AOF tail...`);
  }
  const replayer = new AofReplayer(srv);
  const out: ReplayOutcome = replayResp(bytes, replayer.exec, start);
  switch (out.kind) {
    case "ok":
      return bytes.length;
    case "corrupt":
      throw new AofLoadError(`Bad file format reading the append only file ${f.name} (at offset ${out.offset}): make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`);
    case "refused":
      throw new AofLoadError(`${out.message} ${f.name} (at offset ${out.offset})`);
    case "truncated": {
      if (!last) throw new AofLoadError(`Fatal error: the truncated file is not the last file (${f.name}, valid up to offset ${out.validUpTo})`);
      if (srv.config.get("aof-load-truncated") !== "yes") {
        throw new AofLoadError(`Unexpected end of file reading the append only file ${f.name} (valid up to offset ${out.validUpTo}). You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`);
      }
      if (out.inMulti) srv.log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${f.name}`);
      srv.log.warning(`!!! Warning: short read while loading the AOF file ${f.name}!!!`);
      srv.log.warning(`!!! Truncating the AOF ${f.name} at offset ${out.validUpTo} !!!`);
      try {
        truncateSync(path, out.validUpTo);
      } catch (e) {
        throw new AofLoadError(`Error truncating the AOF file ${f.name}: ${strerror(e)}`);
      }
      srv.log.warning(`AOF ${f.name} loaded anyway because aof-load-truncated is enabled`);
      return out.validUpTo;
    }
  }
}

/** Redis's aofOpenIfNeededOnServerStart: a base when there is none at all, the last incr file opened. */
function openOnStart(srv: Server, dir: string, fn: string, preamble: boolean, loaded: Manifest, baseSize: number): OpenedAof {
  const m = cloneManifest(loaded);
  let fd: number;
  let incrSize: number;
  mkdirSync(dir, { recursive: true });
  let changed = false;
  if (m.base === null && m.incrs.length === 0) {
    const seq = m.baseSeq + 1;
    const name = aofNames.base(fn, seq, preamble);
    const bytes = serializeAll(newBaseSerializer(srv.dbs, preamble, srv.rdb.saveOptions(true)));
    writeFileDurable(join(dir, name), bytes);
    m.base = { name, seq, type: "b" };
    m.baseSeq = seq;
    changed = true;
    baseSize = bytes.length;
    srv.log.notice(`Creating AOF base file ${name} on server start`);
  }
  let size = 0;
  for (const f of [m.base, ...m.incrs]) if (f !== null) size += statSync(join(dir, f.name)).size;
  const last = m.incrs[m.incrs.length - 1];
  if (last !== undefined) {
    fd = openSync(join(dir, last.name), "a", 0o644);
    incrSize = fstatSync(fd).size;
    srv.log.notice(`Opening AOF incr file ${last.name} on server start`);
  } else {
    const seq = m.incrSeq + 1;
    const name = aofNames.incr(fn, seq);
    fd = openSync(join(dir, name), "a", 0o644);
    incrSize = 0;
    m.incrs.push({ name, seq, type: "i" });
    m.incrSeq = seq;
    changed = true;
    srv.log.notice(`Creating AOF incr file ${name} on server start`);
  }
  if (changed) persistManifest(dir, fn, m);
  return { manifest: m, fd, incrSize, size, baseSize };
}
