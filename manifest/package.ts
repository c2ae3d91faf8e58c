/**
 * `npm run package`: writes manifest/build/<name>-<version>.zip, the app to install in Teams. It
 * needs the bot's app id (MICROSOFT_APP_ID or BOT_ID) and nothing secret; TEAMS_APP_ID when the
 * Teams app has its own id (the Agents Toolkit's), the bot's id otherwise.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadDotEnv, packageIdentity } from "../src/config.js";
import { buildAppPackage, ManifestInvalid, manifestDir } from "./appPackage.js";

loadDotEnv();
const identity = packageIdentity(process.env);
if (!identity.ok) {
  for (const error of identity.errors) console.error(error);
  process.exit(1);
}
const { name, version } = JSON.parse(readFileSync(join(manifestDir, "..", "package.json"), "utf8")) as { name: string; version: string };
try {
  const zip = buildAppPackage({ TEAMS_APP_ID: identity.teamsAppId, BOT_ID: identity.botId, APP_VERSION: version });
  mkdirSync(join(manifestDir, "build"), { recursive: true });
  const out = join(manifestDir, "build", `${name}-${version}.zip`);
  writeFileSync(out, zip);
  console.log(`wrote ${out} (bot ${identity.botId}, Teams app ${identity.teamsAppId}, version ${version})`);
} catch (error) {
  if (error instanceof ManifestInvalid) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
