// The multi-part AOF manifest as Redis 7 writes it (`file <name> seq <n> type <b|h|i>` lines):
// parsing, formatting, file naming, and the atomic replace (temp file, fsync, rename, fsync dir).
// Knows nothing of the keyspace or of when files are rotated (aof.ts decides that).
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { splitArgs } from "../resp/parser.ts";

export type AofFileType = "b" | "h" | "i";

export interface AofFileInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

export interface Manifest {
  base: AofFileInfo | null;
  /** Incremental files in replay order. */
  incrs: AofFileInfo[];
  /** Files left over from a rewrite, deleted when possible (never loaded). */
  history: AofFileInfo[];
  /** Highest base / incr sequence numbers used so far (the next file gets seq + 1). */
  baseSeq: number;
  incrSeq: number;
}

export function emptyManifest(): Manifest {
  return { base: null, incrs: [], history: [], baseSeq: 0, incrSeq: 0 };
}

export function cloneManifest(m: Manifest): Manifest {
  return {
    base: m.base === null ? null : { ...m.base },
    incrs: m.incrs.map((f) => ({ ...f })),
    history: m.history.map((f) => ({ ...f })),
    baseSeq: m.baseSeq,
    incrSeq: m.incrSeq,
  };
}

/** File names as Redis 7 builds them from appendfilename. */
export const aofNames = {
  manifest: (fn: string) => `${fn}.manifest`,
  tempManifest: (fn: string) => `temp-${fn}.manifest`,
  base: (fn: string, seq: number, rdb: boolean) => `${fn}.${seq}.base.${rdb ? "rdb" : "aof"}`,
  incr: (fn: string, seq: number) => `${fn}.${seq}.incr.aof`,
  tempBase: (pid: number) => `temp-rewriteaof-bg-${pid}.aof`,
  tempIncr: (fn: string) => `temp-${fn}.incr`,
};

export class ManifestError extends Error {}

/** Longest manifest line Redis accepts. */
const MAX_LINE = 1024;

/** Parse manifest text; throws ManifestError with Redis's wording on a malformed file. */
export function parseManifest(text: string): Manifest {
  const m = emptyManifest();
  let lastIncrSeq = 0;
  for (const raw of text.split("\n")) {
    if (raw.length + 1 > MAX_LINE) throw new ManifestError("The AOF manifest file contains too long line");
    const line = raw.replace(/\r$/, "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const bytes = Buffer.from(line, "latin1");
    const argv = splitArgs(bytes, 0, bytes.length);
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) throw new ManifestError("Invalid AOF manifest file format");
    let name: string | null = null;
    let seq: number | null = null;
    let type: string | null = null;
    for (let i = 0; i < argv.length; i += 2) {
      const k = argv[i]!;
      const v = argv[i + 1]!;
      if (k === "file") name = v;
      else if (k === "seq") seq = /^[0-9]{1,15}$/.test(v) ? Number(v) : null;
      else if (k === "type") type = v;
      // Matches Redis: unknown keys are skipped, so later versions' fields do not break us.
    }
    if (name === null || seq === null || (type !== "b" && type !== "h" && type !== "i")) {
      throw new ManifestError("Invalid AOF manifest file format");
    }
    const info: AofFileInfo = { name, seq, type };
    if (type === "b") {
      if (m.base !== null) throw new ManifestError("Found duplicate base file information");
      m.base = info;
      m.baseSeq = seq;
    } else if (type === "h") {
      m.history.push(info);
    } else {
      if (seq <= lastIncrSeq) throw new ManifestError("Found a non-monotonic sequence number");
      m.incrs.push(info);
      lastIncrSeq = seq;
      m.incrSeq = seq;
    }
  }
  return m;
}

/** Redis's sdscatrepr for names that need quoting (spaces, quotes, control bytes). */
function repr(name: string): string {
  if (/^[\x21-\x7e]+$/.test(name) && !/["'\\]/.test(name)) return name;
  let out = '"';
  for (let i = 0; i < name.length; i++) {
    const b = name.charCodeAt(i);
    if (b === 0x5c) out += "\\\\";
    else if (b === 0x22) out += '\\"';
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x09) out += "\\t";
    else if (b === 0x07) out += "\\a";
    else if (b === 0x08) out += "\\b";
    else if (b >= 0x20 && b <= 0x7e) out += name[i];
    else out += `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return out + '"';
}

/** The manifest's text: base first, then history, then incremental files (Redis's order). */
export function formatManifest(m: Manifest): string {
  let out = "";
  const line = (f: AofFileInfo) => `file ${repr(f.name)} seq ${f.seq} type ${f.type}\n`;
  if (m.base !== null) out += line(m.base);
  for (const f of m.history) out += line(f);
  for (const f of m.incrs) out += line(f);
  return out;
}

/** fsync a directory so a rename in it survives a crash. */
export function fsyncDir(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; Redis ignores that too.
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Write the whole of data to a new file at path and fsync it. */
export function writeFileDurable(path: string, data: Uint8Array): void {
  const fd = openSync(path, "w", 0o644);
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replace the manifest atomically: temp file, fsync, rename over, fsync the directory. */
export function persistManifest(dir: string, appendfilename: string, m: Manifest): void {
  const tmp = join(dir, aofNames.tempManifest(appendfilename));
  writeFileDurable(tmp, Buffer.from(formatManifest(m), "latin1"));
  renameSync(tmp, join(dir, aofNames.manifest(appendfilename)));
  fsyncDir(dir);
}

/** An fs error as strerror words it (Redis prints strerror(errno)). */
export function strerror(e: unknown): string {
  switch ((e as NodeJS.ErrnoException).code) {
    case "ENOSPC": return "No space left on device";
    case "EDQUOT": return "Disk quota exceeded";
    case "EIO": return "Input/output error";
    case "EROFS": return "Read-only file system";
    case "EACCES": return "Permission denied";
    case "EPERM": return "Operation not permitted";
    case "ENOENT": return "No such file or directory";
    case "EBADF": return "Bad file descriptor";
    case "EFBIG": return "File too large";
    case "EISDIR": return "Is a directory";
    case "ENOTDIR": return "Not a directory";
    default: return (e as Error).message;
  }
}
