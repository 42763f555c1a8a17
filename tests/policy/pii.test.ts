// PII masking: table-driven cases in the sandbox's formats, edge cases, idempotence, and generated values whose
// sensitive part must never appear in the output.
import { describe, expect, it } from "vitest";
import {
  PII_FIELDS,
  maskAddress,
  maskCustomerPii,
  maskDateOfBirth,
  maskEmail,
  maskPhone,
  maskTaxId,
  redactPiiInText,
} from "../../src/policy/pii.js";
import type { CustomerSummaryView, CustomerView } from "../../src/views/customer.js";

// Seeded so a failing generated case can be reproduced; mulberry32.
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function generator(seed: number) {
  const random = seededRandom(seed);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T;
  const digits = (n: number): string => Array.from({ length: n }, () => String(int(0, 9))).join("");
  const letters = (n: number): string =>
    Array.from({ length: n }, () => String.fromCharCode(int(97, 122))).join("");
  return {
    // Always ends in digits: the domains have none, so the hidden part cannot appear in the output by chance.
    email(): { email: string; local: string; domain: string } {
      const local = `${letters(int(1, 8))}${pick([".", "_", "+", ""])}${letters(int(1, 8))}${digits(int(1, 3))}`;
      const domain = pick(["example.com", "example.org", "example.net"]);
      return { email: `${local}@${domain}`, local, domain };
    },
    phone(): { phone: string; digits: string } {
      const d = `1555${digits(int(6, 9))}`;
      const phone = pick([
        () => `+${d.slice(0, 1)}-${d.slice(1, 4)}-${d.slice(4, 8)}-${d.slice(8)}`,
        () => `+${d.slice(0, 1)} (${d.slice(1, 4)}) ${d.slice(4, 7)}-${d.slice(7)}`,
        () => `${d.slice(1, 4)}.${d.slice(4, 7)}.${d.slice(7)}`,
        () => `+${d}`,
      ])();
      const shown = phone.startsWith("+") ? d : d.slice(1);
      return { phone, digits: shown };
    },
    taxId(): string {
      return pick([() => `00-${digits(7)}`, () => `${pick(["CA", "GB", "DE", "FR", "ES"])}000${digits(6)}`])();
    },
  };
}

describe("maskEmail", () => {
  it.each([
    ["john.smith@example.com", "j***@example.com"],
    ["ada.lovelace@example.com", "a***@example.com"],
    ["grace.hopper@example.org", "g***@example.org"],
    ["x@example.net", "x***@example.net"],
    ["  John.Smith@Example.COM \n", "J***@Example.COM"],
    ["élodie.dupont@exämple.fr", "é***@exämple.fr"],
    ["😀smile@example.com", "😀***@example.com"],
    ['"a@b"@example.com', '"***@example.com'],
    ["a".repeat(10_000) + "@example.com", "a***@example.com"],
  ])("masks %j as %j", (input, expected) => {
    expect(maskEmail(input)).toBe(expected);
  });

  it.each([
    ["", "empty"],
    ["   ", "blank"],
    ["john.smith", "no @"],
    ["@example.com", "empty local part"],
    ["john@", "empty domain"],
    ["john@exa mple.com", "whitespace in the domain"],
  ])("returns *** for %j (%s)", (input) => {
    expect(maskEmail(input)).toBe("***");
  });

  it.each([null, undefined, 42, {}])("returns *** for the non-string %j instead of throwing", (input) => {
    expect(maskEmail(input as unknown as string)).toBe("***");
  });

  it("keeps only the first character of the local part for 200 generated addresses", () => {
    const gen = generator(1);
    for (let i = 0; i < 200; i++) {
      const { email, local, domain } = gen.email();
      const masked = maskEmail(email);
      expect(masked).toBe(`${local[0]}***@${domain}`);
      expect(masked).not.toContain(local.slice(1));
    }
  });
});

describe("maskPhone", () => {
  it.each([
    ["+1-555-0162-0147", "***-***-0147"],
    ["+1 (555) 016-2014", "***-***-2014"],
    ["555.016.2014", "***-***-2014"],
    ["5550162014", "***-***-2014"],
    ["+44 20 7946 0958", "***-***-0958"],
    ["555-0147", "***-***-0147"],
    ["  +1-555-0162-0147  ", "***-***-0147"],
    ["1".repeat(10_000) + "2345", "***-***-2345"],
  ])("masks %j as %j", (input, expected) => {
    expect(maskPhone(input)).toBe(expected);
  });

  it.each([
    ["", "empty"],
    ["call me", "no digits"],
    ["0147", "four digits: the tail would be the whole number"],
    ["55-0147", "six digits: the tail would be most of the number"],
    ["٥٥٥٠١٦٢٠١٤٧", "non-ASCII digits are neither counted nor shown"],
  ])("returns *** for %j (%s)", (input) => {
    expect(maskPhone(input)).toBe("***");
  });

  it.each([null, undefined, 5550162014])("returns *** for the non-string %j instead of throwing", (input) => {
    expect(maskPhone(input as unknown as string)).toBe("***");
  });

  it("shows no digit but the last four for 200 generated numbers", () => {
    const gen = generator(2);
    for (let i = 0; i < 200; i++) {
      const { phone, digits } = gen.phone();
      const masked = maskPhone(phone);
      expect(masked).toBe(`***-***-${digits.slice(-4)}`);
      expect(masked.replace(/\D/g, "")).toBe(digits.slice(-4));
    }
  });
});

