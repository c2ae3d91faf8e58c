/**
 * The HTTP edge: restify with no body plugin (bodies are read by jsonBody.ts, JSON only, bounded,
 * never written to disk), a Bot Framework envelope check, authentication before any turn, and
 * answers written here with no internal detail. restify's own log lines go through the
 * redacting logger, with requests reduced to method and path.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { CloudAdapter, type Activity, type InvokeResponse, type TurnContext } from "botbuilder";
import type { AuthenticateRequestResult, BotFrameworkAuthentication } from "botframework-connector";
import { pino } from "pino";
import "./quietDeprecations.js";
import restify from "restify";
import { z } from "zod";
import type { Logger } from "../../src/log.js";
import type { RequestAuthenticator } from "./authentication.js";
import { readJsonBody } from "./jsonBody.js";
import type { Metrics } from "../metrics.js";
import { eventSchema, type PartnerCenterEvents, type WebhookVerifier } from "../../src/partnerCenter/rest/webhooks.js";
import { canonicalTag } from "../../src/util/localeTags.js";

/** CloudAdapter whose turns are started with a request already authenticated here. */
export class PartnerAdapter extends CloudAdapter {
  constructor(auth: BotFrameworkAuthentication) {
    super(auth);
  }

  runActivity(authenticated: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authenticated, activity, logic);
  }
}

/** A valid BCP 47 tag, canonicalised; anything else is dropped (the default language applies). */
const localeTag = z
  .string()
  .max(100)
  .transform((tag, ctx) => {
    const canonical = canonicalTag(tag);
    if (canonical) return canonical;
    ctx.addIssue({ code: "custom", message: "not a language tag" });
    return z.NEVER;
  });

/** Card data: what a card can carry, bounded (a card has tens of fields, not thousands). */
const cardValue = z.unknown().refine((value) => {
  const json = JSON.stringify(value);
  return json === undefined || json.length <= 32 * 1024;
}, "card data too large");

const timestamp = z.preprocess((value) => (typeof value === "string" ? new Date(value) : value), z.date().optional().catch(undefined));

/** The envelope every Bot Framework activity has; anything else is refused before a turn. */
export const activityEnvelope = z.looseObject({
  type: z.string().min(1).max(64),
  channelId: z.string().min(1).max(64),
  serviceUrl: z.url({ protocol: /^https?$/ }).max(2048),
  conversation: z.looseObject({ id: z.string().min(1).max(1024) }),
  from: z.looseObject({ id: z.string().min(1).max(1024) }),
  // Optional fields the bot reads are dropped when malformed rather than trusted.
  locale: localeTag.optional().catch(undefined),
  text: z.string().max(100_000).optional().catch(undefined),
  value: cardValue.optional(),
  timestamp,
  localTimestamp: timestamp,
});

export interface HttpServerParts {
  adapter: PartnerAdapter;
  authenticator: RequestAuthenticator;
  run: (context: TurnContext) => Promise<void>;
  /** Readiness: the database answers and has every migration this build expects. */
  health: () => Promise<{ status: number; body: object }>;
  logger: Logger;
  /** Prometheus metrics (GET /metrics), and what turns report to them. */
  metrics?: Metrics;
  /** Partner Center's webhooks (PARTNER_CENTER=api): the signature check and what an event does. */
  partnerCenterEvents?: { verifier: WebhookVerifier; events: PartnerCenterEvents };
}

