/** "team": the caller's organisation's users and roles; admins promote and demote colleagues. */
import type { Attachment, TurnContext } from "botbuilder";
import { z } from "zod";
import { InvalidInput } from "../../src/errors.js";
import { escapeMarkdown as md, type Translate } from "../../src/i18n/index.js";
import { roles, type Caller, type IdentityService } from "../../src/identity/identityService.js";
import { renderCard } from "../cards/render.js";
import type { Command, CommandInput } from "../commands.js";
import { turnInfo } from "../turn.js";
import { staffVerbs } from "./verbs.js";

export function staffCardData(t: Translate, caller: Caller, members: { id: string; displayName: string; role: string }[]) {
  return {
    title: t("staff.title", { organisation: caller.organisation.name }),
    intro: t("staff.intro"),
    members: members.map((member) => ({
      id: member.id,
      name: member.displayName ? md(member.displayName) : "-",
      roleText: t(member.role === "admin" ? "role.admin" : "role.agent"),
      canChange: caller.role === "admin" && member.id !== caller.userId,
      newRole: member.role === "admin" ? "agent" : "admin",
      changeLabel: t(member.role === "admin" ? "staff.makeAgent" : "staff.makeAdmin"),
    })),
  };
}

export const staffCard = (data: ReturnType<typeof staffCardData>): Attachment => renderCard("staff", data);

export function staffCommands(identity: IdentityService): Command[] {
  const show = async (context: TurnContext) => {
    const { caller, t } = turnInfo(context);
    await context.sendActivity({ attachments: [staffCard(staffCardData(t, caller, await identity.staff(caller)))] });
  };
  const setRole = async (context: TurnContext, input: CommandInput) => {
    const { caller, t } = turnInfo(context);
    const parsed = z.object({ userId: z.string().uuid(), role: z.enum(roles) }).safeParse(input.submit);
    if (!parsed.success) return void (await context.sendActivity(t("unknown.action")));
    try {
      await identity.setRole(caller, parsed.data.userId, parsed.data.role);
      const member = (await identity.staff(caller)).find((candidate) => candidate.id === parsed.data.userId);
      await context.sendActivity(t("staff.changed", { user: member?.displayName ?? "", role: t(parsed.data.role === "admin" ? "role.admin" : "role.agent") }));
      await show(context);
    } catch (error) {
      // The last admin cannot stop being one: its own sentence; other refusals go to the dispatcher's table.
      if (!(error instanceof InvalidInput)) throw error;
      await context.sendActivity(t("staff.lastAdmin"));
    }
  };
  return [
    { id: staffVerbs.staff, verb: staffVerbs.staff, menuLabel: "menu.staff", helpLine: "help.command.staff", handler: show },
    { id: staffVerbs.setRole, verb: staffVerbs.setRole, phrases: [], handler: setRole },
  ];
}
