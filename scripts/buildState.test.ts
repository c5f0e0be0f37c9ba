import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newerSource } from "./buildState";

/** A project tree whose files were all written an hour before the build, which was ten minutes ago. */
function project() {
  const root = mkdtempSync(join(tmpdir(), "layers-build-state-"));
  const hourAgo = new Date(Date.now() - 3_600_000);
  for (const file of ["app/page.tsx", "server/http/route.ts", "server/http/route.test.ts", "db/schema/index.ts", "next.config.ts", "README.md", "sdk/python/x.py", "e2e/a.spec.ts"]) {
    mkdirSync(join(root, file, ".."), { recursive: true });
    writeFileSync(join(root, file), "x");
    utimesSync(join(root, file), hourAgo, hourAgo);
  }
  mkdirSync(join(root, ".next"));
  writeFileSync(join(root, ".next", "BUILD_ID"), "id");
  const tenMinutesAgo = new Date(Date.now() - 600_000);
  utimesSync(join(root, ".next", "BUILD_ID"), tenMinutesAgo, tenMinutesAgo);
  return { root, buildId: join(root, ".next", "BUILD_ID"), touch: (file: string) => writeFileSync(join(root, file), "changed") };
}

describe("newerSource", () => {
  it("is null while the build is newer than every source", () => {
    const { root, buildId } = project();
    expect(newerSource(root, buildId)).toBeNull();
  });

  it("names a source file changed after the build, in a nested directory or at the top", () => {
    const a = project();
    a.touch("server/http/route.ts");
    expect(newerSource(a.root, a.buildId)).toBe(join("server", "http", "route.ts"));
    const b = project();
    b.touch("next.config.ts");
    expect(newerSource(b.root, b.buildId)).toBe("next.config.ts");
  });

  it("ignores what the build does not read: tests, docs, the SDKs, the e2e suites", () => {
    const { root, buildId, touch } = project();
    for (const file of ["server/http/route.test.ts", "README.md", "sdk/python/x.py", "e2e/a.spec.ts"]) touch(file);
    expect(newerSource(root, buildId)).toBeNull();
  });
});
