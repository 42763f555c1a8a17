// npm run bundle: the MCP Bundle (customer-mcp.mcpb) that Claude Desktop installs with one click. Builds dist/,
// stages only what the bundle runs (manifest.json, dist/*.js, a trimmed package.json, README.md, LICENSE), plus
// the SBOM of what dist/ contains (dist/sbom.cdx.json), in a
// temporary folder, then runs `mcpb validate` and `mcpb pack` (@anthropic-ai/mcpb, local and offline) on it.
// The bundle needs no node_modules: dist/ imports only Node built-ins.
//
// Flags: --skip-build (pack the current dist/), --out FILE (default customer-mcp.mcpb at the repo root).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildDist } from "./build.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const mcpbCli = join(dirname(createRequire(import.meta.url).resolve("@anthropic-ai/mcpb")), "cli", "cli.js");

/** package.json fields the bundle needs: `type` makes dist/*.js ESM, name and version feed --version. */
const PACKAGE_FIELDS = ["name", "version", "description", "license", "type", "bin", "engines"];

function fail(message) {
  process.stderr.write(`bundle: ${message}\n`);
  process.exit(1);
}

function mcpb(...args) {
  const result = spawnSync(process.execPath, [mcpbCli, ...args], { stdio: "inherit" });
  if (result.status !== 0) throw new Error(`mcpb ${args[0]} failed (exit ${result.status ?? result.signal}).`);
}

const { values } = parseArgs({
  options: {
    "skip-build": { type: "boolean", default: false },
    out: { type: "string", default: join(root, "customer-mcp.mcpb") },
  },
});
const out = resolve(values.out);

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8"));
if (manifest.name !== pkg.name || manifest.version !== pkg.version) {
  fail(
    `manifest.json says ${manifest.name}@${manifest.version} but package.json says ${pkg.name}@${pkg.version}; ` +
    "update manifest.json (tests/e2e/mcpb.test.ts checks the rest).",
  );
}

if (!values["skip-build"]) await buildDist("dist");
const scripts = readdirSync(join(root, "dist")).filter((name) => name.endsWith(".js"));
if (!scripts.includes("index.js")) fail("dist/index.js is missing; run without --skip-build.");
if (!readdirSync(join(root, "dist")).includes("sbom.cdx.json")) fail("dist/sbom.cdx.json is missing; run without --skip-build.");

const staging = mkdtempSync(join(tmpdir(), "customer-mcp-bundle-"));
try {
  const stage = join(staging, pkg.name);
  mkdirSync(join(stage, "dist"), { recursive: true });
  for (const file of ["manifest.json", "README.md", "LICENSE"]) copyFileSync(join(root, file), join(stage, file));
  for (const file of [...scripts, "sbom.cdx.json"]) copyFileSync(join(root, "dist", file), join(stage, "dist", file));
  const trimmed = Object.fromEntries(PACKAGE_FIELDS.filter((key) => key in pkg).map((key) => [key, pkg[key]]));
  writeFileSync(join(stage, "package.json"), `${JSON.stringify(trimmed, null, 2)}\n`);

  mcpb("validate", join(stage, "manifest.json"));
  mkdirSync(dirname(out), { recursive: true });
  mcpb("pack", stage, out);
  process.stderr.write(`bundle: ${out} (${(statSync(out).size / 1024).toFixed(0)} kB)\n`);
} catch (error) {
  process.exitCode = 1;
  process.stderr.write(`bundle: ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
