// Configuration from CLI flags and environment variables, validated once with zod and frozen. Every problem
// becomes one plain sentence; the CLI prints them and exits 2. Secrets are never echoed in those sentences.
import { parseArgs } from "node:util";
import { z } from "zod";
import { ConfigurationError } from "./errors.js";
import type { FaultRule } from "./sandbox/index.js";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Backend =
  | { kind: "remote"; url: string; apiKey: string }
  | { kind: "sandbox"; seed: number; faults: FaultRule[] };

export interface Config {
  readonly backend: Backend;
  readonly api: {
    readonly timeoutMs: number;
    readonly maxRetries: number;
    readonly retryBaseDelayMs: number;
    readonly retryMaxDelayMs: number;
    readonly retryAfterCapMs: number;
  };
  readonly limits: {
    /** No single tool result's text should exceed about this many tokens (estimated as characters / 4). */
    readonly maxResultTokens: number;
    /** How often export_customers polls a running export. */
    readonly exportPollMs: number;
    /** export_customers gives up (and cancels the export) after this long. */
    readonly exportMaxWaitMs: number;
  };
  readonly logLevel: LogLevel;
  /** Problems that do not stop startup but an operator should see (logged once at start). */
  readonly warnings: readonly string[];
}

export type Command =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "serve"; config: Config }
  | { kind: "sandbox"; port: number; seed: number; logLevel: LogLevel; faults: FaultRule[] };

type Env = Record<string, string | undefined>;

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

const FaultListSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({
        code: "custom",
        message: "CUSTOMER_SANDBOX_FAULTS must be a JSON array of fault rules.",
      });
      return z.NEVER;
    }
  })
  .pipe(
    z.array(z.looseObject({ kind: z.string() }), {
      error: "CUSTOMER_SANDBOX_FAULTS must be a JSON array of fault rules, each with a `kind`.",
    }),
  );

