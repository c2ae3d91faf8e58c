/**
 * `npm run db:generate` (also run after `npm install`): writes each provider's schema from
 * prisma/models.prisma and generates its Prisma client under src/generated/<provider>.
 *
 * The Prisma CLI tries to download its native schema engine at start even though `generate`
 * never runs it; pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file keeps it offline.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { providerDir, providers, renderSchema, schemaPath, projectDir } from "./schemas.js";

const require = createRequire(import.meta.url);
const prismaCli = require.resolve("prisma/build/index.js");

for (const provider of providers) {
  mkdirSync(providerDir(provider), { recursive: true });
  writeFileSync(schemaPath(provider), renderSchema(provider));
  const result = spawnSync(process.execPath, [prismaCli, "generate", "--schema", schemaPath(provider)], {
    cwd: projectDir,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      CHECKPOINT_DISABLE: "1",
    },
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    console.error(`prisma generate failed for ${provider}`);
    process.exit(1);
  }
  console.log(`generated the ${provider} client`);
}
