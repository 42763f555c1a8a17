// principalKey: the one key of a caller's entries in shared state. Two callers never share one, however their
// identity provider spells subjects and tenants.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { principalKey } from "../../src/pipeline/principal.js";

describe("principalKey", () => {
  it("keeps a plain subject as it is, so stdio's keys are what they were", () => {
    expect(principalKey({ subject: "local" })).toBe("local");
    expect(principalKey({ subject: "alice@example.com" })).toBe("alice@example.com");
  });

  it("never gives two callers the same key, with a / or % anywhere", () => {
    expect(principalKey({ subject: "a/b" })).not.toBe(principalKey({ tenant: "a", subject: "b" }));
    expect(principalKey({ tenant: "a/b", subject: "c" })).not.toBe(principalKey({ tenant: "a", subject: "b/c" }));
    // Few characters, chosen to build every near-collision: separators, escapes and what escapes spell.
    const text = fc.string({ unit: fc.constantFrom("a", "/", "%", "2", "F", "5"), maxLength: 6 });
    const caller = fc.record({ subject: text, tenant: fc.option(text, { nil: undefined }) });
    fc.assert(fc.property(caller, caller, (a, b) => {
      const same = a.subject === b.subject && a.tenant === b.tenant;
      return same === (principalKey(a) === principalKey(b));
    }), { numRuns: 2_000 });
  });
});
