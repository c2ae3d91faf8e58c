/**
 * "partner center": which Partner Center the bot speaks to and who is connected for App+User
 * calls; "connect partner center" (provider admins): connects a Partner Center user with the
 * device code flow. The code is shown in chat to the admin who asked; the sign-in itself happens
 * at Microsoft (with MFA), and the admin is told here when it is done. No password or token is
 * ever shown or stored in the conversation.
 */
import type { TurnContext } from "botbuilder";
import type { Caller } from "../../src/identity/identityService.js";
import type { Logger } from "../../src/log.js";
import type { MsalTokens } from "../../src/partnerCenter/rest/tokens.js";
import type { Command } from "../commands.js";
import { md, partnerCenterSentence } from "../domainErrors.js";
import type { Notifier } from "../proactive.js";
import { turnInfo } from "../turn.js";
import { partnerCenterVerbs } from "./verbs.js";

const isProviderAdmin = (caller: Caller) => caller.organisation.kind === "provider" && caller.role === "admin";

export function partnerCenterCommands(tokens: MsalTokens | undefined, notifier: Notifier, logger: Logger): Command[] {
  let connecting: Promise<unknown> | undefined;

  const status = async (context: TurnContext) => {
    const { t } = turnInfo(context);
    if (!tokens) return void (await context.sendActivity(t("pc.status.embedded")));
    const user = await tokens.connectedUser().catch(() => undefined);
    await context.sendActivity(user ? t(user.mfa ? "pc.status.connected" : "pc.status.connectedNoMfa", { user: user.userName }) : t("pc.status.noUser"));
  };

  const connect = async (context: TurnContext) => {
    const { t, caller, lang } = turnInfo(context);
    if (!isProviderAdmin(caller)) return void (await context.sendActivity(t("error.notAllowed")));
    if (!tokens) return void (await context.sendActivity(t("pc.status.embedded")));
    if (connecting) return void (await context.sendActivity(t("pc.connect.already")));
    let showPrompt!: (prompt: { url: string; code: string }) => void;
    const prompt = new Promise<{ url: string; code: string }>((resolve) => (showPrompt = resolve));
    const signIn = tokens.connect((shown) => showPrompt(shown));
    connecting = signIn;
    // The outcome comes later (the user signs in at Microsoft): the admin is told in chat.
    void signIn
      .then(async (user) => {
        logger.info({ mfa: user.mfa }, "a Partner Center user was connected");
        await notifier.notifyUser(caller.userId, { type: "message", text: t(user.mfa ? "pc.connect.done" : "pc.connect.doneNoMfa", { user: user.userName }) });
      })
      .catch(async (error: unknown) => {
        logger.warn({ err: error }, "connecting a Partner Center user failed");
        await notifier.notifyUser(caller.userId, { type: "message", text: t("pc.connect.failed", { reason: partnerCenterSentence(lang, error) ?? md(error instanceof Error ? error.message.slice(0, 200) : "") }) });
      })
      .finally(() => (connecting = undefined));
    const shown = await Promise.race([prompt, signIn.then(() => undefined, () => undefined)]);
    if (shown) await context.sendActivity(t("pc.connect.prompt", { url: shown.url, code: shown.code }));
  };

  return [
    { id: partnerCenterVerbs.status, verb: partnerCenterVerbs.status, helpLine: "help.command.partnerCenter", handler: status },
    {
      id: partnerCenterVerbs.connect,
      verb: partnerCenterVerbs.connect,
      helpLine: "help.command.partnerCenterConnect",
      allowed: isProviderAdmin,
      handler: connect,
    },
  ];
}
