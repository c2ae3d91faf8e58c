/**
 * The first statement of a turn: whether its activity was already handled, the dialog state of its
 * user in its conversation, the user with their organisation (who is talking), and whether that
 * conversation is already known as the user's (active), read together (lookups by the keys the
 * activity carries, in one SELECT). The state is handed to the storage so that loading it costs
 * no second read; the user to the identity service, so that resolving the caller costs none either.
 */
import type { Database } from "../../src/db/database.js";
import { placeholders, rawDate } from "../../src/db/rawQuery.js";
import { knownUserOf, knownUserSelect, type KnownUser, type KnownUserRow } from "../../src/identity/identityService.js";
import type { PrismaStorage } from "../prismaStorage.js";
import type { Claim } from "./activityLedger.js";

type Row = KnownUserRow & {
  claim: string | null;
  refActive: boolean | number | bigint | null;
  data: string | null;
  etag: string | null;
  updatedAt: Date | string | number | bigint | null;
};

export interface TurnKeys {
  /** The activity's handled record, if it can have one. */
  activityKey: string | undefined;
  /** The state of the user in the conversation, if the activity names both. */
  stateKey: string | undefined;
  conversationId: string;
  /** The user by their own (home) tenant and Entra object id. */
  tenantId: string;
  aadObjectId: string;
}

export class TurnRecords {
  private readonly sql: string;

  constructor(
    private readonly database: Pick<Database, "direct" | "provider">,
    private readonly storage: PrismaStorage,
  ) {
    // The parameters in the order they appear in the text, and passed in that order.
    const [activity, conversation, state, tenant, object] = placeholders(database.provider, 5);
    this.sql =
      `SELECT (SELECT "status" FROM "ProcessedActivity" WHERE "key" = ${activity}) AS "claim",` +
      ` (SELECT "active" FROM "ConversationRef" WHERE "userId" = k."id" AND "conversationId" = ${conversation}) AS "refActive",` +
      ` s."data" AS "data", s."etag" AS "etag", s."updatedAt" AS "updatedAt", k.*` +
      ` FROM (SELECT 1 AS "one") AS "one" LEFT JOIN "BotState" AS s ON s."key" = ${state}` +
      ` LEFT JOIN (${knownUserSelect(tenant, object)}) AS k ON 1 = 1`;
  }

  /**
   * claim: "done", handled before, do nothing; "again", an attempt left it unfinished; "first",
   * never handled. refActive: whether the user's reference to this conversation is stored and
   * active. known: the user, if known. The state is primed either way.
   */
  async begin(keys: TurnKeys): Promise<{ claim: Claim; refActive: boolean; known: KnownUser | undefined }> {
    const { activityKey, stateKey } = keys;
    const [row] = await this.database.direct.query<Row>(this.sql, [activityKey ?? "", keys.conversationId, stateKey ?? "", keys.tenantId, keys.aadObjectId]);
    if (stateKey) this.storage.prime(stateKey, row?.etag && row.data !== null && row.updatedAt !== null ? this.storage.store.documentOf({ data: row.data, etag: row.etag, updatedAt: rawDate(row.updatedAt) }) : null);
    return {
      claim: row?.claim === "done" ? "done" : row?.claim ? "again" : "first",
      refActive: row?.refActive !== null && row?.refActive !== undefined && Number(row.refActive) === 1,
      known: knownUserOf(row),
    };
  }

  /** The turn ended without loading its state: the primed document is dropped. */
  end(stateKey: string | undefined): void {
    if (stateKey) this.storage.unprime(stateKey);
  }
}
