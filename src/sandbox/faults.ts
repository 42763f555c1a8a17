// Run-time fault injection: ordered rules matched per request, rolled with a seeded PRNG so runs repeat.
import { z } from "zod";
import { mulberry32 } from "./random.js";

export type FaultKind =
  | "latency"
  | "status"
  | "reset_before"
  | "reset_after"
  | "malformed_json"
  | "truncated_body"
  | "slow_body"
  | "wrong_schema"
  | "oversized_body";

export interface FaultRule {
  kind: FaultKind;
  /** Method to match, case-insensitive; absent matches any. */
  method?: string;
  /** A path prefix such as "/v1/customers", or, when it starts with "^", a RegExp source tested on the path. */
  path?: string;
  /** Probability 0..1 per matching request (default 1). */
  rate?: number;
  /** Apply to at most this many matching requests, then the rule expires. */
  times?: number;
  /** For kind "status": the status to answer with (400-599). */
  status?: number;
  /** Sent as Retry-After with a "status" fault. */
  retryAfter?: string;
  /** "latency": delay before handling; "slow_body": time over which the body is trickled. Default 500. */
  latencyMs?: number;
  /** For kind "oversized_body": the size of the body in bytes (default DEFAULT_OVERSIZED_BYTES). */
  bytes?: number;
}

export interface FaultController {
  add(rule: FaultRule): string;
  remove(id: string): boolean;
  clear(): void;
  list(): Array<FaultRule & { id: string; remaining?: number }>;
}

export const FAULT_KINDS = [
  "latency",
  "status",
  "reset_before",
  "reset_after",
  "malformed_json",
  "truncated_body",
  "slow_body",
  "wrong_schema",
  "oversized_body",
] as const satisfies readonly FaultKind[];

export const DEFAULT_FAULT_DELAY_MS = 500;
/** Just over the client's default response cap (16 MiB), so the default rule trips it. */
export const DEFAULT_OVERSIZED_BYTES = 17 * 1024 * 1024;
export const MAX_OVERSIZED_BYTES = 256 * 1024 * 1024;

function isValidRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** Strict, so a typo such as `latency_ms` is a 400 rather than a rule that silently does nothing. */
export const FaultRuleSchema = z
  .strictObject({
    kind: z.enum(FAULT_KINDS),
    method: z
      .string()
      .regex(/^[A-Za-z]{1,16}$/)
      .optional(),
    path: z
      .string()
      .min(1)
      .max(500)
      .refine((p) => !p.startsWith("^") || isValidRegExp(p), "path starting with ^ must be a valid RegExp")
      .optional(),
    rate: z.number().min(0).max(1).optional(),
    times: z.number().int().min(1).optional(),
    status: z.number().int().min(400).max(599).optional(),
    retryAfter: z
      .string()
      .regex(/^[\x20-\x7e]{1,100}$/)
      .optional(),
    latencyMs: z.number().int().min(0).max(60_000).optional(),
    // At least room for the JSON envelope the body is wrapped in.
    bytes: z.number().int().min(16).max(MAX_OVERSIZED_BYTES).optional(),
  })
  .refine((r) => r.kind !== "status" || r.status !== undefined, {
    message: 'a "status" fault needs a status',
    path: ["status"],
  });

interface ActiveRule {
  id: string;
  rule: FaultRule;
  pattern: RegExp | null;
  remaining: number | undefined;
}

export interface FaultPlan {
  /** Sum of the delays of every matching latency rule. */
  latencyMs: number;
  /** The one non-latency rule to apply, if any. */
  action: FaultRule | null;
}

export class FaultRules implements FaultController {
  #rules: ActiveRule[] = [];
  #nextId = 1;
  readonly #roll: () => number;

  constructor(seed: number) {
    this.#roll = mulberry32(seed);
  }

  add(rule: FaultRule): string {
    const parsed = FaultRuleSchema.safeParse(rule);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TypeError(
        `Invalid fault rule: ${issue?.path.join(".") || "rule"}: ${issue?.message ?? "invalid"}`,
      );
    }
    const clean: FaultRule = parsed.data;
    const id = `flt_${this.#nextId++}`;
    const pattern = clean.path?.startsWith("^") ? new RegExp(clean.path) : null;
    this.#rules.push({ id, rule: clean, pattern, remaining: clean.times });
    return id;
  }

  remove(id: string): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((r) => r.id !== id);
    return this.#rules.length !== before;
  }

  clear(): void {
    this.#rules = [];
  }

  list(): Array<FaultRule & { id: string; remaining?: number }> {
    return this.#rules.map(({ id, rule, remaining }) =>
      remaining === undefined ? { ...rule, id } : { ...rule, id, remaining },
    );
  }

  /** Decides the faults for one request and consumes the `times` budget of the rules it applies. */
  plan(method: string, path: string): FaultPlan {
    const plan: FaultPlan = { latencyMs: 0, action: null };
    if (this.#rules.length === 0) return plan;
    for (const active of [...this.#rules]) {
      const { rule } = active;
      if (rule.kind !== "latency" && plan.action !== null) continue;
      if (!this.#matches(active, method, path)) continue;
      if (rule.rate !== undefined && rule.rate < 1 && !(this.#roll() < rule.rate)) continue;
      this.#consume(active);
      if (rule.kind === "latency") plan.latencyMs += rule.latencyMs ?? DEFAULT_FAULT_DELAY_MS;
      else plan.action = rule;
    }
    return plan;
  }

  #matches(active: ActiveRule, method: string, path: string): boolean {
    const { rule, pattern } = active;
    if (rule.method !== undefined && rule.method.toUpperCase() !== method) return false;
    if (pattern) return pattern.test(path);
    return rule.path === undefined || path.startsWith(rule.path);
  }

  #consume(active: ActiveRule): void {
    if (active.remaining === undefined) return;
    active.remaining--;
    if (active.remaining <= 0) this.remove(active.id);
  }
}
