// The list (an entry ring over a byte heap) against a plain array model: every operation,
// wrap-around, growth, shrinking, heap repacks and hole compaction, binary bytes, plus the
// listpack/quicklist encoding estimate.
import { afterEach, expect, test } from "bun:test";
import fc from "fast-check";
import { List, setListMaxListpackSize } from "../../src/types/list.ts";

afterEach(() => setListMaxListpackSize(-2));

type Op =
  | { op: "pushHead" | "pushTail" | "pushHeadBytes" | "pushTailBytes"; s: string }
  | { op: "popHead" | "popTail" | "dropHead" | "dropTail" }
  | { op: "equalsAt"; i: number; s: string }
  | { op: "set" | "insert"; i: number; s: string }
  | { op: "removeAt"; i: number }
  | { op: "removeSorted"; picks: number[] }
  | { op: "trim"; a: number; b: number }
  | { op: "clone" };

/** Latin1 byte strings: mostly short (copy loops), some past 16 bytes (native copies), some big
 * enough that LSET/LREM holes pass the compaction threshold. */
const bytesOf = (max: number) => fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: max, size: "max" }).map((a) => String.fromCharCode(...a));
/** Up to 70,000 bytes: past one 64 KiB chunk, so lists spill over several and big elements get their own. */
const bigStr = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.nat(70_000)).map(([b, n]) => String.fromCharCode(b).repeat(n));
const str = fc.oneof(
  { arbitrary: fc.string({ maxLength: 6 }), weight: 12 },
  { arbitrary: bytesOf(40), weight: 6 },
  { arbitrary: bytesOf(700), weight: 2 },
  { arbitrary: bigStr, weight: 1 },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({ op: fc.constantFrom("pushHead" as const, "pushTail" as const, "pushHeadBytes" as const, "pushTailBytes" as const), s: str }),
    weight: 6,
  },
  { arbitrary: fc.record({ op: fc.constantFrom("popHead" as const, "popTail" as const, "dropHead" as const, "dropTail" as const) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("equalsAt" as const), i: fc.nat(), s: str }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constantFrom("set" as const, "insert" as const), i: fc.nat(), s: str }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("removeAt" as const), i: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("removeSorted" as const), picks: fc.array(fc.nat(), { maxLength: 6 }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("trim" as const), a: fc.nat(), b: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("clone" as const) }), weight: 1 },
);

/** s's bytes in the middle of a bigger buffer, as a request argument would sit. */
function inRequest(s: string): [Buffer, number, number] {
  return [Buffer.from(`$${s.length}\r\n${s}\r\n`, "latin1"), String(s.length).length + 3, String(s.length).length + 3 + s.length];
}

/** Element i read the way the hot commands read it: straight from its chunk. */
function heapAt(l: List, i: number): string {
  const s = l.startOf(i);
  return l.bufferOf(i).toString("latin1", s, s + l.lengthOf(i));
}

