import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newWebhookSecret, signedHeaders } from "./signing";

/**
 * The README's Python verifier (the block after `<!-- verify-python -->`),
 * run as printed with the machine's python3 against messages Layers signs:
 * a README snippet that stopped working would fail here.
 */
function readmeVerifier(): string {
  const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
  const block = /<!-- verify-python -->\s*```python\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error("README.md has no verify-python block");
  return block[1]!;
}

function runVerifier(secret: string, headers: Record<string, string>, body: string): string {
  const dir = mkdtempSync(join(tmpdir(), "layers-readme-py-"));
  const script = join(dir, "check.py");
  writeFileSync(
    script,
    `${readmeVerifier()}\nimport sys\ntry:\n    print(json.dumps(verify(sys.argv[1], json.loads(sys.argv[2]), sys.argv[3].encode())))\nexcept ValueError as error:\n    print("refused: " + str(error))\n`,
  );
  return execFileSync("python3", [script, secret, JSON.stringify(headers), body], { encoding: "utf8" }).trim();
}

describe("the README's Python verifier", () => {
  const body = JSON.stringify({ type: "webhook.test", timestamp: new Date().toISOString(), data: { endpointId: "we_x" } });

  it("accepts a delivery Layers signed, and either secret during a rotation", () => {
    const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
    const headers = signedHeaders("evt_01HXZ8K2M4P5QRS6TV7WXYZ9AB", body, new Date(), [current, previous]);
    expect(JSON.parse(runVerifier(current, headers, body))).toEqual(JSON.parse(body));
    expect(JSON.parse(runVerifier(previous, headers, body))).toEqual(JSON.parse(body));
  });

  it("refuses another secret, a changed body and an old timestamp", () => {
    const secret = newWebhookSecret();
    const headers = signedHeaders("evt_01HXZ8K2M4P5QRS6TV7WXYZ9AB", body, new Date(), [secret]);
    expect(runVerifier(newWebhookSecret(), headers, body)).toBe("refused: no valid signature");
    expect(runVerifier(secret, headers, body.replace("we_x", "we_y"))).toBe("refused: no valid signature");
    const old = signedHeaders("evt_01HXZ8K2M4P5QRS6TV7WXYZ9AB", body, new Date(Date.now() - 10 * 60_000), [secret]);
    expect(runVerifier(secret, old, body)).toBe("refused: timestamp too far from now");
  });
});
