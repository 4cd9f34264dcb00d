// Test-side RESP decoding into plain values, for tests that compare structure rather than bytes
// (replies whose order Redis does not define: CONFIG GET, COMMAND, INFO fields).
// Independent of src/resp so the tests do not check our code with our code.

export type RespValue =
  | string
  | number
  | null
  | RespValue[]
  | { err: string }
  | { map: [RespValue, RespValue][] }
  | { set: RespValue[] }
  | { verbatim: string; format: string }
  | { bool: boolean }
  | { double: string }
  | { bignum: string };

/** Decode one reply starting at pos (a latin1 string of its bytes); returns it and where it ends. */
export function decodeAt(buf: string, pos = 0): [RespValue, number] {
  const t = buf[pos];
  const eol = buf.indexOf("\r\n", pos);
  if (eol < 0) throw new Error(`incomplete reply: ${JSON.stringify(buf.slice(pos, pos + 80))}`);
  const line = buf.slice(pos + 1, eol);
  const after = eol + 2;
  switch (t) {
    case "+": return [line, after];
    case "-": return [{ err: line }, after];
    case ":": return [Number(line), after];
    case "_": return [null, after];
    case "#": return [{ bool: line === "t" }, after];
    case ",": return [{ double: line }, after];
    case "(": return [{ bignum: line }, after];
    case "$":
    case "=": {
      const n = Number(line);
      if (n < 0) return [null, after];
      const s = buf.slice(after, after + n);
      if (t === "=") return [{ verbatim: s.slice(4), format: s.slice(0, 3) }, after + n + 2];
      return [s, after + n + 2];
    }
    case "*":
    case "~":
    case "%":
    case ">": {
      const n = Number(line);
      if (n < 0) return [null, after];
      const count = t === "%" ? n * 2 : n;
      const items: RespValue[] = [];
      let p = after;
      for (let i = 0; i < count; i++) {
        const [v, np] = decodeAt(buf, p);
        items.push(v);
        p = np;
      }
      if (t === "%") {
        const pairs: [RespValue, RespValue][] = [];
        for (let i = 0; i < items.length; i += 2) pairs.push([items[i]!, items[i + 1]!]);
        return [{ map: pairs }, p];
      }
      if (t === "~") return [{ set: items }, p];
      return [items, p];
    }
    default:
      throw new Error(`not RESP: ${JSON.stringify(buf.slice(pos, pos + 80))}`);
  }
}

/** Decode a whole reply. */
export function decode(buf: string): RespValue {
  return decodeAt(buf, 0)[0];
}

/** A flat RESP2 key/value array or a RESP3 map, as [key, value] pairs. */
export function pairs(v: RespValue): [RespValue, RespValue][] {
  if (Array.isArray(v)) {
    const out: [RespValue, RespValue][] = [];
    for (let i = 0; i < v.length; i += 2) out.push([v[i]!, v[i + 1]!]);
    return out;
  }
  if (v !== null && typeof v === "object" && "map" in v) return v.map;
  throw new Error(`not a map: ${JSON.stringify(v)}`);
}

/** Elements of an array or a RESP3 set. */
export function items(v: RespValue): RespValue[] {
  if (Array.isArray(v)) return v;
  if (v !== null && typeof v === "object" && "set" in v) return v.set;
  throw new Error(`not an array: ${JSON.stringify(v)}`);
}
