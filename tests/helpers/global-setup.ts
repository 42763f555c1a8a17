// Builds dist/ once before the suite so the end-to-end tests spawn the real compiled server.
// CUSTOMER_MCP_SKIP_BUILD=1 skips it when iterating on unit tests against an existing build.
import { execFileSync } from "node:child_process";

export default function setup(): void {
  if (process.env.CUSTOMER_MCP_SKIP_BUILD === "1") return;
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    stdio: ["ignore", "inherit", "inherit"],
  });
}
