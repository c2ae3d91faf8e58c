/** The verbs this feature's cards carry and its handlers are registered under (see bot/commands.ts). */
/** Approvals: the policy, the waiting requests, and deciding one. */
export const approvalVerbs = {
  approve: "approval.approve",
  open: "approval.open",
  reject: "approval.reject",
  approvals: "approvals",
  approvalsPending: "approvals.pending",
  approvalsSave: "approvals.save",
} as const;
