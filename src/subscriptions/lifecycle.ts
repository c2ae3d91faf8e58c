/**
 * Subscription statuses and which change a user may ask for in each, as Partner Center has them:
 * active ⇄ suspended; active or suspended → deleted (cancelled); expired, disabled and deleted
 * are final. Statuses are open strings (Partner Center adds values); an unknown one allows nothing.
 * Partner Center has the last word on each change (New Commerce's windows, see nce.ts).
 */
export const suspensionReasons = ["customerRequest", "nonPayment", "fraud"] as const;
export type SuspensionReason = (typeof suspensionReasons)[number];

export type Transition = "suspend" | "reactivate" | "cancel";

const allowedFrom: Record<Transition, string[]> = {
  suspend: ["active"],
  reactivate: ["suspended"],
  cancel: ["active", "suspended"],
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

/** Refuses a transition the status does not allow. */
export function requireTransition(from: string, transition: Transition): void {
  if (!allowedFrom[transition].includes(from)) throw new IllegalTransition(transition, from);
}

/** The transitions a user may start from a status. */
export function userTransitions(status: string): Transition[] {
  return (["suspend", "reactivate", "cancel"] as const).filter((transition) => allowedFrom[transition].includes(status));
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
export const holdingStatuses = ["active", "suspended"];
