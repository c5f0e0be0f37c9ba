import { describe, expect, it } from "vitest";

describe("runtime", () => {
  // npm scripts pick up the Node that `npm install` brought (package.json's
  // "node" dependency) from node_modules/.bin, whatever the machine's own is.
  it("the tests run on Node.js 24 or newer", () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(24);
  });
});
