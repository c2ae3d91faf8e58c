/** `npm run package`: writes manifest/build/<name>-<version>.zip, the app to install in Teams. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadDotEnv, parseConfig } from "../src/config.js";
import { buildAppPackage, ManifestInvalid, manifestDir } from "./appPackage.js";

loadDotEnv();
const parsed = parseConfig(process.env);
if (!parsed.ok) {
  for (const error of parsed.errors) console.error(`configuration: ${error}`);
  process.exit(1);
}
const botId = parsed.config.microsoftApp.id;
if (!botId) {
  console.error("Set MICROSOFT_APP_ID (the Azure Bot's app id, in the environment or .env) before packaging: the manifest names the bot by it.");
  process.exit(1);
}
const { name, version } = JSON.parse(readFileSync(join(manifestDir, "..", "package.json"), "utf8")) as { name: string; version: string };
try {
  const zip = buildAppPackage(botId, version);
  mkdirSync(join(manifestDir, "build"), { recursive: true });
  const out = join(manifestDir, "build", `${name}-${version}.zip`);
  writeFileSync(out, zip);
  console.log(`wrote ${out} (bot ${botId}, version ${version})`);
} catch (error) {
  if (error instanceof ManifestInvalid) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
