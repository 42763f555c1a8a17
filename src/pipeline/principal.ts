// Who is calling. Every call runs for a principal: the subject (a person or an agent identity), the client they
// use, and the grant that applies to them with the presentation it implies (PII masked or not). The transport
// creates it: over stdio there is one, from the configuration; over HTTP one per request, from its token. Everything
// per-caller is keyed by it: idempotency keys, rate-limit buckets, refund ledgers, cached reads.
import { randomUUID } from "node:crypto";
import type { Config } from "../config/config.js";
import { accessForToken } from "../auth/scopes.js";
import { type AccessSettings, type Scope, type Toolset, TOOLSETS } from "../policy/access.js";
import { createPolicy, type Policy } from "../policy/index.js";

export interface ClientInfo {
  readonly name: string;
  readonly version: string;
}

export interface Principal {
  /**
   * Who: `local` over stdio (CUSTOMER_MCP_SUBJECT overrides it), a token's subject over HTTP (CUSTOMER_MCP_SUBJECT
   * again with CUSTOMER_MCP_HTTP_AUTH=none).
   */
  readonly subject: string;
  /** The client's name and version from `initialize`, once it has said them (stdio; always null over HTTP). */
  readonly client: ClientInfo | null;
  /** The organisation the subject belongs to, when the identity provider says (HTTP only; unused over stdio). */
  readonly tenant?: string;
  /** The OAuth client the token was issued to (HTTP only). */
  readonly clientId?: string;
  /** The access token's id (`jti`), so the audit trail can tie calls to one token (HTTP only). */
  readonly tokenId?: string;
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

/**
 * The key of a caller's entry in shared state: the subject, and the tenant when there is one. Distinct callers
 * never share a key: with a tenant both parts are percent-encoded around the one `/`; without, a subject that
 * holds `/` or `%` is encoded too, so no subject can pass for a tenant's. A plain subject (`local`, an email)
 * is its own key.
 */
export function principalKey(principal: Pick<Principal, "subject" | "tenant">): string {
  const { subject, tenant } = principal;
  if (tenant !== undefined) return `${encodeURIComponent(tenant)}/${encodeURIComponent(subject)}`;
  return /[/%]/.test(subject) ? encodeURIComponent(subject) : subject;
}

/** Who a verified token says is calling, and what it grants (src/transports/http/). */
export interface CallerIdentity {
  readonly subject: string;
  readonly tenant?: string;
  readonly clientId?: string;
  readonly tokenId?: string;
  /** The scopes the token grants, already mapped to ours; undefined when no token is checked (development). */
  readonly scopes?: readonly Scope[];
}

/** What a request may take away from its grant (headers such as X-MCP-Readonly); it never adds. */
export interface Narrowing {
  readonly readOnly?: boolean;
  readonly toolsets?: readonly Toolset[];
}

/**
 * The policies of a process's callers, one per distinct grant. The operator's access settings are the ceiling:
 * a token's scopes and a request's narrowing can only take away from them. Kept per grant so each grant's tool
 * listing is computed once (the catalog keys listings by grant), and bounded: there are few distinct grants.
 */
export class PolicyCache {
  readonly #policies = new Map<string, Policy>();

  constructor(
    private readonly ceiling: AccessSettings,
    private readonly maxEntries = 512,
  ) {}

  /** The policy for a token's scopes (undefined: no token, the ceiling's) and a request's narrowing. */
  policyFor(scopes: readonly Scope[] | undefined, narrowing: Narrowing = {}): Policy {
    const granted = scopes === undefined ? this.ceiling : accessForToken(this.ceiling, scopes);
    const toolsets = narrowing.toolsets
      ? (this.ceiling.toolsets ?? TOOLSETS).filter((toolset) => narrowing.toolsets?.includes(toolset))
      : this.ceiling.toolsets;
    const narrowedByRequest = {
      readOnly: !this.ceiling.readOnly && narrowing.readOnly === true,
      toolsets: narrowing.toolsets !== undefined,
    };
    const access: AccessSettings = {
      ...granted,
      readOnly: this.ceiling.readOnly || narrowing.readOnly === true,
      ...(toolsets ? { toolsets } : {}),
      // Nobody can be asked to confirm over stateless HTTP (yet): tools that always ask are left out.
      canConfirm: false,
      narrowedByRequest,
    };
    const key = JSON.stringify([
      access.scopes ?? access.profile,
      access.toolsets ?? null,
      access.readOnly,
      narrowedByRequest.readOnly,
      narrowedByRequest.toolsets,
    ]);
    let policy = this.#policies.get(key);
    if (!policy) {
      if (this.#policies.size >= this.maxEntries) this.#policies.clear();
      policy = createPolicy(access);
      this.#policies.set(key, policy);
    }
    return policy;
  }
}

/** A caller over HTTP: their identity, the policy of their grant, and refund limits per subject and UTC day. */
export function remotePrincipal(identity: CallerIdentity, policy: Policy, now: number): Principal {
  return {
    subject: identity.subject,
    client: null,
    policy,
    window: `day-${new Date(now).toISOString().slice(0, 10)}`,
    ...(identity.tenant ? { tenant: identity.tenant } : {}),
    ...(identity.clientId ? { clientId: identity.clientId } : {}),
    ...(identity.tokenId ? { tokenId: identity.tokenId } : {}),
  };
}
