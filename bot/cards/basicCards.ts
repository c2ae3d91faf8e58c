/** Data and builders of the cards that every user meets: menu, help, profile, not enrolled. */
import type { Attachment } from "botbuilder";
import type { Caller } from "../../src/identity/identityService.js";
import { escapeMarkdown as md, type Translate } from "../../src/i18n/index.js";
import type { MessageKey } from "../../src/i18n/index.js";
import { renderCard } from "./render.js";

export interface MenuCardData {
  title: string;
  subtitle: string;
  hint: string;
  /** Buttons in rows of three: a card's own action bar holds few, and Teams hides the rest. */
  /** A button that opens a dialog carries Teams' task/fetch. */
  rows: { actions: { title: string; data: { verb: string; msteams?: { type: "task/fetch" } } }[] }[];
}

export interface MenuEntry {
  verb: string;
  label: MessageKey;
  /** Its form opens in a dialog. */
  dialog?: boolean;
}

export function menuCardData(t: Translate, caller: Caller, entries: MenuEntry[]): MenuCardData {
  return {
    title: t("menu.title"),
    subtitle: caller.displayName.trim()
      ? t("menu.subtitle", { name: caller.displayName, role: t(`role.${caller.role}`), organisation: caller.organisation.name })
      : t("menu.subtitleNoName", { role: t(`role.${caller.role}`), organisation: caller.organisation.name }),
    hint: t("menu.hint"),
    rows: chunk(entries.map((entry) => ({ title: t(entry.label), data: entry.dialog ? { verb: entry.verb, msteams: { type: "task/fetch" as const } } : { verb: entry.verb } })), 3).map((actions) => ({ actions })),
  };
}

function chunk<T>(items: T[], size: number): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length; i += size) rows.push(items.slice(i, i + size));
  return rows;
}

export interface HelpCardData {
  title: string;
  intro: string;
  commandsTitle: string;
  commands: string[];
  menuLabel: string;
}

export function helpCardData(t: Translate, commandLines: MessageKey[]): HelpCardData {
  return { title: t("help.title"), intro: t("help.intro"), commandsTitle: t("help.commands"), commands: commandLines.map((key) => t(key)), menuLabel: t("menu.title") };
}

export interface ProfileCardData {
  title: string;
  facts: { label: string; value: string }[];
}

export function profileCardData(t: Translate, caller: Caller): ProfileCardData {
  return {
    title: t("profile.title"),
    facts: [
      { label: t("profile.name"), value: caller.displayName ? md(caller.displayName) : "-" },
      { label: t("profile.organisation"), value: md(caller.organisation.name) },
      { label: t("profile.organisationKind"), value: t(`orgKind.${caller.organisation.kind}`) },
      { label: t("profile.role"), value: t(`role.${caller.role}`) },
      { label: t("profile.tenant"), value: caller.tenantId },
    ],
  };
}

export interface NotEnrolledCardData {
  title: string;
  body: string;
}

export function notEnrolledCardData(t: Translate, tenantId: string): NotEnrolledCardData {
  return { title: t("notEnrolled.title"), body: t("notEnrolled.body", { tenantId }) };
}

export const menuCard = (data: MenuCardData): Attachment => renderCard("menu", data);
export const helpCard = (data: HelpCardData): Attachment => renderCard("help", data);
export const profileCard = (data: ProfileCardData): Attachment => renderCard("profile", data);
export const notEnrolledCard = (data: NotEnrolledCardData): Attachment => renderCard("notEnrolled", data);
