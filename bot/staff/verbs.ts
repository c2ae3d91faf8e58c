/** The verbs this feature's cards carry and its handlers are registered under (see bot/commands.ts). */
/** The team card: colleagues and their roles. */
export const staffVerbs = {
  staff: "staff",
  setRole: "staff.setRole",
} as const;
