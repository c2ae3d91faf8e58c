/**
 * The Agents Toolkit's own schema for m365agents.yml, from the toolkit's CLI package on the npm
 * registry (pinned; npm checks its integrity), kept under node_modules/.cache after the first use.
 * The CLI itself is not a dependency: it pulls a native keychain module that needs libsecret.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const CLI = "@microsoft/m365agentstoolkit-cli";
const CLI_VERSION = "1.1.17";

export function toolkitYamlSchema(schemaVersion: string): Record<string, unknown> {
  const dir = join(import.meta.dirname, "..", "..", "node_modules", ".cache", `m365agentstoolkit-cli-${CLI_VERSION}`);
  const file = join(dir, "package", "resource", "yaml-schema", schemaVersion, "yaml.schema.json");
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    execFileSync("npm", ["pack", `${CLI}@${CLI_VERSION}`, "--pack-destination", dir, "--silent"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"], timeout: 180_000 });
    const tarball = readdirSync(dir).find((name) => name.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack ${CLI}@${CLI_VERSION} wrote no tarball`);
    execFileSync("tar", ["-xzf", tarball, "package/resource/yaml-schema"], { cwd: dir });
  }
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
}
