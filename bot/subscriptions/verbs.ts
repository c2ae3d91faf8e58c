/** The verbs this feature's cards carry and its handlers are registered under (see bot/commands.ts). */
/** The ordering flow's steps (new subscription). */
export const orderVerbs = {
  agreementNext: "order.agreement.next",
  catalogNext: "order.catalog.next",
  catalogTerm: "order.catalog.term",
  reviewEdit: "order.review.edit",
  reviewSubmit: "order.review.submit",
  termNext: "order.term.next",
} as const;

/** Subscriptions: opening, searching and every change on the subscription card. */
export const subscriptionVerbs = {
  addon: "subscription.addon",
  autoRenew: "subscription.autoRenew",
  cancel: "subscription.cancel",
  cancelReview: "subscription.cancel.review",
  licences: "subscription.licences",
  licencesReview: "subscription.licences.review",
  mute: "subscription.mute",
  new: "subscription.new",
  nextTerm: "subscription.nextTerm",
  nextTermClear: "subscription.nextTerm.clear",
  open: "subscription.open",
  reactivate: "subscription.reactivate",
  resellers: "subscription.resellers",
  search: "subscription.search",
  suspend: "subscription.suspend",
  unmute: "subscription.unmute",
} as const;
