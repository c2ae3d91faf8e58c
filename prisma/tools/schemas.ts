/**
 * The two provider schemas are produced from the one model definition (prisma/models.prisma):
 * only the header (datasource provider and generated client folder) differs.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const providers = ["sqlite", "postgresql"] as const;
export type Provider = (typeof providers)[number];

export const prismaDir = dirname(dirname(fileURLToPath(import.meta.url)));
export const projectDir = dirname(prismaDir);

/** Folder of one provider: its schema.prisma and its migrations/. */
export function providerDir(provider: Provider): string {
  return join(prismaDir, provider);
}

export function schemaPath(provider: Provider): string {
  return join(providerDir(provider), "schema.prisma");
}

export function migrationsDir(provider: Provider): string {
  return join(providerDir(provider), "migrations");
}

/** The schema text for one provider, as `npm run db:generate` writes it. */
export function renderSchema(provider: Provider, models = readFileSync(join(prismaDir, "models.prisma"), "utf8")): string {
  return `// GENERATED from prisma/models.prisma by \`npm run db:generate\`: edit that file, not this one.

generator client {
  provider     = "prisma-client"
  output       = "../../src/generated/${provider}"
  moduleFormat = "esm"
}

datasource db {
  provider = "${provider}"
}

${models.trim()}
`;
}
