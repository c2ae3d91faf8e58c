/** The verbs this feature's cards carry and its handlers are registered under (see bot/commands.ts). */
/** A reseller's answer to a partnership request. */
export const partnershipVerbs = {
  accept: "partnership.accept",
  decline: "partnership.decline",
} as const;

/** Indirect resellers: invitations and the list. */
export const resellerVerbs = {
  draftDone: "reseller.draft.done",
  invite: "reseller.invite",
  inviteSubmit: "reseller.invite.submit",
  list: "reseller.list",
  revoke: "reseller.revoke",
} as const;
