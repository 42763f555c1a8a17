// Configuration from CLI flags and environment variables, validated once with zod and frozen. Every problem
// becomes one plain sentence; the CLI prints them and exits 2. Secrets are never echoed in those sentences.
import { parseArgs } from "node:util";
import { describeVariables, EnvSchema, type EnvVars, type LogLevel, VARIABLES } from "./env.js";
import { ConfigurationError } from "../errors.js";
import { didYouMean } from "./names.js";
import { isPlainHttpToRemote } from "./urls.js";
import { type AccessSettings, parseNameList, PROFILES, type Profile, type Scope, SCOPES, TOOLSETS } from "../policy/access.js";
import type { FaultRule } from "../sandbox/index.js";
import { type HttpSettings, httpSettingsOf } from "./http.js";

export type { LogLevel } from "./env.js";
export type { HttpAuth, HttpSettings } from "./http.js";

/** How the server authenticates to the customer API. */
export type ApiCredentials =
  | { kind: "api_key"; apiKey: string }
  | { kind: "client_credentials"; tokenUrl: string; clientId: string; clientSecret: string; scope?: string };

export type Backend =
  | { kind: "remote"; url: string; credentials: ApiCredentials }
  | { kind: "sandbox"; seed: number; faults: FaultRule[] };

export interface Config {
  readonly backend: Backend;
  readonly api: {
    readonly timeoutMs: number;
    /** Deadline of one API call, all retries included. */
    readonly callTimeoutMs: number;
    readonly maxRetries: number;
    readonly retryBaseDelayMs: number;
    readonly retryMaxDelayMs: number;
    readonly retryAfterCapMs: number;
    /** Retries may be at most this share (percent) of recent requests, plus the per-second reserve. */
    readonly retryBudgetPercent: number;
    readonly retryBudgetMinPerSecond: number;
    /** A route group's breaker opens when this share (percent) of the attempts in its window failed. */
    readonly breakerFailurePercent: number;
    readonly breakerWindowMs: number;
    /** Fewer attempts than this in the window never open the breaker. */
    readonly breakerMinAttempts: number;
    readonly breakerCooldownMs: number;
    readonly maxConcurrency: number;
    readonly maxQueue: number;
  };
  readonly cache: {
    /** 0 disables caching. */
    readonly ttlMs: number;
    readonly maxEntries: number;
    /** Oldest cached read served, marked stale, while the API is failing; 0 never. */
    readonly staleMaxAgeMs: number;
  };
  readonly limits: {
    /** No single tool result's text should exceed about this many tokens (estimated as characters / 4). */
    readonly maxResultTokens: number;
    /** How often export_customers polls a running export. */
    readonly exportPollMs: number;
    /** export_customers gives up (and cancels the export) after this long. */
    readonly exportMaxWaitMs: number;
    readonly callsPerMinutePerTool: number;
    /** A write repeated with the same arguments within this window replays the first one. */
    readonly idempotencyWindowMs: number;
    readonly shutdownGraceMs: number;
  };
  /** Guards on writes that move money or block accounts (src/mcp/confirm.ts, src/policy/refund-limits.ts). */
  readonly writes: {
    /** Proceed without a human's confirmation when the client cannot ask for one (never the default). */
    readonly allowUnconfirmed: boolean;
    /** Largest single refund, in minor units of the charge's currency. */
    readonly maxRefund: number;
    /** Most refunded per session (this server process) and currency, in minor units. */
    readonly maxSessionRefunds: number;
    /** Most refunds per session, in all currencies together. */
    readonly maxSessionRefundCount: number;
    /** Most distinct currencies a session refunds in: amounts in different currencies cannot be added up. */
    readonly maxSessionCurrencies: number;
  };
  /** Where the audit trail is appended as JSON lines, besides stderr; undefined = stderr only. */
  readonly auditFile: string | undefined;
  /** What the connected agent may see and do (src/policy/access.ts). */
  readonly access: AccessSettings;
  /** Who a stdio session acts for (CUSTOMER_MCP_SUBJECT): the principal's subject. */
  readonly subject: string;
  readonly logLevel: LogLevel;
  /** Problems that do not stop startup but an operator should see (logged once at start). */
  readonly warnings: readonly string[];
}

