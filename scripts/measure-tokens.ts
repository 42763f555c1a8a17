// npm run measure:tokens — what the tool definitions cost a model's context: per tool and per profile, the part
// the model reads ({name, description, input_schema}) and the whole tools/list entry (with title, annotations and
// outputSchema), in Claude and o200k tokens. Prints the tables and rewrites their sections in README.md and
// docs/benchmarks.md. The budget test (tests/server/token-budget.test.ts) holds the totals to
// tests/server/token-budget.json and checks that the README shows the current numbers.
import { readFileSync, writeFileSync } from "node:fs";
import { PROFILE_NAMES, profileCost, profileTable, tokenCounter, toolTable } from "./token-cost.js";

const BEGIN = "<!-- tokens:begin -->";
const END = "<!-- tokens:end -->";

/** Replaces the marked section of a file; a file without the markers is left alone and reported. */
function replaceSection(path: string, section: string): void {
  const doc = readFileSync(path, "utf8");
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) {
    console.error(`${path} has no ${BEGIN} … ${END} section; not updated.`);
    process.exitCode = 1;
    return;
  }
  writeFileSync(path, doc.slice(0, start) + `${BEGIN}\n${section}\n` + doc.slice(end));
}

function main(): void {
  const counter = tokenCounter();
  let profiles;
  try {
    profiles = PROFILE_NAMES.map((profile) => profileCost(profile, counter));
  } finally {
    counter.free();
  }
  const perProfile = profileTable(profiles);
  const everyTool = profiles.find((cost) => cost.profile === "admin") ?? profiles[profiles.length - 1];
  const perTool = everyTool ? toolTable(everyTool) : "";
  replaceSection("README.md", perProfile);
  replaceSection("docs/benchmarks.md", [
    "## Tool definitions: tokens per profile and per tool",
    "",
    `Command: \`npm run measure:tokens\` · ${new Date().toISOString().slice(0, 10)} · tokenizers as pinned in`,
    "package-lock.json: `@anthropic-ai/tokenizer` (Claude) and `js-tiktoken` o200k_base (current OpenAI models).",
    "",
    "*The model reads* is `{name, description, input_schema}` of each listed tool as JSON: what Claude Code and VS",
    "Code send the model (Claude Desktop does not show it `outputSchema` either). *Whole listing* is every",
    "`tools/list` entry in full, with title, annotations and `outputSchema`, as clients that validate",
    "`structuredContent` receive it. Totals add up the tools of each profile; the median is per tool.",
    "",
    perProfile,
    "",
    perTool,
    "",
    "Before issue 14 the model read 2274 tokens in the readonly profile (median 209 per tool), 3781 in support,",
    "2677 in billing and 4556 in admin (median 304), and the whole admin listing was 13051. The targets: readonly",
    "≤ 1600, all 14 tools ≤ 3400, a median ≤ 170 per tool in the default profile (github-mcp-server's 43 default",
    "tools: 198; Sentry's server: 641) and the whole admin listing ≤ 8000. `tests/server/token-budget.test.ts`",
    "checks them and holds each profile to its budget in `tests/server/token-budget.json`.",
    "",
    "What was cut, in `jsonSchemaOf` (`src/mcp/tools.ts`) and the descriptions: the regexes zod writes next to",
    "`format: date-time` and `format: email` (445 tokens in readonly); parameter text that said what the schema",
    "already says (lengths, enum values, defaults, the id's shape) or what another parameter of the same tool",
    "says; in output schemas, the ±(2^53 − 1) integer bounds, `type` beside `enum`, `additionalProperties: false`,",
    "`required` below the top level, and field descriptions that repeat the field's name. Money and untrusted text",
    "are defined once per output schema under `$defs` (where a tool returns them twice or more); input schemas stay",
    "inline.",
  ].join("\n"));
  console.log(perProfile);
  console.log("");
  console.log(perTool);
}

main();
