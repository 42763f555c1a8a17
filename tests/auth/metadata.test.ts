// RFC 9728 metadata and the WWW-Authenticate challenges built from it.
import { describe, expect, it } from "vitest";
import {
  bearerChallenge,
  insufficientScopeChallenge,
  quoted,
  unauthorizedChallenge,
} from "../../src/auth/challenge.js";
import { TokenError } from "../../src/auth/errors.js";
import { protectedResourceMetadata, resourceMetadataPaths, resourceMetadataUrl } from "../../src/auth/metadata.js";
import { ConfigurationError } from "../../src/errors.js";
import { SCOPES } from "../../src/policy/access.js";

const PUBLIC_URL = "https://customer-mcp.internal.example.com/mcp";
const METADATA_URL = "https://customer-mcp.internal.example.com/.well-known/oauth-protected-resource/mcp";

describe("protected-resource metadata", () => {
  it("names the resource, the issuer, the prefixed scopes and the header as the only bearer method", () => {
    const document = protectedResourceMetadata({
      resource: PUBLIC_URL,
      issuer: "https://login.example.com/tenant",
      scopePrefix: "api://customer-mcp/",
    });
    expect(document).toEqual({
      resource: PUBLIC_URL,
      authorization_servers: ["https://login.example.com/tenant"],
      scopes_supported: SCOPES.map((scope) => `api://customer-mcp/${scope}`),
      bearer_methods_supported: ["header"],
      resource_name: "customer-mcp",
    });
  });

  it("lists only the scopes it is given, and the documentation URL when there is one", () => {
    const document = protectedResourceMetadata({
      resource: PUBLIC_URL,
      issuer: "https://login.example.com",
      scopes: ["customers:read", "tickets:read"],
      resourceName: "Customer tools",
      documentationUrl: "https://docs.example.com/customer-mcp",
    });
    expect(document.scopes_supported).toEqual(["customers:read", "tickets:read"]);
    expect(document.resource_name).toBe("Customer tools");
    expect(document.resource_documentation).toBe("https://docs.example.com/customer-mcp");
  });

  it("refuses a resource that is not an https URL without a fragment", () => {
    for (const resource of ["http://customer-mcp.example.com/mcp", "https://h.example.com/mcp#x", "/mcp"]) {
      expect(() => protectedResourceMetadata({ resource, issuer: "https://login.example.com" })).toThrow(ConfigurationError);
    }
    expect(() => resourceMetadataUrl("http://127.0.0.1:8080/mcp")).not.toThrow();
  });
});

describe("the metadata URL (RFC 9728 section 3.1)", () => {
  it("inserts the well-known path between the host and the resource's path", () => {
    expect(resourceMetadataUrl(PUBLIC_URL)).toBe(METADATA_URL);
    expect(resourceMetadataUrl("https://h.example.com/public/mcp")).toBe(
      "https://h.example.com/.well-known/oauth-protected-resource/public/mcp",
    );
    expect(resourceMetadataUrl("https://h.example.com:8443/mcp?v=1")).toBe(
      "https://h.example.com:8443/.well-known/oauth-protected-resource/mcp?v=1",
    );
  });

  it("is the well-known path alone for a resource at the root, with or without the slash", () => {
    expect(resourceMetadataUrl("https://h.example.com/")).toBe("https://h.example.com/.well-known/oauth-protected-resource");
    expect(resourceMetadataUrl("https://h.example.com")).toBe("https://h.example.com/.well-known/oauth-protected-resource");
  });

  it("gives the paths to serve: the inserted one, then the root one clients fall back to", () => {
    expect(resourceMetadataPaths(PUBLIC_URL)).toEqual([
      "/.well-known/oauth-protected-resource/mcp",
      "/.well-known/oauth-protected-resource",
    ]);
    expect(resourceMetadataPaths("https://h.example.com/")).toEqual(["/.well-known/oauth-protected-resource"]);
  });
});

describe("WWW-Authenticate", () => {
  it("401 without a token names the metadata URL only", () => {
    expect(unauthorizedChallenge(METADATA_URL)).toBe(`Bearer resource_metadata="${METADATA_URL}"`);
  });

  it("401 for a refused token adds invalid_token and the TokenError's reason", () => {
    expect(unauthorizedChallenge(METADATA_URL, new TokenError("expired"))).toBe(
      `Bearer resource_metadata="${METADATA_URL}", error="invalid_token", error_description="The access token has expired."`,
    );
  });

  it("403 names insufficient_scope and the needed scopes as the identity provider spells them", () => {
    expect(insufficientScopeChallenge(METADATA_URL, ["customers:read", "refunds:write"], "api://customer-mcp/")).toBe(
      `Bearer resource_metadata="${METADATA_URL}", error="insufficient_scope", `
      + 'error_description="The access token lacks a scope this call needs.", '
      + 'scope="api://customer-mcp/customers:read api://customer-mcp/refunds:write"',
    );
  });

  it("400 for a malformed request", () => {
    expect(bearerChallenge({ resourceMetadataUrl: METADATA_URL, error: "invalid_request", description: "Send one Authorization header." }))
      .toBe(`Bearer resource_metadata="${METADATA_URL}", error="invalid_request", error_description="Send one Authorization header."`);
  });

  it("escapes quotes and backslashes and drops control and non-ASCII characters, so the header stays one line", () => {
    expect(quoted('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    expect(quoted("line\r\nSet-Cookie: x=1")).toBe('"lineSet-Cookie: x=1"');
    expect(quoted("caf\u00e9\u0000\u007f\ttab")).toBe('"caftab"');
    const header = bearerChallenge({ resourceMetadataUrl: METADATA_URL, error: "invalid_token", description: 'a "b"\n' });
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toContain('error_description="a \\"b\\""');
  });
});
