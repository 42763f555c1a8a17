// customer-mcp http: its settings, and the configurations it refuses to start with.
import { describe, expect, it } from "vitest";
import { type Command, parseCommand } from "../../src/config/config.js";
import { ConfigurationError } from "../../src/errors.js";
import { TOOL_NAMES } from "../../src/tools/index.js";

const OAUTH = {
  CUSTOMER_MCP_OAUTH_ISSUER: "https://login.example.com/realms/support",
  CUSTOMER_MCP_PUBLIC_URL: "https://customer-mcp.example.com/mcp",
};

function http(argv: string[], env: Record<string, string>): Extract<Command, { kind: "http" }> {
  const command = parseCommand(["http", "--sandbox", ...argv], env, TOOL_NAMES);
  if (command.kind !== "http") throw new Error(`expected the http command, got ${command.kind}`);
  return command;
}

function problemsOf(argv: string[], env: Record<string, string>): readonly string[] {
  try {
    http(argv, env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error("expected a configuration error");
}

describe("customer-mcp http", () => {
  it("needs an identity provider, or development mode", () => {
    expect(problemsOf([], {})).toEqual([
      expect.stringMatching(/^customer-mcp http needs an identity provider: set CUSTOMER_MCP_OAUTH_ISSUER/),
    ]);
  });

  it("needs the public URL with OAuth, since it is the resource tokens are asked for", () => {
    expect(problemsOf([], { CUSTOMER_MCP_OAUTH_ISSUER: OAUTH.CUSTOMER_MCP_OAUTH_ISSUER })).toEqual([
      expect.stringMatching(/^CUSTOMER_MCP_PUBLIC_URL is required with OAuth/),
    ]);
  });

  it("listens on 127.0.0.1:8080 by default, with the public URL as the audience", () => {
    const { http: settings, config } = http([], OAUTH);
    expect(settings).toMatchObject({
      host: "127.0.0.1",
      port: 8080,
      auth: { kind: "oauth", issuer: OAUTH.CUSTOMER_MCP_OAUTH_ISSUER, audience: OAUTH.CUSTOMER_MCP_PUBLIC_URL, scopePrefix: "" },
      corsOrigins: [],
      trustProxy: false,
      maxBodyBytes: 1_048_576,
      requestTimeoutMs: 30_000,
      // Above the 60 s idle timeout of nginx's upstream keep-alive and of AWS load balancers.
      keepAliveTimeoutMs: 65_000,
    });
    expect(settings.publicUrl.href).toBe(OAUTH.CUSTOMER_MCP_PUBLIC_URL);
    expect(settings.replicaId.length).toBeGreaterThan(0);
    expect(config.warnings).toContainEqual(
      expect.stringMatching(/CUSTOMER_MCP_REDIS_URL is not set: .* only one replica is safe/),
    );
  });

  it("requires the audience the metadata names: the public URL as parsed, not as typed", () => {
    const { http: settings } = http([], { ...OAUTH, CUSTOMER_MCP_PUBLIC_URL: "https://MCP.example.com:443" });
    expect(settings.auth).toMatchObject({ audience: "https://mcp.example.com/" });
    expect(settings.auth.kind === "oauth" && settings.auth.audience).toBe(settings.publicUrl.href);
  });

  it("takes --host and --port over the variables, and the audience and JWKS overrides", () => {
    const { http: settings } = http(["--host", "0.0.0.0", "--port", "9000"], {
      ...OAUTH,
      CUSTOMER_MCP_HTTP_HOST: "127.0.0.2",
      CUSTOMER_MCP_HTTP_PORT: "7000",
      CUSTOMER_MCP_OAUTH_AUDIENCE: "api://customer-mcp",
      CUSTOMER_MCP_OAUTH_JWKS_URL: "https://login.example.com/keys",
      CUSTOMER_MCP_OAUTH_SCOPE_PREFIX: "api://customer-mcp/",
      CUSTOMER_MCP_REDIS_URL: "redis://redis:6379",
    });
    expect(settings).toMatchObject({
      host: "0.0.0.0",
      port: 9000,
      auth: { audience: "api://customer-mcp", jwksUrl: "https://login.example.com/keys", scopePrefix: "api://customer-mcp/" },
      redisUrl: "redis://redis:6379",
    });
  });

  it("allows development mode without tokens on loopback only", () => {
    const { http: settings } = http(["--port", "0"], { CUSTOMER_MCP_HTTP_AUTH: "none" });
    expect(settings.auth).toEqual({ kind: "none" });
    expect(settings.publicUrl.href).toBe("http://127.0.0.1:0/mcp");
    for (const host of ["0.0.0.0", "10.0.0.5", "::"]) {
      expect(problemsOf(["--host", host], { CUSTOMER_MCP_HTTP_AUTH: "none" })).toEqual([
        expect.stringMatching(/^CUSTOMER_MCP_HTTP_AUTH=none serves customer data to anyone who can connect/),
      ]);
    }
    expect(http(["--host", "::1"], { CUSTOMER_MCP_HTTP_AUTH: "none" }).http.publicUrl.href).toBe("http://[::1]:8080/mcp");
  });

  it("keeps development mode off proxies and tunnels: no public URL but a loopback one, no trusted proxy", () => {
    const none = { CUSTOMER_MCP_HTTP_AUTH: "none" };
    expect(problemsOf([], { ...none, CUSTOMER_MCP_PUBLIC_URL: "https://mcp.example.com/mcp" })).toEqual([
      expect.stringMatching(/^CUSTOMER_MCP_HTTP_AUTH=none is for this machine only, so CUSTOMER_MCP_PUBLIC_URL/),
    ]);
    expect(problemsOf([], { ...none, CUSTOMER_MCP_TRUST_PROXY: "true" })).toEqual([
      expect.stringMatching(/^CUSTOMER_MCP_HTTP_AUTH=none cannot be combined with CUSTOMER_MCP_TRUST_PROXY=true/),
    ]);
    // *.localhost names are left to the resolver, so they do not count as loopback.
    expect(problemsOf([], { ...none, CUSTOMER_MCP_PUBLIC_URL: "http://mcp.localhost:8080/mcp" })).toHaveLength(1);
    expect(http([], { ...none, CUSTOMER_MCP_PUBLIC_URL: "http://localhost:8080/mcp" }).http.publicUrl.host).toBe("localhost:8080");
  });

  it("refuses a public URL that is plain http to another host or has a fragment, before anything starts", () => {
    expect(problemsOf([], { ...OAUTH, CUSTOMER_MCP_PUBLIC_URL: "http://mcp.example.com/mcp" })).toEqual([
      expect.stringMatching(/^CUSTOMER_MCP_PUBLIC_URL must use https: bearer tokens sent to it would travel/),
    ]);
    expect(problemsOf([], { ...OAUTH, CUSTOMER_MCP_PUBLIC_URL: "https://mcp.example.com/mcp#x" })).toEqual([
      "CUSTOMER_MCP_PUBLIC_URL must not have a fragment: it names the resource tokens are issued for.",
    ]);
    expect(http([], { ...OAUTH, CUSTOMER_MCP_PUBLIC_URL: "http://127.0.0.1:8080/mcp" }).http.publicUrl.href).toBe("http://127.0.0.1:8080/mcp");
  });

  it("accepts exact browser origins and names a bad entry by position, never by value", () => {
    const { http: settings } = http([], { ...OAUTH, CUSTOMER_MCP_HTTP_CORS_ORIGINS: "https://support.example.com, http://localhost:5173" });
    expect(settings.corsOrigins).toEqual(["https://support.example.com", "http://localhost:5173"]);
    const origins = "https://ok.example.com,https://x.example.com/path?secret=1";
    const problems = problemsOf([], { ...OAUTH, CUSTOMER_MCP_HTTP_CORS_ORIGINS: origins });
    expect(problems).toEqual([expect.stringMatching(/^CUSTOMER_MCP_HTTP_CORS_ORIGINS: entry 2 is not an origin/)]);
    expect(problems.join(" ")).not.toContain("secret");
  });

  it("refuses a Redis URL of another scheme, and keys fetched over plain http from another host", () => {
    expect(problemsOf([], { ...OAUTH, CUSTOMER_MCP_REDIS_URL: "http://redis:6379" })).toEqual([
      "CUSTOMER_MCP_REDIS_URL must be a redis:// or rediss:// URL such as redis://redis:6379.",
    ]);
    expect(problemsOf([], { ...OAUTH, CUSTOMER_MCP_OAUTH_JWKS_URL: "http://keycloak:8080/certs" })).toEqual([
      expect.stringMatching(/^CUSTOMER_MCP_OAUTH_JWKS_URL must use https: signing keys fetched over plain http/),
    ]);
    // On loopback, plain http is fine (development, or an identity provider beside the server).
    const local = http([], { ...OAUTH, CUSTOMER_MCP_OAUTH_ISSUER: "http://127.0.0.1:8180/realms/x" });
    expect(local.http.auth).toMatchObject({ issuer: "http://127.0.0.1:8180/realms/x" });
  });

  it("keeps --host and --port off the stdio server", () => {
    expect(() => parseCommand(["--sandbox", "--host", "0.0.0.0"], {}, TOOL_NAMES)).toThrow(
      /--host and --port apply to the http and sandbox commands/,
    );
  });
});
