// Who is calling. Every call runs for a principal: the subject (a person or an agent identity), the client they
// use, and the grant that applies to them with the presentation it implies (PII masked or not). The transport
// creates it: over stdio there is one, from the configuration; over HTTP (later) one per token. Everything
// per-caller is keyed by it: idempotency keys, rate-limit buckets, refund ledgers, cached reads.
import { randomUUID } from "node:crypto";
import type { Config } from "../config/config.js";
import { createPolicy, type Policy } from "../policy/index.js";

export interface ClientInfo {
  readonly name: string;
  readonly version: string;
}

export interface Principal {
  /** Who: `local` over stdio (CUSTOMER_MCP_SUBJECT overrides it), a token's subject over HTTP. */
  readonly subject: string;
  /** The client's name and version from `initialize`, once it has said them. */
  readonly client: ClientInfo | null;
  /** The organisation the subject belongs to, when the identity provider says (HTTP only; unused over stdio). */
  readonly tenant?: string;
  /** The grant, and how data is presented under it. */
  readonly policy: Policy;
  /**
   * The period the subject's refund limits run over: one stdio session (a random id per server), or a day over
   * HTTP. Ledgers are kept per subject and window.
   */
  readonly window: string;
}

/** The one principal of a stdio session: the operator's configuration decides who and what. */
export function localPrincipal(config: Config, client: ClientInfo | null = null): Principal {
  return {
    subject: config.subject,
    client,
    policy: createPolicy(config.access),
    window: `session-${randomUUID()}`,
  };
}

/** The same principal, now that the client has said who it is. */
export function withClient(principal: Principal, client: ClientInfo | undefined): Principal {
  return client ? { ...principal, client: { name: client.name, version: client.version } } : principal;
}

/** The key of a caller's entry in shared state: the subject, and the tenant when there is one. */
export function principalKey(principal: Pick<Principal, "subject" | "tenant">): string {
  return principal.tenant ? `${principal.tenant}/${principal.subject}` : principal.subject;
}
