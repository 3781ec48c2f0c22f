/**
 * The structure rules of src/, checked on every run:
 *
 * - no import cycle anywhere in src/ (type-only imports count: a cycle of types is still a knot
 *   in the design, and a runtime cycle one refactor away);
 * - a service never imports another service (they talk through `ctx.invoke`);
 * - the portable core imports no `node:` module (only src/runtime/ may);
 * - `any` stays under a ceiling (ANY_CEILING), so new code uses the model types or `unknown`.
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

/**
 * The most uses of the type `any` src/ may hold (generated files aside). Lower it when you
 * remove some; never raise it: type the value (src/generated/ has every model shape) or take
 * `unknown` and narrow. The counting rule is in docs/architecture.md ("Typed handlers").
 */
export const ANY_CEILING = 58;

const LEXEME = /\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\[\s\S])*`|\bany\b/g;

/** Uses of the word `any` in code: comments and string and template literals are skipped. */
export function countAny(text: string): number {
  let n = 0;
  for (const m of text.matchAll(LEXEME)) if (m[0] === "any") n++;
  return n;
}

/** `any` uses per file of src/, outside src/generated/ and `*.generated.ts` (largest first). */
export function anyUses(): [string, number][] {
  const out: [string, number][] = [];
  for (const file of sourceFiles(SRC)) {
    const rel = relative(SRC, file).split(sep).join("/");
    if (rel.startsWith("generated/") || /\.generated\.ts$/.test(rel)) continue;
    const n = countAny(readFileSync(file, "utf8"));
    if (n) out.push([rel, n]);
  }
  return out.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
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

  it(`uses the type any at most ${ANY_CEILING} times outside src/generated/`, () => {
    const uses = anyUses();
    const total = uses.reduce((sum, [, n]) => sum + n, 0);
    if (total > ANY_CEILING) {
      const top = uses.slice(0, 15).map(([f, n]) => `${n} ${f}`).join("\n");
      expect.fail(`${total} uses of any in src/ (ceiling ${ANY_CEILING}); type the values instead. Most in:\n${top}`);
    }
  });

  it("counts any only in code", () => {
    const text = [
      "// any in a comment",
      "/* any, any */",
      'const s = "any"; const t = \'any\'; const u = `any ${1}`;',
      "function f(x: any): any[] { return x as any; }",
      "const company = 1; const anyway = 2; type R = Record<string, any>;",
    ].join("\n");
    expect(countAny(text)).toBe(4);
  });

  it("the checker itself finds a cycle and a crossing (so a pass means something)", () => {
    const knot = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]], ["d.ts", ["a.ts"]]]);
    expect(cycles(knot)).toEqual([["a.ts", "b.ts", "c.ts"]]);
    expect(specifiersOf('import type { X } from "./x.ts";\nexport { y } from "../y.ts";\nconst m = await import("./m.ts");\n// import "./no.ts"')).toEqual(["./x.ts", "../y.ts", "./m.ts"]);
    expect(serviceOf("services/s3/objects.ts")).toBe("s3");
    expect(serviceOf("services/types.ts")).toBeUndefined();
  });
});
