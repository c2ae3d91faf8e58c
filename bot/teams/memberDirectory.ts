/**
 * Which organisation a Teams user belongs to. The conversation's tenant is where the chat
 * lives, not necessarily the user's: a reseller's user can be a guest in the provider's team,
 * or an external member of a group chat. The Teams roster answers for each member with the
 * user's own tenant and role (user, guest, anonymous); the bot enrols people by that home
 * tenant. Answers are cached per conversation and member for an hour.
 */
import { TeamsInfo, type TurnContext } from "botbuilder";

export interface Membership {
  /** The user's own tenant, as the roster gives it. */
  tenantId?: string;
  /** "user", "guest", "anonymous", or whatever Teams adds later. */
  userRole?: string;
}

export interface MemberDirectory {
  /** The roster's entry for the activity's sender; undefined when the roster has no such member. */
  membership(context: TurnContext): Promise<Membership | undefined>;
}

export type HomeTenant = { tenantId: string } | { refused: "guest" | "anonymous" | "notMember" };

/**
 * The tenant to enrol the sender by. A member whose roster tenant differs from the conversation's
 * belongs to that other tenant; a guest whose home tenant the roster does not give, and anonymous
 * participants, are not enrolled in this conversation.
 */
export function homeTenant(conversationTenantId: string, member: Membership | undefined): HomeTenant {
  if (!member) return { refused: "notMember" };
  if (member.userRole === "anonymous") return { refused: "anonymous" };
  if (member.tenantId && member.tenantId !== conversationTenantId) return { tenantId: member.tenantId };
  if (member.userRole === "guest") return { refused: "guest" };
  return { tenantId: conversationTenantId };
}

/** The roster of the Bot Connector the activity came from (GET /v3/conversations/{id}/members/{userId}). */
export class TeamsRoster implements MemberDirectory {
  private readonly members = new Map<string, { value: Membership; until: number }>();
  /** Senders the roster did not know: few, briefly (a stranger's messages must not fill memory). */
  private readonly strangers = new Map<string, number>();

  constructor(
    private readonly ttlMs = 3_600_000,
    private readonly maxEntries = 5_000,
  ) {}

  async membership(context: TurnContext): Promise<Membership | undefined> {
    const { conversation, from } = context.activity;
    const key = `${conversation.id}\n${from.id}`;
    const now = Date.now();
    const cached = this.members.get(key);
    if (cached && cached.until > now) return cached.value;
    if ((this.strangers.get(key) ?? 0) > now) return undefined;
    try {
      const member = await TeamsInfo.getMember(context, from.id);
      const value = { tenantId: member.tenantId, userRole: member.userRole };
      remember(this.members, key, { value, until: now + this.ttlMs }, this.maxEntries);
      return value;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== 404 && status !== 403) throw error;
      // Remembered briefly only: the roster may lag behind a member just added.
      remember(this.strangers, key, now + 60_000, 1_000);
      return undefined;
    }
  }
}

/** Sets an entry, dropping the oldest when the map is full. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
}
