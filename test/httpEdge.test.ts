/**
 * Hardening of the HTTP edge (issue 11): what anyone who can reach the port can send, before
 * and after authentication. Real HTTP against the started app; the Bot Framework's key
 * endpoint and the Bot Connector are stand-ins on loopback.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { spawnSync } from "node:child_process";
import { createGzip } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type App } from "../bot/app.js";
import { parseConfig, type Config } from "../src/config.js";
import type { ScratchDatabase } from "../src/db/scratch.js";
import { BotFrameworkKeys } from "./helpers/botFrameworkKeys.js";
import { FakeConnector } from "./helpers/fakeConnector.js";
import { testConfig } from "./helpers/harness.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { emptyDatabase, providerUnderTest } from "./helpers/testDatabase.js";

const PROVIDER = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const APP_ID = "0b5f2a9c-6f5e-4a57-9a55-6a1f0a1c2d3e";
const root = join(import.meta.dirname, "..");

/** Sends raw bytes with the given headers; resolves with the status and body. */
function rawPost(port: number, headers: Record<string, string>, body: Readable | Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/api/messages", method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", (error) => reject(error));
    if (Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req).on("error", () => undefined);
  });
}

/** `size` bytes of zeros, as a stream. */
function zeros(size: number): Readable {
  let left = size;
  const chunk = Buffer.alloc(64 * 1024);
  return new Readable({
    read() {
      if (left <= 0) return this.push(null);
      const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= part.length;
      this.push(part);
    },
  });
}

async function gzipOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream.pipe(createGzip({ level: 9 }))) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const rssMiB = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 2 ** 20;
};