export type Command =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "serve"; config: Config }
  /** MCP over Streamable HTTP, for many callers (src/transports/http/). */
  | { kind: "http"; config: Config; http: HttpSettings }
  | { kind: "doctor"; config: Config }
  | { kind: "sandbox"; port: number; seed: number; logLevel: LogLevel; faults: FaultRule[] };

type Env = Record<string, string | undefined>;

/** Every subcommand; --help names each (tests/e2e/package.test.ts checks the installed package's). */
export const COMMANDS: readonly string[] = ["serve", "http", "doctor", "sandbox"];

const FLAG_OPTIONS = {
  sandbox: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
  "log-level": { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  seed: { type: "string" },
  profile: { type: "string" },
  tools: { type: "string" },
  "exclude-tools": { type: "string" },
  "read-only": { type: "boolean" },
} as const;

/**
 * Parses argv (without node and script) and the environment into the command to run. `toolNames` are the tools
 * the server has (index.ts passes the registry's): a name outside them stops startup. They are passed in rather
 * than imported so configuration does not depend on the tools, which depend on it.
 */
export function parseCommand(argv: readonly string[], env: Env, toolNames: readonly string[]): Command {
  const flags = parseFlags(argv);
  if (flags.values.help) return { kind: "help" };
  if (flags.values.version) return { kind: "version" };

  const [subcommand, ...extra] = flags.positionals;
  const problems: string[] = [];
  // Neither message repeats the argument: it could be a secret pasted in the wrong place.
  if (subcommand !== undefined && !COMMANDS.includes(subcommand)) {
    problems.push(
      `Unknown command${didYouMean(subcommand, COMMANDS)}; the commands are serve (the default), http, doctor and sandbox.`,
    );
  }
  if (extra.length > 0) {
    problems.push(`${extra.length} unexpected extra argument${extra.length > 1 ? "s" : ""} after the command; it takes none.`);
  }

  // Log level and seed are conveniences a flag may override. The access flags are not merged into the
  // environment: they are read beside it and can only narrow it (see accessOf).
  const parsedEnv = EnvSchema.safeParse({
    ...env,
    ...(flags.values["log-level"] === undefined ? {} : { LOG_LEVEL: flags.values["log-level"] }),
    ...(flags.values.seed === undefined ? {} : { CUSTOMER_SANDBOX_SEED: flags.values.seed }),
  });
  if (!parsedEnv.success) problems.push(...parsedEnv.error.issues.map((issue) => issue.message));
  const flagProfile = VARIABLES.CUSTOMER_MCP_PROFILE.schema.safeParse(flags.values.profile?.trim() || undefined);
  if (!flagProfile.success) problems.push(...flagProfile.error.issues.map((issue) => `--profile: ${issue.message}`));
  if (problems.length > 0 || !parsedEnv.success || !flagProfile.success) throw new ConfigurationError(problems);
  const vars = parsedEnv.data;
  const accessFlags: AccessFlags = {
    ...(flags.values.profile?.trim() ? { profile: flagProfile.data } : {}),
    ...(flags.values.tools === undefined ? {} : { tools: flags.values.tools }),
    ...(flags.values["exclude-tools"] === undefined ? {} : { excludeTools: flags.values["exclude-tools"] }),
    readOnly: Boolean(flags.values["read-only"]),
  };
  const faults = (vars.CUSTOMER_SANDBOX_FAULTS ?? []) as FaultRule[];

  const port = portFlag(flags.values.port);
  if (subcommand === "sandbox") {
    if (flags.values.host !== undefined) {
      throw new ConfigurationError(["--host does not apply to the sandbox command: the sandbox only listens on 127.0.0.1."]);
    }
    return { kind: "sandbox", port: port ?? 4010, seed: vars.CUSTOMER_SANDBOX_SEED, logLevel: vars.LOG_LEVEL, faults };
  }
  if (subcommand !== "http" && (port !== undefined || flags.values.host !== undefined)) {
    throw new ConfigurationError([
      "--host and --port apply to the http and sandbox commands (customer-mcp http --port N).",
    ]);
  }
  const sandbox = Boolean(flags.values.sandbox) || vars.CUSTOMER_MCP_SANDBOX;
  if (subcommand === "http") {
    const warnings: string[] = [];
    const httpFlags = { ...hostFlag(flags.values.host), ...(port === undefined ? {} : { port }) };
    const http = httpSettingsOf(vars, httpFlags, warnings);
    const config = buildServeConfig({ vars, env, flags: accessFlags, sandbox, faults, toolNames, warnings });
    return { kind: "http", config, http };
  }
  const config = buildServeConfig({ vars, env, flags: accessFlags, sandbox, faults, toolNames });
  return subcommand === "doctor" ? { kind: "doctor", config } : { kind: "serve", config };
}

/** --port N: a whole number 0-65535, or undefined when not given. */
function portFlag(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || port > 65_535) {
    throw new ConfigurationError(["--port must be a whole number between 0 and 65535."]);
  }
  return port;
}

