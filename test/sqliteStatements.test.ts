/**
 * SQLite statements compiled once per connection (src/db/sqliteStatements.ts): the same SQL
 * text reuses its statement with new arguments each time, through the calls Prisma's adapter makes;
 * and the hot path's statements given to that connection directly (Database.direct).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database.js";
import { reusePreparedStatements } from "../src/db/sqliteStatements.js";

interface Connection {
  prepare(sql: string): { bind(args: unknown[]): { reader: boolean; run(): { changes: number }; columns(): { name: string }[]; raw(): { all(): unknown[][] } }; run(...args: unknown[]): unknown };
  close(): void;
}

const betterSqlite3 = "better-sqlite3";
const Database = ((await import(betterSqlite3)) as { default: new (file: string) => Connection }).default;

describe("SQLite statements prepared once", () => {
  it("compiles each SQL text once, and runs it with each call's own arguments (as Prisma's adapter calls it)", () => {
    const connection = new Database(join(mkdtempSync(join(tmpdir(), "csp-statements-")), "db.sqlite"));
    const compiled: string[] = [];
    const prepare = connection.prepare.bind(connection);
    connection.prepare = (sql: string) => {
      compiled.push(sql);
      return prepare(sql);
    };
    reusePreparedStatements(connection as unknown as Parameters<typeof reusePreparedStatements>[0]);
    connection.prepare("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)").run();
    for (const name of ["ana", "bo", "cy"]) expect(connection.prepare("INSERT INTO t (name) VALUES (?)").bind([name]).run().changes).toBe(1);
    const read = (id: number) => {
      const bound = connection.prepare("SELECT id, name FROM t WHERE id = ?").bind([id]);
      expect(bound.reader).toBe(true);
      expect(bound.columns().map((column) => column.name)).toEqual(["id", "name"]);
      return bound.raw().all();
    };
    expect(read(2)).toEqual([[2, "bo"]]);
    expect(read(3)).toEqual([[3, "cy"]]);
    expect(read(9)).toEqual([]);
    expect(compiled.filter((sql) => sql.startsWith("INSERT"))).toHaveLength(1);
    expect(compiled.filter((sql) => sql.startsWith("SELECT"))).toHaveLength(1);
    connection.close();
  });

  it("a database through Prisma reads and writes as before, in and out of transactions", async () => {
    const database = openDatabase({ provider: "sqlite", file: join(mkdtempSync(join(tmpdir(), "csp-statements-")), "bot.db") });
    try {
      await database.migrate();
      const org = await database.db.organisation.create({ data: { tenantId: "t-1", kind: "provider", name: "Contoso" } });
      await database.db.$transaction(async (tx) => {
        await tx.organisation.update({ where: { id: org.id }, data: { name: "Contoso Ltd" } });
        await tx.organisation.create({ data: { tenantId: "t-2", kind: "reseller", name: "Fabrikam" } });
      });
      await expect(
        database.db.$transaction(async (tx) => {
          await tx.organisation.update({ where: { id: org.id }, data: { name: "rolled back" } });
          throw new Error("no");
        }),
      ).rejects.toThrow("no");
      for (let i = 0; i < 3; i++) expect((await database.db.organisation.findUniqueOrThrow({ where: { id: org.id } })).name).toBe("Contoso Ltd");
      expect(await database.db.organisation.count()).toBe(2);
    } finally {
      await database.close();
    }
  });

  it("statements given to the driver directly wait for an open transaction, see only what it committed, and are timed", async () => {
    const observed: string[] = [];
    const database = openDatabase({ provider: "sqlite", file: join(mkdtempSync(join(tmpdir(), "csp-statements-")), "bot.db") }, { onQuery: (kind) => observed.push(kind) });
    try {
      await database.migrate();
      const names = () => database.direct.query<{ name: string }>(`SELECT "name" FROM "Organisation" WHERE "tenantId" = ?`, ["t-1"]);
      // Before Prisma has run anything on its connection.
      expect(await names()).toEqual([]);
      let inside!: () => void;
      const entered = new Promise<void>((resolve) => (inside = resolve));
      let commit!: () => void;
      const transaction = database.db.$transaction(async (tx) => {
        await tx.organisation.create({ data: { tenantId: "t-1", kind: "provider", name: "Contoso" } });
        inside();
        await new Promise<void>((resolve) => (commit = resolve));
      });
      await entered;
      // Issued while the transaction is open: it runs once the transaction has ended, never inside it.
      const during = names();
      const raced = await Promise.race([during.then(() => "read"), new Promise((resolve) => setTimeout(() => resolve("waiting"), 100))]);
      expect(raced).toBe("waiting");
      commit();
      await transaction;
      expect(await during).toEqual([{ name: "Contoso" }]);
      const reads = observed.filter((kind) => kind === "read").length;
      expect(await database.direct.execute(`UPDATE "Organisation" SET "name" = ? WHERE "tenantId" = ?`, ["Contoso Ltd", "t-1"])).toBe(1);
      expect(await database.direct.execute(`UPDATE "Organisation" SET "name" = ? WHERE "tenantId" = ?`, ["nobody", "t-9"])).toBe(0);
      expect(await names()).toEqual([{ name: "Contoso Ltd" }]);
      expect(observed.filter((kind) => kind === "read").length).toBe(reads + 1);
      expect(observed.filter((kind) => kind === "write").length).toBeGreaterThanOrEqual(2);
    } finally {
      await database.close();
    }
  });
});
