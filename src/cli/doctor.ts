// customer-mcp doctor: checks an installation before a client starts it. It validates the configuration
// (already done by parseCommand), reaches the API's /health, checks that the credentials are accepted, and
// prints the tools an agent will get after every filter, with an estimate of what their definitions cost a
// client's context. Output is for a person at a terminal.
import type { Logger } from "pino";
import { createCustomerApi } from "../api/index.js";
import type { ApiCredentials, Config } from "../config/config.js";
import { displayUrl } from "../config/urls.js";
import { AppError } from "../errors.js";
import { createLogger } from "../logger.js";
import { createPolicy } from "../policy/index.js";
import { compileTool, modelFacing, refusalOf, type ToolListing } from "../mcp/catalog.js";
import { CHARS_PER_TOKEN } from "../policy/budget.js";
import { allTools } from "../tools/index.js";
import { connectBackend } from "./app.js";

export interface DoctorTarget {
  baseUrl: string;
  credentials: ApiCredentials;
}

/** `customer-mcp doctor`: the checks against the configured backend, on stderr; exits 0 when all passed, else 1. */
export async function doctorCommand(config: Config): Promise<void> {
  const logger = createLogger({ level: "silent" });
  const backend = await connectBackend(config, logger);
  // The report goes to stderr like every other diagnostic: stdout stays reserved for JSON-RPC (and --help).
  const print = (line: string) => process.stderr.write(`${line}\n`);
  const ok = await runDoctor(config, backend, logger, print);
  await backend.sandbox?.close();
  process.exit(ok ? 0 : 1);
}

/** Runs every check, printing one line each; resolves true when all passed. */
export async function runDoctor(
  config: Config,
  target: DoctorTarget,
  logger: Logger,
  print: (line: string) => void,
): Promise<boolean> {
  const policy = createPolicy(config.access);
  print(`configuration: ok (backend ${config.backend.kind}, profile ${config.access.profile}${config.access.readOnly ? ", read-only" : ""})`);
  for (const warning of config.warnings) print(`warning: ${warning}`);
  print(`scopes: ${[...policy.grant.scopes].join(", ")}${policy.canSeePii ? "" : " (PII masked)"}`);
  const api = createCustomerApi({
    baseUrl: target.baseUrl,
    credentials: target.credentials,
    settings: { ...config.api, maxRetries: 0 },
    logger,
    userAgent: "customer-mcp-doctor",
  });
  let ok = true;
  const check = async (name: string, run: () => Promise<string>) => {
    try {
      print(`${name}: ok (${await run()})`);
    } catch (error) {
      ok = false;
      const reason = error instanceof AppError ? `${error.code}: ${error.message}` : String(error);
      print(`${name}: FAILED (${reason})`);
    }
  };
  // The URL is shown without user name, password, query or fragment, whatever it holds.
  await check("API health", async () => `${displayUrl(target.baseUrl)} answered ${(await api.health()).status}`);
  await check("credentials", async () => `${(await api.segments.list()).length} segments readable`);
  api.close();

  const tools = allTools.filter((tool) => refusalOf(tool, policy.grant) === undefined);
  const cost = definitionTokens(tools.map((tool) => compileTool(tool).listing));
  print(
    `tools (${tools.length} of ${allTools.length}, about ${cost.modelFacing} tokens of definitions`
    + ` the model reads, ${cost.whole} with output schemas):`,
  );
  for (const tool of tools) print(`  ${tool.name}${tool.annotations.readOnlyHint ? "" : " (writes)"}`);
  return ok;
}

/**
 * Estimated tokens of tool definitions: what the model reads ({name, description, input_schema}) and the whole
 * tools/list entries. Four characters a token is within 5% of the Claude tokenizer on these listings (the token
 * budget test holds it to 10%), and needs no tokenizer in the shipped bundle; npm run measure:tokens counts exactly.
 */
export function definitionTokens(listings: readonly ToolListing[]): { modelFacing: number; whole: number } {
  const tokens = (part: (listing: ToolListing) => unknown) =>
    Math.round(listings.reduce((sum, listing) => sum + JSON.stringify(part(listing)).length, 0) / CHARS_PER_TOKEN);
  return { modelFacing: tokens(modelFacing), whole: tokens((listing) => listing) };
}