/** --host H, checked like CUSTOMER_MCP_HTTP_HOST. */
function hostFlag(raw: string | undefined): { host?: string } {
  if (raw === undefined) return {};
  const parsed = VARIABLES.CUSTOMER_MCP_HTTP_HOST.schema.safeParse(raw.trim());
  if (!parsed.success) throw new ConfigurationError(["--host must be a host name or IP address to listen on, such as 127.0.0.1 or 0.0.0.0."]);
  return { host: parsed.data as string };
}

interface ServeInputs {
  vars: EnvVars;
  env: Env;
  flags: AccessFlags;
  sandbox: boolean;
  faults: FaultRule[];
  toolNames: readonly string[];
  /** Warnings found so far (by the HTTP settings); the configuration's list starts with them. */
  warnings?: string[];
}

function buildServeConfig({ vars, env, flags, sandbox, faults, toolNames, warnings = [] }: ServeInputs): Config {
  let backend: Backend;
  if (sandbox) {
    if (vars.CUSTOMER_API_URL) warnings.push("The sandbox is on (--sandbox or CUSTOMER_MCP_SANDBOX), so CUSTOMER_API_URL is ignored.");
    backend = { kind: "sandbox", seed: vars.CUSTOMER_SANDBOX_SEED, faults };
  } else if (!vars.CUSTOMER_API_URL) {
    throw new ConfigurationError([
      "No customer API is configured: set CUSTOMER_API_URL (with CUSTOMER_API_KEY) to use a real API, or pass --sandbox (or set CUSTOMER_MCP_SANDBOX=true) to use the built-in sandbox.",
    ]);
  } else {
    if (isPlainHttpToRemote(vars.CUSTOMER_API_URL)) {
      warnings.push("CUSTOMER_API_URL uses plain http to a non-loopback host: credentials travel unencrypted.");
    }
    if (vars.CUSTOMER_API_TOKEN_URL && isPlainHttpToRemote(vars.CUSTOMER_API_TOKEN_URL)) {
      warnings.push(
        "CUSTOMER_API_TOKEN_URL uses plain http to a non-loopback host: the client secret and the tokens travel unencrypted.",
      );
    }
    backend = { kind: "remote", url: vars.CUSTOMER_API_URL, credentials: credentialsOf(vars) };
  }
  if (env.CUSTOMER_API_BREAKER_THRESHOLD !== undefined) {
    warnings.push(
      "CUSTOMER_API_BREAKER_THRESHOLD is no longer read: the breaker now opens on a failure rate "
      + "(CUSTOMER_API_BREAKER_FAILURE_PERCENT, CUSTOMER_API_BREAKER_WINDOW_MS, CUSTOMER_API_BREAKER_MIN_ATTEMPTS).",
    );
  }
  if (vars.CUSTOMER_MCP_ALLOW_UNCONFIRMED_WRITES) {
    warnings.push(
      "CUSTOMER_MCP_ALLOW_UNCONFIRMED_WRITES=true: refunds and suspensions run WITHOUT a human's confirmation "
      + "whenever the client cannot ask for one. Use this only for autonomous deployments you have reviewed.",
    );
  }
  return Object.freeze({
    backend,
    api: Object.freeze({
      timeoutMs: vars.CUSTOMER_API_TIMEOUT_MS,
      callTimeoutMs: vars.CUSTOMER_API_CALL_TIMEOUT_MS,
      maxRetries: vars.CUSTOMER_API_MAX_RETRIES,
      retryBaseDelayMs: vars.CUSTOMER_API_RETRY_BASE_MS,
      retryMaxDelayMs: vars.CUSTOMER_API_RETRY_MAX_DELAY_MS,
      retryAfterCapMs: vars.CUSTOMER_API_RETRY_AFTER_CAP_MS,
      retryBudgetPercent: vars.CUSTOMER_API_RETRY_BUDGET_PERCENT,
      retryBudgetMinPerSecond: vars.CUSTOMER_API_RETRY_BUDGET_MIN_PER_SECOND,
      breakerFailurePercent: vars.CUSTOMER_API_BREAKER_FAILURE_PERCENT,
      breakerWindowMs: vars.CUSTOMER_API_BREAKER_WINDOW_MS,
      breakerMinAttempts: vars.CUSTOMER_API_BREAKER_MIN_ATTEMPTS,
      breakerCooldownMs: vars.CUSTOMER_API_BREAKER_COOLDOWN_MS,
      maxConcurrency: vars.CUSTOMER_API_MAX_CONCURRENCY,
      maxQueue: vars.CUSTOMER_API_MAX_QUEUE,
    }),
    cache: Object.freeze({
      ttlMs: vars.CUSTOMER_MCP_CACHE_TTL_MS,
      maxEntries: vars.CUSTOMER_MCP_CACHE_MAX_ENTRIES,
      staleMaxAgeMs: vars.CUSTOMER_MCP_STALE_MAX_AGE_MS,
    }),
    limits: Object.freeze({
      maxResultTokens: vars.CUSTOMER_MCP_MAX_RESULT_TOKENS,
      exportPollMs: vars.CUSTOMER_MCP_EXPORT_POLL_MS,
      exportMaxWaitMs: vars.CUSTOMER_MCP_EXPORT_MAX_WAIT_MS,
      callsPerMinutePerTool: vars.CUSTOMER_MCP_CALLS_PER_MINUTE,
      idempotencyWindowMs: vars.CUSTOMER_MCP_IDEMPOTENCY_WINDOW_MS,
      shutdownGraceMs: vars.CUSTOMER_MCP_SHUTDOWN_GRACE_MS,
    }),
    writes: Object.freeze({
      allowUnconfirmed: vars.CUSTOMER_MCP_ALLOW_UNCONFIRMED_WRITES,
      maxRefund: vars.CUSTOMER_MCP_MAX_REFUND,
      maxSessionRefunds: vars.CUSTOMER_MCP_MAX_SESSION_REFUNDS,
      maxSessionRefundCount: vars.CUSTOMER_MCP_MAX_SESSION_REFUND_COUNT,
      maxSessionCurrencies: vars.CUSTOMER_MCP_MAX_SESSION_CURRENCIES,
    }),
    auditFile: vars.CUSTOMER_MCP_AUDIT_FILE,
    access: Object.freeze(accessOf(vars, env, flags, warnings, toolNames)),
    subject: vars.CUSTOMER_MCP_SUBJECT,
    logLevel: vars.LOG_LEVEL,
    warnings: Object.freeze(warnings),
  });
}

