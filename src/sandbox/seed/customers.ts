// Builds seeded customers and segments: full verbose records, internal fields and all.
import type { Random } from "../random.js";
import type { Customer, CustomerStatus, Segment } from "../records.js";
import type { SandboxStore } from "../store.js";
import {
  ACCOUNT_MANAGERS,
  CUSTOMER_TAGS,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  LANGUAGES,
  LAST_NAMES,
  LINE2,
  PLACES,
  PLANS,
  type Place,
  RISK_FLAGS,
  SIGNUP_CHANNELS,
  SOURCE_SYSTEMS,
  STREET_TYPES,
  STREETS,
  UTM_SOURCES,
} from "./names.js";

export const SEED_START_MS = Date.UTC(2024, 0, 1);
export const SEED_END_MS = Date.UTC(2026, 9, 31, 23, 59, 59);

export type SegmentKey = "enterprise" | "smb" | "startup" | "consumer" | "at_risk" | "vip";

const SEGMENTS: ReadonlyArray<readonly [SegmentKey, string, string, number]> = [
  ["enterprise", "Enterprise", "Companies with 1,000+ employees on negotiated contracts.", 10],
  ["smb", "SMB", "Small and medium businesses on self-serve business plans.", 30],
  ["startup", "Startup", "Early-stage companies in the startup programme.", 18],
  ["consumer", "Consumer", "Individuals on personal plans.", 32],
  ["at_risk", "At risk", "Accounts flagged by the churn and fraud models.", 5],
  ["vip", "VIP", "Hand-picked accounts with a dedicated account manager.", 5],
];

export type SegmentIds = Record<SegmentKey, string>;

const SEGMENT_WEIGHTS = SEGMENTS.map(([key, , , weight]) => [key, weight] as const);
const AT_RISK_STATUSES: ReadonlyArray<readonly [CustomerStatus, number]> = [
  ["active", 50],
  ["suspended", 30],
  ["inactive", 20],
];
const STATUSES: ReadonlyArray<readonly [CustomerStatus, number]> = [
  ["active", 86],
  ["inactive", 10],
  ["suspended", 4],
];
const SYNC_STATES = [
  ["synced", 90],
  ["pending", 7],
  ["failed", 3],
] as const;
const KYC_STATES = [
  ["verified", 80],
  ["pending", 10],
  ["not_required", 10],
] as const;

export function seedSegments(store: SandboxStore, random: Random): SegmentIds {
  const ids = {} as SegmentIds;
  for (const [key, name, description] of SEGMENTS) {
    const id = store.newId("seg", random);
    ids[key] = id;
    store.addSegment({ id, name, description, customer_count: 0 } satisfies Segment);
  }
  return ids;
}

/**
 * toISOString() of the instant truncated to whole seconds, for years 0000-9999. Computed arithmetically
 * (H. Hinnant's days-to-civil) and built as one flat string, because Date formatting and the later string
 * flattening dominated seeding time; created_at strings are compared constantly when sorting.
 */
export function iso(ms: number): string {
  const secs = Math.floor(ms / 1000);
  const days = Math.floor(secs / 86_400);
  const daySecs = secs - days * 86_400;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hh = Math.floor(daySecs / 3600);
  const mm = Math.floor((daySecs % 3600) / 60);
  const ss = daySecs % 60;
  const d = (n: number, place: number) => 48 + (Math.floor(n / place) % 10);
  // One group per field (year, month, day, ...), as character codes: avoids building temporary strings.
  return String.fromCharCode(
    d(year, 1000), d(year, 100), d(year, 10), d(year, 1), 45, d(month, 10), d(month, 1), 45, d(day, 10), d(day, 1),
    84, d(hh, 10), d(hh, 1), 58, d(mm, 10), d(mm, 1), 58, d(ss, 10), d(ss, 1), 46, 48, 48, 48, 90,
  );
}

/** Random instant between two instants, clamped to the seed window. */
export function between(random: Random, fromMs: number, toMs: number): number {
  const from = Math.max(SEED_START_MS, Math.min(fromMs, SEED_END_MS));
  const to = Math.max(from, Math.min(toMs, SEED_END_MS));
  return from + Math.floor(random.float() * (to - from));
}

/** ASCII local part for an e-mail: "Zoë Müller" -> "zoe.muller". */
function emailLocal(first: string, last: string): string {
  const fold = (s: string) =>
    s
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/ł/g, "l")
      .replace(/Ł/g, "L")
      .replace(/[øØ]/g, "o")
      .replace(/ı/g, "i")
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "");
  return `${fold(first)}.${fold(last)}`;
}

