/** The verbs this feature's cards carry and its handlers are registered under (see bot/commands.ts). */
/** Partner Center: which one the bot works with, and connecting a user. */
export const partnerCenterVerbs = {
  connect: "partnerCenter.connect",
  status: "partnerCenter.status",
} as const;
