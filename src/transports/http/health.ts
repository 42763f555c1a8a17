// /healthz and /readyz. Liveness is only "the process answers". Readiness says whether this replica should get
// traffic: not while it drains, and not while it cannot check tokens (every request would fail). Redis and the
// customer API are reported too, but a replica stays ready without them: without Redis it still serves reads
// (writes fail closed with state_unavailable), and without the API it answers with a clear error, which a load
// balancer taking every replica out would turn into connection errors. Checks are cached briefly so probes
// cannot hammer the identity provider, Redis or the API.
import type { ServerResponse } from "node:http";
import { sendJson } from "./replies.js";

export interface ReadinessCheck {
  readonly name: string;
  /** Whether the replica is unready while this check fails. */
  readonly required: boolean;
  check(): Promise<boolean>;
}

const CHECK_TIMEOUT_MS = 2_000;
const CACHE_MS = 2_000;

export class Readiness {
  #cached: { at: number; results: Record<string, "ok" | "failing"> } | undefined;
  #running: Promise<Record<string, "ok" | "failing">> | undefined;

  constructor(
    private readonly checks: readonly ReadinessCheck[],
    private readonly now: () => number,
  ) {}

  async report(draining: boolean): Promise<{ ready: boolean; body: Record<string, unknown> }> {
    const results = await this.#results();
    const failingRequired = this.checks.some((check) => check.required && results[check.name] !== "ok");
    const ready = !draining && !failingRequired;
    const degraded = Object.values(results).some((result) => result !== "ok");
    return {
      ready,
      body: { status: draining ? "draining" : !ready ? "unready" : degraded ? "degraded" : "ok", checks: results },
    };
  }

  async #results(): Promise<Record<string, "ok" | "failing">> {
    if (this.#cached && this.now() - this.#cached.at < CACHE_MS) return this.#cached.results;
    this.#running ??= Promise.all(this.checks.map(async (check) => [check.name, await passes(check)] as const))
      .then((entries) => {
        const results = Object.fromEntries(entries.map(([name, ok]) => [name, ok ? "ok" : "failing"] as const));
        this.#cached = { at: this.now(), results };
        return results;
      })
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }
}

async function passes(check: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check.check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function sendReadiness(res: ServerResponse, readiness: Readiness, draining: boolean): Promise<void> {
  const { ready, body } = await readiness.report(draining);
  sendJson(res, ready ? 200 : 503, body);
}
