import { TestAdapter, TurnContext, type Activity } from "botbuilder";
import { describe, expect, it } from "vitest";
import { onTurnError } from "../bot/app.js";
import { ETagConflict } from "../bot/turns/stateStore.js";
import { memoryLogger } from "./helpers/silentLogger.js";

async function answerTo(error: unknown, activity: Partial<Activity>) {
  const adapter = new TestAdapter(async () => {});
  const context = new TurnContext(adapter, { channelId: "msteams", conversation: { id: "c", isGroup: false, conversationType: "personal", name: "" }, from: { id: "u", name: "u" }, recipient: { id: "b", name: "b" }, ...activity });
  const log = memoryLogger("error");
  await onTurnError(context, error, { defaultLocale: "en" }, log.logger);
  return { replies: adapter.activeQueue.splice(0), lines: log.lines };
}

describe("what a user is told when a turn fails", () => {
  it.each([
    ["an unexpected error", new Error("column \"x\" does not exist at /srv/bot/src/secret.ts:12"), "Sorry, something went wrong on my side."],
    ["a database that cannot be reached", Object.assign(new Error("Can't reach database server"), { code: "P1001" }), "I can't reach my database right now."],
    ["a driver socket timeout", Object.assign(new Error("timeout"), { code: "P1008", meta: { driverAdapterError: { cause: { kind: "SocketTimeout" } } } }), "I can't reach my database right now."],
    ["a state conflict", new ETagConflict("k"), "I was still working on your previous message."],
  ])("%s: a short localized sentence, never internals; the whole error is logged", async (_label, error, sentence) => {
    const { replies, lines } = await answerTo(error, { type: "message", id: "a1", locale: "en-US" });
    expect(replies).toHaveLength(1);
    expect(replies[0].text).toContain(sentence);
    expect(replies[0].text).not.toMatch(/secret\.ts|column|P1001|timeout/);
    expect(lines.join("\n")).toContain('"activityId":"a1"');
  });

  it("answers in French for a French user", async () => {
    const { replies } = await answerTo(new Error("boom"), { type: "message", locale: "fr-FR" });
    expect(replies[0].text).toContain("Désolé");
  });

  it("item 13: an invoke whose turn fails gets a proper invoke response (200, the card action's error form), not a chat message", async () => {
    const { replies } = await answerTo(new Error("boom"), { type: "invoke", name: "adaptiveCard/action", locale: "en-US" });
    expect(replies).toEqual([
      expect.objectContaining({
        type: "invokeResponse",
        value: { status: 200, body: { statusCode: 500, type: "application/vnd.microsoft.error", value: { code: "InternalError", message: expect.stringContaining("Sorry, something went wrong") } } },
      }),
    ]);
    expect(JSON.stringify(replies)).not.toContain("boom");
  });

  it("other activities get nothing", async () => {
    expect((await answerTo(new Error("boom"), { type: "conversationUpdate" })).replies).toEqual([]);
  });
});
