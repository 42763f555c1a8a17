// The package's name and version, read from package.json so there is one source of truth. The file sits one
// level above both src/ (tsx) and dist/ (built), so the same relative path works for either.
import { createRequire } from "node:module";

interface PackageInfo {
  name: string;
  version: string;
}

export function readPackageInfo(): PackageInfo {
  const require = createRequire(import.meta.url);
  const { name, version } = require("../package.json") as PackageInfo;
  return { name, version };
}
