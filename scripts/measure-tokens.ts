// npm run measure:tokens — what the tool definitions cost a model's context: per tool and per profile, the
// model-facing part ({name, description, input_schema}) and the whole tools/list entry (with title, annotations
// and outputSchema), in Claude and o200k tokens. Prints the tables; the budget test (tests/server/token-budget)
// holds the per-profile totals to the checked-in budget.
import { PROFILE_NAMES, profileCost, tokenCounter } from "./token-cost.js";

function main(): void {
  const counter = tokenCounter();
  try {
    const profiles = PROFILE_NAMES.map((profile) => profileCost(profile, counter));
    console.log("| profile | tools | model-facing (Claude) | model-facing (o200k) | median per tool (Claude) | whole listing (Claude) | whole listing (o200k) |");
    console.log("|---|---:|---:|---:|---:|---:|---:|");
    for (const cost of profiles) {
      console.log(`| ${cost.profile} | ${cost.tools.length} | ${cost.modelFacing.claude} | ${cost.modelFacing.o200k} | ${cost.medianModelFacing} | ${cost.whole.claude} | ${cost.whole.o200k} |`);
    }
    const everything = profiles.at(-1);
    console.log("");
    console.log("| tool | model-facing (Claude) | model-facing (o200k) | whole entry (Claude) | whole entry (o200k) |");
    console.log("|---|---:|---:|---:|---:|");
    for (const tool of everything?.tools ?? []) {
      console.log(`| \`${tool.name}\` | ${tool.modelFacing.claude} | ${tool.modelFacing.o200k} | ${tool.whole.claude} | ${tool.whole.o200k} |`);
    }
  } finally {
    counter.free();
  }
}

main();
