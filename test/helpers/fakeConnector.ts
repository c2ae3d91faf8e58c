/**
 * A Bot Framework connector on loopback: the bot's replies (and its proactive messages) are
 * POSTed here when an activity's serviceUrl points at it. It records each request and answers
 * with whatever the test chooses (200 by default), and it serves the Teams roster
 * (GET /v3/conversations/{id}/members/{memberId}) from the members a test enrolled.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedActivity {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown> & { text?: string; attachments?: { contentType: string; content: Record<string, unknown> }[] };
}

export interface RosterEntry {
  tenantId: string;
  userRole?: string;
  aadObjectId?: string;
  name?: string;
}

type Answer = { status: number; headers?: Record<string, string>; body?: unknown; delayMs?: number };

export class FakeConnector {
  readonly received: ReceivedActivity[] = [];
  /** Roster entries by channel user id ("29:..."), the same in every conversation. */
  readonly members = new Map<string, RosterEntry>();
  /** How many requests are kept in `received` (the oldest are dropped); a long fuzz keeps few. */
  maxRecorded = Number.POSITIVE_INFINITY;
  /** Chooses the answer to each activity POST; 200 with an id unless a test says otherwise. */
  respond: (request: ReceivedActivity) => Answer | Promise<Answer> = () => ({ status: 200 });
  private server?: Server;
  url = "";

  /** Adds a member to the roster (a user of `tenantId`, or a guest). */
  enrol(memberId: string, entry: RosterEntry): this {
    this.members.set(memberId, entry);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const raw = await readBody(req);
      const request: ReceivedActivity = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: raw ? (JSON.parse(raw) as ReceivedActivity["body"]) : {} };
      const member = req.method === "GET" ? /^\/v3\/conversations\/([^/]+)\/members\/([^/?]+)$/.exec(request.path) : null;
      if (member) {
        const id = decodeURIComponent(member[2]);
        const entry = this.members.get(id);
        res.writeHead(entry ? 200 : 404, { "content-type": "application/json" });
        res.end(JSON.stringify(entry ? { id, name: entry.name ?? id, aadObjectId: entry.aadObjectId, tenantId: entry.tenantId, userRole: entry.userRole ?? "user" } : { error: { code: "MemberNotFoundInConversation" } }));
        return;
      }
      this.received.push(request);
      if (this.received.length > this.maxRecorded) this.received.splice(0, this.received.length - this.maxRecorded);
      const answer = await this.respond(request);
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(JSON.stringify(answer.body ?? { id: `reply-${this.received.length}` }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