function apply(l: List, m: string[], o: Op): List {
  const n = m.length;
  switch (o.op) {
    case "pushHead":
      l.pushHead(o.s);
      m.unshift(o.s);
      break;
    case "pushTail":
      l.pushTail(o.s);
      m.push(o.s);
      break;
    case "pushHeadBytes":
      l.pushHeadBytes(...inRequest(o.s));
      m.unshift(o.s);
      break;
    case "pushTailBytes":
      l.pushTailBytes(...inRequest(o.s));
      m.push(o.s);
      break;
    case "popHead":
      expect(l.popHead()).toBe(m.shift());
      break;
    case "popTail":
      expect(l.popTail()).toBe(m.pop());
      break;
    case "dropHead":
      if (n > 0) {
        expect(heapAt(l, 0)).toBe(m.shift()!);
        l.dropHead();
      }
      break;
    case "dropTail":
      if (n > 0) {
        expect(heapAt(l, n - 1)).toBe(m.pop()!);
        l.dropTail();
      }
      break;
    case "equalsAt":
      if (n > 0) {
        expect(l.equalsAt(o.i % n, o.s)).toBe(m[o.i % n] === o.s);
        expect(l.equalsAt(o.i % n, m[o.i % n]!)).toBe(true);
      }
      break;
    case "set":
      if (n > 0) {
        l.set(o.i % n, o.s);
        m[o.i % n] = o.s;
      }
      break;
    case "insert":
      l.insert(o.i % (n + 1), o.s);
      m.splice(o.i % (n + 1), 0, o.s);
      break;
    case "removeAt":
      if (n > 0) {
        l.removeAt(o.i % n);
        m.splice(o.i % n, 1);
      }
      break;
    case "removeSorted": {
      if (n === 0) break;
      const idx = [...new Set(o.picks.map((p) => p % n))].sort((a, b) => a - b);
      l.removeSorted(idx);
      for (let k = idx.length - 1; k >= 0; k--) m.splice(idx[k]!, 1);
      break;
    }
    case "trim": {
      if (n === 0) break;
      const a = o.a % n;
      const b = o.b % n;
      l.trim(a, b);
      const kept = a > b ? [] : m.slice(a, b + 1);
      m.length = 0;
      m.push(...kept);
      break;
    }
    case "clone": {
      const c = l.clone();
      l.pushTail("only-in-original");
      expect(c.length).toBe(m.length);
      l.popTail();
      return c;
    }
  }
  return l;
}

test("property: every operation agrees with an array model, across wrap-around and resizing", () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 300, size: "max" }), (ops) => {
      let l = new List();
      const m: string[] = [];
      for (const o of ops) {
        l = apply(l, m, o);
        expect(l.length).toBe(m.length);
      }
      expect(l.toArray()).toEqual(m);
      for (let i = 0; i < m.length; i++) {
        expect(l.at(i)).toBe(m[i]!);
        expect(heapAt(l, i)).toBe(m[i]!);
      }
      // Holes are compacted and chunks given back: the bytes held stay within a few times the elements'.
      const live = m.reduce((n, s) => n + s.length, 0);
      expect(l.heapSize).toBeLessThanOrEqual(4 * live + 4 * 65536);
    }),
    { numRuns: 300 },
  );
});

test("pops on an empty list return undefined", () => {
  const l = new List();
  expect(l.popHead()).toBeUndefined();
  expect(l.popTail()).toBeUndefined();
  l.pushTail("x");
  expect(l.popHead()).toBe("x");
  expect(l.popTail()).toBeUndefined();
});

test("the ring grows to hold 100k elements pushed at both ends and shrinks as they are popped", () => {
  const l = new List();
  for (let i = 0; i < 50_000; i++) {
    l.pushHead(`h${i}`);
    l.pushTail(`t${i}`);
  }
  expect(l.length).toBe(100_000);
  expect(l.at(0)).toBe("h49999");
  expect(l.at(99_999)).toBe("t49999");
  expect(l.at(50_000)).toBe("t0");
  const big = l.capacity;
  expect(big).toBeGreaterThanOrEqual(100_000);
  for (let i = 0; i < 99_990; i++) (i % 2 ? l.popHead() : l.popTail());
  expect(l.length).toBe(10);
  expect(l.capacity).toBeLessThanOrEqual(64);
});

test("trimming a big list to a few elements gives its memory back at once", () => {
  const l = List.from(Array.from({ length: 100_000 }, (_, i) => String(i)));
  l.trim(5, 14);
  expect(l.toArray()).toEqual(["5", "6", "7", "8", "9", "10", "11", "12", "13", "14"]);
  expect(l.capacity).toBeLessThanOrEqual(64);
  expect(l.heapSize).toBeLessThanOrEqual(4096);
});

test("the heap grows with pushes at either end and gives its bytes back as they are popped", () => {
  const l = new List();
  for (let i = 0; i < 20_000; i++) {
    if (i % 3 === 0) l.pushTail(`tail-element-${i}`);
    else l.pushHead(`head-${i}`);
  }
  expect(l.heapSize).toBeGreaterThanOrEqual(200_000);
  while (l.length > 100) l.dropTail();
  expect(l.heapSize).toBeLessThanOrEqual(8192);
  expect(l.at(0)).toBe("head-19999");
});

