// Export files come from the API with whatever columns it decides. Without customers:pii, every PII column
// (by its CSV header or JSON Lines key: email, phone, address parts, tax id, birth date) is masked and PII in
// other cells too; for every caller, bidi, zero-width and tag characters are removed. Checked on hostile files
// directly and on the sandbox's export through the customer://exports resource.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv, presentExportFile } from "../../src/policy/export-files.js";
import { sanitizeText } from "../../src/policy/untrusted.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { testContext } from "../helpers/context.js";
import { callTool, connectInMemory } from "../helpers/mcp.js";

const HOSTILE_CSV = [
  "id,Name,Contact E-mail,mobile,address_line1,City,postal_code,tax_id,SSN,dob,notes",
  'cus_aaaaaaaa,"Mallory, ""M""",mallory.secret@leak.example,+1 555 010 7788,12 Hidden Lane,Springfield,99999,'
  + '12-3456789,123-45-6789,1980-04-01,"call 555 010 1234 or\r\nmail me@leak.example"',
  // A bidi override that would show "evil" as "live", a zero-width space, and tag characters spelling "hi".
  "cus_bbbbbbbb,\u202Eevil\u202C Eve\u200B,eve@leak.example,,,,,,,,\u{E0068}\u{E0069}",
].join("\r\n") + "\r\n";

describe("CSV export files", () => {
  it("masks every PII column by its header, and PII inside other cells, without customers:pii", () => {
    const shown = presentExportFile(HOSTILE_CSV, "csv", true);
    for (const secret of ["mallory.secret", "010 7788", "12 Hidden Lane", "Springfield", "99999", "3456789", "45-6789",
      "1980-04-01", "555 010 1234", "me@leak"]) {
      expect(shown, secret).not.toContain(secret);
    }
    const [header, mallory] = parseCsv(shown);
    expect(header?.cells[0]).toBe("id");
    expect(mallory?.cells).toEqual([
      "cus_aaaaaaaa",
      'Mallory, "M"',
      "m***@leak.example",
      "***-***-7788",
      "***",
      "***",
      "***",
      "***89",
      "***89",
      "****-**-**",
      "call ***-***-1234 or\nmail m***@leak.example",
    ]);
    // The row endings of the file are kept.
    expect(shown.endsWith("\r\n")).toBe(true);
  });

  it("removes bidi, zero-width and tag characters for every caller, PII or not", () => {
    for (const maskPii of [true, false]) {
      const shown = presentExportFile(HOSTILE_CSV, "csv", maskPii);
      expect(shown).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B-\u200F\u{E0000}-\u{E007F}]/u);
      expect(parseCsv(shown)[2]?.cells[1]).toBe("evil Eve");
    }
    // With the PII scope the values themselves are shown.
    expect(presentExportFile(HOSTILE_CSV, "csv", false)).toContain("mallory.secret@leak.example");
  });

  it("reads back every cell it writes, cleaned but otherwise unchanged, whatever the cells hold", () => {
    const cell = fc.string({ unit: fc.constantFrom("a", "b", ",", '"', "\n", " ", "x") });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }), (rows) => {
        // Header names that are no PII field, so cells go through unmasked but re-quoted.
        const header = rows[0]?.map((_, i) => `col${i}`) ?? [];
        const width = header.length;
        const body = rows.map((row) => [...row, ...new Array(width).fill("")].slice(0, width));
        const quote = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
        const file = [header, ...body].map((row) => `${row.map(quote).join(",")}\r\n`).join("");
        const parsed = parseCsv(presentExportFile(file, "csv", false)).map((row) => row.cells);
        expect(parsed).toEqual([header, ...body.map((row) => row.map(sanitizeText))]);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe("JSON Lines export files", () => {
  it("masks PII keys at any depth, and PII in other strings, without customers:pii", () => {
    const file = [
      JSON.stringify({
        id: "cus_aaaaaaaa",
        name: "Mallory",
        email: "mallory.secret@leak.example",
        contact: { phone_number: "+1 555 010 7788", note: "or mail me@leak.example" },
        address: { line1: "12 Hidden Lane", city: "Springfield", postal_code: "99999", country: "US" },
        tax_id: "12-3456789",
        date_of_birth: "1980-04-01",
        lifetime_value: 1999,
      }),
      "not json: call 555 010 1234",
      "",
    ].join("\n");
    const shown = presentExportFile(file, "jsonl", true);
    for (const secret of ["mallory.secret", "010 7788", "Hidden Lane", "Springfield", "3456789", "1980-04-01",
      "me@leak", "555 010 1234"]) {
      expect(shown, secret).not.toContain(secret);
    }
    const [first, second] = shown.split("\n");
    expect(JSON.parse(first ?? "")).toEqual({
      id: "cus_aaaaaaaa",
      name: "Mallory",
      email: "m***@leak.example",
      contact: { phone_number: "***-***-7788", note: "or mail m***@leak.example" },
      address: "***",
      tax_id: "***89",
      date_of_birth: "****-**-**",
      lifetime_value: 1999,
    });
    expect(second).toBe("not json: call ***-***-1234");
  });
});

describe("customer://exports/{id} without customers:pii", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 19, exportDurationMs: 0, counts: { customers: 30 } });
  });
  afterAll(() => sandbox.close());

  it.each(["csv", "jsonl"] as const)("masks the %s file's contact, address, tax id and birth date columns", async (format) => {
    // exports:run without customers:pii: a grant an operator can give with CUSTOMER_MCP_SCOPES.
    const connected = await connectInMemory(
      testContext(sandbox, { access: { profile: "readonly", scopes: ["customers:read", "exports:run"] } }),
    );
    const result = await callTool(connected.client, "export_customers", { format });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const uri = (result.structuredContent as { resource_uri: string }).resource_uri;
    const read = await connected.client.readResource({ uri });
    await connected.close();
    const text = (read.contents[0] as { text: string }).text;
    for (const customer of sandbox.store.customers) {
      for (const secret of [customer.email, customer.phone, customer.tax_id, customer.date_of_birth,
        customer.address.line1, customer.address.postal_code]) {
        expect(text, `${customer.id}: ${secret}`).not.toContain(secret);
      }
    }
    expect(text).toContain("****-**-**");
  });
});
