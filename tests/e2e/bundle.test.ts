// The shape of the build (`npm run build`, scripts/build.mjs): one bundled entry for the `bin`, cold paths such as
// the sandbox in lazily imported chunks, and a package that ships the JavaScript but not the source maps.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const DIST = "dist";
const entry = () => readFileSync(join(DIST, "index.js"), "utf8");
/** Specifiers of `import … from "./x.js"` (static) and `import("./x.js")` (dynamic) in minified ESM. */
const specifiers = (code: string, pattern: RegExp) => [...code.matchAll(pattern)].map((m) => m[1] as string);
const staticImports = (code: string) => specifiers(code, /\bfrom\s*"(\.\/[^"]+)"/g);
const dynamicImports = (code: string) => specifiers(code, /\bimport\(\s*"(\.\/[^"]+)"\s*\)/g);

describe("the bundled build", () => {
  it("is a flat dist/ whose entry is an executable ESM file with a node shebang", () => {
    const text = entry();
    expect(text.startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(statSync(join(DIST, "index.js")).mode & 0o111).not.toBe(0);
    for (const name of readdirSync(DIST)) {
      expect(statSync(join(DIST, name)).isFile(), `${name} is a file`).toBe(true);
      expect(name).toMatch(/\.js(\.map)?$|^sbom\.cdx\.json$/);
    }
  });

  it("loads the sandbox only through a dynamic import, so a real deployment never reads its code or data", () => {
    const text = entry();
    const eager = new Set<string>();
    const pending = staticImports(text);
    while (pending.length) {
      const next = pending.pop() as string;
      if (eager.has(next)) continue;
      eager.add(next);
      pending.push(...staticImports(readFileSync(join(DIST, next), "utf8")));
    }
    const lazy = dynamicImports(text);
    expect(lazy.some((specifier) => /^\.\/sandbox-[\w-]+\.js$/.test(specifier))).toBe(true);
    for (const file of ["./index.js", ...eager]) {
      // A seeded fixture name: present in the sandbox chunk, absent from everything loaded at start.
      expect(readFileSync(join(DIST, file), "utf8"), file).not.toContain("Lovelace");
      expect(file).not.toMatch(/sandbox/);
    }
    for (const file of [...eager, ...lazy]) expect(() => statSync(join(DIST, file)), file).not.toThrow();
  });

  it("packs dist/*.js with the docs and without source maps or sources", () => {
    const result = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(0);
    const [pack] = JSON.parse(result.stdout) as Array<{ files: Array<{ path: string }> }>;
    const paths = (pack?.files ?? []).map((file) => file.path).sort();
    expect(paths).toEqual(
      expect.arrayContaining(["LICENSE", "README.md", "dist/index.js", "dist/sbom.cdx.json", "package.json"]),
    );
    for (const path of paths) {
      expect(path).toMatch(/^(dist\/([\w-]+\.js|sbom\.cdx\.json)|LICENSE|README\.md|\.env\.example|package\.json)$/);
    }
  });
});
