// Builds dist/ once before the suite so the end-to-end tests spawn the real compiled server.
import { execFileSync } from "node:child_process";

export default function setup(): void {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    stdio: ["ignore", "inherit", "inherit"],
  });
}
