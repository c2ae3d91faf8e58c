/**
 * A stand-in for the Bot Framework's token signing: an OpenID metadata document and its JSON Web
 * Key Set served over loopback HTTP (as https://login.botframework.com/v1/.well-known/openidconfiguration
 * serves them), and tokens signed with its key, shaped like the channel's (iss, aud, serviceurl, exp).
 */
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export class BotFrameworkKeys {
  private readonly privateKey: KeyObject;
  private readonly publicJwk: Record<string, unknown>;
  private readonly kid = randomUUID();
  private server?: Server;
  metadataUrl = "";
  /** How many times the metadata document was fetched. */
  fetches = 0;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicJwk = { ...publicKey.export({ format: "jwk" }), kid: this.kid, kty: "RSA", use: "sig", endorsements: ["msteams"] };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const base = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
      res.setHeader("content-type", "application/json");
      if (req.url === "/v1/.well-known/openidconfiguration") {
        this.fetches++;
        res.end(JSON.stringify({ issuer: "https://api.botframework.com", jwks_uri: `${base}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ["RS256"] }));
      } else if (req.url === "/v1/.well-known/keys") {
        res.end(JSON.stringify({ keys: [this.publicJwk] }));
      } else {
        res.statusCode = 404;
        res.end("{}");
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.metadataUrl = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1/.well-known/openidconfiguration`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A channel token for the bot `appId` naming `serviceUrl`; claims can be overridden (or removed with undefined). */
  token(appId: string, serviceUrl: string, claims: Record<string, unknown> = {}, key: KeyObject = this.privateKey): string {
    const now = Math.floor(Date.now() / 1000);
    const payload = Object.fromEntries(Object.entries({ iss: "https://api.botframework.com", aud: appId, serviceurl: serviceUrl, nbf: now - 60, exp: now + 3600, ...claims }).filter(([, value]) => value !== undefined));
    const header = { alg: "RS256", typ: "JWT", kid: this.kid };
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
    const unsigned = `${encode(header)}.${encode(payload)}`;
    const signature = createSign("RSA-SHA256").update(unsigned).sign(key).toString("base64url");
    return `${unsigned}.${signature}`;
  }

  /** A key the Bot Framework never published: tokens signed with it are forgeries. */
  static foreignKey(): KeyObject {
    return generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  }
}
