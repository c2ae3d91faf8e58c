/**
 * SQLite statements compiled once per connection (src/db/sqliteStatements.ts): the same SQL
 * text reuses its statement with new arguments each time, through the calls Prisma's adapter makes.
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
});
