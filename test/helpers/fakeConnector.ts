/**
 * A Bot Framework connector on loopback: the bot's replies (and later its proactive messages)
 * are POSTed here when an activity's serviceUrl points at it. It records each one and answers
 * with whatever status the test chooses (200 by default).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedActivity {
  method: string;
  path: string;
  body: Record<string, unknown> & { text?: string; attachments?: { contentType: string; content: Record<string, unknown> }[] };
}

export class FakeConnector {
  readonly received: ReceivedActivity[] = [];
  /** Chooses the answer to each request; 200 with an id unless a test says otherwise. */
  respond: (request: ReceivedActivity) => { status: number; headers?: Record<string, string>; body?: unknown } = () => ({ status: 200 });
  private server?: Server;
  url = "";

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const request: ReceivedActivity = { method: req.method ?? "", path: req.url ?? "", body: JSON.parse((await readBody(req)) || "{}") };
      this.received.push(request);
      const answer = this.respond(request);
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(JSON.stringify(answer.body ?? { id: `reply-${this.received.length}` }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
