// The ring-buffer list against a plain array model: every operation, wrap-around, growth and
// shrinking, plus the listpack/quicklist encoding estimate.
import { afterEach, expect, test } from "bun:test";
import fc from "fast-check";
import { List, setListMaxListpackSize } from "../../src/types/list.ts";

afterEach(() => setListMaxListpackSize(-2));

type Op =
  | { op: "pushHead" | "pushTail"; s: string }
  | { op: "popHead" | "popTail" }
  | { op: "set" | "insert"; i: number; s: string }
  | { op: "removeAt"; i: number }
  | { op: "removeSorted"; picks: number[] }
  | { op: "trim"; a: number; b: number }
  | { op: "clone" };

const str = fc.string({ maxLength: 6 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constantFrom("pushHead" as const, "pushTail" as const), s: str }), weight: 6 },
  { arbitrary: fc.record({ op: fc.constantFrom("popHead" as const, "popTail" as const) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constantFrom("set" as const, "insert" as const), i: fc.nat(), s: str }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("removeAt" as const), i: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("removeSorted" as const), picks: fc.array(fc.nat(), { maxLength: 6 }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("trim" as const), a: fc.nat(), b: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("clone" as const) }), weight: 1 },
);

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
    case "popHead":
      expect(l.popHead()).toBe(m.shift());
      break;
    case "popTail":
      expect(l.popTail()).toBe(m.pop());
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
    fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
      let l = new List();
      const m: string[] = [];
      for (const o of ops) {
        l = apply(l, m, o);
        expect(l.length).toBe(m.length);
      }
      expect(l.toArray()).toEqual(m);
      for (let i = 0; i < m.length; i++) expect(l.at(i)).toBe(m[i]!);
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
