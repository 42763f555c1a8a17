// npm run dev:issuer: an OAuth authorization server on this machine's loopback, for trying customer-mcp http with
// real tokens without an identity provider (docs/remote.md, "Two replicas on one machine"). The same server the
// tests use (oidc-provider, tests/helpers/oauth.ts): discovery, a JWKS, and JWT access tokens for one resource.
// It prints its issuer and a token for the subject and scopes asked for; Ctrl-C stops it. Development only: its
// keys live in memory and change at every start.
import { parseArgs } from "node:util";
import { startAuthServer } from "../tests/helpers/oauth.js";

const { values } = parseArgs({
  options: {
    resource: { type: "string", default: "http://127.0.0.1:8080/mcp" },
    port: { type: "string", default: "8180" },
    subject: { type: "string", multiple: true, default: ["dev-user@example.com"] },
    scopes: { type: "string", default: "customers:read tickets:read billing:read" },
    hours: { type: "string", default: "8" },
  },
});

const port = Number(values.port);
const hours = Number(values.hours);
if (!Number.isInteger(port) || port < 1 || port > 65_535 || !(hours > 0 && hours <= 24)) {
  process.stderr.write("dev-issuer: --port must be 1-65535 and --hours between 0 and 24.\n");
  process.exit(2);
}
const server = await startAuthServer({ resource: values.resource, port });
const exp = Math.floor(Date.now() / 1000) + Math.round(hours * 3600);
const lines = [
  `Issuer ${server.issuer} (keys at ${server.jwksUrl}), for the resource ${values.resource}.`,
  "Start customer-mcp http with:",
  `  CUSTOMER_MCP_OAUTH_ISSUER=${server.issuer} CUSTOMER_MCP_PUBLIC_URL=${values.resource}`,
  `Tokens with the scopes "${values.scopes}", valid ${hours} h:`,
];
for (const subject of values.subject) {
  lines.push(`  ${subject}: ${await server.sign({ sub: subject, scope: values.scopes, exp })}`);
}
lines.push("Its keys are new at every start: restart it (with more --subject or other --scopes) for new tokens.", "");
process.stdout.write(lines.join("\n"));
const stop = () => void server.close().finally(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
