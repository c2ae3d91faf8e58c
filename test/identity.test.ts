import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidInput, NotAllowed, NotFound } from "../src/errors.js";
import { IdentityService } from "../src/identity/identityService.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

const PROVIDER = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER = "11111111-2222-4333-8444-555555555555";
const user = (tenantId: string, n: number) => ({ tenantId, aadObjectId: `aad-${n}`, displayName: `User ${n}` });

describe(`identity and roles (${providerUnderTest})`, () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(() => database.drop());

  const service = (providerTenantId?: string) => new IdentityService(database.db, { providerTenantId, providerName: "Contoso Distribution", logger: memoryLogger().logger });

  it("the provider's first user becomes admin, later users agents; both are remembered", async () => {
    const identity = service(PROVIDER);
    const first = await identity.resolve(user(PROVIDER, 1));
    const second = await identity.resolve(user(PROVIDER, 2));
    expect(first).toMatchObject({ status: "member", isNewUser: true, caller: { role: "admin", organisation: { kind: "provider", name: "Contoso Distribution" } } });
    expect(second).toMatchObject({ status: "member", isNewUser: true, caller: { role: "agent" } });
    expect(await identity.resolve(user(PROVIDER, 1))).toMatchObject({ status: "member", isNewUser: false, caller: { role: "admin" } });
    expect(await database.db.user.count()).toBe(2);
    expect(await database.db.organisation.count()).toBe(1);
  });

  it("a user of another tenant is not enrolled, and nothing is recorded for it", async () => {
    const identity = service(PROVIDER);
    expect(await identity.resolve(user(OTHER, 1))).toEqual({ status: "notEnrolled", tenantId: OTHER });
    expect(await database.db.user.count()).toBe(0);
    expect(await database.db.organisation.count()).toBe(0);
  });

  it("without PROVIDER_TENANT_ID the first tenant is recorded (and logged) as the provider; others are not enrolled", async () => {
    const { logger, lines } = memoryLogger();
    const identity = new IdentityService(database.db, { providerName: "Local provider", logger });
    expect(await identity.resolve(user(OTHER, 1))).toMatchObject({ status: "member", caller: { role: "admin", organisation: { kind: "provider" } } });
    expect(lines.join("\n")).toContain("recorded the first tenant");
    expect(await identity.resolve(user(PROVIDER, 2))).toEqual({ status: "notEnrolled", tenantId: PROVIDER });
    expect(await new IdentityService(database.db, { providerName: "x", logger }).providerTenantId()).toBe(OTHER);
  });

  it("when several new users arrive at once, exactly one becomes admin", async () => {
    const identity = service(PROVIDER);
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => identity.resolve(user(PROVIDER, n))));
    const roles = results.map((result) => (result.status === "member" ? result.caller.role : "none"));
    expect(roles.filter((role) => role === "admin")).toHaveLength(1);
    expect(roles.filter((role) => role === "agent")).toHaveLength(4);
    expect(await database.db.user.count({ where: { role: "admin" } })).toBe(1);
  });

  it("the same new user delivered twice at once is recorded once", async () => {
    const identity = service(PROVIDER);
    await Promise.all([identity.resolve(user(PROVIDER, 7)), identity.resolve(user(PROVIDER, 7))]);
    expect(await database.db.user.count()).toBe(1);
  });

  it("only an admin changes roles, only in its organisation, and one admin always remains", async () => {
    const identity = service(PROVIDER);
    const admin = await identity.resolve(user(PROVIDER, 1));
    const agent = await identity.resolve(user(PROVIDER, 2));
    if (admin.status !== "member" || agent.status !== "member") throw new Error("members expected");
    await expect(identity.setRole(agent.caller, admin.caller.userId, "agent")).rejects.toBeInstanceOf(NotAllowed);
    await identity.setRole(admin.caller, agent.caller.userId, "admin");
    expect((await database.db.user.findUniqueOrThrow({ where: { id: agent.caller.userId } })).role).toBe("admin");
    await identity.setRole(admin.caller, agent.caller.userId, "agent");
    await expect(identity.setRole(admin.caller, admin.caller.userId, "agent")).rejects.toBeInstanceOf(InvalidInput);
    expect((await database.db.user.findUniqueOrThrow({ where: { id: admin.caller.userId } })).role).toBe("admin");
    const stranger = await database.db.organisation.create({ data: { tenantId: OTHER, kind: "provider", name: "Other" } });
    const outsider = await database.db.user.create({ data: { orgId: stranger.id, tenantId: OTHER, aadObjectId: "x", displayName: "X", role: "agent" } });
    await expect(identity.setRole(admin.caller, outsider.id, "admin")).rejects.toBeInstanceOf(NotFound);
    expect(await database.db.auditEntry.count({ where: { action: "user.roleChanged" } })).toBe(2);
  });

  it("refuses an activity without a tenant or a user id", async () => {
    await expect(service(PROVIDER).resolve({ tenantId: "", aadObjectId: "x", displayName: "" })).rejects.toThrow();
  });
});
