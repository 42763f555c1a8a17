// The demo's steps, in memory against the sandbox with the profile `--sandbox` runs with: the transcript has every
// section and only readable values. tests/e2e/demo.test.ts runs `npm run demo` itself.
import { describe, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { playDemo } from "../../scripts/demo-scenario.js";
import { testContext } from "../helpers/context.js";
import { connectInMemory } from "../helpers/mcp.js";
import { expectReadableTranscript } from "./transcript.js";

const env = useSandbox({ seed: 42 });

describe("the demo scenario", () => {
  it("prints every section, amounts and refundable remainders as money, and nothing unformatted", async () => {
    const connected = await connectInMemory(testContext(env.sandbox, { access: { profile: "readonly" } }));
    const lines: string[] = [];
    try {
      await playDemo(connected.client, (line) => lines.push(line));
    } finally {
      await connected.close();
    }
    expectReadableTranscript(lines.join("\n"));
  });
});