test("a queue (push at the tail, pop at the head) stays in a small heap", () => {
  const l = new List();
  for (let i = 0; i < 100_000; i++) {
    l.pushTail(`job:${i}`);
    if (i >= 50) expect(l.popHead()).toBe(`job:${i - 50}`);
  }
  expect(l.length).toBe(50);
  expect(l.heapSize).toBeLessThanOrEqual(4096);
});

test("LSET/LINSERT/LREM holes are compacted, so the heap stays bounded", () => {
  const l = List.from(Array.from({ length: 20 }, (_, i) => "v".repeat(i)));
  const model = l.toArray();
  for (let k = 0; k < 20_000; k++) {
    const i = (k * 7) % 20;
    const s = String.fromCharCode(k & 255).repeat((k * 13) % 200);
    l.set(i, s);
    model[i] = s;
    if (k % 5 === 0) {
      l.insert(k % 21, "ins");
      l.removeSorted([k % 21]);
    }
  }
  expect(l.toArray()).toEqual(model);
  expect(l.heapSize).toBeLessThanOrEqual(32_768);
});

test("a big list full of holes compacts into full chunks, a big element in one of its own", () => {
  const l = List.from(["B".repeat(100_000), ...Array.from({ length: 50_000 }, (_, i) => `element-${String(i).padStart(9, "0")}`)]);
  // LREM-like removal of most elements leaves every chunk mostly holes.
  const idx: number[] = [];
  for (let i = 1; i <= 50_000; i++) if (i % 20 !== 0) idx.push(i);
  l.removeSorted(idx);
  const model = ["B".repeat(100_000), ...Array.from({ length: 2500 }, (_, k) => `element-${String(20 * (k + 1) - 1).padStart(9, "0")}`)];
  expect(l.toArray()).toEqual(model);
  const live = model.reduce((n, s) => n + s.length, 0);
  expect(l.heapSize).toBeLessThanOrEqual(2 * live);
  const c = l.clone();
  while (l.length > 1) l.dropTail();
  expect(l.at(0)).toBe(model[0]!);
  expect(c.toArray()).toEqual(model);
});

test("clone is deep: later writes to either side do not leak", () => {
  const a = List.from(["1", "2", "3"]);
  const b = a.clone();
  a.set(0, "x");
  b.pushTail("4");
  expect(a.toArray()).toEqual(["x", "2", "3"]);
  expect(b.toArray()).toEqual(["1", "2", "3", "4"]);
  expect(b.type).toBe("list");
});

test("encoding: listpack while under 8kb, quicklist past it, back to listpack only under half", () => {
  const l = new List();
  expect(l.encoding()).toBe("listpack");
  const v = "x".repeat(100); // ~104 bytes per entry
  while (l.encoding() === "listpack") l.pushTail(v);
  expect(l.length).toBeGreaterThan(70);
  expect(l.length).toBeLessThan(82);
  // Hysteresis: a few pops do not convert back.
  l.popHead();
  l.popHead();
  expect(l.encoding()).toBe("quicklist");
  while (l.length > 41) l.popHead();
  expect(l.encoding()).toBe("quicklist");
  while (l.encoding() === "quicklist") l.popHead();
  expect(l.length).toBeGreaterThan(30);
  expect(l.length).toBeLessThanOrEqual(39);
  // One huge element converts at once.
  const h = new List();
  h.pushTail("y".repeat(9000));
  expect(h.encoding()).toBe("quicklist");
});

test("encoding: a positive list-max-listpack-size limits the entry count", () => {
  setListMaxListpackSize(4);
  const l = List.from(["a", "b", "c", "d"]);
  expect(l.encoding()).toBe("listpack");
  l.pushTail("e");
  expect(l.encoding()).toBe("quicklist");
  l.popTail();
  l.popTail();
  l.popTail();
  expect(l.encoding()).toBe("listpack");
});