export interface CustomerDraft {
  name?: string;
  email?: string;
  status?: CustomerStatus;
  segment?: SegmentKey;
  createdMs?: number;
  place?: Place;
}

export class CustomerFactory {
  readonly #emails = new Set<string>();

  constructor(
    private readonly store: SandboxStore,
    private readonly random: Random,
    private readonly segments: SegmentIds,
  ) {}

  reserveEmail(email: string): void {
    this.#emails.add(email);
  }

  build(draft: CustomerDraft = {}): Customer {
    const r = this.random;
    const first = r.pick(FIRST_NAMES);
    const last = r.pick(LAST_NAMES);
    const name = draft.name ?? `${first} ${last}`;
    const email = draft.email ?? this.#uniqueEmail(emailLocal(first, last), r.pick(EMAIL_DOMAINS));
    const segment = draft.segment ?? r.weighted(SEGMENT_WEIGHTS);
    const status = draft.status ?? r.weighted(segment === "at_risk" ? AT_RISK_STATUSES : STATUSES);
    const place = draft.place ?? r.weighted(PLACES);
    const [city, region] = r.pick(place.cities);
    const createdMs = draft.createdMs ?? between(r, SEED_START_MS, SEED_END_MS - 30 * 86_400_000);
    const updatedMs = between(r, createdMs, SEED_END_MS);
    const riskScore = segment === "at_risk" ? r.int(70, 100) : r.int(0, 60);
    const manager = r.pick(ACCOUNT_MANAGERS);
    const id = this.store.newId("cus", r);
    return {
      id,
      object: "customer",
      name,
      email,
      phone: `+1-555-01${r.digits(2)}-${r.digits(4)}`,
      status,
      segment_id: this.segments[segment],
      created_at: iso(createdMs),
      updated_at: iso(updatedMs),
      address: {
        line1: `${r.int(1, 9999)} ${r.pick(STREETS)} ${r.pick(STREET_TYPES)}`,
        line2: r.chance(0.3) ? r.pick(LINE2) : null,
        city,
        region,
        postal_code: place.country === "US" ? `0${r.digits(4)}` : `${r.digits(5)}`,
        country: place.country,
      },
      tax_id: place.country === "US" ? `00-${r.digits(7)}` : `${place.country}000${r.digits(6)}`,
      date_of_birth: iso(Date.UTC(r.int(1950, 2004), r.int(0, 11), r.int(1, 28))).slice(0, 10),
      currency: place.currency,
      lifetime_value: { amount: 0, currency: place.currency },
      tags: r.sample(CUSTOMER_TAGS, r.int(0, 3)),
      marketing_opt_in: r.chance(0.45),
      account_manager: { ...manager },
      risk: {
        score: riskScore,
        flags: riskScore >= 70 ? r.sample(RISK_FLAGS, r.int(1, 3)) : r.sample(RISK_FLAGS, r.int(0, 1)),
        last_reviewed_at: iso(between(r, createdMs, SEED_END_MS)),
      },
      internal: {
        legacy_id: `LEG-${r.digits(7)}`,
        crm_sync_state: r.weighted(SYNC_STATES),
        shard: `shard-${String(r.int(0, 15)).padStart(2, "0")}`,
        row_version: r.int(1, 40),
        etl_batch: `etl_${iso(updatedMs).slice(0, 10).replace(/-/g, "")}_${r.digits(2)}`,
        source_system: r.pick(SOURCE_SYSTEMS),
        feature_flags: {
          new_billing_ui: r.chance(0.5),
          beta_exports: r.chance(0.2),
          legacy_invoicing: r.chance(0.1),
          sso_enforced: segment === "enterprise" && r.chance(0.7),
        },
        last_synced_at: iso(updatedMs),
        pii_vault_ref: `vault://pii/customers/${r.hex(16)}`,
        data_residency: place.residency,
        fraud_model_version: "fm-4.2.0",
        kyc_status: r.weighted(KYC_STATES),
        ledger_account: `LA-${r.digits(8)}`,
        dedupe_hash: r.hex(16),
        last_status_change: null,
      },
      metadata: {
        signup_channel: r.pick(SIGNUP_CHANNELS),
        plan: segment === "enterprise" ? "enterprise" : r.pick(PLANS),
        referral_code: `REF-${r.alnum(6).toUpperCase()}`,
        utm_source: r.pick(UTM_SOURCES),
        preferred_language: r.pick(LANGUAGES),
      },
    };
  }

  #uniqueEmail(local: string, domain: string): string {
    let email = `${local}@${domain}`;
    for (let n = 2; this.#emails.has(email); n++) email = `${local}${n}@${domain}`;
    this.#emails.add(email);
    return email;
  }
}
