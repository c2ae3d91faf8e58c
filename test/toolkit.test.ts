/**
 * The Agents Toolkit project: m365agents.yml and m365agents.local.yml validate against the
 * toolkit's schema (the version each file declares), every ${{VARIABLE}} an action uses has a
 * value by then (from its env file, an earlier action, or the encrypted .user file for
 * SECRET_ variables), and the manifest those actions zip validates against the official Teams
 * schema once its placeholders are filled.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseEnv } from "node:util";
import { Ajv } from "ajv";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildAppPackage, placeholdersOf } from "../manifest/appPackage.js";
import { toolkitYamlSchema } from "./helpers/toolkitSchema.js";

const root = join(import.meta.dirname, "..");
const read = (file: string) => readFileSync(join(root, file), "utf8");
const { version } = JSON.parse(read("package.json")) as { version: string };

interface Action {
  uses: string;
  name?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  writeToEnvironmentFile?: Record<string, string>;
}
type Project = { version: string; environmentFolderPath: string } & Partial<Record<"provision" | "deploy" | "publish", Action[]>>;

const projects = [
  { file: "m365agents.local.yml", env: "local" },
  { file: "m365agents.yml", env: "dev" },
] as const;

describe.each(projects)("the Agents Toolkit project $file (environment $env)", ({ file, env }) => {
  const text = read(file);
  const project = parse(text) as Project;
  const envFile = join(project.environmentFolderPath, `.env.${env}`);
  const envText = read(envFile);
  const envValues = parseEnv(envText) as Record<string, string>;

  it("validates against the toolkit's schema of the version it declares", { timeout: 240_000 }, () => {
    expect(text).toContain(`$schema=https://aka.ms/m365-agents-toolkits/${project.version}/yaml.schema.json`);
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(toolkitYamlSchema(project.version));
    const valid = validate(project);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it("every variable an action uses has a value by then: its env file, an earlier action, or a SECRET_ kept in the .user file", () => {
    expect(envValues.TEAMSFX_ENV).toBe(env);
    // SECRET_ variables live in env/.env.<env>.user, encrypted by the toolkit: the env file names them.
    const secretsNamed = new Set([...envText.matchAll(/^#\s*(SECRET_[A-Z0-9_]+)=/gm)].map((match) => match[1]));
    const known = new Set([...Object.keys(envValues), ...secretsNamed]);
    const written = new Set<string>();
    const unknown: string[] = [];
    for (const stage of ["provision", "deploy", "publish"] as const) {
      for (const action of project[stage] ?? []) {
        const uses = placeholdersOf(JSON.stringify(action));
        if (action.uses === "teamsApp/zipAppPackage") uses.push(...placeholdersOf(read(String(action.with!.manifestPath))));
        for (const name of uses) if (!known.has(name)) unknown.push(`${stage} ${action.uses}${action.name ? ` (${action.name})` : ""}: ${name}`);
        for (const name of Object.values(action.writeToEnvironmentFile ?? {})) {
          known.add(name);
          written.add(name);
        }
        const run = String(action.with?.run ?? "");
        for (const match of run.matchAll(/::set-teamsfx-env ([A-Z0-9_]+)=/g)) {
          known.add(match[1]);
          written.add(match[1]);
        }
      }
    }
    expect(unknown).toEqual([]);
    // The manifest's own placeholders are each provisioned, not typed by hand.
    for (const name of placeholdersOf(read("manifest/manifest.json"))) expect(written, name).toContain(name);
    // What provisioning writes is declared in the env file, so a reader sees where it goes.
    for (const name of written) if (!name.startsWith("SECRET_")) expect(Object.keys(envValues), `${name} in ${envFile}`).toContain(name);
  });

  it("the bot's identity is single-tenant or a managed identity, never a new multi-tenant app", () => {
    const actions = [...(project.provision ?? []), ...(project.deploy ?? [])];
    for (const action of actions.filter((candidate) => candidate.uses === "aadApp/create")) expect(action.with!.signInAudience).toBe("AzureADMyOrg");
    const identity = JSON.stringify(actions);
    expect(identity).toMatch(/MICROSOFT_APP_TYPE(":"|=)(SingleTenant|UserAssignedMSI)/);
    expect(identity).not.toContain("AzureADMultipleOrgs");
  });

  it("the package it zips is manifest/manifest.json with its icons and localization, valid against the official Teams schema once filled", () => {
    const zips = Object.values(project)
      .flat()
      .filter((action): action is Action => typeof action === "object" && action !== null && (action as Action).uses === "teamsApp/zipAppPackage");
    expect(zips.length).toBeGreaterThan(0);
    for (const zip of zips) {
      const manifestPath = String(zip.with!.manifestPath);
      expect(manifestPath).toBe("./manifest/manifest.json");
      const manifest = JSON.parse(read(manifestPath)) as { icons: { color: string; outline: string }; localizationInfo: { additionalLanguages: { file: string }[] } };
      for (const referenced of [manifest.icons.color, manifest.icons.outline, ...manifest.localizationInfo.additionalLanguages.map((language) => language.file)]) {
        expect(existsSync(join(root, dirname(manifestPath), referenced)), referenced).toBe(true);
      }
    }
    const values = { TEAMS_APP_ID: randomUUID(), BOT_ID: randomUUID(), APP_VERSION: version };
    const files = unzipSync(buildAppPackage(values));
    expect(JSON.parse(new TextDecoder().decode(files["manifest.json"]))).toMatchObject({ id: values.TEAMS_APP_ID, version, bots: [{ botId: values.BOT_ID }] });
  });
});
