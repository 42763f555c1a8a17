// Word lists for fake but real-looking seed data. Every person, place and number here is invented;
// e-mails use only the reserved example.* domains.
import type { Agent } from "../records.js";

export const FIRST_NAMES: readonly string[] = [
  "Olivia",
  "Liam",
  "Emma",
  "Noah",
  "Amelia",
  "Oliver",
  "Sophia",
  "Elijah",
  "Isabella",
  "Lucas",
  "Mia",
  "Mateo",
  "Charlotte",
  "Ethan",
  "Harper",
  "James",
  "Evelyn",
  "Benjamin",
  "Aria",
  "Henry",
  "Priya",
  "Arjun",
  "Mei",
  "Hiroshi",
  "Yuki",
  "Fatima",
  "Omar",
  "Aisha",
  "Kwame",
  "Amara",
  "Chloé",
  "José",
  "Zoë",
  "Björn",
  "Søren",
  "Łukasz",
  "Inès",
  "François",
  "Ayşe",
  "Nicolás",
  "Grace",
  "Samuel",
  "Nora",
  "Daniel",
  "Leila",
  "Tomás",
  "Ingrid",
  "Rafael",
  "Hana",
  "Victor",
];

export const LAST_NAMES: readonly string[] = [
  "Smith",
  "Johnson",
  "Williams",
  "Brown",
  "Jones",
  "Garcia",
  "Miller",
  "Davis",
  "Rodriguez",
  "Martinez",
  "Hernandez",
  "Lopez",
  "Wilson",
  "Anderson",
  "Thomas",
  "Taylor",
  "Moore",
  "Jackson",
  "Martin",
  "Lee",
  "Patel",
  "Nguyen",
  "Kim",
  "Tanaka",
  "Okafor",
  "Mensah",
  "Haddad",
  "Khan",
  "Singh",
  "Chen",
  "Álvarez",
  "Müller",
  "Dubois",
  "Lindqvist",
  "Nowak",
  "Kowalski",
  "Øberg",
  "Yılmaz",
  "Fernández",
  "Brontë",
  "Rossi",
  "Novak",
  "Schmidt",
  "Larsen",
  "Silva",
  "Costa",
  "Murphy",
  "O'Brien",
  "Walsh",
  "Fischer",
];

export const EMAIL_DOMAINS: readonly string[] = ["example.com", "example.org", "example.net"];

export interface Place {
  country: string;
  currency: string;
  residency: "us" | "eu";
  cities: ReadonlyArray<readonly [city: string, region: string]>;
}

export const PLACES: ReadonlyArray<readonly [Place, number]> = [
  [
    {
      country: "US",
      currency: "usd",
      residency: "us",
      cities: [
        ["Springfield", "IL"],
        ["Portland", "OR"],
        ["Austin", "TX"],
        ["Denver", "CO"],
        ["Madison", "WI"],
        ["Raleigh", "NC"],
      ],
    },
    60,
  ],
  [
    {
      country: "CA",
      currency: "cad",
      residency: "us",
      cities: [
        ["Halifax", "NS"],
        ["Calgary", "AB"],
      ],
    },
    8,
  ],
  [
    {
      country: "GB",
      currency: "gbp",
      residency: "eu",
      cities: [
        ["Leeds", "ENG"],
        ["Cardiff", "WLS"],
      ],
    },
    12,
  ],
  [
    {
      country: "DE",
      currency: "eur",
      residency: "eu",
      cities: [
        ["Leipzig", "SN"],
        ["Köln", "NW"],
      ],
    },
    8,
  ],
  [
    {
      country: "FR",
      currency: "eur",
      residency: "eu",
      cities: [
        ["Lyon", "ARA"],
        ["Nantes", "PDL"],
      ],
    },
    6,
  ],
  [
    {
      country: "ES",
      currency: "eur",
      residency: "eu",
      cities: [
        ["Valencia", "VC"],
        ["Málaga", "AN"],
      ],
    },
    6,
  ],
];

export const STREETS: readonly string[] = [
  "Maple",
  "Oak",
  "Cedar",
  "Elm",
  "Willow",
  "Harbor",
  "Mill",
  "River",
  "Station",
  "Orchard",
  "Lake",
  "Hill",
];
export const STREET_TYPES: readonly string[] = ["Street", "Avenue", "Road", "Lane", "Way", "Court"];
export const LINE2: readonly string[] = ["Suite 200", "Apt 4B", "Floor 3", "Unit 12", "Building C"];

export const CUSTOMER_TAGS: readonly string[] = [
  "vip",
  "newsletter",
  "beta",
  "churn-risk",
  "trial",
  "wholesale",
  "reseller",
  "priority-support",
  "annual-plan",
  "migrated",
];
export const RISK_FLAGS: readonly string[] = [
  "chargeback_history",
  "velocity",
  "new_device",
  "mismatched_address",
  "manual_review",
  "disposable_email",
];
export const SOURCE_SYSTEMS: readonly string[] = [
  "salesforce",
  "hubspot",
  "signup_form",
  "csv_import",
  "zendesk",
];
export const PLANS: readonly string[] = ["free", "starter", "pro", "business", "enterprise"];
export const SIGNUP_CHANNELS: readonly string[] = ["web", "sales", "partner", "mobile_app"];
export const UTM_SOURCES: readonly string[] = ["google", "newsletter", "podcast", "conference", "referral"];
export const LANGUAGES: readonly string[] = ["en", "es", "de", "fr", "ja"];

