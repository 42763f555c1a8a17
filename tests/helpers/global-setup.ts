// Builds dist/ once before the suite (`npm run build`: the esbuild bundle) so the end-to-end tests spawn the real
// built server. CUSTOMER_MCP_SKIP_BUILD=1 skips it when iterating against an existing build.
import { execFileSync } from "node:child_process";

export default function setup(): void {
  if (process.env.CUSTOMER_MCP_SKIP_BUILD === "1") return;
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: ["ignore", "inherit", "inherit"] });
}