const EnvSchema = z.object({
  CUSTOMER_API_URL: z.preprocess(
    unsetIfEmpty,
    z
      .url({
        protocol: /^https?$/,
        error:
          "CUSTOMER_API_URL must be an http:// or https:// URL such as https://customers.internal.example.com.",
      })
      .optional(),
  ),
  CUSTOMER_API_KEY: z.preprocess(unsetIfEmpty, z.string().optional()),
  CUSTOMER_API_TIMEOUT_MS: wholeNumber("CUSTOMER_API_TIMEOUT_MS", 100, 300_000, 10_000, " milliseconds"),
  CUSTOMER_API_MAX_RETRIES: wholeNumber("CUSTOMER_API_MAX_RETRIES", 0, 10, 3),
  CUSTOMER_API_RETRY_BASE_MS: wholeNumber("CUSTOMER_API_RETRY_BASE_MS", 1, 60_000, 250, " milliseconds"),
  CUSTOMER_API_RETRY_MAX_DELAY_MS: wholeNumber(
    "CUSTOMER_API_RETRY_MAX_DELAY_MS",
    1,
    300_000,
    5_000,
    " milliseconds",
  ),
  CUSTOMER_API_RETRY_AFTER_CAP_MS: wholeNumber(
    "CUSTOMER_API_RETRY_AFTER_CAP_MS",
    0,
    300_000,
    10_000,
    " milliseconds",
  ),
  LOG_LEVEL: z.preprocess(
    (value) => (typeof value === "string" ? unsetIfEmpty(value.toLowerCase()) : value),
    z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}.` }).default("info"),
  ),
  CUSTOMER_MCP_MAX_RESULT_TOKENS: wholeNumber("CUSTOMER_MCP_MAX_RESULT_TOKENS", 1_000, 200_000, 20_000),
  CUSTOMER_MCP_EXPORT_POLL_MS: wholeNumber("CUSTOMER_MCP_EXPORT_POLL_MS", 50, 60_000, 1_000, " milliseconds"),
  CUSTOMER_MCP_EXPORT_MAX_WAIT_MS: wholeNumber(
    "CUSTOMER_MCP_EXPORT_MAX_WAIT_MS",
    1_000,
    3_600_000,
    300_000,
    " milliseconds",
  ),
  CUSTOMER_SANDBOX_SEED: wholeNumber("CUSTOMER_SANDBOX_SEED", 0, 2 ** 31 - 1, 42),
  CUSTOMER_SANDBOX_FAULTS: z.preprocess(unsetIfEmpty, FaultListSchema.optional()),
});

const FLAG_OPTIONS = {
  sandbox: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
  "log-level": { type: "string" },
  port: { type: "string" },
  seed: { type: "string" },
} as const;

/** Parses argv (without node and script) and the environment into the command to run. */
export function parseCommand(argv: readonly string[], env: Env): Command {
  const flags = parseFlags(argv);
  if (flags.values.help) return { kind: "help" };
  if (flags.values.version) return { kind: "version" };

  const [subcommand, ...extra] = flags.positionals;
  const problems: string[] = [];
  if (subcommand !== undefined && subcommand !== "serve" && subcommand !== "sandbox") {
    problems.push(`Unknown command "${subcommand}"; the commands are serve (the default) and sandbox.`);
  }
  if (extra.length > 0) problems.push(`Unexpected extra arguments: ${extra.join(" ")}.`);

  const parsedEnv = EnvSchema.safeParse({
    ...env,
    ...(flags.values["log-level"] === undefined ? {} : { LOG_LEVEL: flags.values["log-level"] }),
    ...(flags.values.seed === undefined ? {} : { CUSTOMER_SANDBOX_SEED: flags.values.seed }),
  });
  if (!parsedEnv.success) problems.push(...parsedEnv.error.issues.map((issue) => issue.message));
  if (problems.length > 0 || !parsedEnv.success) throw new ConfigurationError(problems);
  const vars = parsedEnv.data;
  const faults = (vars.CUSTOMER_SANDBOX_FAULTS ?? []) as FaultRule[];

  if (subcommand === "sandbox") {
    const port = flags.values.port === undefined ? 4010 : Number(flags.values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new ConfigurationError(["--port must be a whole number between 0 and 65535."]);
    }
    return { kind: "sandbox", port, seed: vars.CUSTOMER_SANDBOX_SEED, logLevel: vars.LOG_LEVEL, faults };
  }
  if (flags.values.port !== undefined) {
    throw new ConfigurationError([
      "--port only applies to the sandbox command (customer-mcp sandbox --port N).",
    ]);
  }
  return { kind: "serve", config: buildServeConfig(vars, Boolean(flags.values.sandbox), faults) };
}

function buildServeConfig(vars: z.infer<typeof EnvSchema>, sandbox: boolean, faults: FaultRule[]): Config {
  const warnings: string[] = [];
  let backend: Backend;
  if (sandbox) {
    if (vars.CUSTOMER_API_URL) warnings.push("--sandbox is set, so CUSTOMER_API_URL is ignored.");
    backend = { kind: "sandbox", seed: vars.CUSTOMER_SANDBOX_SEED, faults };
  } else if (!vars.CUSTOMER_API_URL) {
    throw new ConfigurationError([
      "No customer API is configured: set CUSTOMER_API_URL (with CUSTOMER_API_KEY) to use a real API, or pass --sandbox to use the built-in sandbox.",
    ]);
  } else if (!vars.CUSTOMER_API_KEY) {
    throw new ConfigurationError(["CUSTOMER_API_KEY is required when CUSTOMER_API_URL is set."]);
  } else {
    const url = new URL(vars.CUSTOMER_API_URL);
    if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
      warnings.push(
        "CUSTOMER_API_URL uses plain http to a non-loopback host: the API key travels unencrypted.",
      );
    }
    backend = { kind: "remote", url: vars.CUSTOMER_API_URL, apiKey: vars.CUSTOMER_API_KEY };
  }
  return Object.freeze({
    backend,
    api: Object.freeze({
      timeoutMs: vars.CUSTOMER_API_TIMEOUT_MS,
      maxRetries: vars.CUSTOMER_API_MAX_RETRIES,
      retryBaseDelayMs: vars.CUSTOMER_API_RETRY_BASE_MS,
      retryMaxDelayMs: vars.CUSTOMER_API_RETRY_MAX_DELAY_MS,
      retryAfterCapMs: vars.CUSTOMER_API_RETRY_AFTER_CAP_MS,
    }),
    limits: Object.freeze({
      maxResultTokens: vars.CUSTOMER_MCP_MAX_RESULT_TOKENS,
      exportPollMs: vars.CUSTOMER_MCP_EXPORT_POLL_MS,
      exportMaxWaitMs: vars.CUSTOMER_MCP_EXPORT_MAX_WAIT_MS,
    }),
    logLevel: vars.LOG_LEVEL,
    warnings: Object.freeze(warnings),
  });
}

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: FLAG_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new ConfigurationError([`${detail} Run customer-mcp --help to see the options.`]);
  }
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export const HELP_TEXT = `customer-mcp: an MCP server (stdio) for the internal customer API.

Usage:
  customer-mcp [serve] [--sandbox] [--log-level LEVEL]   run the MCP server on stdio (the default)
  customer-mcp sandbox [--port N] [--seed S]             serve the built-in sandbox customer API on 127.0.0.1
  customer-mcp --help | --version

Flags:
  --sandbox          start the built-in sandbox API in-process and use it (no API URL or key needed)
  --log-level LEVEL  overrides LOG_LEVEL
  --port N           sandbox command: port to listen on (default 4010; 0 picks a free one)
  --seed S           sandbox data seed (overrides CUSTOMER_SANDBOX_SEED)
  -h, --help         show this help
  -v, --version      print the version

Environment:
  CUSTOMER_API_URL                 base URL of the customer API (required unless --sandbox)
  CUSTOMER_API_KEY                 bearer API key for the customer API (required with CUSTOMER_API_URL)
  CUSTOMER_API_TIMEOUT_MS          per-request timeout in ms (default 10000)
  CUSTOMER_API_MAX_RETRIES         retries for requests that are safe to repeat (default 3)
  CUSTOMER_API_RETRY_BASE_MS       backoff ceiling of the first retry in ms (default 250)
  CUSTOMER_API_RETRY_MAX_DELAY_MS  longest backoff between retries in ms (default 5000)
  CUSTOMER_API_RETRY_AFTER_CAP_MS  longest Retry-After the server waits out itself in ms (default 10000)
  CUSTOMER_MCP_MAX_RESULT_TOKENS   budget of one tool result, in estimated tokens (default 20000)
  CUSTOMER_MCP_EXPORT_POLL_MS      how often export_customers polls a running export in ms (default 1000)
  CUSTOMER_MCP_EXPORT_MAX_WAIT_MS  longest export_customers waits before cancelling the export in ms (default 300000)
  LOG_LEVEL                        fatal, error, warn, info (default), debug, trace or silent; logs go to stderr
  CUSTOMER_SANDBOX_SEED            seed of the sandbox's generated data (default 42)
  CUSTOMER_SANDBOX_FAULTS          JSON array of sandbox fault rules to start with (see docs/operations.md)
`;
