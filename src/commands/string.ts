// String commands: GET SET and the rest of Redis's string family.
import { storeString, strOf, isStringValue } from "../types/bytestring.ts";
import { E } from "../errors.ts";
import type { CommandSpec } from "./spec.ts";

export const stringCommands: readonly CommandSpec[] = [
  {
    name: "get",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    acl: ["string"],
    group: "string",
    since: "1.0.0",
    summary: "Returns the string value of a key.",
    run(c) {
      const v = c.lookupRead(c.args.str(1));
      if (v === undefined) return c.reply.nil();
      if (!isStringValue(v)) return c.error(E.wrongType);
      if (typeof v === "number") c.reply.bulkInt(v);
      else c.reply.bulk(strOf(v));
    },
  },
  {
    name: "set",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    acl: ["string"],
    group: "string",
    since: "1.0.0",
    summary: "Sets the string value of a key, ignoring its type.",
    run(c) {
      c.db.set(c.args.str(1), storeString(c.args.str(2)));
      c.dirty();
      c.reply.ok();
    },
  },
];
