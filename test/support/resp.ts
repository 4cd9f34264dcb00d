// Test-side RESP: encode a command, find where one complete reply ends in a buffer.
// Independent of src/resp so the tests do not check our code with our code.

export type Arg = string | number | Uint8Array;

/** Encode argv as a RESP2 multibulk request (strings are latin1 bytes). */
export function encodeCommand(args: readonly Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, "latin1")];
  for (const a of args) {
    const b = a instanceof Uint8Array ? Buffer.from(a) : Buffer.from(String(a), "latin1");
    parts.push(Buffer.from(`$${b.length}\r\n`, "latin1"), b, Buffer.from("\r\n", "latin1"));
  }
  return Buffer.concat(parts);
}

/** Position just past the reply starting at pos, or -1 if the buffer holds only part of it. */
export function replyEnd(buf: Uint8Array, pos: number, len = buf.length): number {
  if (pos >= len) return -1;
  const t = buf[pos]!;
  let cr = -1;
  for (let i = pos + 1; i + 1 < len; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10) {
      cr = i;
      break;
    }
  }
  if (cr < 0) return -1;
  const line = Buffer.from(buf.subarray(pos + 1, cr)).toString("latin1");
  const after = cr + 2;
  switch (String.fromCharCode(t)) {
    case "+": case "-": case ":": case "_": case ",": case "#": case "(":
      return after;
    case "$": case "=": case "!": {
      const n = Number(line);
      if (n < 0) return after;
      return after + n + 2 <= len ? after + n + 2 : -1;
    }
    case "*": case "~": case ">": case "%": case "|": {
      let n = Number(line);
      if (n < 0) return after;
      if (t === 37 || t === 124) n *= 2; // maps and attributes hold pairs
      let p = after;
      for (let i = 0; i < n; i++) {
        p = replyEnd(buf, p, len);
        if (p < 0) return -1;
      }
      return p;
    }
    default: {
      // Not RESP: treat the line as a whole reply (inline error output etc.).
      return after;
    }
  }
}