/** Support agents: the only valid ticket assignees. Fixed across seeds so callers can hard-code one. */
export const SANDBOX_AGENTS: readonly Agent[] = [
  { id: "usr_mayachen01", name: "Maya Chen" },
  { id: "usr_omarfarouk02", name: "Omar Farouk" },
  { id: "usr_lenapetrova03", name: "Lena Petrova" },
  { id: "usr_diegoramos04", name: "Diego Ramos" },
  { id: "usr_sarahokoye05", name: "Sarah Okoye" },
];

export const ACCOUNT_MANAGERS: ReadonlyArray<{ id: string; name: string; email: string }> = [
  { id: "usr_amjordan0001", name: "Jordan Blake", email: "jordan.blake@example.com" },
  { id: "usr_amrivera0002", name: "Ana Rivera", email: "ana.rivera@example.com" },
  { id: "usr_amnakamura03", name: "Ken Nakamura", email: "ken.nakamura@example.com" },
  { id: "usr_amosei000004", name: "Efua Osei", email: "efua.osei@example.com" },
];

export const CARD_BRANDS: ReadonlyArray<readonly [string, number]> = [
  ["visa", 50],
  ["mastercard", 30],
  ["amex", 12],
  ["discover", 8],
];

export const CHARGE_DESCRIPTIONS: readonly string[] = [
  "Pro plan - monthly subscription",
  "Business plan - annual subscription",
  "Starter plan - monthly subscription",
  "Add-on: 5 extra seats",
  "Add-on: priority support",
  "Usage overage - API calls",
  "Hardware order: card reader",
  "Professional services - onboarding",
];
export const REFUND_DESCRIPTIONS: readonly string[] = [
  "Refund: duplicate charge",
  "Refund: service outage",
  "Refund: cancelled within trial",
  "Refund: partial goodwill",
];
export const CREDIT_DESCRIPTIONS: readonly string[] = [
  "Service credit - outage",
  "Goodwill credit",
  "Referral credit",
  "Promotional credit",
];

export const TICKET_TOPICS: ReadonlyArray<readonly [subject: string, description: string]> = [
  [
    "Charged twice this month",
    "I see two identical charges on my card statement for this month. Please check.",
  ],
  ["Cannot log in", "Password reset emails never arrive and I am locked out of my account."],
  ["Invoice shows wrong address", "My latest invoice lists our old billing address. Can you update it?"],
  ["Export is stuck", "The CSV export has been running for hours and never finishes."],
  ["Question about annual plan", "What would it cost to switch our team to the annual plan?"],
  ["Card declined", "My card keeps getting declined although it works everywhere else."],
  ["Feature request: dark mode", "Our team would love a dark mode in the dashboard."],
  ["API returns 500 errors", "Since this morning roughly one in ten API calls fails with a 500 error."],
  ["Cancel my subscription", "Please cancel my subscription at the end of the current billing period."],
  ["Refund for unused seats", "We removed three seats last week. Are we refunded for the unused time?"],
  ["Two-factor codes not working", "Codes from my authenticator app are rejected every time."],
  ["Slow dashboard", "The dashboard takes more than 20 seconds to load for our account."],
];
export const TICKET_TAGS: readonly string[] = [
  "billing",
  "login",
  "bug",
  "feature-request",
  "api",
  "refund",
  "vip",
];

export const AGENT_REPLIES: readonly string[] = [
  "Thanks for reaching out - I'm looking into this now.",
  "I've escalated this to our billing team and will update you within a day.",
  "Could you send a screenshot of the error you see?",
  "This should be fixed now. Could you try again and let me know?",
  "I've applied the change to your account.",
];
export const INTERNAL_REMARKS: readonly string[] = [
  "Internal: checked billing logs, the second charge looks like a duplicate.",
  "Internal: customer is on the legacy invoicing flag; engineering aware.",
  "Internal: do not offer further credits without manager approval.",
];
export const CUSTOMER_REPLIES: readonly string[] = [
  "Thanks, that worked!",
  "Still seeing the same problem, unfortunately.",
  "Here is the screenshot you asked for.",
  "Any update on this?",
];
export const SYSTEM_MESSAGES: readonly string[] = [
  "Auto-reply: we received your request and will get back to you shortly.",
  "Ticket status changed by an automation rule.",
  "Satisfaction survey sent to the requester.",
];
export const NOTE_BODIES: readonly string[] = [
  "Called the customer about renewal; interested in the annual plan.",
  "Customer asked for a copy of all 2025 invoices; sent by e-mail.",
  "Prefers contact by e-mail, not phone.",
  "Discussed migrating to the business plan next quarter.",
  "Flagged for follow-up after the service outage.",
  "Customer confirmed the new billing contact.",
];
