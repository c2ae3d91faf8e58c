/** Organisations, callers and customer data shared by the domain tests. */
import { sampleAccount } from "../../bot/dev/samples.js";
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

/** A Microsoft Customer Agreement attestation as the agreement card submits it. */
export const validAttestation = (overrides: Record<string, string> = {}) => ({ firstName: "Ana", lastName: "Bowman", email: "ana@fabrikam.com", phone: "", dateAgreed: "2026-11-01", accepted: "true", ...overrides });

/** Offers of the embedded catalog, by productId:skuId. */
export const OFFERS = {
  businessBasic: "CFQ7TTC0LH18:0001",
  businessBasicTrial: "CFQ7TTC0LH18:0002",
  businessStandard: "CFQ7TTC0LDPB:0001",
  businessStandardTrial: "CFQ7TTC0LDPB:0002",
  businessPremium: "CFQ7TTC0LCHC:0002",
  businessPremiumTrial: "CFQ7TTC0LCHC:0003",
  e1: "CFQ7TTC0LF8Q:0001",
  e3: "CFQ7TTC0LF8R:0001",
  e3Trial: "CFQ7TTC0LF8R:0002",
  e5: "CFQ7TTC0LF8S:0001",
  exchange1: "CFQ7TTC0LH16:0001",
  azurePlan: "DZH318Z0BPS6:0001",
  extraFileStorage: "CFQ7TTC0LHWP:0001",
  audioConferencing: "CFQ7TTC0LHSQ:0001",
  e1Legacy: "91FD106F-4B2C-4938-95AC-F54F74E9A239:0001",
  exchange1Legacy: "4B9405B0-7788-4568-ADD1-99614E613B69:0001",
} as const;

type Services = ReturnType<typeof import("./harness.js").testServices>;

/**
 * A customer created in the embedded Partner Center, with its agreement attested (unless
 * `attested: false`), and optionally its first subscriptions (productId:skuId → licences) on a term.
 */
export async function newCustomer(
  services: Services,
  caller: Caller,
  options: { account?: Record<string, string>; quantities?: Record<string, number>; term?: "P1M" | "P1Y" | "P3Y"; cycle?: "monthly" | "annual" | "triennial"; attested?: boolean; resellerOrgId?: string | null; key?: string } = {},
) {
  const key = options.key ?? crypto.randomUUID();
  const created = await services.customers.create(caller, { account: validAccount({ domainPrefix: `c${key.replace(/-/g, "").slice(0, 20)}`, ...options.account }), creationKey: key, resellerOrgId: options.resellerOrgId ?? null });
  if (options.attested !== false) await services.customers.attest(caller, { customerId: created.customer.id, attestation: validAttestation(), key });
  let subscriptionIds: string[] = [];
  if (options.quantities && Object.keys(options.quantities).length) {
    subscriptionIds = (await order(services, caller, created.customer.id, options.quantities, { term: options.term, cycle: options.cycle, key: `order:${key}` })).subscriptionIds;
  }
  return { ...created, customerId: created.customer.id, subscriptionIds };
}

/** Orders offers (productId:skuId → licences) for a customer on a term, through the order service. */
export async function order(services: Services, caller: Caller, customerId: string, quantities: Record<string, number>, options: { term?: "P1M" | "P1Y" | "P3Y"; cycle?: "monthly" | "annual" | "triennial"; key?: string; resellerOfRecordId?: string | null } = {}) {
  const term = options.term ?? "P1Y";
  const cycle = options.cycle ?? "monthly";
  const { choices } = await services.orders.catalogFor(caller, customerId, term, cycle);
  const lines = Object.entries(quantities).map(([key, quantity]) => {
    const choice = choices.find((candidate) => `${candidate.offer.productId}:${candidate.offer.skuId}` === key);
    if (!choice) throw new Error(`${key} is not sold on ${term} ${cycle}`);
    return { catalogItemId: choice.offer.catalogItemId, quantity };
  });
  return services.orders.place(caller, { customerId, termDuration: term, billingCycle: cycle, lines, idempotencyKey: options.key ?? crypto.randomUUID(), resellerOfRecordId: options.resellerOfRecordId ?? null });
}
