// The SBOM in the package (dist/sbom.cdx.json, written by scripts/build.mjs from esbuild's metafile and the
// lockfile) lists exactly the npm packages inside the bundle. The packages are derived here another way, from the
// source maps' `sources` (every file esbuild read), so a generator that dropped or invented a package fails.
import { readdirSync, readFileSync } from "node:fs";
import { join, posix, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const DIST = "dist";

interface Component {
  type: string;
  "bom-ref": string;
  group?: string;
  name: string;
  version: string;
  purl: string;
  licenses?: Array<{ license?: { id: string }; expression?: string }>;
  hashes?: Array<{ alg: string; content: string }>;
}

interface Sbom {
  bomFormat: string;
  specVersion: string;
  serialNumber: string;
  metadata: { component: { name: string; version: string; purl: string } };
  components: Component[];
  dependencies: Array<{ ref: string; dependsOn: string[] }>;
}

const sbom = JSON.parse(readFileSync(join(DIST, "sbom.cdx.json"), "utf8")) as Sbom;
const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
  packages: Record<string, { version: string; integrity?: string; license?: string }>;
};
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { name: string; version: string };

/** Lockfile keys ("node_modules/a", "node_modules/a/node_modules/@s/b") of every package a source map names. */
function bundledPackageDirs(): Set<string> {
  const dirs = new Set<string>();
  for (const name of readdirSync(DIST).filter((file) => file.endsWith(".js.map"))) {
    const map = JSON.parse(readFileSync(join(DIST, name), "utf8")) as { sources: string[] };
    for (const source of map.sources) {
      if (source.includes(":")) continue; // esbuild's virtual modules, such as the form-data stub
      const fromRoot = posix.normalize(posix.join(DIST, source));
      const parts = fromRoot.split("/");
      const last = parts.lastIndexOf("node_modules");
      if (last === -1) continue;
      const scoped = parts[last + 1]?.startsWith("@");
      dirs.add(parts.slice(0, last + (scoped ? 3 : 2)).join("/"));
    }
  }
  return dirs;
}

const nameOf = (component: Component) => (component.group ? `${component.group}/${component.name}` : component.name);

describe("dist/sbom.cdx.json", () => {
  it("is a CycloneDX 1.6 document about this package", () => {
    expect(sbom.bomFormat).toBe("CycloneDX");
    expect(sbom.specVersion).toBe("1.6");
    expect(sbom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sbom.metadata.component).toMatchObject({
      name: pkg.name,
      version: pkg.version,
      purl: `pkg:npm/${pkg.name}@${pkg.version}`,
    });
  });

  it("lists every npm package the bundle contains and nothing else, at the versions installed", () => {
    const expected = [...bundledPackageDirs()].map((dir) => {
      const manifest = JSON.parse(readFileSync(resolve(dir, "package.json"), "utf8")) as { name: string; version: string };
      return `${manifest.name}@${manifest.version}`;
    });
    expect(expected.length).toBeGreaterThan(10);
    const listed = sbom.components.map((component) => `${nameOf(component)}@${component.version}`);
    expect(listed.sort()).toEqual(expected.sort());
    // What the server imports itself is there; the toolchain and the stubbed-out form-data are not.
    for (const name of ["zod", "pino", "axios", "@modelcontextprotocol/sdk", "cockatiel", "lru-cache"]) {
      expect(sbom.components.map(nameOf)).toContain(name);
    }
    for (const name of ["typescript", "esbuild", "vitest", "eslint", "tsx", "form-data", "mime-db"]) {
      expect(sbom.components.map(nameOf)).not.toContain(name);
    }
  });

  it("gives each package its purl, its lockfile hash and a licence", () => {
    const dirs = [...bundledPackageDirs()];
    for (const component of sbom.components) {
      const name = nameOf(component);
      expect(component.type).toBe("library");
      expect(component.purl).toBe(`pkg:npm/${name.replace(/^@/, "%40")}@${component.version}`);
      expect(component["bom-ref"]).toBe(component.purl);
      const dir = dirs.find((candidate) => candidate.endsWith(`node_modules/${name}`)
        && lock.packages[candidate]?.version === component.version);
      expect(dir, name).toBeDefined();
      const locked = lock.packages[dir as string];
      const integrity = Buffer.from((locked?.integrity ?? "").replace(/^sha512-/, ""), "base64").toString("hex");
      expect(component.hashes).toEqual([{ alg: "SHA-512", content: integrity }]);
      expect(component.licenses?.length, name).toBe(1);
    }
  });

  it("states the dependency graph between the bundled packages, rooted at this package", () => {
    const refs = new Set([sbom.metadata.component.purl, ...sbom.components.map((component) => component.purl)]);
    expect(sbom.dependencies.map((dependency) => dependency.ref).sort()).toEqual([...refs].sort());
    for (const dependency of sbom.dependencies) {
      for (const target of dependency.dependsOn) expect(refs.has(target), target).toBe(true);
    }
    const root = sbom.dependencies.find((dependency) => dependency.ref === sbom.metadata.component.purl);
    expect(root?.dependsOn).toContain(sbom.components.find((component) => component.name === "zod")?.purl);
  });
});
