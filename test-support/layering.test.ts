import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The house rules that keep behaviour one hop from its route file: the
 * server and database layers never reach up into app/ (routes, pages),
 * production code never leans on test support, and the SDK (a package of
 * its own) never reaches into the app at all.
 */
const root = join(import.meta.dirname, "..");

function sourceFiles(dir: string, opts: { tests: boolean }): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => /\.tsx?$/.test(f) && (opts.tests || !/\.test\.tsx?$/.test(f)))
    .map((f) => join(dir, f));
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["']([^"']+)["']/g)].map((m) => m[1]!);
}

/** Resolves an import to a repository-relative path (for `@/` and relative specifiers). */
function target(file: string, specifier: string): string | null {
  if (specifier.startsWith("@/")) return specifier.slice(2);
  if (specifier.startsWith(".")) return relative(root, join(root, file, "..", specifier));
  return null;
}

const production = [...sourceFiles("server", { tests: false }), ...sourceFiles("db", { tests: false })];
// Tests of server/ may use test support, but reach app/ routes only through it.
const everything = [...sourceFiles("server", { tests: true }), ...sourceFiles("db", { tests: true })];

describe("layering", () => {
  it("finds the production files it checks", () => {
    expect(production.length).toBeGreaterThan(50);
    expect(production).toContain(join("server", "services.ts"));
  });

  it("server/ and db/ never import app/, not even in their tests", () => {
    const offenders = everything.flatMap((file) =>
      importsOf(file)
        .filter((s) => target(file, s)?.split("/")[0] === "app")
        .map((s) => `${file} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it("the TypeScript SDK imports only its own files: not the app, and no package (its one dependency is fetch)", () => {
    const sdk = sourceFiles(join("sdk", "typescript", "src"), { tests: false });
    expect(sdk).toContain(join("sdk", "typescript", "src", "index.ts"));
    const offenders = sdk.flatMap((file) =>
      importsOf(file)
        .filter((s) => !s.startsWith("./") || !target(file, s)!.startsWith(join("sdk", "typescript", "src")))
        .map((s) => `${file} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it("production code never imports test support or a test runner", () => {
    const offenders = production.flatMap((file) =>
      importsOf(file)
        .filter((s) => target(file, s)?.split("/")[0] === "test-support" || s === "vitest" || s.startsWith("@playwright/"))
        .map((s) => `${file} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });
});
