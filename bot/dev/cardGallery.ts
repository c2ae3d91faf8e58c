/**
 * `npm run cards:preview`: renders every card template with its sample data, in English and
 * French, with the official Adaptive Cards renderer and a Teams-like host config, in headless
 * Chromium, to cards/gallery/<card>.<lang>.png, plus an index.html. Needs Debian's chromium
 * (`apt-get install chromium`), or CHROMIUM_PATH naming another Chromium.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { translator } from "../../src/i18n/index.js";
import { cardsDir, expandCard } from "../cards/render.js";
import { cardSamples, dialogTitles, sampleNames, templateOfSample } from "./samples.js";

const require = createRequire(import.meta.url);
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(executablePath)) {
  console.error(`No Chromium at ${executablePath}. Install Debian's (apt-get install chromium) or set CHROMIUM_PATH.`);
  process.exit(1);
}

const foreground = (base: string) => ({
  default: { default: base, subtle: "#616161" },
  dark: { default: "#242424", subtle: "#424242" },
  light: { default: "#FFFFFF", subtle: "#E0E0E0" },
  accent: { default: "#5B5FC7", subtle: "#7579EB" },
  good: { default: "#237B4B", subtle: "#3C9762" },
  warning: { default: "#835C00", subtle: "#A67B00" },
  attention: { default: "#C4314B", subtle: "#D74654" },
});
/** Close to Teams' light theme. */
const hostConfig = {
  fontFamily: "'Segoe UI', 'Helvetica Neue', Arial, sans-serif",
  supportsInteractivity: true,
  fontSizes: { small: 12, default: 14, medium: 16, large: 20, extraLarge: 24 },
  spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 16 },
  containerStyles: {
    default: { backgroundColor: "#FFFFFF", foregroundColors: foreground("#242424") },
    emphasis: { backgroundColor: "#F5F5F5", foregroundColors: foreground("#242424") },
  },
  actions: { maxActions: 6, buttonSpacing: 8, actionsOrientation: "horizontal", actionAlignment: "left", showCard: { actionMode: "inline", inlineTopMargin: 16 } },
  inputs: { label: { requiredInputs: { weight: "bolder" }, optionalInputs: { weight: "bolder" } } },
};

const bundle = readFileSync(require.resolve("adaptivecards/dist/adaptivecards.js"), "utf8");
// Teams renders TextBlocks as Markdown (escapes included): the gallery does too.
const markdownBundle = readFileSync(require.resolve("markdown-it/dist/markdown-it.min.js"), "utf8");
const css = `
  body { margin: 0; background: #EBEBEB; font-family: 'Segoe UI', Arial, sans-serif; }
  #dialog { width: 640px; margin: 16px; background: #FFFFFF; border-radius: 8px; box-shadow: 0 4px 16px rgba(0,0,0,.25); overflow: hidden; }
  #dialog header { display: flex; justify-content: space-between; padding: 16px 20px 4px; font: 700 18px 'Segoe UI', Arial; color: #242424; }
  #dialog #frame { width: auto; margin: 0; box-shadow: none; border-radius: 0; }
  #frame { width: 520px; margin: 16px; background: #FFFFFF; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.15); overflow: hidden; }
  .ac-pushButton { border: 1px solid #D1D1D1; border-radius: 4px; background: #FFFFFF; padding: 6px 12px; font: 600 14px 'Segoe UI', Arial; color: #242424; }
  .ac-pushButton.style-positive { background: #5B5FC7; color: #FFFFFF; border-color: #5B5FC7; }
  .ac-pushButton.style-destructive { color: #C4314B; }
  .ac-input, .ac-textInput, .ac-numberInput, .ac-multichoiceInput { border: 1px solid #D1D1D1; border-radius: 4px; padding: 5px 8px; font: 14px 'Segoe UI', Arial; }
`;

const outDir = join(cardsDir, "gallery");
mkdirSync(outDir, { recursive: true });
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"] });
const page = await browser.newPage({ deviceScaleFactor: 1 });
const entries: { name: string; locale: string; file: string; warnings: string[] }[] = [];
let failed = false;
for (const name of sampleNames()) {
  for (const locale of ["en", "fr"] as const) {
    const card = expandCard(templateOfSample(name), cardSamples[name](translator(locale)));
    const dialogTitle = dialogTitles[name]?.(translator(locale));
    // A dialog's form: framed as Teams frames a dialog, with its title and close button.
    const body = dialogTitle ? `<div id="dialog"><header><span>${dialogTitle}</span><span>✕</span></header><div id="frame"></div></div>` : `<div id="frame"></div>`;
    await page.setContent(`<html><head><style>${css}</style></head><body>${body}</body></html>`);
    await page.addScriptTag({ content: bundle });
    await page.addScriptTag({ content: markdownBundle });
    const warnings = await page.evaluate(
      ({ card, hostConfig }) => {
        // Runs in the page: globalThis is its window.
        const page = globalThis as unknown as { AdaptiveCards: any; document: { getElementById(id: string): { appendChild(node: unknown): void } } };
        const AC = page.AdaptiveCards;
        const md = (globalThis as unknown as { markdownit: (options: object) => { renderInline(text: string): string } }).markdownit({ breaks: true });
        AC.AdaptiveCard.onProcessMarkdown = (text: string, result: { outputHtml: string; didProcess: boolean }) => {
          result.outputHtml = md.renderInline(text);
          result.didProcess = true;
        };
        const adaptiveCard = new AC.AdaptiveCard();
        adaptiveCard.hostConfig = new AC.HostConfig(hostConfig);
        const context = new AC.SerializationContext(AC.Versions.v1_5);
        adaptiveCard.parse(card, context);
        const messages: string[] = [];
        for (let i = 0; i < context.eventCount; i++) messages.push(context.getEventAt(i).message);
        page.document.getElementById("frame").appendChild(adaptiveCard.render());
        return messages;
      },
      { card, hostConfig },
    );
    const file = `${name}.${locale}.png`;
    await page.locator(dialogTitle ? "#dialog" : "#frame").screenshot({ path: join(outDir, file) });
    entries.push({ name, locale, file, warnings });
    if (warnings.length) {
      failed = true;
      console.error(`${name} (${locale}): ${warnings.join("; ")}`);
    }
  }
}
await browser.close();
writeFileSync(
  join(outDir, "index.html"),
  `<!doctype html><meta charset="utf-8"><title>Card gallery</title><style>body{font-family:Segoe UI,Arial;background:#F5F5F5}figure{display:inline-block;vertical-align:top;margin:8px}</style><h1>Card gallery</h1>\n` +
    entries.map((entry) => `<figure><img src="${entry.file}" alt="${entry.name} (${entry.locale})"><figcaption>${entry.name} · ${entry.locale}${entry.warnings.length ? ` · ${entry.warnings.length} warnings` : ""}</figcaption></figure>`).join("\n"),
);
console.log(`rendered ${entries.length} cards into ${outDir}`);
process.exit(failed ? 1 : 0);
