/** Organisations, callers and customer data shared by the domain tests. */
import { sampleAccount } from "../../bot/cards/samples.js";
import type { Db } from "../../src/db/database.js";
import type { Caller } from "../../src/identity/identityService.js";

export const PROVIDER_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

export const validAccount = (overrides: Record<string, string> = {}) => ({ ...sampleAccount, ...overrides });

/** Creates an organisation and one user in it; returns the user as a caller. */
export async function makeCaller(db: Db, options: { kind: "provider" | "reseller"; role?: "admin" | "agent"; tenantId?: string; name?: string; providerOrgId?: string }): Promise<Caller> {
  const tenantId = options.tenantId ?? crypto.randomUUID();
  const org = await db.organisation.upsert({ where: { tenantId }, create: { tenantId, kind: options.kind, name: options.name ?? `${options.kind} ${tenantId.slice(0, 4)}` }, update: {} });
  if (options.kind === "reseller" && options.providerOrgId) {
    const exists = await db.partnership.findFirst({ where: { resellerOrgId: org.id, providerOrgId: options.providerOrgId } });
    if (!exists) {
      await db.partnership.create({ data: { providerOrgId: options.providerOrgId, resellerOrgId: org.id, email: "partner@example.com", companyName: org.name, tokenHash: crypto.randomUUID(), status: "active", expiresAt: new Date(Date.now() + 86_400_000), invitedById: "test" } });
    }
  }
  const aadObjectId = crypto.randomUUID();
  const user = await db.user.create({ data: { orgId: org.id, tenantId, aadObjectId, displayName: "Test User", role: options.role ?? "admin" } });
  return { userId: user.id, tenantId, aadObjectId, displayName: user.displayName, role: options.role ?? "admin", organisation: { id: org.id, kind: options.kind, name: org.name } };
}

/** Every row of every table, as text: for asserting that a secret is stored nowhere. */
export async function everyStoredValue(db: Db, provider: "sqlite" | "postgresql"): Promise<string> {
  const tables =
    provider === "sqlite"
      ? await db.$queryRawUnsafe<{ name: string }[]>("SELECT name FROM sqlite_master WHERE type = 'table'")
      : await db.$queryRawUnsafe<{ name: string }[]>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'");
  const dumps: string[] = [];
  for (const { name } of tables) {
    const rows = await db.$queryRawUnsafe<unknown[]>(`SELECT * FROM "${name}"`);
    dumps.push(JSON.stringify(rows, (_key, value) => (typeof value === "bigint" ? value.toString() : value)));
  }
  return dumps.join("\n");
}

/** The caller a user of the database is (as identity resolution would build it). */
export async function callerOf(db: Db, aadObjectId: string): Promise<Caller> {
  const user = await db.user.findFirstOrThrow({ where: { aadObjectId }, include: { org: true } });
  return {
    userId: user.id,
    tenantId: user.tenantId,
    aadObjectId: user.aadObjectId,
    displayName: user.displayName,
    role: user.role === "admin" ? "admin" : "agent",
    organisation: { id: user.org.id, kind: user.org.kind === "reseller" ? "reseller" : "provider", name: user.org.name },
  };
}
