// The package's SBOM: a CycloneDX 1.6 JSON document listing exactly the npm packages esbuild bundled into dist/.
// Every runtime library is a devDependency that the bundle carries inside itself, so `npm audit` of the installed
// package sees nothing; this file is what an auditor scans instead (docs/security.md, "Supply chain").
//
// Built from two sources of truth, no third-party generator: esbuild's metafile says which files went into the
// bundle (so a package that is installed but not bundled, such as form-data, which the build replaces with a
// stub, is absent), and package-lock.json says each package's version, license and integrity hash. A generator
// that walks the dependency tree (cyclonedx-npm) would list what `npm ci` installs, toolchain included, which is
// not what ships. Deterministic: the same build gives the same file, byte for byte.
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const NODE_MODULES = "node_modules/";

/** "node_modules/a/node_modules/@s/b/lib/x.js" → "node_modules/a/node_modules/@s/b" (the lockfile's key). */
export function packageDirOf(inputPath) {
  const at = inputPath.lastIndexOf(NODE_MODULES);
  if (at === -1) return undefined;
  const rest = inputPath.slice(at + NODE_MODULES.length).split("/");
  const name = rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  return name ? inputPath.slice(0, at + NODE_MODULES.length) + name : undefined;
}

/** The package URL of an npm package: the scope's @ is percent-encoded. */
export function npmPurl(name, version) {
  return `pkg:npm/${name.replace(/^@/, "%40")}@${version}`;
}

function licensesOf(license) {
  if (typeof license !== "string" || license === "") return undefined;
  // An SPDX expression ("MIT OR Apache-2.0") is stated as one; a single identifier as an id.
  return /\s(OR|AND|WITH)\s|^\(/.test(license) ? [{ expression: license }] : [{ license: { id: license } }];
}

function hashesOf(integrity) {
  const match = typeof integrity === "string" ? /^sha512-([A-Za-z0-9+/=]+)$/.exec(integrity.split(" ")[0] ?? "") : null;
  return match ? [{ alg: "SHA-512", content: Buffer.from(match[1], "base64").toString("hex") }] : undefined;
}

function component(name, version, extra) {
  const slash = name.startsWith("@") ? name.indexOf("/") : -1;
  const purl = npmPurl(name, version);
  return {
    type: "library",
    "bom-ref": purl,
    ...(slash === -1 ? { name } : { group: name.slice(0, slash), name: name.slice(slash + 1) }),
    version,
    purl,
    ...extra,
  };
}

/**
 * The SBOM for a build: `metafile` is esbuild's (input paths relative to `root`), `root` the repository folder
 * holding package.json and package-lock.json.
 */
export function sbomFor(metafile, root) {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
  const rootRef = npmPurl(pkg.name, pkg.version);

  /** Lockfile key → what the SBOM says about that package. */
  const bundled = new Map();
  const describe = (dir) => {
    let entry = bundled.get(dir);
    if (entry) return entry;
    const locked = lock.packages?.[dir];
    const manifest = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
    const version = locked?.version ?? manifest.version;
    if (locked?.version && manifest.version !== locked.version) {
      throw new Error(`sbom: ${dir} is ${manifest.version} on disk but ${locked.version} in package-lock.json; run npm ci.`);
    }
    const licenses = licensesOf(locked?.license ?? manifest.license);
    const hashes = hashesOf(locked?.integrity);
    entry = {
      ref: npmPurl(manifest.name, version),
      dependsOn: new Set(),
      component: component(manifest.name, version, {
        ...(licenses ? { licenses } : {}),
        ...(hashes ? { hashes } : {}),
        ...(locked?.resolved ? { externalReferences: [{ type: "distribution", url: locked.resolved }] } : {}),
      }),
    };
    bundled.set(dir, entry);
    return entry;
  };

  const rootDependsOn = new Set();
  for (const [path, input] of Object.entries(metafile.inputs)) {
    const dir = packageDirOf(path);
    const owner = dir === undefined ? undefined : describe(dir);
    for (const imported of input.imports ?? []) {
      if (imported.external || !(imported.path in metafile.inputs)) continue;
      const target = packageDirOf(imported.path);
      if (target === undefined || target === dir) continue;
      (owner?.dependsOn ?? rootDependsOn).add(describe(target).ref);
    }
  }

  const entries = [...bundled.values()].sort((a, b) => a.ref.localeCompare(b.ref));
  const document = {
    $schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
    bomFormat: "CycloneDX",
    specVersion: "1.6",
    version: 1,
    metadata: {
      tools: { components: [{ type: "application", name: "customer-mcp scripts/sbom.mjs" }] },
      component: {
        type: "application",
        "bom-ref": rootRef,
        name: pkg.name,
        version: pkg.version,
        purl: rootRef,
        ...(licensesOf(pkg.license) ? { licenses: licensesOf(pkg.license) } : {}),
      },
      properties: [
        {
          name: "customer-mcp:sbom:scope",
          value: "exactly the npm packages bundled into dist/ (from the esbuild metafile); nothing is installed at run time",
        },
      ],
    },
    components: entries.map((entry) => entry.component),
    dependencies: [
      { ref: rootRef, dependsOn: [...rootDependsOn].sort() },
      ...entries.map((entry) => ({ ref: entry.ref, dependsOn: [...entry.dependsOn].sort() })),
    ],
  };
  // Same content, same serial number: a name-based UUID from the document's hash.
  const digest = createHash("sha256").update(JSON.stringify(document)).digest("hex");
  const uuid = [digest.slice(0, 8), digest.slice(8, 12), `5${digest.slice(13, 16)}`,
    `${((parseInt(digest[16], 16) & 0x3) | 0x8).toString(16)}${digest.slice(17, 20)}`, digest.slice(20, 32)].join("-");
  const { $schema, bomFormat, specVersion, ...rest } = document;
  return { $schema, bomFormat, specVersion, serialNumber: `urn:uuid:${uuid}`, ...rest };
}
