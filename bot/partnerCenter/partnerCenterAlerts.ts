/**
 * When signing in to Partner Center fails in a way only an admin can fix (the connected user
 * must sign in again with MFA, consent expired, the app's secret refused, a call needs a
 * connected user), the provider's admins are told in chat what to do: once an hour at most per
 * kind of problem, whichever instance saw it.
 */
import type { Locale } from "../../src/config.js";
import type { Db } from "../../src/db/database.js";
import { localeOf, translator, type MessageKey } from "../../src/i18n/index.js";
import type { Logger } from "../../src/log.js";
import type { PartnerCenterError } from "../../src/partnerCenter/errors.js";
import type { Notifier } from "../proactive.js";

const EVERY_MS = 3_600_000;

export class SignInAlerts {
  constructor(
    private readonly db: Db,
    private readonly notifier: Notifier,
    private readonly defaultLocale: Locale,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async report(error: PartnerCenterError): Promise<void> {
    try {
      const key = `partnerCenter.alert.${error.reason}`;
      const now = this.now();
      const last = await this.db.appSetting.findUnique({ where: { key } });
      if (last && now.getTime() - Number(last.value) < EVERY_MS) return;
      // Claimed with a conditional write: two instances seeing the same failure tell the admins once.
      const { count } = last
        ? await this.db.appSetting.updateMany({ where: { key, value: last.value }, data: { value: String(now.getTime()) } })
        : await this.db.appSetting.createMany({ data: [{ key, value: String(now.getTime()) }] }).catch(() => ({ count: 0 }));
      if (count !== 1) return;
      this.logger.warn({ code: error.code, reason: error.reason, correlationId: error.correlationId }, "Partner Center sign-in problem: telling the provider's admins");
      const admins = await this.db.user.findMany({ where: { role: "admin", org: { kind: "provider" } } });
      for (const admin of admins) {
        const t = translator(localeOf(admin.locale, this.defaultLocale));
        await this.notifier.notifyUser(admin.id, { type: "message", text: t(alertKey(error.reason)) });
      }
    } catch (failure) {
      this.logger.warn({ err: failure }, "could not tell the admins about a Partner Center sign-in problem");
    }
  }
}

function alertKey(reason: string): MessageKey {
  switch (reason) {
    case "mfaRequired":
      return "pc.alert.mfaRequired";
    case "signInExpired":
      return "pc.alert.signInExpired";
    case "appCredentialsRefused":
      return "pc.alert.appCredentialsRefused";
    default:
      return "pc.alert.appUserRequired";
  }
}
