// The package's name and version, read from package.json so there is one source of truth. The file sits one
// level above src/ (tsx) and dist/ (built; the bundle and its chunks all sit directly in dist/), so the same
// relative path works for either. Read once: start-up asks for it more than once.
import { createRequire } from "node:module";

interface PackageInfo {
  name: string;
  version: string;
}

let cached: PackageInfo | undefined;

export function readPackageInfo(): PackageInfo {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const { name, version } = require("../package.json") as PackageInfo;
    cached = Object.freeze({ name, version });
  }
  return cached;
}
