/**
 * Text from one party shown to another (company names, display names, emails) must read as
 * text: Teams renders messages and card TextBlocks as Markdown, so a name such as
 * "[Re-verify now](https://evil.example)" would become a link, "<at>…</at>" a mention, and
 * right-to-left override characters could disguise what a name says. escapeMarkdown strips
 * bidi controls and line breaks and escapes every character Markdown could act on.
 */

/** Text already in Markdown (our own, or escaped once): inserted into a message as it is. */
export class Markdown {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const bidiControls = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const active = /[\\`*_[\]<>~|#{}]/g;

export function escapeMarkdown(text: string): string {
  const flat = text.replace(bidiControls, "").replace(/[\r\n\u2028\u2029]+/g, " ");
  const escaped = flat.replace(active, (char) => `\\${char}`);
  // A text that would start a list or a heading if it began a line.
  return escaped.replace(/^(\s*)([-+]|\d+[.)])(?=\s)/, "$1\\$2");
}
