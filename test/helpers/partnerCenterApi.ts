/**
 * The domain services on the REST connector, speaking to the fake Partner Center and signing in
 * at the fake Entra: what the contract tests, and the dialog tests run "on the API", use.
 */
import type { Db } from "../../src/db/database.js";
import { createDomain } from "../../src/domain.js";
import { Outbox } from "../../src/partnerCenter/rest/outbox.js";
import { RestPartnerCenter, type RestOptions } from "../../src/partnerCenter/rest/restPartnerCenter.js";
import { MsalTokens } from "../../src/partnerCenter/rest/tokens.js";
import { LocalSendBudget } from "../../src/util/slidingWindowBudget.js";
import { FakeEntra } from "./fakeEntra.js";
import { FakePartnerCenter } from "./fakePartnerCenter.js";
import { PROVIDER_TENANT } from "./fixtures.js";
import { testSecrets } from "./harness.js";
import { memoryLogger } from "./silentLogger.js";

export const PC_APP_ID = "5b2d1c9e-7f3a-4e21-9d6b-0c1a2b3c4d5e";

export interface ApiStack {
  entra: FakeEntra;
  fake: FakePartnerCenter;
  tokens: MsalTokens;
  pc: RestPartnerCenter;
  services: ReturnType<typeof createDomain>;
  /** The waits the connector asked for (backoff, Retry-After), in ms. */
  waits: number[];
  log: ReturnType<typeof memoryLogger>;
  stop(): Promise<void>;
}

export async function startApiStack(db: Db, options: { now?: () => Date; provisioningLagMs?: number; rest?: Partial<RestOptions> } = {}): Promise<ApiStack> {
  const entra = await new FakeEntra(PROVIDER_TENANT).start(PC_APP_ID, "pc-app-secret");
  const fake = await new FakePartnerCenter(db, entra, { now: options.now, provisioningLagMs: options.provisioningLagMs, partnerTenantId: PROVIDER_TENANT }).start();
  const log = memoryLogger("debug");
  const tokens = new MsalTokens(db, { authorityUrl: entra.url, tenantId: PROVIDER_TENANT, appId: PC_APP_ID, appSecret: "pc-app-secret" }, testSecrets(), log.logger);
  const waits: number[] = [];
  const pc = new RestPartnerCenter({
    baseUrl: fake.url,
    tokens,
    outbox: new Outbox(db),
    budget: new LocalSendBudget(),
    requestsPerMinute: 300,
    timeoutMs: 5_000,
    logger: log.logger,
    partnerTenantId: PROVIDER_TENANT,
    random: () => 0.5,
    // The waits are recorded and kept short: the tests check them, not the clock.
    sleep: async (ms) => {
      waits.push(ms);
      await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
    },
    ...options.rest,
  });
  const services = createDomain(db, { secrets: testSecrets(), now: options.now, partnerCenter: pc, providerTenantId: async () => PROVIDER_TENANT });
  return {
    entra,
    fake,
    tokens,
    pc,
    services,
    waits,
    log,
    stop: async () => {
      await fake.stop();
      await entra.stop();
    },
  };
}
