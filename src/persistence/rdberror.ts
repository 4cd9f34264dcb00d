// The error a malformed RDB file or DUMP payload raises: what is wrong and the byte offset where
// reading failed, so start-up can say which file is bad and where. Owns nothing else.

export class RdbFormatError extends Error {
  /** What is wrong, without the offset. */
  readonly reason: string;
  /** Byte offset in the file (or payload) where the problem was found. */
  readonly offset: number;

  constructor(reason: string, offset: number) {
    super(`${reason} at offset ${offset}`);
    this.name = "RdbFormatError";
    this.reason = reason;
    this.offset = offset;
  }

  /** The same problem, located at an absolute offset (for errors inside a nested blob). */
  at(base: number): RdbFormatError {
    return new RdbFormatError(this.reason, base + this.offset);
  }
}