/** The access flags as given on the command line, before they are combined with the environment. */
interface AccessFlags {
  profile?: Profile;
  tools?: string;
  excludeTools?: string;
  readOnly: boolean;
}

/**
 * The access settings; every scope, toolset and tool name must exist, or startup stops.
 *
 * The environment is the operator's; flags usually come from a client's configuration (an MCP client's JSON, a
 * project's checked-in server list), so a flag may only narrow what the environment set, never widen it:
 * `--profile` grants only the scopes both it and the environment's profile (or CUSTOMER_MCP_SCOPES) grant,
 * `--tools` only tools CUSTOMER_MCP_TOOLS also lists, `--exclude-tools` adds to CUSTOMER_MCP_EXCLUDE_TOOLS, and
 * `--read-only` can turn read-only mode on but nothing turns it off. Where the environment sets nothing, the
 * flag applies as given. Whatever a flag asked for and did not get is a start-up warning.
 */
function accessOf(
  vars: EnvVars,
  env: Env,
  flags: AccessFlags,
  warnings: string[],
  toolNames: readonly string[],
): AccessSettings {
  const envScopes = parseNameList(vars.CUSTOMER_MCP_SCOPES, SCOPES, "scope", "CUSTOMER_MCP_SCOPES");
  const toolsets = parseNameList(vars.CUSTOMER_MCP_TOOLSETS, TOOLSETS, "toolset", "CUSTOMER_MCP_TOOLSETS");
  const envTools = parseNameList(vars.CUSTOMER_MCP_TOOLS, toolNames, "tool", "CUSTOMER_MCP_TOOLS");
  const flagTools = parseNameList(flags.tools, toolNames, "tool", "--tools");
  const excludeTools = union(
    parseNameList(vars.CUSTOMER_MCP_EXCLUDE_TOOLS, toolNames, "tool", "CUSTOMER_MCP_EXCLUDE_TOOLS"),
    parseNameList(flags.excludeTools, toolNames, "tool", "--exclude-tools"),
  );

  // What the environment grants at most: its explicit scopes, else its profile's, if it named one.
  const envProfileSet = (env.CUSTOMER_MCP_PROFILE ?? "").trim() !== "";
  const envProfile = envProfileSet ? PROFILES[vars.CUSTOMER_MCP_PROFILE] : undefined;
  const ceiling: readonly Scope[] | undefined = envScopes ?? envProfile;
  let profile = vars.CUSTOMER_MCP_PROFILE;
  let scopes = envScopes;
  if (flags.profile) {
    profile = flags.profile;
    if (ceiling) {
      const wanted = PROFILES[flags.profile];
      scopes = wanted.filter((scope) => ceiling.includes(scope));
      const withheld = wanted.filter((scope) => !ceiling.includes(scope));
      if (withheld.length > 0) {
        warnings.push(
          `--profile ${flags.profile} asks for ${withheld.join(", ")}, which the environment `
          + `(${envScopes ? "CUSTOMER_MCP_SCOPES" : "CUSTOMER_MCP_PROFILE"}) does not grant; a flag only narrows the `
          + "environment's access, so they stay off.",
        );
      }
    }
  }

  let tools = envTools ?? flagTools;
  if (envTools && flagTools) {
    tools = flagTools.filter((name) => envTools.includes(name));
    const withheld = flagTools.filter((name) => !envTools.includes(name));
    if (withheld.length > 0) {
      warnings.push(
        `--tools names ${withheld.join(", ")}, which CUSTOMER_MCP_TOOLS does not enable; a flag only narrows the `
        + "environment's tool list, so they stay off.",
      );
    }
  }
  return {
    profile,
    readOnly: vars.CUSTOMER_MCP_READ_ONLY || flags.readOnly,
    ...(scopes ? { scopes } : {}),
    ...(toolsets ? { toolsets } : {}),
    ...(tools ? { tools } : {}),
    ...(excludeTools ? { excludeTools } : {}),
  };
}

