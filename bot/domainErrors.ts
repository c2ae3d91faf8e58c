/** Maps typed domain errors to a localized sentence for the user; anything else is a real failure. */
import type { TurnContext } from "botbuilder";
import { NotAllowed, NotFound } from "../src/errors.js";
import { turnInfo } from "./turn.js";

/** Answers a NotAllowed or NotFound with a short sentence (true), or returns false for other errors. */
export async function answerDomainError(context: TurnContext, error: unknown): Promise<boolean> {
  const { t, log } = turnInfo(context);
  if (error instanceof NotAllowed) {
    log.warn({ action: error.action }, "refused: not allowed");
    await context.sendActivity(t("error.notAllowed"));
    return true;
  }
  if (error instanceof NotFound) {
    await context.sendActivity(t("error.notFound"));
    return true;
  }
  return false;
}

/** Replaces a submitted card in place (Teams: the message the submit replied to); a client that cannot is not an error. */
export async function replaceCard(context: TurnContext, attachment: import("botbuilder").Attachment): Promise<void> {
  const id = context.activity.replyToId;
  if (!id) return;
  try {
    await context.updateActivity({ id, type: "message", attachments: [attachment] });
  } catch (error) {
    turnInfo(context).log.info({ err: error }, "could not update the submitted card in place");
  }
}
