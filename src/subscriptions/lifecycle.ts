/**
 * Subscription statuses and the rules that move between them, as Partner Center has them:
 * active ⇄ suspended; active or suspended → cancelled; suspended → deleted when its data
 * retention runs out. Cancelled and deleted are final.
 */
export const statuses = ["active", "suspended", "cancelled", "deleted"] as const;
export type Status = (typeof statuses)[number];
export const suspensionReasons = ["customerRequest", "nonPayment", "fraud"] as const;
export type SuspensionReason = (typeof suspensionReasons)[number];

export type Transition = "suspend" | "reactivate" | "cancel" | "delete";

const allowed: Record<Transition, { from: Status[]; to: Status }> = {
  suspend: { from: ["active"], to: "suspended" },
  reactivate: { from: ["suspended"], to: "active" },
  cancel: { from: ["active", "suspended"], to: "cancelled" },
  delete: { from: ["suspended"], to: "deleted" },
};

export class IllegalTransition extends Error {
  constructor(
    readonly transition: Transition,
    readonly from: string,
  ) {
    super(`cannot ${transition} a subscription that is ${from}`);
    this.name = "IllegalTransition";
  }
}

/** The status a transition leads to from `from`, or IllegalTransition. */
export function nextStatus(from: string, transition: Transition): Status {
  const rule = allowed[transition];
  if (!(rule.from as string[]).includes(from)) throw new IllegalTransition(transition, from);
  return rule.to;
}

/** The transitions a user may start from a status (delete is the system's). */
export function userTransitions(status: string): Transition[] {
  return (["suspend", "reactivate", "cancel"] as const).filter((transition) => (allowed[transition].from as string[]).includes(status));
}

const DAY = 86_400_000;
export const BASE_RETENTION_DAYS = 90;
export const MAX_RETENTION_DAYS = 120;

/**
 * Days a suspended subscription's data is kept: 90, plus the days between the account's
 * opening and its first billing period, 120 at most.
 */
export function retentionDays(openedAt: Date, firstBillingAt: Date | null): number {
  const gap = firstBillingAt ? Math.max(0, Math.floor((firstBillingAt.getTime() - openedAt.getTime()) / DAY)) : 0;
  return Math.min(BASE_RETENTION_DAYS + gap, MAX_RETENTION_DAYS);
}

/** When a subscription suspended at `suspendedAt` would be deleted unless reactivated. */
export function deletionDate(suspendedAt: Date, customer: { openedAt: Date; firstBillingAt: Date | null }): Date {
  return new Date(suspendedAt.getTime() + retentionDays(customer.openedAt, customer.firstBillingAt) * DAY);
}

/** Statuses in which a one-per-customer offer counts as held. */
export const holdingStatuses: Status[] = ["active", "suspended"];
