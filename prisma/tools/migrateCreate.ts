/**
 * `npm run db:migrate:create -- <name>`: after editing prisma/models.prisma, writes a new
 * migration for each provider, offline. Each migration folder keeps, beside its
 * migration.sql, a snapshot of the schema it produces (schema.prisma); the new migration is the
 * difference between the newest snapshot and the current schema, computed by Prisma's schema
 * engine without any database.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { diffSchemas, lastMigratedSchema, providerSchema } from "../../src/db/migrations.js";
import { migrationsDir, providers } from "./schemas.js";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]{1,60}$/.test(name)) {
  console.error("usage: npm run db:migrate:create -- <name>   (name: a-z, 0-9 and _, such as add_customers)");
  process.exit(2);
}

const generated = spawnSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "generate.ts")], { stdio: "inherit" });
if (generated.status !== 0) process.exit(1);

const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
for (const provider of providers) {
  const schema = providerSchema(provider);
  const sql = await diffSchemas(lastMigratedSchema(provider), schema);
  if (!sql) {
    console.log(`${provider}: the migrations already match the schema; nothing written`);
    continue;
  }
  const dir = migrationsDir(provider);
  const folder = join(dir, `${stamp}_${name}`);
  mkdirSync(folder, { recursive: true });
  if (!existsSync(join(dir, "migration_lock.toml"))) {
    writeFileSync(join(dir, "migration_lock.toml"), `# Written by npm run db:migrate:create; do not edit.\nprovider = "${provider}"\n`);
  }
  writeFileSync(join(folder, "migration.sql"), `${sql}\n`);
  writeFileSync(join(folder, "schema.prisma"), schema.content);
  console.log(`${provider}: wrote ${folder}/migration.sql`);
}