export function createHttpServer(parts: HttpServerParts): restify.Server {
  const { adapter, authenticator, logger } = parts;
  const server = restify.createServer({ name: "csp-partner-bot", handleUncaughtExceptions: false, log: restifyLogger(logger) as never });
  // Slow clients are cut off: the whole request within 30 s, its headers within 10 s.
  server.server.requestTimeout = 30_000;
  server.server.headersTimeout = 10_000;

  // One access log line per request: its id (the caller's MS-CV or x-request-id, else a new one), status, time, and the activity.
  const accessLog = (req: restify.Request, started: number, status: number, activity?: Partial<Activity>) => {
    const header = req.headers["ms-cv"] ?? req.headers["x-request-id"];
    logger.info(
      {
        requestId: typeof header === "string" ? header.slice(0, 100) : randomUUID(),
        method: req.method,
        path: req.path(),
        status,
        ms: Math.round(performance.now() - started),
        ...(activity ? { activityId: activity.id, activityType: activity.type, tenantId: activity.conversation?.tenantId } : {}),
      },
      "request",
    );
    if (req.path() === "/api/messages") parts.metrics?.turn(activity?.type, status, (performance.now() - started) / 1000);
  };

  server.post("/api/messages", async (req: restify.Request, res: restify.Response) => {
    const started = performance.now();
    let activity: Activity | undefined;
    const answer = (status: number, body?: unknown, close = false) => {
      reply(res, status, body, close);
      accessLog(req, started, status, activity);
    };
    const body = await readJsonBody(req);
    if (!body.ok) return answer(body.status, body.status === 400 ? { error: body.reason } : undefined, body.status !== 400);
    const envelope = activityEnvelope.safeParse(body.value);
    if (!envelope.success) return answer(400, { error: "not a Bot Framework activity" });
    activity = envelope.data as unknown as Activity;
    const authorization = typeof req.headers.authorization === "string" ? req.headers.authorization : "";
    const authenticated = await authenticator.authenticate(activity, authorization);
    if (!authenticated.ok) return answer(authenticated.status);
    try {
      const invoke = await adapter.runActivity(authenticated.result, activity, parts.run);
      answer(invoke?.status ?? 200, invoke?.body);
    } catch (error) {
      logger.error({ err: error, activityId: activity.id, activityType: activity.type }, "the activity could not be processed");
      answer(500);
    }
  });

  const webhooks = parts.partnerCenterEvents;
  if (webhooks) {
    server.post("/api/partner-center/events", async (req: restify.Request, res: restify.Response) => {
      const body = await readJsonBody(req);
      if (!body.ok) return reply(res, body.status, body.status === 400 ? { error: body.reason } : undefined, body.status !== 400);
      const verified = await webhooks.verifier.verify(body.text, req.headers);
      if (!verified.ok) {
        logger.warn({ reason: verified.reason }, "Partner Center event refused: not signed by Partner Center");
        return reply(res, 401);
      }
      const event = eventSchema.safeParse(body.value);
      if (!event.success) return reply(res, 400, { error: "not a Partner Center event" });
      try {
        reply(res, 200, { status: await webhooks.events.handle(event.data) });
      } catch (error) {
        // Partner Center delivers again on a failure: it will be read then.
        logger.warn({ err: error, event: event.data.EventName }, "a Partner Center event could not be handled");
        reply(res, 503);
      }
    });
  }

  const metrics = parts.metrics;
  if (metrics) {
    server.get("/metrics", async (_req: restify.Request, res: restify.Response) => {
      const { contentType, body } = await metrics.text();
      res.writeHead(200, { "content-type": contentType });
      res.end(body);
    });
  }

  // Liveness: the process answers (a database outage makes the instance unready, never "dead").
  server.get("/livez", async (_req: restify.Request, res: restify.Response) => reply(res, 200, { status: "live" }));
  // Readiness (and /healthz, its older name): the database is reachable and migrated.
  for (const path of ["/readyz", "/healthz"]) {
    server.get(path, async (_req: restify.Request, res: restify.Response) => {
      const { status, body } = await parts.health();
      reply(res, status, body);
    });
  }
  return server;
}

/** Writes a JSON answer directly (no restify formatter: nothing to fail, nothing to log). */
export function reply(res: ServerResponse, status: number, body?: unknown, close = false): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = close ? { connection: "close" } : {};
  if (body === undefined) {
    res.writeHead(status, { ...headers, "content-length": "0" });
    res.end();
    return;
  }
  const json = JSON.stringify(body);
  res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(json)) });
  res.end(json);
}

/** restify's logger: the app's redacting logger, with requests and responses reduced to what is safe. */
function restifyLogger(logger: Logger): pino.Logger {
  return logger.child(
    { component: "restify" },
    {
      serializers: {
        req: (req: IncomingMessage) => ({ method: req?.method, url: req?.url?.split("?")[0] }),
        res: (res: ServerResponse) => ({ statusCode: res?.statusCode }),
        err: pino.stdSerializers.err,
        body: () => "[omitted]",
      },
    },
  );
}
