/**
 * Every verb, by feature, as the card templates name them: `"verb": "${$root.verbs.customer.open}"`.
 * The features own their verbs (customers/verbs.ts, …); this only gathers them for rendering.
 */
import { approvalVerbs } from "./approvals/verbs.js";
import { coreVerbs } from "./commands.js";
import { customerVerbs } from "./customers/verbs.js";
import { partnerCenterVerbs } from "./partnerCenter/verbs.js";
import { partnershipVerbs, resellerVerbs } from "./resellers/verbs.js";
import { staffVerbs } from "./staff/verbs.js";
import { orderVerbs, subscriptionVerbs } from "./subscriptions/verbs.js";

export const verbs = {
  core: coreVerbs,
  customer: customerVerbs,
  subscription: subscriptionVerbs,
  order: orderVerbs,
  reseller: resellerVerbs,
  partnership: partnershipVerbs,
  approval: approvalVerbs,
  staff: staffVerbs,
  partnerCenter: partnerCenterVerbs,
} as const;

/** Every verb's value (for the checks that each is registered once). */
export const allVerbs = (): string[] => Object.values(verbs).flatMap((group) => Object.values(group) as string[]);
