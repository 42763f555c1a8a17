// Who may do what: scopes, the profiles that bundle them, toolsets, and the filters an operator adds. A grant is
// the principal's (src/pipeline/principal.ts); a tool outside it is neither listed nor callable for them.
import { ConfigurationError } from "../errors.js";
import { didYouMean } from "../config/names.js";

export const SCOPES = [
  "customers:read",
  "customers:write",
  "customers:pii",
  "tickets:read",
  "tickets:write",
  "billing:read",
  "refunds:write",
  "exports:run",
] as const;
export type Scope = (typeof SCOPES)[number];

export const TOOLSETS = ["customers", "tickets", "billing", "exports"] as const;
export type Toolset = (typeof TOOLSETS)[number];

const READ_SCOPES: readonly Scope[] = ["customers:read", "tickets:read", "billing:read"];

/** Profiles, least privilege first. `readonly` is the default: reads only, and PII masked. */
export const PROFILES = {
  readonly: READ_SCOPES,
  support: [...READ_SCOPES, "customers:write", "customers:pii", "tickets:write"],
  billing: [...READ_SCOPES, "customers:pii", "refunds:write"],
  admin: SCOPES,
} as const satisfies Record<string, readonly Scope[]>;
export type Profile = keyof typeof PROFILES;

/** What a tool needs: the toolset it belongs to and every scope it requires. */
export interface ToolAccess {
  readonly name: string;
  readonly toolset: Toolset;
  readonly scopes: readonly Scope[];
  readonly readOnly: boolean;
  /** Whether the tool asks a person to confirm: on every call (a refund) or on some (a suspension). */
  readonly confirmation?: "always" | "sometimes";
}

export interface AccessSettings {
  profile: Profile;
  /** Explicit scopes; when given they replace the profile's. */
  scopes?: readonly Scope[];
  toolsets?: readonly Toolset[];
  /** Only these tools (after the other filters). */
  tools?: readonly string[];
  excludeTools?: readonly string[];
  /** Wins over everything: only tools whose readOnlyHint is true. */
  readOnly: boolean;
  /**
   * False where no person can be asked to confirm (HTTP, until approvals have a page of their own): tools that
   * ask on every call are then left out.
   */
  canConfirm?: boolean;
  /**
   * Set where a request's own headers (X-MCP-Readonly, X-MCP-Toolsets) narrowed read-only mode or the toolsets,
   * so that a refusal tells the client it asked for less, rather than sending it to an operator.
   */
  narrowedByRequest?: { readonly readOnly?: boolean; readonly toolsets?: boolean };
}

export interface Grant {
  readonly scopes: ReadonlySet<Scope>;
  has(scope: Scope): boolean;
  /** Why a tool is not available, or undefined when it is. */
  refusal(tool: ToolAccess): string | undefined;
}

export function grantOf(settings: AccessSettings): Grant {
  const scopes = new Set<Scope>(settings.scopes ?? PROFILES[settings.profile]);
  const toolsets = settings.toolsets ? new Set(settings.toolsets) : undefined;
  const only = settings.tools ? new Set(settings.tools) : undefined;
  const excluded = new Set(settings.excludeTools ?? []);
  return {
    scopes,
    has: (scope) => scopes.has(scope),
    refusal(tool) {
      if (settings.readOnly && !tool.readOnly) {
        return settings.narrowedByRequest?.readOnly
          ? "this request asked for read-only access (X-MCP-Readonly); send it without that header to use write tools"
          : "the server runs in read-only mode";
      }
      if (settings.canConfirm === false && tool.confirmation === "always") {
        return "it needs a person to confirm every call, which this server cannot ask for over HTTP yet";
      }
      const missing = tool.scopes.filter((scope) => !scopes.has(scope));
      if (missing.length > 0) return `it needs the scope${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`;
      if (toolsets && !toolsets.has(tool.toolset)) {
        return settings.narrowedByRequest?.toolsets
          ? `its toolset ${tool.toolset} is not among those this request asked for (X-MCP-Toolsets)`
          : `its toolset ${tool.toolset} is not enabled`;
      }
      if (only && !only.has(tool.name)) return "it is not in the configured tool list";
      if (excluded.has(tool.name)) return "it is excluded by configuration";
      return undefined;
    },
  };
}

/**
 * Parses a comma-separated list, checking every entry against `known`; unknown names stop startup. The message
 * says which entries (by position) are unknown and what is known, but never repeats them: a value pasted into the
 * wrong variable (an API key in CUSTOMER_MCP_TOOLS) must not land on stderr.
 */
export function parseNameList<T extends string>(
  raw: string | undefined,
  known: readonly T[],
  what: string,
  source: string,
): T[] | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const names = raw
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const isKnown = (name: string) => (known as readonly string[]).includes(name);
  const unknown = names.flatMap((name, index) => (isKnown(name) ? [] : [{ position: index + 1, name }]));
  if (unknown.length > 0) {
    const which = unknown.map(({ position, name }) => `${position}${didYouMean(name, known)}`).join(", ");
    const entries = unknown.length > 1 ? `entries ${which} are not known ${what}s` : `entry ${which} is not a known ${what}`;
    throw new ConfigurationError([
      `${source}: ${entries} (of ${names.length} given); known ${what}s are ${known.join(", ")}.`,
    ]);
  }
  return names as T[];
}
