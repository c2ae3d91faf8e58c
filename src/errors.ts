/**
 * Typed domain errors. The Teams edge maps each to a localized sentence; their messages are
 * for logs only and never reach a user.
 */

/** A field of a command that failed validation; `code` selects the localized message. */
export interface FieldIssue {
  field: string;
  code: "required" | "tooLong" | "invalid" | "invalidCharacters" | "invalidEmail" | "invalidChoice" | "domainTaken" | "outOfRange" | "notAvailable" | "onePerCustomer" | "unchanged" | "future";
  params?: Record<string, string | number>;
}

export class InvalidInput extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(`invalid input: ${issues.map((issue) => `${issue.field} ${issue.code}`).join(", ")}`);
    this.name = "InvalidInput";
  }
}

export class DomainTaken extends InvalidInput {
  constructor(readonly domainPrefix: string) {
    super([{ field: "domainPrefix", code: "domainTaken", params: { domain: `${domainPrefix}.onmicrosoft.com` } }]);
    this.name = "DomainTaken";
  }
}

export class NotAllowed extends Error {
  constructor(readonly action: string) {
    super(`not allowed: ${action}`);
    this.name = "NotAllowed";
  }
}

export class NotFound extends Error {
  constructor(readonly what: string) {
    super(`not found: ${what}`);
    this.name = "NotFound";
  }
}

/** An offer limited to one subscription per customer that the customer already holds. */
export class OfferLimitReached extends Error {
  constructor(
    readonly offerId: string,
    readonly subscriptionId: string,
    readonly status: string,
  ) {
    super(`offer ${offerId} is limited to one per customer (held by ${subscriptionId}, ${status})`);
    this.name = "OfferLimitReached";
  }
}

/** The record changed since the card that asked for this change was shown. */
export class StaleVersion extends Error {
  constructor(readonly what: string) {
    super(`${what} changed since it was shown`);
    this.name = "StaleVersion";
  }
}
