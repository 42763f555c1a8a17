// `npm run demo` as a newcomer runs it (the built server spawned with --sandbox): it exits 0 and its transcript
// has every section and only readable values.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { expectReadableTranscript } from "../scripts/transcript.js";

describe("npm run demo", () => {
  it("exits 0 with a readable transcript", { timeout: 60_000 }, async () => {
    // The script npm run demo runs after building (the suite's global setup has built dist/).
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
      env: { PATH: process.env.PATH ?? "" },
    });
    expect(stdout).toMatch(/Demo finished/);
    expectReadableTranscript(stdout);
  });
});
