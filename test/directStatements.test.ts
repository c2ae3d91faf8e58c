/**
 * The hot path's statements given to the driver directly (Database.direct), on the database under
 * test: they read what Prisma wrote as Prisma reads it, timestamps included, whatever the
 * process's time zone (pg reads a timestamp without time zone as local time unless told otherwise).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placeholders, rawDate } from "../src/db/rawQuery.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

describe(`statements given to the driver directly (${providerUnderTest})`, () => {
  let database: TestDatabase;
  const zone = process.env.TZ;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    process.env.TZ = zone;
    await database.drop();
  });

  it("read rows as Prisma wrote them, timestamps as the instant they hold in any time zone, and change rows", async () => {
    const written = await database.db.botState.create({ data: { key: "k-1", data: "{}", etag: "e-1" } });
    const [key] = placeholders(database.provider, 1);
    process.env.TZ = "America/New_York";
    try {
      const rows = await database.direct.query<{ key: string; etag: string; updatedAt: Date | string | number | bigint }>(`SELECT "key", "etag", "updatedAt" FROM "BotState" WHERE "key" = ${key}`, ["k-1"]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ key: "k-1", etag: "e-1" });
      expect(rawDate(rows[0].updatedAt).toISOString()).toBe(written.updatedAt.toISOString());
    } finally {
      process.env.TZ = zone;
    }
    const [etag, where] = placeholders(database.provider, 2);
    expect(await database.direct.execute(`UPDATE "BotState" SET "etag" = ${etag} WHERE "key" = ${where}`, ["e-2", "k-1"])).toBe(1);
    expect(await database.direct.execute(`UPDATE "BotState" SET "etag" = ${etag} WHERE "key" = ${where}`, ["e-3", "nobody"])).toBe(0);
    expect((await database.db.botState.findUniqueOrThrow({ where: { key: "k-1" } })).etag).toBe("e-2");
  });
});
