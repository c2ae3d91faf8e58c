/**
 * Partner Center's refusals, as typed domain errors carrying its numeric code (the table at the
 * end of PARTNER_CENTER.md). The edge maps each reason to its own localized sentence; an unknown
 * code keeps Partner Center's description and the correlation id, for the user to quote.
 */

/** Why Partner Center said no, grouped by what the user can do about it. */
export type PartnerCenterReason =
  | "throttled"
  | "mfaRequired"
  | "signInExpired"
  | "appCredentialsRefused"
  | "appUserRequired"
  | "roleNotAllowed"
  | "agreementRequired"
  | "resellerAgreementMissing"
  | "reductionWindowPassed"
  | "cancellationWindowPassed"
  | "staleEtag"
  | "catalogItemChanged"
  | "checkoutInProgress"
  | "alreadyCheckedOut"
  | "pendingOperation"
  | "termShortening"
  | "autoRenewRequired"
  | "termEnded"
  | "addOnNeedsBase"
  | "tooManyUpdates"
  | "registrationNumberRequired"
  | "domainTaken"
  | "offerLimitReached"
  | "quantityOutOfRange"
  | "notFound"
  | "unavailable"
  | "unknown";

/** Partner Center's codes, and the reason each stands for. */
export const reasonOfCode: Record<number, PartnerCenterReason> = {
  429: "throttled",
  900421: "mfaRequired",
  900420: "mfaRequired",
  900422: "signInExpired",
  900423: "appCredentialsRefused",
  900329: "appUserRequired",
  900308: "roleNotAllowed",
  13605: "agreementRequired",
  10012: "agreementRequired",
  900123: "resellerAgreementMissing",
  800090: "reductionWindowPassed",
  900214: "reductionWindowPassed",
  900257: "reductionWindowPassed",
  900117: "cancellationWindowPassed",
  900213: "cancellationWindowPassed",
  2055: "staleEtag",
  400019: "catalogItemChanged",
  10001: "catalogItemChanged",
  800064: "checkoutInProgress",
  800060: "checkoutInProgress",
  800065: "alreadyCheckedOut",
  900278: "pendingOperation",
  800082: "pendingOperation",
  800122: "termShortening",
  800024: "autoRenewRequired",
  800025: "termEnded",
  10030: "addOnNeedsBase",
  900311: "tooManyUpdates",
  600049: "registrationNumberRequired",
  600050: "registrationNumberRequired",
  600002: "registrationNumberRequired",
  10015: "quantityOutOfRange",
  800002: "offerLimitReached",
  600070: "domainTaken",
};

export class PartnerCenterError extends Error {
  readonly reason: PartnerCenterReason;

  constructor(
    /** Partner Center's numeric code (the HTTP status when its body had none). */
    readonly code: number,
    readonly description: string,
    readonly httpStatus: number,
    /** MS-CorrelationId of the call, for the user to quote to Microsoft. */
    readonly correlationId?: string,
    /** Extra facts: the date a window closed, a Retry-After, the field at fault. */
    readonly details: Record<string, string | number> = {},
  ) {
    super(`Partner Center ${httpStatus} ${code}: ${description}`);
    this.name = "PartnerCenterError";
    this.reason = reasonOfCode[code] ?? (httpStatus === 404 ? "notFound" : httpStatus === 429 ? "throttled" : httpStatus >= 500 ? "unavailable" : "unknown");
  }
}

export const isPartnerCenterError = (error: unknown, reason?: PartnerCenterReason): error is PartnerCenterError =>
  error instanceof PartnerCenterError && (reason === undefined || error.reason === reason);
