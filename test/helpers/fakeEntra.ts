/**
 * A stand-in for Microsoft Entra ID's v2 endpoints, served over HTTPS on loopback (MSAL insists
 * on https; the test authority is trusted through NODE_EXTRA_CA_CERTS): OpenID configuration,
 * the token endpoint (client credentials with a secret, device code, refresh token: each
 * redeemed refresh token is replaced by a new one) and the device code endpoint. It records every
 * request, and tells the fake Partner Center which token is whose.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";

export interface IssuedToken {
  kind: "app" | "user";
  /** For a user token: whether the sign-in used multi-factor authentication. */
  mfa: boolean;
  userName?: string;
}

interface PendingDevice {
  deviceCode: string;
  userCode: string;
  approved?: { userName: string; mfa: boolean };
}

const b64url = (value: object | string) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

export class FakeEntra {
  readonly received: { path: string; form: Record<string, string> }[] = [];
  readonly tokens = new Map<string, IssuedToken>();
  private readonly refreshTokens = new Map<string, { userName: string; mfa: boolean }>();
  private readonly devices: PendingDevice[] = [];
  private server?: Server;
  url = "";
  /** What the token endpoint answers to a client credentials request whose secret is wrong. */
  secret = "test-secret";
  clientId = "";
  /** Lifetime of the user access tokens it issues: under MSAL's 5-minute margin, every use redeems the refresh token. */
  userTokenLifetimeSeconds = 3599;

  constructor(readonly tenantId: string) {}

  async start(clientId: string, secret = this.secret): Promise<this> {
    this.clientId = clientId;
    this.secret = secret;
    this.server = createServer({ cert: readFileSync(process.env.TEST_TLS_CERT!), key: readFileSync(process.env.TEST_TLS_KEY!) }, (request, response) => {
      let raw = "";
      request.on("data", (chunk) => (raw += chunk));
      request.on("end", () => {
        const path = (request.url ?? "").split("?")[0];
        const form = Object.fromEntries(new URLSearchParams(raw));
        this.received.push({ path, form });
        const answer = (status: number, body: object) => {
          response.writeHead(status, { "content-type": "application/json" });
          response.end(JSON.stringify(body));
        };
        const base = `${this.url}/${this.tenantId}`;
        if (path === `/${this.tenantId}/v2.0/.well-known/openid-configuration`) {
          return answer(200, {
            authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
            token_endpoint: `${base}/oauth2/v2.0/token`,
            device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
            end_session_endpoint: `${base}/oauth2/v2.0/logout`,
            issuer: `${base}/v2.0`,
            jwks_uri: `${base}/discovery/v2.0/keys`,
          });
        }
        if (path === `/${this.tenantId}/oauth2/v2.0/devicecode`) {
          const device = { deviceCode: randomUUID(), userCode: randomBytes(4).toString("hex").toUpperCase() };
          this.devices.push(device);
          return answer(200, { device_code: device.deviceCode, user_code: device.userCode, verification_uri: "https://microsoft.com/devicelogin", expires_in: 900, interval: 1, message: `To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ${device.userCode} to authenticate.` });
        }
        if (path === `/${this.tenantId}/oauth2/v2.0/token`) return this.token(form, answer);
        answer(404, { error: "not_found" });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", () => resolve()));
    this.url = `https://localhost:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  /** The user at the device code prompt signs in (with or without MFA). */
  approve(userCode: string, user: { userName: string; mfa: boolean }): void {
    const device = this.devices.find((candidate) => candidate.userCode === userCode);
    if (!device) throw new Error(`no device code ${userCode}`);
    device.approved = user;
  }

  /** Every refresh token stops working (consent revoked, password changed). */
  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
  }

  private token(form: Record<string, string>, answer: (status: number, body: object) => void): void {
    if (form.client_id !== this.clientId) return answer(400, { error: "unauthorized_client", error_description: "AADSTS700016: Application not found." });
    if (form.grant_type === "client_credentials") {
      if (form.client_secret !== this.secret) return answer(401, { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." });
      const token = `app.${randomUUID()}`;
      this.tokens.set(token, { kind: "app", mfa: false });
      return answer(200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: token });
    }
    // MSAL sends "device_code" (Entra accepts it beside the RFC 8628 URN).
    if (form.grant_type === "device_code" || form.grant_type === "urn:ietf:params:oauth:grant-type:device_code") {
      const device = this.devices.find((candidate) => candidate.deviceCode === form.device_code);
      if (!device) return answer(400, { error: "expired_token", error_description: "AADSTS70019: Verification code expired." });
      if (!device.approved) return answer(400, { error: "authorization_pending", error_description: "AADSTS70016: Pending end-user authorization." });
      this.devices.splice(this.devices.indexOf(device), 1);
      return answer(200, this.userTokens(device.approved));
    }
    if (form.grant_type === "refresh_token") {
      const user = this.refreshTokens.get(form.refresh_token);
      if (!user) return answer(400, { error: "invalid_grant", error_description: "AADSTS700082: The refresh token has expired due to inactivity." });
      this.refreshTokens.delete(form.refresh_token);
      return answer(200, this.userTokens(user));
    }
    answer(400, { error: "unsupported_grant_type" });
  }

  private userTokens(user: { userName: string; mfa: boolean }) {
    const token = `user.${randomUUID()}`;
    this.tokens.set(token, { kind: "user", mfa: user.mfa, userName: user.userName });
    const refresh = `rt.${randomUUID()}`;
    this.refreshTokens.set(refresh, user);
    const oid = "00000000-0000-0000-0000-00000000a11c";
    const now = Math.floor(Date.now() / 1000);
    const claims = { aud: this.clientId, iss: `${this.url}/${this.tenantId}/v2.0`, iat: now, nbf: now, exp: now + 3600, tid: this.tenantId, oid, sub: oid, preferred_username: user.userName, name: user.userName.split("@")[0], amr: user.mfa ? ["pwd", "mfa"] : ["pwd"], ver: "2.0" };
    return {
      token_type: "Bearer",
      scope: "https://api.partnercenter.microsoft.com/user_impersonation",
      expires_in: this.userTokenLifetimeSeconds,
      ext_expires_in: this.userTokenLifetimeSeconds,
      access_token: token,
      refresh_token: refresh,
      id_token: `${b64url({ typ: "JWT", alg: "none" })}.${b64url(claims)}.`,
      client_info: b64url({ uid: oid, utid: this.tenantId }),
    };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
