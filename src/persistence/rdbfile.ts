// Crash-safe file replacement for dumps: write a temp file in the target directory, fsync it,
// rename it over the final name, fsync the directory. A crash at any point leaves either the old
// file or the new one, never a torn one. Sync (SAVE, shutdown) and streaming async (BGSAVE) forms.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";

/** fsync a directory so a rename in it is durable (best effort where directories can't be synced). */
function syncDirSync(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself already happened.
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Write bytes as dir/name through dir/temp (synchronous). Throws the system error on failure. */
export function writeFileAtomicSync(dir: string, name: string, temp: string, bytes: Uint8Array): void {
  const tmpPath = join(dir, temp);
  let fd: number;
  try {
    fd = openSync(tmpPath, "w", 0o644);
  } catch (e) {
    throw Object.assign(e as Error, { stage: "open" });
  }
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmpPath, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmpPath, join(dir, name));
  } catch (e) {
    rmSync(tmpPath, { force: true });
    throw e;
  }
  syncDirSync(dir);
}

/** A file being written in chunks off the request path; commit() makes it dir/name atomically. */
export class AtomicFile {
  readonly #dir: string;
  readonly #name: string;
  readonly #tmpPath: string;
  readonly #fh: FileHandle;
  #closed = false;

  private constructor(dir: string, name: string, tmpPath: string, fh: FileHandle) {
    this.#dir = dir;
    this.#name = name;
    this.#tmpPath = tmpPath;
    this.#fh = fh;
  }

  static async create(dir: string, name: string, temp: string): Promise<AtomicFile> {
    const tmpPath = join(dir, temp);
    let fh: FileHandle;
    try {
      fh = await open(tmpPath, "w", 0o644);
    } catch (e) {
      throw Object.assign(e as Error, { stage: "open" });
    }
    return new AtomicFile(dir, name, tmpPath, fh);
  }

  get tempPath(): string {
    return this.#tmpPath;
  }

  async write(chunk: Uint8Array): Promise<void> {
    let off = 0;
    while (off < chunk.length) {
      const { bytesWritten } = await this.#fh.write(chunk, off, chunk.length - off);
      off += bytesWritten;
    }
  }

  /** fsync, close, rename over the final name, fsync the directory. */
  async commit(): Promise<void> {
    await this.#fh.sync();
    this.#closed = true;
    await this.#fh.close();
    await rename(this.#tmpPath, join(this.#dir, this.#name));
    let dh: FileHandle | null = null;
    try {
      dh = await open(this.#dir, "r");
      await dh.sync();
    } catch {
      // best effort, as in writeFileAtomicSync
    } finally {
      await dh?.close();
    }
  }

  /** Give up: close and delete the temp file (errors ignored). */
  async abort(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await this.#fh.close().catch(() => {});
    }
    await rm(this.#tmpPath, { force: true }).catch(() => {});
  }

  /** Synchronous abort for process exit: closes the descriptor and deletes the temp file. */
  abortSync(): void {
    if (!this.#closed) {
      this.#closed = true;
      try {
        closeSync(this.#fh.fd);
      } catch {
        // already closed
      }
    }
    rmSync(this.#tmpPath, { force: true });
  }
}
