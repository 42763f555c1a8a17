// Every environment variable the server reads, in one table: its zod schema (with the plain sentence shown when
// it is wrong) and its one-line description. The help text is generated from this table, and a test checks
// that README.md and .env.example document every entry, so the three cannot drift apart.
import { z } from "zod";
import { HEADER_TOKEN } from "../api/auth.js";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Empty variables count as unset, as most .env loaders and client configs write them. */
const unsetIfEmpty = (value: unknown) => (value === "" ? undefined : value);

function wholeNumber(name: string, min: number, max: number, fallback: number, unit = "") {
  const range = `between ${min} and ${max}${unit}`;
  return z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^\d+$/, { error: `${name} must be a whole number ${range}.` })
      .transform(Number)
      .pipe(
        z
          .number()
          .min(min, { error: `${name} must be ${range}.` })
          .max(max, { error: `${name} must be ${range}.` }),
      )
      .default(fallback),
  );
}

const ms = (name: string, min: number, max: number, fallback: number) =>
  wholeNumber(name, min, max, fallback, " milliseconds");

/** true/false/1/0, case-insensitive; unset means false. */
function booleanFlag(name: string) {
  return z.preprocess(
    (value) => (typeof value === "string" ? unsetIfEmpty(value.trim().toLowerCase()) : value),
    z
      .enum(["true", "false", "1", "0"], { error: `${name} must be true or false.` })
      .default("false")
      .transform((value) => value === "true" || value === "1"),
  );
}

const optionalText = () => z.preprocess(unsetIfEmpty, z.string().optional());

/**
 * An http(s) URL without a user name or password: axios would send those as HTTP Basic credentials in place of
 * the bearer token, and a URL is printed and logged where a secret must not be. A base URL (the API's) takes no
 * query or fragment either: paths are appended to it. The messages name the variable, never the value.
 */
function httpUrl(name: string, example: string, kind: "base" | "endpoint") {
  return z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .superRefine((text, ctx) => {
        const url = URL.canParse(text) ? new URL(text) : undefined;
        if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
          ctx.addIssue({ code: "custom", message: `${name} must be an http:// or https:// URL such as ${example}.` });
        } else if (url.username !== "" || url.password !== "") {
          ctx.addIssue({
            code: "custom",
            message: `${name} must not contain a user name or password (user:password@); credentials go in `
              + "CUSTOMER_API_KEY or the client-credentials variables.",
          });
        } else if (kind === "base" && (url.search !== "" || url.hash !== "")) {
          ctx.addIssue({ code: "custom", message: `${name} must not have a query (?…) or fragment (#…): paths are appended to it.` });
        }
      })
      .optional(),
  );
}

function headerSafeSecret(name: string) {
  return z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(HEADER_TOKEN, {
        error: `${name} must be printable ASCII without spaces or line breaks, because it is sent in an HTTP header; `
          + "look for a stray space or newline, or a character copied from a formatted document.",
      })
      .optional(),
  );
}

const FaultListSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "CUSTOMER_SANDBOX_FAULTS must be a JSON array of fault rules." });
      return z.NEVER;
    }
  })
  .pipe(
    z.array(z.looseObject({ kind: z.string() }), {
      error: "CUSTOMER_SANDBOX_FAULTS must be a JSON array of fault rules, each with a `kind`.",
    }),
  );

interface Variable {
  schema: z.ZodType;
  description: string;
}

