/**
 * The Teams app package: `manifest/manifest.json` with its `${{NAME}}` placeholders filled (the
 * Agents Toolkit's syntax, so the toolkit's teamsApp/zipAppPackage reads the same file), validated
 * offline against the official schemas shipped in @microsoft/app-manifest, then zipped with the
 * icons and the French localization.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import AjvDraft04 from "ajv-draft-04";
import addFormatsModule from "ajv-formats";
import { zipSync } from "fflate";

export const manifestDir = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const SCHEMA_VERSION = "v1.22";

interface Validator {
  (value: unknown): boolean;
  errors?: { instancePath: string; message?: string; params?: object }[] | null;
}
// Both packages are CommonJS with a default export; under NodeNext it sits on .default.
const defaultOf = <T>(module: unknown): T => ((module as { default?: T }).default ?? module) as T;
const Ajv = defaultOf<new (options: object) => { compile(schema: object): Validator }>(AjvDraft04);
const addFormats = defaultOf<(ajv: unknown) => void>(addFormatsModule);

export class ManifestInvalid extends Error {
  constructor(readonly errors: string[]) {
    super(`the Teams manifest is invalid:\n${errors.map((error) => `  - ${error}`).join("\n")}`);
    this.name = "ManifestInvalid";
  }
}

function schema(file: string): object {
  const dir = join(dirname(require.resolve("@microsoft/app-manifest/package.json")), "build", "json-schemas", "teams", SCHEMA_VERSION);
  return JSON.parse(readFileSync(join(dir, file), "utf8"));
}

/** Validates a manifest (and its localization files) against the official schemas; lists every error. */
export function validateManifest(manifest: unknown, localizations: Record<string, unknown> = {}): void {
  // The localization schema's patterns are not valid with the unicode flag ajv uses by default.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const errors: string[] = [];
  const check = (what: string, schemaFile: string, value: unknown) => {
    const validate = ajv.compile(schema(schemaFile));
    if (!validate(value)) errors.push(...(validate.errors ?? []).map((error) => `${what}${error.instancePath || "/"} ${error.message}${error.params ? ` ${JSON.stringify(error.params)}` : ""}`));
  };
  check("manifest.json", "MicrosoftTeams.schema.json", manifest);
  for (const [file, localization] of Object.entries(localizations)) check(file, "MicrosoftTeams.Localization.schema.json", localization);
  if (errors.length) throw new ManifestInvalid(errors);
}

/** What the manifest's placeholders stand for: the Teams app id, the bot's app id, the version. */
export interface ManifestValues {
  /** The Teams app's id (the toolkit's teamsApp/create makes one; `npm run package` uses the bot's id). */
  TEAMS_APP_ID: string;
  BOT_ID: string;
  APP_VERSION: string;
  [name: string]: string;
}

export const manifestTemplate = () => readFileSync(join(manifestDir, "manifest.json"), "utf8");

/** The names of the `${{NAME}}` placeholders in a template. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((match) => match[1]))];
}

/** The manifest with every placeholder filled; a placeholder without a value is an error naming it. */
export function buildManifest(values: ManifestValues, template = manifestTemplate()): Record<string, unknown> {
  const missing = placeholdersOf(template).filter((name) => !values[name]);
  if (missing.length) throw new ManifestInvalid(missing.map((name) => `\${{${name}}} has no value (set ${name})`));
  return JSON.parse(template.replace(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_, name: string) => values[name])) as Record<string, unknown>;
}

/** Builds, validates and zips the app package; returns the zip's bytes. */
export function buildAppPackage(values: ManifestValues, template?: string): Uint8Array {
  const manifest = buildManifest(values, template);
  const fr = JSON.parse(readFileSync(join(manifestDir, "fr.json"), "utf8"));
  validateManifest(manifest, { "fr.json": fr });
  const file = (name: string) => new Uint8Array(readFileSync(join(manifestDir, name)));
  return zipSync({
    "manifest.json": new TextEncoder().encode(JSON.stringify(manifest, null, 2)),
    "fr.json": file("fr.json"),
    "color.png": file("color.png"),
    "outline.png": file("outline.png"),
  });
}
