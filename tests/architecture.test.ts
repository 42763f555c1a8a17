// The shape of src/ that the architecture depends on, checked on every run: no import cycle between modules, type
// imports included (import-x/no-cycle skips type-only imports, and a type cycle still means two modules cannot be
// understood or moved apart), and a small src/ root.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve("src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

// Every static import and re-export, `import type` included, and dynamic imports of a literal path.
const IMPORT = new RegExp(
  String.raw`(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["'](\.{1,2}/[^"']+)["']`
  + String.raw`|import\(\s*["'](\.{1,2}/[^"']+)["']\s*\)`,
  "g",
);

/** Module → the modules it imports, as paths relative to src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, "utf8");
    const targets: string[] = [];
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? "";
      const target = resolve(dirname(file), specifier.replace(/\.js$/, ".ts"));
      targets.push(relative(SRC, target));
    }
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

/** The cycles of the graph, each as the path that closes it (Tarjan's strongly connected components). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const lowLinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    lowLinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indices.has(next)) {
        visit(next);
        lowLinks.set(node, Math.min(lowLinks.get(node) ?? 0, lowLinks.get(next) ?? 0));
      } else if (onStack.has(next)) {
        lowLinks.set(node, Math.min(lowLinks.get(node) ?? 0, indices.get(next) ?? 0));
      }
    }
    if (lowLinks.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member !== undefined) {
          onStack.delete(member);
          component.push(member);
        }
      } while (member !== undefined && member !== node);
      const selfImport = (graph.get(node) ?? []).includes(node);
      if (component.length > 1 || selfImport) found.push(component.reverse());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}

describe("the module graph of src/", () => {
  it("has no import cycle, type-only imports included", () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(50);
    // The graph really has the imports: a value import, a type-only import and a dynamic one.
    expect(graph.get("index.ts")).toEqual(expect.arrayContaining(["config/config.ts", "cli/serve-stdio.ts"]));
    expect(graph.get("cli/serve-stdio.ts")).toContain("mcp/server.ts");
    expect(graph.get("tools/define.ts")).toContain("config/config.ts");
    expect(cycles(graph), "modules that import each other, directly or in a ring").toEqual([]);
  });

  it("finds a cycle when there is one (the check itself works)", () => {
    const graph = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]], ["d.ts", ["a.ts"]]]);
    expect(cycles(graph)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });

  it("keeps the src/ root to the entry point and the few modules everything shares", () => {
    const root = readdirSync(SRC).filter((name) => name.endsWith(".ts")).sort();
    expect(root).toEqual(["context.ts", "errors.ts", "index.ts", "logger.ts", "version.ts"]);
  });
});
