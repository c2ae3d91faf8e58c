/**
 * Before any test: a throwaway certificate authority and a certificate for 127.0.0.1 and
 * localhost signed by it, for the stand-ins served over HTTPS on loopback (Microsoft Entra,
 * Partner Center). Node trusts the authority through NODE_EXTRA_CA_CERTS, set here so that every
 * test worker (and every bot process a test starts) inherits it, as a partner's staging would.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";

let dir: string | undefined;

export async function setup(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), "csp-bot-tls-"));
  const notAfterDate = new Date(Date.now() + 30 * 86_400_000);
  const ca = await generate([{ name: "commonName", value: "CSP bot test authority" }], { keySize: 2048, algorithm: "sha256", notAfterDate, extensions: [{ name: "basicConstraints", cA: true, critical: true }, { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true }] });
  const leaf = await generate([{ name: "commonName", value: "localhost" }], {
    keySize: 2048,
    algorithm: "sha256",
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] },
    ],
  });
  writeFileSync(join(dir, "ca.pem"), ca.cert);
  writeFileSync(join(dir, "server.pem"), leaf.cert);
  writeFileSync(join(dir, "server-key.pem"), leaf.private, { mode: 0o600 });
  process.env.NODE_EXTRA_CA_CERTS = join(dir, "ca.pem");
  process.env.TEST_TLS_CERT = join(dir, "server.pem");
  process.env.TEST_TLS_KEY = join(dir, "server-key.pem");
}

export function teardown(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}
