import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A throwaway certificate authority and a certificate it signed for
 * localhost and 127.0.0.1, so the tests' webhook receivers can be real https
 * servers (webhook URLs must be https with PostgreSQL). Processes trust the
 * authority through NODE_EXTRA_CA_CERTS, which Node reads at start: the
 * global setups make the files and set it before any test process starts.
 * No vitest and no `@/` imports: the Playwright suites use it too.
 */
export interface TestTls {
  dir: string;
  ca: string;
  cert: string;
  key: string;
}

export const TEST_TLS_DIR_VAR = "LAYERS_TEST_TLS_DIR";

function openssl(args: string[], cwd: string) {
  execFileSync("openssl", args, { cwd, stdio: "pipe" });
}

/** Makes a fresh authority and certificate for one test run. */
export function makeTestTls(): TestTls {
  const dir = mkdtempSync(join(tmpdir(), "layers-test-tls-"));
  const files = { dir, ca: join(dir, "ca.pem"), cert: join(dir, "cert.pem"), key: join(dir, "key.pem") };
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "30", "-subj", "/CN=Layers Connect test CA"], dir);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.csr", "-subj", "/CN=localhost"], dir);
  writeFileSync(join(dir, "san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  openssl(["x509", "-req", "-in", "cert.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-out", "cert.pem", "-days", "30", "-extfile", "san.ext"], dir);
  return files;
}

/** The files the global setup made, for a test's https server. */
export function testTls(): { cert: Buffer; key: Buffer } {
  const dir = process.env[TEST_TLS_DIR_VAR];
  if (!dir) throw new Error(`${TEST_TLS_DIR_VAR} is not set: the global setup makes the test certificates`);
  return { cert: readFileSync(join(dir, "cert.pem")), key: readFileSync(join(dir, "key.pem")) };
}

/** Sets the variables a test process needs (before it starts). */
export function exportTestTls(tls: TestTls) {
  process.env[TEST_TLS_DIR_VAR] = tls.dir;
  process.env.NODE_EXTRA_CA_CERTS = tls.ca;
}