describe(`the HTTP edge before authentication (${providerUnderTest})`, () => {
  let scratch: ScratchDatabase;
  let app: App;
  let connector: FakeConnector;
  const log = memoryLogger("info");

  beforeAll(async () => {
    scratch = await emptyDatabase();
    connector = await new FakeConnector().start();
    connector.enrol("29:alex", { tenantId: PROVIDER, aadObjectId: "aad-alex" });
    app = await startApp({ ...testConfig({ PROVIDER_TENANT_ID: PROVIDER }), port: 0, database: scratch.database }, log.logger);
  });
  afterAll(async () => {
    await app?.close();
    await connector.stop();
    await scratch.drop();
  });

  it("item 1: a gzip body (100 KiB that expands to 100 MiB) is refused with 415 and memory stays flat", { timeout: 60_000 }, async () => {
    const bomb = await gzipOf(zeros(100 * 2 ** 20));
    expect(bomb.length).toBeLessThan(200 * 1024);
    const before = rssMiB();
    for (let i = 0; i < 3; i++) {
      const answer = await rawPost(app.port, { "content-type": "application/json", "content-encoding": "gzip", "content-length": String(bomb.length) }, bomb);
      expect(answer.status).toBe(415);
      expect(answer.text).toBe("");
    }
    expect(rssMiB() - before).toBeLessThan(40);
  });

  it("item 1: a body over 1 MiB is cut off as it arrives, declared length or not (chunked), with 413", { timeout: 60_000 }, async () => {
    const before = rssMiB();
    const declared = await rawPost(app.port, { "content-type": "application/json", "content-length": String(64 * 2 ** 20) }, zeros(2 * 2 ** 20)).catch(() => ({ status: 413, text: "" }));
    expect(declared.status).toBe(413);
    const chunked = await rawPost(app.port, { "content-type": "application/json", "transfer-encoding": "chunked" }, zeros(64 * 2 ** 20)).catch(() => ({ status: 413, text: "" }));
    expect(chunked.status).toBe(413);
    expect(rssMiB() - before).toBeLessThan(40);
  });

  it("item 2: multipart/form-data is refused with 415 and nothing from the request touches the disk", { timeout: 60_000 }, async () => {
    const temp = mkdtempSync(join(tmpdir(), "edge-tmp-"));
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    try {
      const boundary = "----csp";
      const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
      const body = Readable.from((async function* () {
        yield head;
        for await (const chunk of zeros(40 * 2 ** 20)) yield chunk as Buffer;
        yield tail;
      })());
      const answer = await rawPost(app.port, { "content-type": `multipart/form-data; boundary=${boundary}`, "transfer-encoding": "chunked" }, body).catch(() => ({ status: 415, text: "" }));
      expect(answer.status).toBe(415);
      expect(readdirSync(temp)).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
  });

  it("item 4: restify's own log lines carry no credential and no body", async () => {
    const secret = "Bearer eyJ.secret-token-that-must-not-be-logged";
    // A request restify cannot answer in the client's format, with a credential in its headers.
    await fetch(`http://127.0.0.1:${app.port}/api/messages`, { method: "POST", headers: { "content-type": "application/json", accept: "application/x-nothing", authorization: secret }, body: "{}" });
    // restify's logger, as its formatter error path uses it (res.log.warn({ req, err })).
    const fakeReq = { method: "POST", url: "/api/messages?x=1", headers: { authorization: secret, cookie: "session=abc" }, body: { password: "hunter2" } };
    app.server.log.warn({ req: fakeReq, err: new Error("cannot format") }, "error retrieving formatter");
    const lines = log.lines.join("\n");
    expect(lines).toContain("error retrieving formatter");
    expect(lines).not.toContain("secret-token-that-must-not-be-logged");
    expect(lines).not.toContain("hunter2");
    expect(lines).not.toContain("session=abc");
  });

  it("item 6: without an app id, a serviceUrl that is neither loopback nor allowed is refused and never contacted", async () => {
    const received = connector.received.length;
    const response = await fetch(`http://127.0.0.1:${app.port}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "message", id: "ssrf-1", text: "help", channelId: "msteams", serviceUrl: "http://169.254.169.254/latest/", from: { id: "29:alex", aadObjectId: "aad-alex" }, recipient: { id: "28:bot" }, conversation: { id: "a:ssrf", tenantId: PROVIDER } }),
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toBe("");
    expect(connector.received.length).toBe(received);
  });

  it("item 13: a redelivered invoke gets a 200 invoke response, not 501", async () => {
    const invoke = { type: "invoke", name: "adaptiveCard/action", id: "invoke-twice", channelId: "msteams", serviceUrl: connector.url, from: { id: "29:alex", aadObjectId: "aad-alex" }, recipient: { id: "28:bot" }, conversation: { id: "a:invoke", conversationType: "personal", tenantId: PROVIDER }, value: { action: { type: "Action.Execute", verb: "menu" } } };
    const post = () => fetch(`http://127.0.0.1:${app.port}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(invoke) });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200);
  });

  it("item 13: a locale of 21 to 35 characters (a valid BCP 47 tag) works; an invalid one falls back", async () => {
    for (const locale of ["zh-Hans-CN-u-nu-hanidec", "fr-FR-u-ca-gregory-nu-latn-x-teams", "not a locale!!"]) {
      const before = connector.received.length;
      const response = await fetch(`http://127.0.0.1:${app.port}/api/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "message", id: `loc-${locale}`, text: "help", locale, channelId: "msteams", serviceUrl: connector.url, from: { id: "29:alex", aadObjectId: "aad-alex" }, recipient: { id: "28:bot" }, conversation: { id: "a:locale", conversationType: "personal", tenantId: PROVIDER } }),
      });
      expect(response.status).toBe(200);
      const reply = JSON.stringify(connector.received.slice(before).map((r) => r.body));
      expect(reply, locale).toContain(locale.startsWith("fr") ? "Aide" : "Help");
      expect(reply).not.toContain("Sorry, something went wrong");
    }
  });
});

describe(`authentication (${providerUnderTest})`, () => {
  let scratch: ScratchDatabase;
  let keys: BotFrameworkKeys;
  let connector: FakeConnector;
  let app: App;
  const log = memoryLogger("info");

  const activity = (serviceUrl: string, id = crypto.randomUUID()) => ({ type: "message", id, text: "help", channelId: "msteams", serviceUrl, from: { id: "29:alex", aadObjectId: "aad-alex" }, recipient: { id: `28:${APP_ID}` }, conversation: { id: "a:auth", conversationType: "personal", tenantId: PROVIDER } });
  const post = (port: number, body: object, token?: string) =>
    fetch(`http://127.0.0.1:${port}/api/messages`, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  const secured = (metadataUrl: string, database: Config["database"], logger = log.logger) =>
    startApp({ ...testConfig({ PROVIDER_TENANT_ID: PROVIDER, MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: "not-used", MICROSOFT_APP_TYPE: "MultiTenant", BOT_OPENID_METADATA_URL: metadataUrl, HOST: "127.0.0.1" }), port: 0, database }, logger);

  beforeAll(async () => {
    scratch = await emptyDatabase();
    keys = await new BotFrameworkKeys().start();
    connector = await new FakeConnector().start();
    connector.enrol("29:alex", { tenantId: PROVIDER, aadObjectId: "aad-alex" });
    // The connector takes any bearer token here: outbound tokens are another test's subject.
    app = await secured(keys.metadataUrl, scratch.database);
  });
  afterAll(async () => {
    await app?.close();
    await keys.stop();
    await connector.stop();
    await scratch.drop();
  });

  it("accepts a token signed by the published keys that names the activity's serviceUrl", async () => {
    connector.respond = () => ({ status: 200 });
    const response = await post(app.port, activity(connector.url), keys.token(APP_ID, connector.url));
    expect(response.status).toBe(200);
  });

  const now = () => Math.floor(Date.now() / 1000);
  it.each<[string, (serviceUrl: string) => string | undefined]>([
    ["no token", () => undefined],
    ["a token signed with another key", (url) => keys.token(APP_ID, url, {}, BotFrameworkKeys.foreignKey())],
    ["a token for another bot", (url) => keys.token("11111111-1111-4111-8111-111111111111", url)],
    ["an expired token", (url) => keys.token(APP_ID, url, { exp: now() - 3600, nbf: now() - 7200 })],
    ["item 6: a token for another serviceUrl", () => keys.token(APP_ID, "http://127.0.0.1:1/elsewhere/")],
    ["item 6: a token without a serviceurl claim", (url) => keys.token(APP_ID, url, { serviceurl: undefined })],
    ["a token that is not a JWT", () => "not.a.token"],
  ])("item 3: %s gets 401 with no detail", async (_label, token) => {
    const response = await post(app.port, activity(connector.url), token(connector.url));
    expect(response.status).toBe(401);
    expect(await response.text()).toBe("");
  });

  it("item 3: when the key endpoint cannot be reached, a token gets 503 with no detail, logged once", async () => {
    const own = await emptyDatabase();
    const quiet = memoryLogger("info");
    const unreachable = await secured("http://127.0.0.1:9/v1/.well-known/openidconfiguration", own.database, quiet.logger);
    try {
      for (let i = 0; i < 3; i++) {
        const response = await post(unreachable.port, activity(connector.url), keys.token(APP_ID, connector.url));
        expect(response.status).toBe(503);
        expect(await response.text()).toBe("");
      }
      expect(quiet.lines.filter((line) => line.includes("cannot reach the Bot Framework's signing keys"))).toHaveLength(1);
    } finally {
      await unreachable.close();
      await own.drop();
    }
  });
});

describe("who may start the bot without authentication", () => {
  it("item 5: without an app id, a non-loopback HOST is refused unless INSECURE_UNAUTHENTICATED_LAB says it is a lab", () => {
    const refused = parseConfig({ HOST: "0.0.0.0" });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.errors.join()).toContain("INSECURE_UNAUTHENTICATED_LAB=true");
    const lab = parseConfig({ HOST: "0.0.0.0", INSECURE_UNAUTHENTICATED_LAB: "true" });
    expect(lab.ok && lab.config.security.labMode).toBe(true);
    expect(parseConfig({ HOST: "127.0.0.1" }).ok).toBe(true);
  });

  it("item 5: with an app id, PROVIDER_TENANT_ID is required", () => {
    const result = parseConfig({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: "x" });
    expect(!result.ok && result.errors.join()).toContain("PROVIDER_TENANT_ID is required when MICROSOFT_APP_ID is set");
  });

  it("item 5: npm start with HOST=0.0.0.0 and no app id exits with the reason, without listening", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", join(root, "bot", "index.ts")], { cwd: root, env: { PATH: process.env.PATH, HOST: "0.0.0.0", PORT: "39999" }, encoding: "utf8", timeout: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("HOST must be a loopback address");
  });
});
