/**
 * The first statement of a turn: whether its activity was already handled, the dialog state of its
 * user in its conversation, and whether that conversation is already known as the user's (active),
 * read together (lookups by the keys the activity carries, in one SELECT). The state is handed to
 * the storage so that loading it costs no second read.
 */
import type { Database } from "../../src/db/database.js";
import { placeholders, rawDate } from "../../src/db/rawQuery.js";
import type { PrismaStorage } from "../prismaStorage.js";
import type { Claim } from "./activityLedger.js";

interface Row {
  claim: string | null;
  refActive: boolean | number | bigint | null;
  data: string | null;
  etag: string | null;
  updatedAt: Date | string | number | bigint | null;
}


export class TurnRecords {
  private readonly sql: string;

  constructor(
    private readonly database: Pick<Database, "db" | "provider">,
    private readonly storage: PrismaStorage,
  ) {
    // The parameters in the order they appear in the text, and passed in that order.
    const [activity, user, conversation, state] = placeholders(database.provider, 4);
    this.sql =
      `SELECT (SELECT "status" FROM "ProcessedActivity" WHERE "key" = ${activity}) AS "claim",` +
      ` (SELECT "active" FROM "ConversationRef" WHERE "userId" = ${user} AND "conversationId" = ${conversation}) AS "refActive",` +
      ` s."data" AS "data", s."etag" AS "etag", s."updatedAt" AS "updatedAt" FROM (SELECT 1 AS "one") AS "one" LEFT JOIN "BotState" AS s ON s."key" = ${state}`;
  }

  /**
   * claim: "done", handled before, do nothing; "again", an attempt left it unfinished; "first",
   * never handled. refActive: whether the user's reference to this conversation is stored and
   * active. The state is primed either way.
   */
  async begin(activityKey: string | undefined, stateKey: string | undefined, reference: { userId: string; conversationId: string }): Promise<{ claim: Claim; refActive: boolean }> {
    const [row] = await this.database.db.$queryRawUnsafe<Row[]>(this.sql, activityKey ?? "", reference.userId, reference.conversationId, stateKey ?? "");
    if (stateKey) this.storage.prime(stateKey, row?.etag && row.data !== null && row.updatedAt !== null ? this.storage.store.documentOf({ data: row.data, etag: row.etag, updatedAt: rawDate(row.updatedAt) }) : null);
    return { claim: row?.claim === "done" ? "done" : row?.claim ? "again" : "first", refActive: row?.refActive !== null && row?.refActive !== undefined && Number(row.refActive) === 1 };
  }

  /** The turn ended without loading its state: the primed document is dropped. */
  end(stateKey: string | undefined): void {
    if (stateKey) this.storage.unprime(stateKey);
  }
}