describe("maskAddress", () => {
  it.each([
    ["8465 Oak Court, 07588 Madison, WI, US", "***, US"],
    ["12 Elm Street, Suite 200, 06123 Springfield, IL, US", "***, US"],
    ["4 Pine Road, 75001 Paris, FR", "***, FR"],
    ["8465 Oak Court,07588 Madison,WI,US  ", "***, US"],
    ["Calle Mayor 1, 28013 Madrid, ESP", "***, ESP"],
    ["Ünter den Linden 1, 10117 Berlin, DE", "***, DE"],
  ])("keeps only the country code of %j", (input, expected) => {
    expect(maskAddress(input)).toBe(expected);
  });

  it.each([
    ["", "empty"],
    ["8465 Oak Court", "one part"],
    ["US", "a country alone is still one part"],
    ["8465 Oak Court, 07588 Madison", "last part is a city"],
    ["8465 Oak Court, Madison, United States", "spelled-out country"],
    ["8465 Oak Court, 07588 Madison, us", "lower-case code"],
    ["8465 Oak Court, 07588 Madison, WI, US, ", "empty last part"],
  ])("returns *** for %j (%s)", (input) => {
    expect(maskAddress(input)).toBe("***");
  });

  it("returns *** for a non-string instead of throwing", () => {
    expect(maskAddress(null as unknown as string)).toBe("***");
  });
});

describe("maskTaxId", () => {
  it.each([
    ["00-7648761", "***61"],
    ["DE000123456", "***56"],
    ["GB000654321", "***21"],
    ["123-45-6789", "***89"],
    [" 00 7648761 ", "***61"],
  ])("masks %j as %j", (input, expected) => {
    expect(maskTaxId(input)).toBe(expected);
  });

  it.each([["", "empty"], ["AB-12", "four significant characters"], ["--", "separators only"]])(
    "returns *** for %j (%s)",
    (input) => {
      expect(maskTaxId(input)).toBe("***");
    },
  );

  it("returns *** for a non-string instead of throwing", () => {
    expect(maskTaxId(undefined as unknown as string)).toBe("***");
  });

  it("shows no character but the last two for 200 generated ids", () => {
    const gen = generator(3);
    for (let i = 0; i < 200; i++) {
      const taxId = gen.taxId();
      const tail = taxId.slice(-2);
      expect(maskTaxId(taxId)).toBe(`***${tail}`);
    }
  });
});

describe("maskDateOfBirth", () => {
  it.each(["1962-02-11", "2004-12-28", "11/02/1962", "", "****-**-**", "not a date"])(
    "masks %j completely, year included",
    (input) => {
      expect(maskDateOfBirth(input)).toBe("****-**-**");
    },
  );
});

describe("idempotence", () => {
  const maskers = { maskEmail, maskPhone, maskAddress, maskTaxId, maskDateOfBirth };
  const inputs = [
    "john.smith@example.com",
    "+1-555-0162-0147",
    "8465 Oak Court, 07588 Madison, WI, US",
    "00-7648761",
    "1962-02-11",
    "",
    "***",
    "x",
    "j***@example.com",
    "***-***-0147",
    "***, US",
    "***61",
  ];
  it.each(Object.entries(maskers))("%s(%s(x)) equals %s(x) and reveals nothing more", (_name, mask) => {
    for (const input of inputs) {
      const once = mask(input);
      expect(mask(once)).toBe(once);
    }
  });
});

