// The arena key table against a Map model: random inserts, overwrites (strings of every length,
// integers, objects), removals, walks and SCAN-style resumed walks, under fast-check.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { FLAG_EXPIRE, KeyTable } from "../../src/types/keytable.ts";
import { List } from "../../src/types/list.ts";
import type { Value } from "../../src/types/value.ts";

const byteString = (max: number) => fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: max });
const keyArb = fc.oneof(byteString(3), fc.integer({ min: 0, max: 40 }).map((i) => `key:${i}`));
const valueArb: fc.Arbitrary<Value> = fc.oneof(
  byteString(40),
  fc.integer({ min: 0, max: 70000 }).map((n) => "v".repeat(n)),
  fc.integer({ min: -1e15, max: 1e15 }),
  fc.constant<Value>(new List()),
);

type Op =
  | { op: "set"; key: string; value: Value }
  | { op: "setBytes"; key: string; value: string }
  | { op: "del"; key: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("set" as const), key: keyArb, value: valueArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("setBytes" as const), key: keyArb, value: byteString(30) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("del" as const), key: keyArb }) },
);

function bytes(s: string): Buffer {
  return Buffer.from(s, "latin1");
}

function apply(t: KeyTable, model: Map<string, Value>, o: Op): void {
  if (o.op === "del") {
    expect(t.delete(o.key)).toBe(model.delete(o.key));
    return;
  }
  if (o.op === "set") {
    const r = t.find(o.key);
    if (r === 0) t.insert(o.key, o.value, 0);
    else t.setValue(r, o.value);
    model.set(o.key, o.value);
    return;
  }
  const kb = bytes(o.key);
  const vb = bytes(o.value);
  const r = t.findBytes(kb, 0, kb.length);
  if (r === 0) t.insertBytes(kb, 0, kb.length, vb, 0, vb.length, 0);
  else t.setValueBytes(r, vb, 0, vb.length);
  model.set(o.key, o.value);
}

function expectSame(t: KeyTable, model: Map<string, Value>): void {
  expect(t.size).toBe(model.size);
  for (const [k, v] of model) {
    expect(t.get(k)).toBe(v);
    const kb = bytes(k);
    expect(t.findBytes(kb, 0, kb.length)).toBe(t.find(k));
  }
  const walked = [...t.entries()];
  expect(walked.length).toBe(model.size);
  for (const [k, v] of walked) expect(model.get(k)).toBe(v);
}

describe("KeyTable", () => {
  test("random operations keep it equal to a Map (fast-check)", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
        const t = new KeyTable();
        const model = new Map<string, Value>();
        for (const o of ops) apply(t, model, o);
        expectSame(t, model);
      }),
      { numRuns: 150 },
    );
  });

  test("a walk resumed between writes visits every key present throughout exactly once (fast-check)", () => {
    fc.assert(
      fc.property(fc.array(keyArb, { minLength: 1, maxLength: 60 }), fc.array(opArb, { maxLength: 120 }), fc.integer({ min: 1, max: 7 }), (initial, ops, stride) => {
        const t = new KeyTable();
        const model = new Map<string, Value>();
        for (const k of initial) apply(t, model, { op: "set", key: k, value: "x" });
        const present = new Set(model.keys());
        const seen = new Map<string, number>();
        let r = t.first();
        let i = 0;
        const gen = t.generation;
        while (r !== 0) {
          seen.set(t.keyOf(r), (seen.get(t.keyOf(r)) ?? 0) + 1);
          const pos = t.after(r);
          for (let s = 0; s < stride && i < ops.length; s++, i++) {
            const o = ops[i]!;
            if (o.op === "del") present.delete(o.key);
            apply(t, model, o);
          }
          if (t.generation !== gen) return; // emptied: nothing was present throughout
          r = t.first(pos);
        }
        for (const k of present) expect(seen.get(k)).toBe(1);
      }),
      { numRuns: 200 },
    );
  });

  test("grows past many resizes and shrinks back; flags and access times stay with their keys", () => {
    const t = new KeyTable();
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const r = t.insert(`key:${i}`, i % 3 === 0 ? i : `value-${i}`, i);
      if (i % 5 === 0) t.setFlag(r, FLAG_EXPIRE, true);
    }
    expect(t.size).toBe(n);
    for (let i = 0; i < n; i += 7) {
      const r = t.find(`key:${i}`);
      expect(t.value(r)).toBe(i % 3 === 0 ? i : `value-${i}`);
      expect(t.accessTime(r)).toBe(i);
      expect(t.hasFlag(r, FLAG_EXPIRE)).toBe(i % 5 === 0);
    }
    for (let i = 0; i < n; i++) if (i % 10 !== 0) expect(t.delete(`key:${i}`)).toBe(true);
    expect(t.size).toBe(n / 10);
    for (let i = 0; i < n; i += 10) expect(t.get(`key:${i}`)).toBe(i % 3 === 0 ? i : `value-${i}`);
    expect(t.get("key:1")).toBeUndefined();
    const gen = t.generation;
    for (let i = 0; i < n; i += 10) t.delete(`key:${i}`);
    expect(t.size).toBe(0);
    expect(t.generation).toBe(gen + 1);
    expect(t.first()).toBe(0);
    expect(t.randomRecord()).toBe(0);
  });

  test("freed records are reused for keys of the same size, and random picks are live keys", () => {
    const t = new KeyTable();
    for (let i = 0; i < 1000; i++) t.insert(`k${String(i).padStart(4, "0")}`, "abc", 0);
    const before = t.arenaBytes;
    for (let i = 0; i < 500; i++) t.delete(`k${String(i).padStart(4, "0")}`);
    for (let i = 0; i < 500; i++) t.insert(`n${String(i).padStart(4, "0")}`, "xyz", 0);
    expect(t.arenaBytes).toBe(before);
    for (let i = 0; i < 200; i++) {
      const k = t.keyOf(t.randomRecord());
      expect(t.has(k)).toBe(true);
    }
  });

  test("records made after an epoch began are left out of a walk of that epoch", () => {
    const t = new KeyTable();
    t.insert("old", "1", 0);
    const e = t.beginEpoch();
    t.insert("new", "2", 0);
    const keys: string[] = [];
    for (let r = t.first(1, e); r !== 0; r = t.next(r, e)) keys.push(t.keyOf(r));
    expect(keys).toEqual(["old"]);
  });
});