/** Deny-lists only grow: every name either list holds. */
function union<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): T[] | undefined {
  if (!a && !b) return undefined;
  return [...new Set([...(a ?? []), ...(b ?? [])])];
}

/** An API key, or all three client-credentials settings; never half of the latter. */
function credentialsOf(vars: EnvVars): ApiCredentials {
  const oauth = {
    CUSTOMER_API_TOKEN_URL: vars.CUSTOMER_API_TOKEN_URL,
    CUSTOMER_API_CLIENT_ID: vars.CUSTOMER_API_CLIENT_ID,
    CUSTOMER_API_CLIENT_SECRET: vars.CUSTOMER_API_CLIENT_SECRET,
  };
  const given = Object.entries(oauth).filter(([, value]) => value !== undefined);
  if (given.length > 0) {
    const missing = Object.entries(oauth).filter(([, value]) => value === undefined).map(([name]) => name);
    if (missing.length > 0) {
      throw new ConfigurationError([
        `Client credentials need CUSTOMER_API_TOKEN_URL, CUSTOMER_API_CLIENT_ID and CUSTOMER_API_CLIENT_SECRET together; missing ${missing.join(", ")}.`,
      ]);
    }
    return {
      kind: "client_credentials",
      tokenUrl: vars.CUSTOMER_API_TOKEN_URL as string,
      clientId: vars.CUSTOMER_API_CLIENT_ID as string,
      clientSecret: vars.CUSTOMER_API_CLIENT_SECRET as string,
      ...(vars.CUSTOMER_API_SCOPE ? { scope: vars.CUSTOMER_API_SCOPE } : {}),
    };
  }
  if (!vars.CUSTOMER_API_KEY) {
    throw new ConfigurationError([
      "CUSTOMER_API_KEY (or CUSTOMER_API_TOKEN_URL, CUSTOMER_API_CLIENT_ID and CUSTOMER_API_CLIENT_SECRET) is required when CUSTOMER_API_URL is set.",
    ]);
  }
  return { kind: "api_key", apiKey: vars.CUSTOMER_API_KEY };
}

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: FLAG_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new ConfigurationError([`${describeFlagError(error, argv)} Run customer-mcp --help to see the options.`]);
  }
}