describe("maskCustomerPii", () => {
  const view: CustomerView = {
    id: "cus_8f2k1",
    name: { untrusted: "customer", text: "Ada Lovelace" },
    email: "ada.lovelace@example.com",
    status: "active",
    segment_id: "seg_vip",
    created_at: "2024-02-10T09:15:00.000Z",
    phone: "+1-555-0162-0147",
    address: "8465 Oak Court, 07588 Madison, WI, US",
    tax_id: "00-7648761",
    date_of_birth: "1962-02-11",
    lifetime_value: null,
    tags: { untrusted: "staff", text: "vip" },
    marketing_opt_in: true,
    account_manager: { untrusted: "staff", text: "Jordan Blake" },
  };

  it("masks every PII field and copies the rest unchanged", () => {
    const masked: CustomerView = maskCustomerPii(view);
    expect(masked).toEqual({
      ...view,
      email: "a***@example.com",
      phone: "***-***-0147",
      address: "***, US",
      tax_id: "***61",
      date_of_birth: "****-**-**",
    });
  });

  it("returns a copy and leaves the input untouched", () => {
    const before = structuredClone(view);
    const masked = maskCustomerPii(view);
    expect(masked).not.toBe(view);
    expect(view).toEqual(before);
  });

  it("keeps null fields null", () => {
    const sparse: CustomerView = {
      ...view, email: null, phone: null, address: null, tax_id: null, date_of_birth: null,
    };
    expect(maskCustomerPii(sparse)).toEqual(sparse);
  });

  it("adds no field a summary view does not have", () => {
    const summary: CustomerSummaryView = {
      id: "cus_8f2k1",
      name: { untrusted: "customer", text: "Ada Lovelace" },
      email: "ada.lovelace@example.com",
      status: "active",
      segment_id: null,
      created_at: "2024-02-10T09:15:00.000Z",
    };
    const masked = maskCustomerPii(summary);
    expect(masked).toEqual({ ...summary, email: "a***@example.com" });
    expect(Object.keys(masked)).toEqual(Object.keys(summary));
  });

  it("masks a value that is not a string instead of passing it through", () => {
    const odd = { email: 42, phone: { raw: "+1-555-0162-0147" } } as unknown as Partial<CustomerView>;
    expect(maskCustomerPii(odd)).toEqual({ email: "***", phone: "***" });
  });

  it("is idempotent", () => {
    const once = maskCustomerPii(view);
    expect(maskCustomerPii(once)).toEqual(once);
  });

  it("covers exactly the PII fields of the customer view", () => {
    expect([...PII_FIELDS]).toEqual(["email", "phone", "address", "tax_id", "date_of_birth"]);
  });
});

describe("redactPiiInText", () => {
  it.each([
    ["Contact john.smith@example.com today", "Contact j***@example.com today"],
    ["Mail ada.lovelace@example.com.", "Mail a***@example.com."],
    ["<grace.hopper@example.org>", "<g***@example.org>"],
    ["a@example.com,b.c@example.net", "a***@example.com,b***@example.net"],
    ["Call +1-555-0162-0147.", "Call ***-***-0147."],
    ["Call (555) 016-2014 or 555.016.2014", "Call ***-***-2014 or ***-***-2014"],
    ["UK: +44 20 7946 0958", "UK: ***-***-0958"],
    ["tel:+15550162014", "tel:***-***-2014"],
    ["écrire à élodie@exämple.fr", "écrire à é***@exämple.fr"],
    ["reach me: jo5550162014@example.com", "reach me: j***@example.com"],
    // No dot needed: an intranet address, or one a clip cut short, is still an address.
    ["user@localhost", "u***@localhost"],
    ["write to zach.smith@exa… [90 more characters not shown]", "write to z***@exa… [90 more characters not shown]"],
  ])("masks %j as %j", (input, expected) => {
    expect(redactPiiInText(input)).toBe(expected);
  });

  it.each([
    ["", "empty"],
    ["Charged twice for my annual plan", "ordinary text"],
    ["created 2026-06-01T10:00:00.000Z by cus_8f2k1", "ISO timestamp and an id"],
    ["between 2025-01-03 and 2026-09-14", "ISO dates"],
    ["order 1234 of 56, version 1.32.2, 49.00 USD", "short numbers"],
    ["txn_1234567890 and LEG1234567", "digits inside an identifier"],
    ["j***@example.com and ***-***-0147", "already masked"],
  ])("leaves %j unchanged (%s)", (input) => {
    expect(redactPiiInText(input)).toBe(input);
  });

  it("returns an empty string for a non-string instead of throwing", () => {
    expect(redactPiiInText(null as unknown as string)).toBe("");
  });

  it("leaves no hidden part of 200 generated emails and phone numbers in free text", () => {
    const gen = generator(4);
    for (let i = 0; i < 200; i++) {
      const { email, local } = gen.email();
      const { phone, digits } = gen.phone();
      const redacted = redactPiiInText(`Hi, reach me at ${email} or on ${phone}, thanks!`);
      expect(redacted).not.toContain(local.slice(1));
      expect(redacted.replace(/\D/g, "")).toBe(digits.slice(-4));
      expect(redactPiiInText(redacted)).toBe(redacted);
    }
  });

  // No timing assertion: the patterns are linear by construction (see pii.ts); a quadratic or exponential one
  // would make this test run for minutes rather than fail a threshold.
  it.each([
    ["a run of local-part characters with no @", "a.".repeat(50_000), (out: string) => out === "a.".repeat(50_000)],
    ["a domain without a dot", `x@${"a".repeat(100_000)}`, (out: string) => out === `x***@${"a".repeat(100_000)}`],
    ["alternating @", "a@".repeat(50_000), (out: string) => out === "a***@a@".repeat(25_000)],
    ["digit groups one short of a phone", "12-34-56, ".repeat(10_000), (out: string) => !out.includes("*")],
    ["one endless phone number", "1-".repeat(50_000), (out: string) => out === "***-***-1111-"],
    ["many dates", "2026-06-01 ".repeat(10_000), (out: string) => !out.includes("*")],
    ["open parentheses", "(".repeat(100_000), (out: string) => out.length === 100_000],
  ])("stays linear on %s", (_name, input, check) => {
    expect(check(redactPiiInText(input))).toBe(true);
  });
});
