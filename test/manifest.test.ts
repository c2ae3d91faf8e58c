import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "./helpers/harness.js";
import { testBot } from "./helpers/harness.js";
import { buildAppPackage, buildManifest, ManifestInvalid, manifestDir, validateManifest } from "../manifest/appPackage.js";
import { createBot } from "../bot/app.js";
import { parseConfig } from "../src/config.js";
import { Conversation, texts } from "./helpers/conversation.js";
import { RecordingNotifier } from "./helpers/recordingNotifier.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { createTestDatabase, type TestDatabase } from "./helpers/testDatabase.js";

const BOT_ID = "0b5f2a9c-6f5e-4a57-9a55-6a1f0a1c2d3e";
const values = (version: string) => ({ TEAMS_APP_ID: BOT_ID, BOT_ID, APP_VERSION: version });
const fr = JSON.parse(readFileSync(join(manifestDir, "fr.json"), "utf8")) as Record<string, string>;

/** Width, height, colour type and (for unfiltered rows) the RGBA pixels of a PNG. */
function readPng(file: string) {
  const bytes = readFileSync(join(manifestDir, file));
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const colourType = bytes[25];
  const idat: Buffer[] = [];
  for (let offset = 8; offset < bytes.length; ) {
    const length = bytes.readUInt32BE(offset);
    if (bytes.toString("ascii", offset + 4, offset + 8) === "IDAT") idat.push(bytes.subarray(offset + 8, offset + 8 + length));
    offset += length + 12;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const pixels: number[][] = [];
  for (let y = 0; y < height; y++) {
    const row = raw.subarray(y * (width * 4 + 1), (y + 1) * (width * 4 + 1));
    if (row[0] !== 0) continue;
    for (let x = 0; x < width; x++) pixels.push([...row.subarray(1 + x * 4, 5 + x * 4)]);
  }
  return { width, height, colourType, pixels };
}

describe("the Teams app package", () => {
  it("the manifest and its French localization validate against the official schema", () => {
    expect(() => validateManifest(buildManifest(values("1.2.3")), { "fr.json": fr })).not.toThrow();
  });

  it("the zip holds the manifest with the configured bot id and version, the icons and fr.json", () => {
    const files = unzipSync(buildAppPackage(values("1.2.3")));
    expect(Object.keys(files).sort()).toEqual(["color.png", "fr.json", "manifest.json", "outline.png"]);
    const manifest = JSON.parse(new TextDecoder().decode(files["manifest.json"]));
    expect(manifest).toMatchObject({ id: BOT_ID, version: "1.2.3", bots: [{ botId: BOT_ID }] });
  });

  it("a broken manifest fails with the schema error, not a zip", () => {
    const template = readFileSync(join(manifestDir, "manifest.json"), "utf8").replace('"accentColor": "#0078D4"', '"accentColor": "blue"');
    const error = (() => {
      try {
        buildAppPackage(values("1.2.3"), template);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ManifestInvalid);
    expect((error as ManifestInvalid).errors.join("\n")).toContain("/accentColor");
  });

  it("icons: colour 192×192, outline 32×32 in white on transparent", () => {
    const color = readPng("color.png");
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = readPng("outline.png");
    expect([outline.width, outline.height, outline.colourType]).toEqual([32, 32, 6]);
    expect(outline.pixels.length).toBe(32 * 32);
    expect(outline.pixels.every(([r, g, b, a]) => a === 0 || (r === 255 && g === 255 && b === 255))).toBe(true);
    expect(outline.pixels.some(([, , , a]) => a === 0)).toBe(true);
  });

  it("npm run package without MICROSOFT_APP_ID says what to set and fails", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", join(manifestDir, "package.ts")], { cwd: manifestDir, env: { PATH: process.env.PATH }, encoding: "utf8", timeout: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Set MICROSOFT_APP_ID");
  });

  it("npm run package needs the bot's id but not its password, takes the toolkit's names, and gives the Teams app its own id when there is one", () => {
    const teamsAppId = "7e0c1d2e-3f4a-4b5c-8d6e-7f8091a2b3c4";
    const run = spawnSync(process.execPath, ["--import", "tsx", join(manifestDir, "package.ts")], { cwd: manifestDir, env: { PATH: process.env.PATH, BOT_ID, TEAMS_APP_ID: teamsAppId }, encoding: "utf8", timeout: 20_000 });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const { version } = JSON.parse(readFileSync(join(manifestDir, "..", "package.json"), "utf8")) as { version: string };
    const zip = unzipSync(new Uint8Array(readFileSync(join(manifestDir, "build", `csp-partner-bot-${version}.zip`))));
    const manifest = JSON.parse(new TextDecoder().decode(zip["manifest.json"]));
    expect(manifest).toMatchObject({ id: teamsAppId, version, bots: [{ botId: BOT_ID }], composeExtensions: [{ botId: BOT_ID }] });
    const wrong = spawnSync(process.execPath, ["--import", "tsx", join(manifestDir, "package.ts")], { cwd: manifestDir, env: { PATH: process.env.PATH, MICROSOFT_APP_ID: "not-a-guid" }, encoding: "utf8", timeout: 20_000 });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain("MICROSOFT_APP_ID must be a GUID");
  });

  it("a placeholder without a value is named, not left in the manifest", () => {
    expect(() => buildManifest({ TEAMS_APP_ID: BOT_ID, BOT_ID, APP_VERSION: "" })).toThrow("${{APP_VERSION}} has no value (set APP_VERSION)");
  });

  describe("every command in the lists is one the bot understands", () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase();
    });
    afterAll(() => database.drop());

    const manifest = buildManifest(values("1.0.0")) as { bots: { commandLists: { commands: { title: string }[] }[] }[] };
    const english = manifest.bots[0].commandLists[0].commands.map((command) => [command.title, "en-US"] as const);
    const french = Object.entries(fr)
      .filter(([key]) => /^bots\[0\]\.commandLists\[0\]\.commands\[\d+\]\.title$/.test(key))
      .map(([, title]) => [title, "fr-FR"] as const);

    it.each([...english, ...french])("%s (%s)", async (title, locale) => {
      const config = testConfig({ PROVIDER_TENANT_ID: "tenant-manifest" });
      const chat = new Conversation(testBot(config, database, memoryLogger("warn").logger), { tenantId: "tenant-manifest", aadObjectId: "aad-admin", name: "Admin", locale });
      const replies = await chat.say(title);
      expect(replies.length).toBeGreaterThan(0);
      expect(texts(replies).join(" ")).not.toMatch(/didn't understand|n'ai pas compris/);
    });
  });
});
