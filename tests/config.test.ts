import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Config, parseCommand } from "../src/config/config.js";
import { displayUrl } from "../src/config/urls.js";
import { TOOL_NAMES } from "../src/tools/index.js";
import { VARIABLES } from "../src/config/env.js";
import { staticKeyAuth } from "../src/api/auth.js";
import { ConfigurationError } from "../src/errors.js";
import { grantOf, PROFILES, SCOPES } from "../src/policy/access.js";
import { allTools } from "../src/tools/index.js";

function problemsOf(argv: string[], env: Record<string, string | undefined>): readonly string[] {
  try {
    parseCommand(argv, env, TOOL_NAMES);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error("expected a configuration error");
}

const REMOTE = {
  CUSTOMER_API_URL: "https://customers.internal.example.com",
  CUSTOMER_API_KEY: "sk_live_secret_value",
};

describe("parseCommand", () => {
  it("names both CUSTOMER_API_URL and --sandbox when no backend is configured", () => {
    const [problem, ...rest] = problemsOf([], {});
    expect(rest).toEqual([]);
    expect(problem).toContain("CUSTOMER_API_URL");
    expect(problem).toContain("--sandbox");
  });

  it("builds a remote configuration with documented defaults", () => {
    const command = parseCommand([], REMOTE, TOOL_NAMES);
    expect(command.kind).toBe("serve");
    if (command.kind !== "serve") return;
    expect(command.config.backend).toEqual({
      kind: "remote",
      url: REMOTE.CUSTOMER_API_URL,
      credentials: { kind: "api_key", apiKey: REMOTE.CUSTOMER_API_KEY },
    });
    expect(command.config.api).toEqual({
      timeoutMs: 10_000,
      callTimeoutMs: 30_000,
      maxRetries: 3,
      retryBaseDelayMs: 250,
      retryMaxDelayMs: 5_000,
      retryAfterCapMs: 10_000,
      retryBudgetPercent: 20,
      retryBudgetMinPerSecond: 10,
      breakerFailurePercent: 50,
      breakerWindowMs: 10_000,
      breakerMinAttempts: 10,
      breakerCooldownMs: 5_000,
      maxConcurrency: 32,
      maxQueue: 64,
    });
    expect(command.config.cache).toEqual({ ttlMs: 30_000, maxEntries: 2_000, staleMaxAgeMs: 300_000 });
    expect(command.config.limits).toEqual({
      maxResultTokens: 20_000,
      exportPollMs: 1_000,
      exportMaxWaitMs: 300_000,
      callsPerMinutePerTool: 120,
      idempotencyWindowMs: 600_000,
      shutdownGraceMs: 5_000,
    });
    expect(command.config.access).toEqual({ profile: "readonly", readOnly: false });
    expect(command.config.logLevel).toBe("info");
    expect(Object.isFrozen(command.config)).toBe(true);
  });

  it("reads the access settings from flags and variables", () => {
    const command = parseCommand(["--sandbox", "--profile", "support", "--exclude-tools", "issue_refund", "--read-only"], {
      CUSTOMER_MCP_TOOLSETS: "customers, tickets",
    }, TOOL_NAMES);
    expect(command.kind === "serve" && command.config.access).toEqual({
      profile: "support",
      readOnly: true,
      toolsets: ["customers", "tickets"],
      excludeTools: ["issue_refund"],
    });
  });

  it("uses OAuth client credentials when all three settings are given", () => {
    const command = parseCommand([], {
      CUSTOMER_API_URL: REMOTE.CUSTOMER_API_URL,
      CUSTOMER_API_TOKEN_URL: "https://auth.internal.example.com/oauth/token",
      CUSTOMER_API_CLIENT_ID: "customer-mcp",
      CUSTOMER_API_CLIENT_SECRET: "s3cret-value",
      CUSTOMER_API_SCOPE: "customers:read",
    }, TOOL_NAMES);
    expect(command.kind === "serve" && command.config.backend).toEqual({
      kind: "remote",
      url: REMOTE.CUSTOMER_API_URL,
      credentials: {
        kind: "client_credentials",
        tokenUrl: "https://auth.internal.example.com/oauth/token",
        clientId: "customer-mcp",
        clientSecret: "s3cret-value",
        scope: "customers:read",
      },
    });
  });

  it("names the missing client-credentials settings and never echoes the secret", () => {
    const problems = problemsOf([], {
      CUSTOMER_API_URL: REMOTE.CUSTOMER_API_URL,
      CUSTOMER_API_CLIENT_SECRET: "s3cret-value",
    });
    expect(problems).toEqual([
      "Client credentials need CUSTOMER_API_TOKEN_URL, CUSTOMER_API_CLIENT_ID and CUSTOMER_API_CLIENT_SECRET together; missing CUSTOMER_API_TOKEN_URL, CUSTOMER_API_CLIENT_ID.",
    ]);
    expect(problems.join(" ")).not.toContain("s3cret-value");
  });

  it("uses the sandbox without any URL or key when --sandbox is given", () => {
    const command = parseCommand(["--sandbox"], { CUSTOMER_SANDBOX_SEED: "7" }, TOOL_NAMES);
    expect(command.kind === "serve" && command.config.backend).toEqual({
      kind: "sandbox",
      seed: 7,
      faults: [],
    });
  });

  it("warns that CUSTOMER_API_URL is ignored when --sandbox is also given", () => {
    const command = parseCommand(["--sandbox"], REMOTE, TOOL_NAMES);
    expect(command.kind === "serve" && command.config.warnings).toEqual([
      "The sandbox is on (--sandbox or CUSTOMER_MCP_SANDBOX), so CUSTOMER_API_URL is ignored.",
    ]);
  });

  it("warns that CUSTOMER_API_BREAKER_THRESHOLD is no longer read, naming the variables that replace it", () => {
    const command = parseCommand([], { ...REMOTE, CUSTOMER_API_BREAKER_THRESHOLD: "5" }, TOOL_NAMES);
    expect(command.kind === "serve" && command.config.warnings).toEqual([
      expect.stringMatching(/CUSTOMER_API_BREAKER_THRESHOLD is no longer read.*CUSTOMER_API_BREAKER_FAILURE_PERCENT/),
    ]);
  });

  it("CUSTOMER_MCP_SANDBOX=true is the same as --sandbox, for clients that can only set environment variables", () => {
    for (const value of ["true", "1", "TRUE"]) {
      const command = parseCommand([], { CUSTOMER_MCP_SANDBOX: value, CUSTOMER_API_URL: "", CUSTOMER_API_KEY: "" }, TOOL_NAMES);
      expect(command.kind === "serve" && command.config.backend).toEqual({ kind: "sandbox", seed: 42, faults: [] });
    }
    const off = parseCommand([], { ...REMOTE, CUSTOMER_MCP_SANDBOX: "false" }, TOOL_NAMES);
    expect(off.kind === "serve" && off.config.backend.kind).toBe("remote");
    expect(() => parseCommand([], { CUSTOMER_MCP_SANDBOX: "yes" }, TOOL_NAMES)).toThrow(/CUSTOMER_MCP_SANDBOX must be true or false/);
  });

  it("requires CUSTOMER_API_KEY with CUSTOMER_API_URL", () => {
    expect(problemsOf([], { CUSTOMER_API_URL: REMOTE.CUSTOMER_API_URL })).toEqual([
      "CUSTOMER_API_KEY (or CUSTOMER_API_TOKEN_URL, CUSTOMER_API_CLIENT_ID and CUSTOMER_API_CLIENT_SECRET) is required when CUSTOMER_API_URL is set.",
    ]);
  });

  it("reports every bad variable at once, one sentence each", () => {
    const problems = problemsOf([], {
      ...REMOTE,
      CUSTOMER_API_TIMEOUT_MS: "soon",
      CUSTOMER_API_MAX_RETRIES: "99",
      LOG_LEVEL: "loud",
    });
    expect(problems).toEqual([
      "CUSTOMER_API_TIMEOUT_MS must be a whole number between 100 and 300000 milliseconds.",
      "CUSTOMER_API_MAX_RETRIES must be between 0 and 10.",
      "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent.",
    ]);
  });

  it("rejects a URL that is not http(s) without echoing secrets", () => {
    const problems = problemsOf([], {
      CUSTOMER_API_URL: "ftp://files.example.com",
      CUSTOMER_API_KEY: "sk_live_secret_value",
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("CUSTOMER_API_URL must be an http:// or https:// URL");
    expect(problems.join(" ")).not.toContain("sk_live_secret_value");
  });

  it("treats empty variables as unset", () => {
    const command = parseCommand([], { ...REMOTE, CUSTOMER_API_TIMEOUT_MS: "", LOG_LEVEL: "" }, TOOL_NAMES);
    expect(command.kind === "serve" && command.config.api.timeoutMs).toBe(10_000);
  });

  it("lets --log-level override LOG_LEVEL", () => {
    const command = parseCommand(["--log-level", "debug"], { ...REMOTE, LOG_LEVEL: "error" }, TOOL_NAMES);
    expect(command.kind === "serve" && command.config.logLevel).toBe("debug");
  });

  it("warns when the API key would travel over plain http to a remote host", () => {
    const command = parseCommand([], {
      ...REMOTE,
      CUSTOMER_API_URL: "http://customers.internal.example.com",
    }, TOOL_NAMES);
    expect(command.kind === "serve" && command.config.warnings[0]).toMatch(/plain http/);
    const local = parseCommand([], { ...REMOTE, CUSTOMER_API_URL: "http://127.0.0.1:4010" }, TOOL_NAMES);
    expect(local.kind === "serve" && local.config.warnings).toEqual([]);
  });

  it("reads help, version and the sandbox command", () => {
    expect(parseCommand(["--help"], {}, TOOL_NAMES)).toEqual({ kind: "help" });
    expect(parseCommand(["-v"], {}, TOOL_NAMES)).toEqual({ kind: "version" });
    expect(parseCommand(["sandbox", "--port", "0", "--seed", "9"], {}, TOOL_NAMES)).toEqual({
      kind: "sandbox",
      port: 0,
      seed: 9,
      logLevel: "info",
      faults: [],
    });
  });

  it("parses sandbox faults from CUSTOMER_SANDBOX_FAULTS and rejects malformed JSON", () => {
    const command = parseCommand(["--sandbox"], {
      CUSTOMER_SANDBOX_FAULTS: '[{"kind":"status","status":503}]',
    }, TOOL_NAMES);
    expect(command.kind === "serve" && command.config.backend).toMatchObject({
      faults: [{ kind: "status", status: 503 }],
    });
    expect(problemsOf(["--sandbox"], { CUSTOMER_SANDBOX_FAULTS: "[{" })).toEqual([
      "CUSTOMER_SANDBOX_FAULTS must be a JSON array of fault rules.",
    ]);
  });

  // Unknown flags and commands are no longer repeated (they could be a pasted secret): a close declared name is
  // suggested instead.
  it("explains unknown flags, commands and misplaced --port", () => {
    expect(problemsOf(["--sandbx"], {})).toEqual([
      "An unknown option was given (argument 1) (did you mean --sandbox?). Run customer-mcp --help to see the options.",
    ]);
    expect(problemsOf(["deploy"], {})[0]).toBe(
      "Unknown command; the commands are serve (the default), http, doctor and sandbox.",
    );
    expect(problemsOf(["docter"], {})[0]).toBe(
      "Unknown command (did you mean doctor?); the commands are serve (the default), http, doctor and sandbox.",
    );
    expect(problemsOf(["--sandbox", "--port", "1"], {})[0]).toMatch(
      /--host and --port apply to the http and sandbox commands/,
    );
    expect(problemsOf(["sandbox", "--port", "99999"], {})).toEqual([
      "--port must be a whole number between 0 and 65535.",
    ]);
  });
});

/** The access settings parseCommand builds for a sandbox run with these flags and variables. */
function accessFor(argv: string[], env: Record<string, string>): { access: Config["access"]; warnings: readonly string[] } {
  const command = parseCommand(["--sandbox", ...argv], env, TOOL_NAMES);
  if (command.kind !== "serve") throw new Error("expected a serve configuration");
  return { access: command.config.access, warnings: command.config.warnings };
}

/** The tools an agent gets under these settings. */
function allowedTools(access: Config["access"]): string[] {
  const grant = grantOf(access);
  return allTools
    .filter((tool) => {
      const { name, access: needs, annotations } = tool;
      return grant.refusal({ name, readOnly: annotations.readOnlyHint, ...needs }) === undefined;
    })
    .map((tool) => tool.name);
}

describe("access flags only narrow the environment", () => {
  it("--exclude-tools adds to CUSTOMER_MCP_EXCLUDE_TOOLS and never re-enables what it excluded", () => {
    const env = { CUSTOMER_MCP_PROFILE: "billing", CUSTOMER_MCP_EXCLUDE_TOOLS: "issue_refund" };
    const { access } = accessFor(["--exclude-tools", "list_segments"], env);
    expect(access.excludeTools).toEqual(["issue_refund", "list_segments"]);
    expect(allowedTools(access)).not.toContain("issue_refund");
    // An empty flag is no list at all: it cannot clear the environment's.
    expect(allowedTools(accessFor(["--exclude-tools", ""], env).access)).not.toContain("issue_refund");
    expect(allowedTools(accessFor(["--exclude-tools", " , "], env).access)).not.toContain("issue_refund");
  });

  it("--tools cannot enable a tool CUSTOMER_MCP_TOOLS leaves out, and says so", () => {
    const { access, warnings } = accessFor(["--tools", "issue_refund,get_customer"], {
      CUSTOMER_MCP_PROFILE: "admin",
      CUSTOMER_MCP_TOOLS: "search_customers,get_customer",
    });
    expect(allowedTools(access)).toEqual(["get_customer"]);
    expect(warnings).toEqual([
      expect.stringMatching(/^--tools names issue_refund, which CUSTOMER_MCP_TOOLS does not enable/),
    ]);
    // Nothing in common: no tool at all, rather than the flag's or the environment's list.
    expect(allowedTools(accessFor(["--tools", "issue_refund"], { CUSTOMER_MCP_PROFILE: "admin", CUSTOMER_MCP_TOOLS: "get_customer" }).access)).toEqual([]);
  });

  it("--profile cannot widen CUSTOMER_MCP_PROFILE: only the scopes both grant, and a warning naming the rest", () => {
    const { access, warnings } = accessFor(["--profile", "admin"], { CUSTOMER_MCP_PROFILE: "readonly" });
    expect(grantOf(access).scopes).toEqual(new Set(PROFILES.readonly));
    expect(allowedTools(access)).not.toContain("issue_refund");
    expect(warnings).toEqual([
      "--profile admin asks for customers:write, customers:pii, tickets:write, refunds:write, exports:run, which the "
      + "environment (CUSTOMER_MCP_PROFILE) does not grant; a flag only narrows the environment's access, so they "
      + "stay off.",
    ]);
    // Two profiles neither of which contains the other: their common scopes.
    const crossed = accessFor(["--profile", "support"], { CUSTOMER_MCP_PROFILE: "billing" }).access;
    expect([...grantOf(crossed).scopes].sort()).toEqual(["billing:read", "customers:pii", "customers:read", "tickets:read"]);
  });

  it("--profile cannot widen CUSTOMER_MCP_SCOPES", () => {
    const { access } = accessFor(["--profile", "billing"], { CUSTOMER_MCP_SCOPES: "customers:read" });
    expect([...grantOf(access).scopes]).toEqual(["customers:read"]);
  });

  it("--read-only can only turn read-only mode on: no flag turns off CUSTOMER_MCP_READ_ONLY", () => {
    expect(accessFor(["--read-only"], {}).access.readOnly).toBe(true);
    expect(accessFor([], { CUSTOMER_MCP_READ_ONLY: "true" }).access.readOnly).toBe(true);
    for (const argv of [["--read-only=false"], ["--no-read-only"]]) {
      expect(() => parseCommand(["--sandbox", ...argv], { CUSTOMER_MCP_READ_ONLY: "true" }, TOOL_NAMES)).toThrow(ConfigurationError);
    }
  });

  it("where the environment sets nothing, the flags apply as given", () => {
    const { access, warnings } = accessFor(["--profile", "support", "--tools", "create_ticket,get_ticket"], {});
    expect(access.profile).toBe("support");
    expect(allowedTools(access)).toEqual(["get_ticket", "create_ticket"]);
    expect(warnings).toEqual([]);
  });

  it("for any environment that sets a profile or scopes, no combination of flags grants a tool or scope it does not", () => {
    const names = allTools.map((tool) => tool.name);
    const list = (from: readonly string[]) => fc.option(fc.subarray([...from], { minLength: 1 }), { nil: undefined });
    const profile = fc.constantFrom(...(Object.keys(PROFILES) as Array<keyof typeof PROFILES>));
    const envArb = fc.record({
      ceiling: fc.oneof(profile.map((p) => ({ CUSTOMER_MCP_PROFILE: p })), fc.subarray([...SCOPES], { minLength: 1 }).map((s) => ({ CUSTOMER_MCP_SCOPES: s.join(",") }))),
      tools: list(names),
      exclude: list(names),
      readOnly: fc.boolean(),
    });
    const flagsArb = fc.record({
      profile: fc.option(profile, { nil: undefined }),
      tools: list(names),
      exclude: list(names),
      readOnly: fc.boolean(),
    });
    fc.assert(
      fc.property(envArb, flagsArb, (e, f) => {
        const env: Record<string, string> = {
          ...e.ceiling,
          ...(e.tools ? { CUSTOMER_MCP_TOOLS: e.tools.join(",") } : {}),
          ...(e.exclude ? { CUSTOMER_MCP_EXCLUDE_TOOLS: e.exclude.join(",") } : {}),
          CUSTOMER_MCP_READ_ONLY: String(e.readOnly),
        };
        const argv = [
          ...(f.profile ? ["--profile", f.profile] : []),
          ...(f.tools ? ["--tools", f.tools.join(",")] : []),
          ...(f.exclude ? ["--exclude-tools", f.exclude.join(",")] : []),
          ...(f.readOnly ? ["--read-only"] : []),
        ];
        const base = accessFor([], env).access;
        const flagged = accessFor(argv, env).access;
        const baseTools = allowedTools(base);
        expect(allowedTools(flagged).filter((name) => !baseTools.includes(name))).toEqual([]);
        const baseScopes = grantOf(base).scopes;
        expect([...grantOf(flagged).scopes].filter((scope) => !baseScopes.has(scope))).toEqual([]);
      }),
      { seed: 12, numRuns: 300 },
    );
  });
});

describe("configuration errors never repeat a value", () => {
  // What a key pasted into the wrong place looks like; none of it may reach stderr.
  const SECRET = "sk_live_Zq8vN3pW0xY7";
  const shapes = [SECRET, ` ${SECRET} `, `${SECRET},${SECRET}`, `[${SECRET}]`, `https://${SECRET}@example.com`, `-${SECRET}`];

  const allProblems = (argv: string[], env: Record<string, string>): string[] => {
    try {
      parseCommand(argv, env, TOOL_NAMES);
      return [];
    } catch (error) {
      if (error instanceof ConfigurationError) return [...error.problems];
      throw error;
    }
  };

  it.each(Object.keys(VARIABLES))("%s: a pasted secret in it is never echoed", (name) => {
    for (const value of shapes) {
      for (const argv of [[], ["--sandbox"], ["sandbox"], ["doctor"]]) {
        const problems = allProblems(argv, { ...REMOTE, [name]: value });
        expect(problems.join("\n")).not.toContain("sk_live_Zq8");
      }
    }
  });

  it.each(["--profile", "--tools", "--exclude-tools", "--log-level", "--seed", "--port"])("%s SECRET: never echoed", (flag) => {
    for (const value of shapes) {
      for (const argv of [[flag, value], [`${flag}=${value}`], ["sandbox", flag, value]]) {
        expect(allProblems(argv, REMOTE).join("\n")).not.toContain("sk_live_Zq8");
      }
    }
  });

  it("unknown options, commands and extra arguments are named by position, never repeated", () => {
    for (const argv of [[SECRET], [`--${SECRET}`], [`--${SECRET}=x`], [`-${SECRET}`], ["serve", SECRET], ["--sandbox=" + SECRET]]) {
      const problems = allProblems(argv, REMOTE);
      expect(problems.length, argv.join(" ")).toBeGreaterThan(0);
      expect(problems.join("\n")).not.toContain("sk_live_Zq8");
    }
    expect(allProblems(["serve", SECRET], REMOTE)).toEqual(["1 unexpected extra argument after the command; it takes none."]);
    expect(allProblems(["--sandbox=on"], REMOTE)[0]).toBe("--sandbox takes no value. Run customer-mcp --help to see the options.");
  });

  it("an unknown tool, scope or toolset is named by position, with a suggestion from the known names only", () => {
    expect(allProblems(["--sandbox"], { CUSTOMER_MCP_TOOLS: `get_customer,${SECRET},serch_customers` })).toEqual([
      `CUSTOMER_MCP_TOOLS: entries 2, 3 (did you mean search_customers?) are not known tools (of 3 given); known tools are ${allTools.map((t) => t.name).join(", ")}.`,
    ]);
    expect(allProblems(["--sandbox", "--exclude-tools", SECRET], {})[0]).toMatch(/^--exclude-tools: entry 1 is not a known tool \(of 1 given\)/);
    expect(allProblems(["--sandbox"], { CUSTOMER_MCP_SCOPES: "customers:reed" })[0]).toMatch(/^CUSTOMER_MCP_SCOPES: entry 1 \(did you mean customers:read\?\) is not a known scope/);
  });
});

describe("credentials in the configuration", () => {
  it.each([
    ["a user and password", "https://svc:hunter2pass@customers.example.com"],
    ["a user alone", "https://svc@customers.example.com"],
  ])("refuses CUSTOMER_API_URL with %s (axios would send them instead of the key), without repeating it", (_label, url) => {
    const problems = problemsOf([], { ...REMOTE, CUSTOMER_API_URL: url });
    expect(problems).toEqual([
      "CUSTOMER_API_URL must not contain a user name or password (user:password@); credentials go in CUSTOMER_API_KEY or the client-credentials variables.",
    ]);
  });

  it("refuses a query or fragment on CUSTOMER_API_URL, where a token could hide and paths could not be appended", () => {
    for (const url of ["https://customers.example.com/?api_key=hunter2pass", "https://customers.example.com/#hunter2pass"]) {
      const [problem] = problemsOf([], { ...REMOTE, CUSTOMER_API_URL: url });
      expect(problem).toMatch(/^CUSTOMER_API_URL must not have a query/);
    }
  });

  it("refuses a user and password in CUSTOMER_API_TOKEN_URL, and warns when it is plain http to a remote host", () => {
    const oauth = {
      CUSTOMER_API_URL: REMOTE.CUSTOMER_API_URL,
      CUSTOMER_API_CLIENT_ID: "customer-mcp",
      CUSTOMER_API_CLIENT_SECRET: "s3cret-value",
    };
    expect(problemsOf([], { ...oauth, CUSTOMER_API_TOKEN_URL: "https://id:hunter2pass@auth.example.com/token" })[0])
      .toMatch(/^CUSTOMER_API_TOKEN_URL must not contain a user name or password/);
    const plain = parseCommand([], { ...oauth, CUSTOMER_API_TOKEN_URL: "http://auth.example.com/oauth/token" }, TOOL_NAMES);
    expect(plain.kind === "serve" && plain.config.warnings).toEqual([
      "CUSTOMER_API_TOKEN_URL uses plain http to a non-loopback host: the client secret and the tokens travel unencrypted.",
    ]);
    const local = parseCommand([], { ...oauth, CUSTOMER_API_TOKEN_URL: "http://127.0.0.1:4010/oauth/token" }, TOOL_NAMES);
    expect(local.kind === "serve" && local.config.warnings).toEqual([]);
  });

  it.each([
    ["a non-Latin-1 character (Node would send its low byte: another key)", "sk_live_ключ"],
    ["a Latin-1 letter", "sk_live_café"],
    ["a trailing newline", "sk_live_abc\n"],
    ["CR LF and a header", "sk_live_abc\r\nX-Admin: 1"],
    ["a space", "sk_live abc"],
    ["a tab", "sk_live\tabc"],
    ["a zero-width space", "sk_live_\u200babc"],
  ])("refuses CUSTOMER_API_KEY with %s, in a sentence that does not repeat it", (_label, key) => {
    const problems = problemsOf([], { ...REMOTE, CUSTOMER_API_KEY: key });
    expect(problems).toEqual([
      "CUSTOMER_API_KEY must be printable ASCII without spaces or line breaks, because it is sent in an HTTP header; "
      + "look for a stray space or newline, or a character copied from a formatted document.",
    ]);
    expect(() => staticKeyAuth(key)).toThrow(TypeError);
  });

  it("prints URLs without user, password, query or fragment", () => {
    expect(displayUrl("https://svc:hunter2pass@customers.example.com:8443/base?api_key=x#y")).toBe("https://customers.example.com:8443/base");
    expect(displayUrl("http://127.0.0.1:4010")).toBe("http://127.0.0.1:4010");
    expect(displayUrl("not a url")).toBe("(not a valid URL)");
  });
});