/** The variables, in the order the help text lists them. */
export const VARIABLES = {
  CUSTOMER_API_URL: {
    schema: httpUrl("CUSTOMER_API_URL", "https://customers.internal.example.com", "base"),
    description: "base URL of the customer API (required unless --sandbox)",
  },
  CUSTOMER_MCP_SANDBOX: {
    schema: booleanFlag("CUSTOMER_MCP_SANDBOX"),
    description: "true: use the built-in sandbox API, like --sandbox (for clients that can only set env; default false)",
  },
  CUSTOMER_API_KEY: {
    schema: headerSafeSecret("CUSTOMER_API_KEY"),
    description: "bearer API key (with CUSTOMER_API_URL, unless client credentials are set)",
  },
  CUSTOMER_API_TOKEN_URL: {
    schema: httpUrl("CUSTOMER_API_TOKEN_URL", "https://auth.internal.example.com/oauth/token", "endpoint"),
    description: "OAuth 2.0 token endpoint for the client-credentials grant (instead of an API key)",
  },
  CUSTOMER_API_CLIENT_ID: { schema: optionalText(), description: "OAuth client id" },
  CUSTOMER_API_CLIENT_SECRET: { schema: optionalText(), description: "OAuth client secret" },
  CUSTOMER_API_SCOPE: { schema: optionalText(), description: "OAuth scope to request (optional)" },
  CUSTOMER_API_TIMEOUT_MS: {
    schema: ms("CUSTOMER_API_TIMEOUT_MS", 100, 300_000, 10_000),
    description: "per-attempt timeout in ms (default 10000)",
  },
  CUSTOMER_API_CALL_TIMEOUT_MS: {
    schema: ms("CUSTOMER_API_CALL_TIMEOUT_MS", 100, 600_000, 30_000),
    description: "deadline of one API call including its retries, in ms (default 30000)",
  },
  CUSTOMER_API_MAX_RETRIES: {
    schema: wholeNumber("CUSTOMER_API_MAX_RETRIES", 0, 10, 3),
    description: "retries for requests that are safe to repeat (default 3)",
  },
  CUSTOMER_API_RETRY_BASE_MS: {
    schema: ms("CUSTOMER_API_RETRY_BASE_MS", 1, 60_000, 250),
    description: "backoff ceiling of the first retry in ms (default 250)",
  },
  CUSTOMER_API_RETRY_MAX_DELAY_MS: {
    schema: ms("CUSTOMER_API_RETRY_MAX_DELAY_MS", 1, 300_000, 5_000),
    description: "longest backoff between retries in ms (default 5000)",
  },
  CUSTOMER_API_RETRY_AFTER_CAP_MS: {
    schema: ms("CUSTOMER_API_RETRY_AFTER_CAP_MS", 0, 300_000, 10_000),
    description: "longest Retry-After the server waits out itself in ms (default 10000)",
  },
  CUSTOMER_API_RETRY_BUDGET_PERCENT: {
    schema: wholeNumber("CUSTOMER_API_RETRY_BUDGET_PERCENT", 0, 100, 20),
    description: "retries allowed as a share of recent requests, in percent (default 20)",
  },
  CUSTOMER_API_RETRY_BUDGET_MIN_PER_SECOND: {
    schema: wholeNumber("CUSTOMER_API_RETRY_BUDGET_MIN_PER_SECOND", 0, 10_000, 10),
    description: "retries always allowed per second, on top of the percent (default 10)",
  },
  CUSTOMER_API_BREAKER_FAILURE_PERCENT: {
    schema: wholeNumber("CUSTOMER_API_BREAKER_FAILURE_PERCENT", 1, 99, 50),
    description: "failure share (percent) that, shown beyond doubt by the window, opens a route group's breaker (default 50)",
  },
  CUSTOMER_API_BREAKER_WINDOW_MS: {
    schema: ms("CUSTOMER_API_BREAKER_WINDOW_MS", 1_000, 600_000, 10_000),
    description: "sliding window the breaker's failure rate is taken over, in ms (default 10000)",
  },
  CUSTOMER_API_BREAKER_MIN_ATTEMPTS: {
    schema: wholeNumber("CUSTOMER_API_BREAKER_MIN_ATTEMPTS", 1, 100_000, 10),
    description: "attempts the window must hold before the breaker may open (default 10)",
  },
  CUSTOMER_API_BREAKER_COOLDOWN_MS: {
    schema: ms("CUSTOMER_API_BREAKER_COOLDOWN_MS", 100, 600_000, 5_000),
    description: "how long an open breaker fails fast before a probe, in ms (default 5000)",
  },
  CUSTOMER_API_MAX_CONCURRENCY: {
    schema: wholeNumber("CUSTOMER_API_MAX_CONCURRENCY", 1, 1_024, 32),
    description: "upstream requests in flight at once; more wait in a short queue (default 32)",
  },
  CUSTOMER_API_MAX_QUEUE: {
    schema: wholeNumber("CUSTOMER_API_MAX_QUEUE", 0, 10_000, 64),
    description: "requests that may wait for a slot; beyond it calls get rate_limited (default 64)",
  },
  CUSTOMER_MCP_CALLS_PER_MINUTE: {
    schema: wholeNumber("CUSTOMER_MCP_CALLS_PER_MINUTE", 1, 100_000, 120),
    description: "calls per minute each tool accepts (token bucket; default 120)",
  },
  CUSTOMER_MCP_CACHE_TTL_MS: {
    schema: ms("CUSTOMER_MCP_CACHE_TTL_MS", 0, 3_600_000, 30_000),
    description: "how long a read is served from cache, in ms; 0 disables the cache (default 30000)",
  },
  CUSTOMER_MCP_CACHE_MAX_ENTRIES: {
    schema: wholeNumber("CUSTOMER_MCP_CACHE_MAX_ENTRIES", 1, 1_000_000, 2_000),
    description: "reads kept in the cache (LRU; default 2000)",
  },
  CUSTOMER_MCP_STALE_MAX_AGE_MS: {
    schema: ms("CUSTOMER_MCP_STALE_MAX_AGE_MS", 0, 86_400_000, 300_000),
    description: "oldest cached read served (marked stale) when the API is down, in ms; 0 never (default 300000)",
  },
  CUSTOMER_MCP_IDEMPOTENCY_WINDOW_MS: {
    schema: ms("CUSTOMER_MCP_IDEMPOTENCY_WINDOW_MS", 0, 86_400_000, 600_000),
    description: "how long a repeated identical write replays the first one, in ms (default 600000)",
  },
  CUSTOMER_MCP_SUBJECT: {
    schema: z.preprocess(
      unsetIfEmpty,
      z
        .string()
        .regex(/^[\x21-\x7e]{1,255}$/, { error: "CUSTOMER_MCP_SUBJECT must be 1-255 visible ASCII characters, such as an email or a user id." })
        .default("local"),
    ),
    description: "who the stdio session acts for, and with CUSTOMER_MCP_HTTP_AUTH=none every HTTP caller, in audit records and kept state (default local)",
  },
  CUSTOMER_MCP_PROFILE: {
    schema: z.preprocess(
      (value) => (typeof value === "string" ? unsetIfEmpty(value.trim().toLowerCase()) : value),
      z
        .enum(["readonly", "support", "billing", "admin"], {
          error: "CUSTOMER_MCP_PROFILE must be one of readonly, support, billing, admin.",
        })
        .default("readonly"),
    ),
    description: "access profile: readonly (default), support, billing or admin",
  },
  CUSTOMER_MCP_SCOPES: {
    schema: optionalText(),
    description: "comma-separated scopes that replace the profile's (e.g. customers:read,tickets:write)",
  },
  CUSTOMER_MCP_TOOLSETS: {
    schema: optionalText(),
    description: "comma-separated toolsets to enable: customers, tickets, billing, exports (default all)",
  },
  CUSTOMER_MCP_TOOLS: { schema: optionalText(), description: "comma-separated tools to enable (default all granted)" },
  CUSTOMER_MCP_EXCLUDE_TOOLS: { schema: optionalText(), description: "comma-separated tools to disable" },
  CUSTOMER_MCP_READ_ONLY: {
    schema: booleanFlag("CUSTOMER_MCP_READ_ONLY"),
    description: "true: only read-only tools, whatever else is granted (default false)",
  },
  CUSTOMER_MCP_ALLOW_UNCONFIRMED_WRITES: {
    schema: booleanFlag("CUSTOMER_MCP_ALLOW_UNCONFIRMED_WRITES"),
    description: "true: refunds and suspensions proceed without a human's confirmation when the client cannot "
      + "ask for one (autonomous deployments only; default false)",
  },
  CUSTOMER_MCP_MAX_REFUND: {
    schema: wholeNumber("CUSTOMER_MCP_MAX_REFUND", 1, Number.MAX_SAFE_INTEGER, 50_000),
    description: "largest single refund, in minor units of the charge's currency (default 50000, e.g. $500.00)",
  },
  CUSTOMER_MCP_MAX_SESSION_REFUNDS: {
    schema: wholeNumber("CUSTOMER_MCP_MAX_SESSION_REFUNDS", 1, Number.MAX_SAFE_INTEGER, 200_000),
    description: "total refunded per server session and currency, in minor units (default 200000)",
  },
  CUSTOMER_MCP_MAX_SESSION_REFUND_COUNT: {
    schema: wholeNumber("CUSTOMER_MCP_MAX_SESSION_REFUND_COUNT", 1, 100_000, 20),
    description: "refunds per server session across all currencies (default 20)",
  },
  CUSTOMER_MCP_MAX_SESSION_CURRENCIES: {
    schema: wholeNumber("CUSTOMER_MCP_MAX_SESSION_CURRENCIES", 1, 200, 1),
    description: "distinct currencies one server session may refund in (default 1)",
  },
  CUSTOMER_MCP_AUDIT_FILE: {
    schema: optionalText(),
    description: "append one JSON line per tool call to this file (created with mode 0600; default: stderr only)",
  },
  CUSTOMER_MCP_SHUTDOWN_GRACE_MS: {
    schema: ms("CUSTOMER_MCP_SHUTDOWN_GRACE_MS", 0, 120_000, 5_000),
    description: "how long shutdown waits for calls in flight, in ms (default 5000)",
  },
  CUSTOMER_MCP_MAX_RESULT_TOKENS: {
    schema: wholeNumber("CUSTOMER_MCP_MAX_RESULT_TOKENS", 1_000, 200_000, 20_000),
    description: "budget of one tool result, in estimated tokens (default 20000)",
  },
  CUSTOMER_MCP_EXPORT_POLL_MS: {
    schema: ms("CUSTOMER_MCP_EXPORT_POLL_MS", 50, 60_000, 1_000),
    description: "how often export_customers polls a running export in ms (default 1000)",
  },
  CUSTOMER_MCP_EXPORT_MAX_WAIT_MS: {
    schema: ms("CUSTOMER_MCP_EXPORT_MAX_WAIT_MS", 1_000, 3_600_000, 300_000),
    description: "longest export_customers waits before cancelling the export in ms (default 300000)",
  },
  CUSTOMER_MCP_HTTP_HOST: {
    schema: z.preprocess(
      unsetIfEmpty,
      z
        .string()
        .regex(/^[A-Za-z0-9.:[\]-]{1,253}$/, { error: "CUSTOMER_MCP_HTTP_HOST must be a host name or IP address to listen on, such as 127.0.0.1 or 0.0.0.0." })
        .default("127.0.0.1"),
    ),
    description: "http command: the address to listen on (default 127.0.0.1; 0.0.0.0 in a container)",
  },
  CUSTOMER_MCP_HTTP_PORT: {
    schema: wholeNumber("CUSTOMER_MCP_HTTP_PORT", 0, 65_535, 8080),
    description: "http command: the port to listen on (default 8080; 0 picks a free one)",
  },
  CUSTOMER_MCP_PUBLIC_URL: {
    schema: httpUrl("CUSTOMER_MCP_PUBLIC_URL", "https://customer-mcp.internal.example.com/mcp", "endpoint"),
    description: "http command: the URL clients use for the MCP endpoint; the OAuth resource and token audience",
  },
  CUSTOMER_MCP_HTTP_AUTH: {
    schema: z.preprocess(
      (value) => (typeof value === "string" ? unsetIfEmpty(value.trim().toLowerCase()) : value),
      z
        .enum(["oauth", "none"], { error: "CUSTOMER_MCP_HTTP_AUTH must be oauth (the default) or none." })
        .default("oauth"),
    ),
    description: "http command: oauth (default: bearer tokens from CUSTOMER_MCP_OAUTH_ISSUER) or none (loopback only, for development)",
  },
  CUSTOMER_MCP_OAUTH_ISSUER: {
    schema: httpUrl("CUSTOMER_MCP_OAUTH_ISSUER", "https://login.example.com/realms/support", "endpoint"),
    description: "http command: the identity provider's issuer; its discovery document names the JWKS",
  },
  CUSTOMER_MCP_OAUTH_AUDIENCE: {
    schema: optionalText(),
    description: "http command: the audience access tokens must carry (default CUSTOMER_MCP_PUBLIC_URL)",
  },
  CUSTOMER_MCP_OAUTH_JWKS_URL: {
    schema: httpUrl("CUSTOMER_MCP_OAUTH_JWKS_URL", "https://login.example.com/realms/support/protocol/openid-connect/certs", "endpoint"),
    description: "http command: the issuer's JWKS URL, instead of discovering it",
  },
  CUSTOMER_MCP_OAUTH_SCOPE_PREFIX: {
    schema: z.preprocess(
      unsetIfEmpty,
      z
        .string()
        .regex(/^[\x21-\x7e]{0,200}$/, { error: "CUSTOMER_MCP_OAUTH_SCOPE_PREFIX must be visible ASCII without spaces." })
        .default(""),
    ),
    description: "http command: what the identity provider puts before each scope name (e.g. customer-mcp:; default none)",
  },
  CUSTOMER_MCP_REDIS_URL: {
    schema: z.preprocess(
      unsetIfEmpty,
      z
        .string()
        .refine((text) => URL.canParse(text) && ["redis:", "rediss:"].includes(new URL(text).protocol), {
          error: "CUSTOMER_MCP_REDIS_URL must be a redis:// or rediss:// URL such as redis://redis:6379.",
        })
        .optional(),
    ),
    description: "http command: Redis for state shared by replicas (default: in memory, one replica only)",
  },
  CUSTOMER_MCP_REDIS_PREFIX: {
    schema: z.preprocess(
      unsetIfEmpty,
      z
        .string()
        .regex(/^[\x21-\x7e]{1,64}$/, { error: "CUSTOMER_MCP_REDIS_PREFIX must be 1-64 visible ASCII characters, such as customer-mcp:." })
        .default("customer-mcp:"),
    ),
    description: "http command: what every key this server keeps in Redis starts with (default customer-mcp:)",
  },
  CUSTOMER_MCP_HTTP_CORS_ORIGINS: {
    schema: optionalText(),
    description: "http command: comma-separated browser origins allowed to call the endpoint (default none)",
  },
  CUSTOMER_MCP_TRUST_PROXY: {
    schema: booleanFlag("CUSTOMER_MCP_TRUST_PROXY"),
    description: "http command: true: trust X-Forwarded-For/-Host/-Proto from a reverse proxy (default false)",
  },
  CUSTOMER_MCP_HTTP_MAX_BODY_BYTES: {
    schema: wholeNumber("CUSTOMER_MCP_HTTP_MAX_BODY_BYTES", 1_024, 64 * 1024 * 1024, 1024 * 1024),
    description: "http command: largest request body accepted, in bytes (default 1048576); larger ones get 413",
  },
  CUSTOMER_MCP_HTTP_REQUEST_TIMEOUT_MS: {
    schema: ms("CUSTOMER_MCP_HTTP_REQUEST_TIMEOUT_MS", 1_000, 600_000, 30_000),
    description: "http command: longest a client may take to send a request, in ms (default 30000)",
  },
  CUSTOMER_MCP_HTTP_KEEPALIVE_TIMEOUT_MS: {
    schema: ms("CUSTOMER_MCP_HTTP_KEEPALIVE_TIMEOUT_MS", 1_000, 900_000, 65_000),
    description: "http command: how long an idle keep-alive connection stays open, in ms (default 65000); keep it above the proxy's idle timeout",
  },
  CUSTOMER_MCP_REPLICA_ID: {
    schema: z.preprocess(
      unsetIfEmpty,
      z
        .string()
        .regex(/^[\x21-\x7e]{1,128}$/, { error: "CUSTOMER_MCP_REPLICA_ID must be 1-128 visible ASCII characters." })
        .optional(),
    ),
    description: "http command: this replica's name in audit records and request logs (default the host name)",
  },
  LOG_LEVEL: {
    schema: z.preprocess(
      (value) => (typeof value === "string" ? unsetIfEmpty(value.toLowerCase()) : value),
      z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}.` }).default("info"),
    ),
    description: "fatal, error, warn, info (default), debug, trace or silent; logs go to stderr",
  },
  CUSTOMER_SANDBOX_SEED: {
    schema: wholeNumber("CUSTOMER_SANDBOX_SEED", 0, 2 ** 31 - 1, 42),
    description: "seed of the sandbox's generated data (default 42)",
  },
  CUSTOMER_SANDBOX_FAULTS: {
    schema: z.preprocess(unsetIfEmpty, FaultListSchema.optional()),
    description: "JSON array of sandbox fault rules to start with (see docs/operations.md)",
  },
} satisfies Record<string, Variable>;

type Schemas = { [K in keyof typeof VARIABLES]: (typeof VARIABLES)[K]["schema"] };

export const EnvSchema = z.object(
  Object.fromEntries(Object.entries(VARIABLES).map(([name, variable]) => [name, variable.schema])) as Schemas,
);
export type EnvVars = z.infer<typeof EnvSchema>;

export function describeVariables(): string {
  const width = Math.max(...Object.keys(VARIABLES).map((name) => name.length)) + 2;
  return Object.entries(VARIABLES)
    .map(([name, variable]) => `  ${name.padEnd(width)}${variable.description}`)
    .join("\n");
}
