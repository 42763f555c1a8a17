// npm run build: bundles src/index.ts into dist/index.js, one minified ESM file for the `bin`. A bundle starts
// much faster than ~600 separate modules (`npm run bench -- --compare-tsc` measures both; docs/benchmarks.md).
// `splitting` keeps every dynamic import() a separate chunk, so cold paths (the sandbox and its seed data) load
// only when used. Type checking stays with `npm run typecheck` (tsc); esbuild only strips types.
//
// dist/ is swapped in whole, by two renames, so a process spawned from dist/ during a build sees either the old
// or the new build, never a half-written one. Flags: --outdir DIR (build elsewhere, e.g. for a comparison).
//
// Beside the JavaScript, dist/sbom.cdx.json lists every npm package the bundle contains (scripts/sbom.mjs), so
// the package says what is inside it.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { sbomFor } from "./sbom.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Bundled CommonJS dependencies (axios's helpers, pino's) call require() for Node built-ins, which an ESM file
 * lacks; this gives each output file a real one. The entry keeps its own `#!/usr/bin/env node` line above it.
 */
const REQUIRE_SHIM = 'import{createRequire as __cmcpRequire}from"node:module";const require=__cmcpRequire(import.meta.url);';

/**
 * axios imports `form-data` (and through it the 160 kB mime-db table) for multipart uploads, which this server
 * never sends: its requests carry JSON or nothing. Parsing that table cost 35-50 ms of every start on the
 * benchmark machine, so the bundle gets a stand-in that fails loudly if a multipart body is ever built.
 */
const leaveOutFormData = {
  name: "leave-out-form-data",
  setup(build) {
    build.onResolve({ filter: /^form-data$/ }, () => ({ path: "form-data", namespace: "stub" }));
    build.onLoad({ filter: /.*/, namespace: "stub" }, () => ({
      loader: "js",
      contents: `module.exports = class FormData {
        constructor() { throw new Error("customer-mcp is built without form-data: multipart request bodies are not supported."); }
      };`,
    }));
  },
};

export async function buildDist(outdir) {
  const target = resolve(root, outdir);
  // Staging sits on the same filesystem as the target (so the swap is a rename) and, in the repo, outside git's
  // view.
  const parent = target.startsWith(root + sep) ? join(root, "node_modules", ".cache", "customer-mcp-build") : dirname(target);
  const staging = join(parent, `.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["src/index.ts"],
    outdir: staging,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20.3",
    minify: true,
    // Linked maps for local debugging (node --enable-source-maps); package.json `files` leaves them out.
    sourcemap: "linked",
    banner: { js: REQUIRE_SHIM },
    plugins: [leaveOutFormData],
    chunkNames: "[name]-[hash]",
    // Flat output: every file sits directly in dist/, so version.ts finds ../package.json from any chunk.
    entryNames: "[name]",
    metafile: true,
    logLevel: "warning",
  });
  writeFileSync(join(staging, "sbom.cdx.json"), `${JSON.stringify(sbomFor(result.metafile, root), null, 2)}\n`);
  relocateSourceMaps(staging, target);
  const old = `${staging}-old`;
  mkdirSync(dirname(target), { recursive: true });
  try {
    renameSync(target, old);
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
  }
  renameSync(staging, target);
  rmSync(old, { recursive: true, force: true });
  return Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith(".js"))
    .map(([file, output]) => ({ file: join(outdir, file.split("/").pop()), bytes: output.bytes }));
}

/**
 * esbuild writes each map's `sources` relative to where the map was written (the staging folder); they are
 * rewritten relative to where it ends up, so a debugger (and the SBOM test) finds the real files.
 */
function relocateSourceMaps(staging, target) {
  for (const name of readdirSync(staging).filter((file) => file.endsWith(".js.map"))) {
    const file = join(staging, name);
    const map = JSON.parse(readFileSync(file, "utf8"));
    map.sources = map.sources.map((source) =>
      /^[a-z]+:/.test(source) ? source : relative(target, resolve(staging, source)).split(sep).join("/"),
    );
    writeFileSync(file, JSON.stringify(map));
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { outdir: { type: "string", default: "dist" } } });
  const started = performance.now();
  const files = await buildDist(values.outdir);
  const summary = files.map((f) => `${f.file} ${(f.bytes / 1024).toFixed(0)} kB`).join(", ");
  process.stderr.write(`built in ${Math.round(performance.now() - started)} ms: ${summary}\n`);
}
