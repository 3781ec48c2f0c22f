/**
 * The structure rules of src/, checked on every run:
 *
 * - no import cycle anywhere in src/ (type-only imports count: a cycle of types is still a knot
 *   in the design, and a runtime cycle one refactor away);
 * - a service never imports another service (they talk through `ctx.invoke`);
 * - the portable core imports no `node:` module (only src/runtime/ may).
 *
 * Imports are read from the text (static `import`/`export … from`, `import("…")`), relative
 * specifiers resolved to files; package imports are not followed.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../src");

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const IMPORT = /(?:^|[\n;])\s*(?:import|export)\s+(?:type\s+)?(?:[^"'`;]*?\sfrom\s+)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** Specifiers a file imports (comments stripped first, so examples in docs do not count). */
function specifiersOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  return [...code.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!);
}

/** The import graph of src/: file -> files it imports (relative to src/, `/`-separated). */
export function importGraph(): Map<string, string[]> {
  const files = sourceFiles(SRC);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  const rel = (p: string) => relative(SRC, p).split(sep).join("/");
  for (const file of files) {
    const deps: string[] = [];
    for (const spec of specifiersOf(readFileSync(file, "utf8"))) {
      if (!spec.startsWith(".")) {
        deps.push(spec);
        continue;
      }
      const target = resolve(dirname(file), spec);
      if (known.has(target)) deps.push(rel(target));
    }
    graph.set(rel(file), deps);
  }
  return graph;
}

/** Strongly connected components with more than one file (or a file importing itself). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index), low.set(v, index++), stack.push(v), onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indexOf.has(w)) visit(w), low.set(v, Math.min(low.get(v)!, low.get(w)!));
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do (w = stack.pop()!), onStack.delete(w), component.push(w);
      while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indexOf.has(v)) visit(v);
  return found;
}

const serviceOf = (file: string): string | undefined => /^services\/([^/]+)\//.exec(file)?.[1];

describe("architecture of src/", () => {
  const graph = importGraph();

  it("reads the whole tree", () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get("emulator.ts")!.length).toBeGreaterThan(3);
  });

  it("has no import cycle", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("no service imports another service", () => {
    const crossings: string[] = [];
    for (const [file, deps] of graph) {
      const own = serviceOf(file);
      if (!own) continue;
      for (const dep of deps) {
        const other = serviceOf(dep);
        if (other && other !== own) crossings.push(`${file} -> ${dep}`);
      }
    }
    expect(crossings).toEqual([]);
  });

  it("the portable core imports no node: module", () => {
    const offenders = [...graph].filter(([file, deps]) => !file.startsWith("runtime/") && deps.some((d) => d.startsWith("node:"))).map(([f]) => f);
    expect(offenders).toEqual([]);
  });

  it("the checker itself finds a cycle and a crossing (so a pass means something)", () => {
    const knot = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]], ["d.ts", ["a.ts"]]]);
    expect(cycles(knot)).toEqual([["a.ts", "b.ts", "c.ts"]]);
    expect(specifiersOf('import type { X } from "./x.ts";\nexport { y } from "../y.ts";\nconst m = await import("./m.ts");\n// import "./no.ts"')).toEqual(["./x.ts", "../y.ts", "./m.ts"]);
    expect(serviceOf("services/s3/objects.ts")).toBe("s3");
    expect(serviceOf("services/types.ts")).toBeUndefined();
  });
});
