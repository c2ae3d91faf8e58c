/**
 * Reads a request body as JSON, before anyone is authenticated, so it must cost little whatever
 * is sent: only `application/json`, no content encoding (a 600 KiB gzip can expand to 600 MiB),
 * a limit counted on the bytes as they arrive (declared length or not, chunked or not), and a
 * deadline for the whole body (a client that trickles bytes is cut off). Nothing is written to
 * disk; a refused body is drained and dropped, or the connection is closed.
 */
import type { IncomingMessage } from "node:http";

export type BodyResult = { ok: true; value: Record<string, unknown>; text: string } | { ok: false; status: 400 | 408 | 413 | 415; reason: string };

export interface BodyLimits {
  maxBytes: number;
  /** Time allowed for the whole body to arrive. */
  timeoutMs: number;
}

export const defaultBodyLimits: BodyLimits = { maxBytes: 1024 * 1024, timeoutMs: 10_000 };

const decoder = new TextDecoder("utf-8", { fatal: true });

export async function readJsonBody(req: IncomingMessage, limits: BodyLimits = defaultBodyLimits): Promise<BodyResult> {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") return refuse(req, 415, "only application/json is accepted");
  const encoding = (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding !== "identity") return refuse(req, 415, "compressed bodies are not accepted");
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limits.maxBytes) return refuse(req, 413, "body too large");

  const raw = await collect(req, limits);
  if (!raw.ok) return raw;
  let text: string;
  try {
    text = decoder.decode(raw.bytes);
  } catch {
    return { ok: false, status: 400, reason: "body is not UTF-8" };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, reason: "body is not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, status: 400, reason: "body is not a JSON object" };
  return { ok: true, value: value as Record<string, unknown>, text };
}

function collect(req: IncomingMessage, limits: BodyLimits): Promise<{ ok: true; bytes: Buffer } | { ok: false; status: 408 | 413 | 400; reason: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: { ok: true; bytes: Buffer } | { ok: false; status: 408 | 413 | 400; reason: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) {
        chunks.length = 0;
        finish({ ok: false, status: 413, reason: "body too large" });
        drop(req);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, bytes: Buffer.concat(chunks, size) });
    const onError = () => finish({ ok: false, status: 400, reason: "the request was aborted" });
    const timer = setTimeout(() => {
      chunks.length = 0;
      finish({ ok: false, status: 408, reason: "the body did not arrive in time" });
      req.socket.destroy();
    }, limits.timeoutMs);
    timer.unref();
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onError);
  });
}

/** Answers without reading the body: what is still coming is discarded, up to a point, then the connection is closed. */
function refuse(req: IncomingMessage, status: 413 | 415, reason: string): BodyResult {
  drop(req);
  return { ok: false, status, reason };
}

/** Discards the rest of a body without keeping it; a sender that goes on past 8 MiB is disconnected. */
function drop(req: IncomingMessage): void {
  let discarded = 0;
  req.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > 8 * 1024 * 1024) req.socket.destroy();
  });
  req.on("error", () => {});
  req.resume();
}
