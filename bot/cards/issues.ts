/** A field issue (src/errors.ts) as a sentence in the reader's language. */
import type { FieldIssue } from "../../src/errors.js";
import type { MessageKey, Translate } from "../../src/i18n/index.js";

export function issueText(t: Translate, issue: FieldIssue): string {
  if (issue.field === "domainPrefix" && issue.code === "invalid") return t("issue.invalidDomain");
  const params = { ...issue.params, ...(issue.params?.cycle ? { cycle: t(`cycle.${issue.params.cycle}` as MessageKey).toLowerCase() } : {}) };
  return t(`issue.${issue.code}` as MessageKey, params);
}