/** Every spelling of a declared flag: `--name`, and `-x` for those with a short form. */
const DECLARED_FLAGS: readonly string[] = Object.entries(FLAG_OPTIONS).flatMap(([name, option]) => [
  `--${name}`,
  ...("short" in option ? [`-${option.short}`] : []),
]);

/**
 * parseArgs quotes the offending argument in its messages; an unknown one could be a secret pasted in the wrong
 * place, so the sentence names its position and, at most, a declared flag.
 */
function describeFlagError(error: unknown, argv: readonly string[]): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const option = /^Unknown option '([^']*)'/.exec(message)?.[1] ?? "";
    const position = argv.findIndex((arg) => arg === option || arg.startsWith(`${option}=`) || (option.length === 2 && /^-[^-]/.test(arg) && arg.includes(option.slice(1))));
    const where = position === -1 ? "" : ` (argument ${position + 1})`;
    return `An unknown option was given${where}${didYouMean(option, DECLARED_FLAGS)}.`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    // These messages name a declared flag (never the value); the flag is taken from our own list all the same.
    const flag = DECLARED_FLAGS.find((name) => message.includes(`'${name}'`) || message.includes(`'${name} `));
    if (flag && /does not take an argument/.test(message)) return `${flag} takes no value.`;
    if (flag) return `${flag} needs a value (write ${flag}=VALUE when the value starts with -).`;
  }
  return "The command line could not be read.";
}

export const HELP_TEXT = `customer-mcp: an MCP server for the internal customer API, on stdio or Streamable HTTP.

Usage:
  customer-mcp [serve] [--sandbox] [--log-level LEVEL]   run the MCP server on stdio (the default)
  customer-mcp http [--host H] [--port N] [--sandbox]    serve MCP over Streamable HTTP at POST /mcp (OAuth)
  customer-mcp doctor [--sandbox] [access flags]         check configuration, the API and credentials; list tools
  customer-mcp sandbox [--port N] [--seed S]             serve the built-in sandbox customer API on 127.0.0.1
  customer-mcp --help | --version

Flags:
  --sandbox          start the built-in sandbox API in-process and use it (no API URL or key needed)
  --log-level LEVEL  overrides LOG_LEVEL
  --profile NAME     readonly, support, billing or admin; narrows CUSTOMER_MCP_PROFILE / CUSTOMER_MCP_SCOPES
                     when they are set (only scopes both grant), never widens them
  --tools A,B        only these tools; with CUSTOMER_MCP_TOOLS set, only those both lists name
  --exclude-tools A  never these tools, in addition to CUSTOMER_MCP_EXCLUDE_TOOLS
  --read-only        only read-only tools, whatever else is granted (nothing turns it off)
  Access flags only narrow what the environment grants: a client's configuration cannot widen the operator's.
  --host H           http command: address to listen on (overrides CUSTOMER_MCP_HTTP_HOST; default 127.0.0.1)
  --port N           http: port (default 8080); sandbox: port (default 4010); 0 picks a free one
  --seed S           sandbox data seed (overrides CUSTOMER_SANDBOX_SEED)
  -h, --help         show this help
  -v, --version      print the version

Environment:
${describeVariables()}
`;
