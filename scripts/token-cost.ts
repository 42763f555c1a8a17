// What the tool definitions cost a client's context, per tool and per profile, in the tokens of two tokenizers:
// Claude's (@anthropic-ai/tokenizer) and o200k (current OpenAI models, js-tiktoken). Shared by
// npm run measure:tokens and the budget test, so the table and the check count the same text the same way.
import { getTokenizer } from "@anthropic-ai/tokenizer";
import { getEncoding } from "js-tiktoken";
import { grantOf, PROFILES, type Profile } from "../src/policy/access.js";
import { compileTool, modelFacing, refusalOf, type ToolListing } from "../src/mcp/catalog.js";
import type { ToolDefinition } from "../src/tools/define.js";
import { allTools } from "../src/tools/index.js";

export const PROFILE_NAMES = Object.keys(PROFILES) as Profile[];

export interface Tokens {
  claude: number;
  o200k: number;
}

export interface ToolCost {
  name: string;
  /** `{name, description, input_schema}` as JSON: what a model reads. */
  modelFacing: Tokens;
  /** The whole tools/list entry: title, annotations and outputSchema too. */
  whole: Tokens;
}

export interface ProfileCost {
  profile: Profile;
  tools: ToolCost[];
  modelFacing: Tokens;
  whole: Tokens;
  /** Median model-facing Claude tokens per tool. */
  medianModelFacing: number;
}

export interface TokenCounter {
  count(text: string): Tokens;
  /** Frees the Claude tokenizer's WASM memory. */
  free(): void;
}

export function tokenCounter(): TokenCounter {
  // One tokenizer for every count: building one parses the whole vocabulary.
  const claude = getTokenizer();
  const o200k = getEncoding("o200k_base");
  return {
    // NFKC and "all" special tokens are what the package's own countTokens does.
    count: (text) => ({ claude: claude.encode(text.normalize("NFKC"), "all").length, o200k: o200k.encode(text).length }),
    free: () => claude.free(),
  };
}

/** The tools/list entries a profile gets, in listing order: the same compiled listings the server sends. */
export function profileListings(profile: Profile, tools: readonly ToolDefinition[] = allTools): ToolListing[] {
  const grant = grantOf({ profile, readOnly: false });
  return tools.filter((tool) => refusalOf(tool, grant) === undefined).map((tool) => compileTool(tool).listing);
}

export function toolCost(listing: ToolListing, counter: TokenCounter): ToolCost {
  return {
    name: listing.name,
    modelFacing: counter.count(JSON.stringify(modelFacing(listing))),
    whole: counter.count(JSON.stringify(listing)),
  };
}

/** Totals add up each tool's tokens: a client sends (or lists) the tools one entry each. */
export function profileCost(profile: Profile, counter: TokenCounter, tools?: readonly ToolDefinition[]): ProfileCost {
  const costs = profileListings(profile, tools).map((listing) => toolCost(listing, counter));
  const sum = (pick: (cost: ToolCost) => Tokens): Tokens => ({
    claude: costs.reduce((total, cost) => total + pick(cost).claude, 0),
    o200k: costs.reduce((total, cost) => total + pick(cost).o200k, 0),
  });
  return {
    profile,
    tools: costs,
    modelFacing: sum((cost) => cost.modelFacing),
    whole: sum((cost) => cost.whole),
    medianModelFacing: median(costs.map((cost) => cost.modelFacing.claude)),
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : Math.round(((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2);
}

/** The per-profile table, as the README and docs/benchmarks.md show it. */
export function profileTable(costs: readonly ProfileCost[]): string {
  return [
    "| profile | tools | the model reads (Claude) | (o200k) | median per tool (Claude) | whole listing (Claude) | (o200k) |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...costs.map((cost) =>
      `| ${cost.profile} | ${cost.tools.length} | ${cost.modelFacing.claude} | ${cost.modelFacing.o200k} | `
      + `${cost.medianModelFacing} | ${cost.whole.claude} | ${cost.whole.o200k} |`),
  ].join("\n");
}

/** One row per tool. A tool's entry is the same in every profile that lists it. */
export function toolTable(cost: ProfileCost): string {
  return [
    "| tool | the model reads (Claude) | (o200k) | whole entry (Claude) | (o200k) |",
    "|---|---:|---:|---:|---:|",
    ...cost.tools.map((tool) =>
      `| \`${tool.name}\` | ${tool.modelFacing.claude} | ${tool.modelFacing.o200k} | ${tool.whole.claude} | ${tool.whole.o200k} |`),
  ].join("\n");
}
