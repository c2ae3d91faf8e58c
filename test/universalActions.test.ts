/**
 * Universal Actions through the HTTP edge (issue 15): buttons are Action.Execute, answered with
 * the updated card; a change by one person updates the card for everyone and each person's
 * refresh shows the current state; a new customer's temporary password reaches its creator only,
 * never an activity sent to a group chat or a channel.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validAccount, validAttestation } from "./helpers/fixtures.js";
import { cardJson, HttpBot, textsOf, verbData, type HttpConversation, type Reply } from "./helpers/httpBot.js";
import { providerUnderTest } from "./helpers/testDatabase.js";

const PROVIDER = "0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f";
let sequence = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${++sequence}`;
const cardOfAnswer = (answer: { type: string; value: unknown }) => {
  expect(answer.type).toBe("application/vnd.microsoft.card.adaptive");
  return answer.value as Record<string, unknown> & { refresh?: { action: { verb: string; data: Record<string, unknown> }; userIds?: string[] } };
};
const sharedCard = (replies: Reply[]) => replies.flatMap((reply) => reply.attachments ?? []).find((attachment) => attachment.contentType === "application/vnd.microsoft.card.adaptive")!.content as Record<string, unknown> & { refresh?: { action: { verb: string; data: Record<string, unknown> }; userIds?: string[] } };

describe(`Universal Actions and user-specific views (${providerUnderTest})`, () => {
  let bot: HttpBot;

  beforeAll(async () => {
    bot = await HttpBot.start({ PROVIDER_TENANT_ID: PROVIDER, PROVIDER_NAME: "Contoso Distribution" });
    // Alex is the provider's first user, so its admin, whichever test runs first.
    await bot.user({ tenantId: PROVIDER, aadObjectId: "aad-admin", name: "Alex Wilber" }).say("hello");
  });
  afterAll(() => bot?.stop());

  const person = (aadObjectId: string, name: string, conversation?: { id: string; type: "groupChat" | "channel" }) =>
    bot.user({ tenantId: PROVIDER, aadObjectId, name, conversationId: conversation?.id, conversationType: conversation?.type });

  /** The add-customer flow up to its last card, pressed as Universal Actions; returns the review's data. */
  const toReview = async (user: HttpConversation, domainPrefix: string) => {
    const account = cardJson((await user.say("new customer")).replies);
    expect(account).toContain('"type":"Action.Execute"');
    const { flowId } = verbData(account, "customer.account.next");
    for (const [verb, data] of [
      ["customer.account.next", validAccount({ domainPrefix, companyName: `Fabrikam ${domainPrefix}` })],
      ["customer.agreement.next", validAttestation()],
      ["customer.term.next", { termCycle: "P1Y/monthly" }],
      ["customer.subscriptions.next", { "qty_CFQ7TTC0LF8Q:0001": "2" }],
    ] as const) {
      const step = await user.execute(verb, { verb, flowId, ...data });
      expect(step.status).toBe(200);
    }
    return { verb: "customer.review.submit", flowId };
  };

  it("every button is an Action.Execute with its Action.Submit as fallback, and both carry the same verb and data", async () => {
    const admin = person("aad-admin", "Alex Wilber");
    const menu = JSON.parse(cardJson((await admin.say("menu")).replies)) as { body: { actions?: Record<string, unknown>[] }[] };
    const actions = menu.body.flatMap((element) => element.actions ?? []);
    expect(actions.length).toBeGreaterThan(2);
    for (const action of actions) {
      // New customer opens its form in a dialog: a Submit with Teams' task/fetch.
      if ((action.data as { msteams?: unknown }).msteams) expect(action).toMatchObject({ type: "Action.Submit", data: { verb: "customer.new", msteams: { type: "task/fetch" } } });
      else expect(action).toMatchObject({ type: "Action.Execute", verb: (action.data as { verb: string }).verb, fallback: { type: "Action.Submit", data: action.data } });
    }
    expect(actions.filter((action) => action.type === "Action.Execute").length).toBeGreaterThan(2);
  });

  it("a change pressed by one person: the answer is the updated card, the card is replaced for everyone, and a second person's refresh shows the new state", async () => {
    const admin = person("aad-admin", "Alex Wilber");
    await admin.say("hello");
    const prefix = unique("ua");
    await admin.press(await toReview(admin, prefix));
    const subscription = await bot.db.subscription.findFirstOrThrow({ where: { customer: { domainPrefix: prefix } } });

    const group = { id: `19:${unique("group")}@thread.v2`, type: "groupChat" as const };
    const inGroup = person("aad-admin", "Alex Wilber", group);
    const colleague = person(unique("aad-megan"), "Megan Bowen", group);
    await colleague.say("hello");
    const opened = await inGroup.say(`subscription ${prefix}`);
    const card = sharedCard(opened.replies);
    // The refresh re-reads the subscription for each person listed: the two people of this chat.
    expect(card.refresh?.action).toMatchObject({ verb: "subscription.open", data: { subscriptionId: subscription.id } });
    expect(new Set(card.refresh?.userIds)).toEqual(new Set(["29:aad-admin", `29:${colleague.user.aadObjectId}`]));

    const change = verbData(JSON.stringify(card), "subscription.autoRenew");
    const pressed = await inGroup.execute("subscription.autoRenew", { ...change, autoRenew: "false" }, { replyToId: "card-1" });
    expect(pressed.status).toBe(200);
    expect(pressed.answer.statusCode).toBe(200);
    const updated = cardOfAnswer(pressed.answer);
    const after = await bot.db.subscription.findUniqueOrThrow({ where: { id: subscription.id } });
    expect(after.autoRenew).toBe(false);
    expect(verbData(JSON.stringify(updated), "subscription.autoRenew")).toMatchObject({ subscriptionId: subscription.id, version: after.version });
    // Everyone's copy of the message is replaced by the new state (PUT on the message pressed).
    expect(pressed.updates).toHaveLength(1);
    expect(pressed.updates[0].attachments).toEqual([{ contentType: "application/vnd.microsoft.card.adaptive", content: updated }]);
    expect(updated.refresh?.userIds).toContain(`29:${colleague.user.aadObjectId}`);

    // Megan opens the chat: Teams refreshes the card for her; she sees the new state, and nothing is posted.
    const refreshed = await colleague.execute(card.refresh!.action.verb, card.refresh!.action.data, { trigger: "automatic", replyToId: "card-1" });
    expect(refreshed.replies).toHaveLength(0);
    const hers = cardOfAnswer(refreshed.answer);
    expect(verbData(JSON.stringify(hers), "subscription.autoRenew")).toMatchObject({ subscriptionId: subscription.id, version: after.version });
    expect(hers.refresh).toEqual(updated.refresh);

    // Her old copy (the version before the change) changes nothing and says so.
    const stale = await colleague.execute("subscription.autoRenew", { ...change, autoRenew: "true" });
    expect(textsOf(stale.replies).join()).toMatch(/changed/i);
    expect((await bot.db.subscription.findUniqueOrThrow({ where: { id: subscription.id } })).autoRenew).toBe(false);
  });

  it("the temporary password of a customer created in a group chat never appears in any activity sent to that chat; its creator alone sees it, on a refresh answered to them", async () => {
    const group = { id: `19:${unique("group")}@thread.v2`, type: "groupChat" as const };
    const admin = person("aad-admin", "Alex Wilber", group);
    const colleague = person(unique("aad-megan"), "Megan Bowen", group);
    await admin.say("hello");
    await colleague.say("hello");
    const before = bot.connector.received.length;
    const prefix = unique("pw");
    const created = await admin.execute("customer.review.submit", await toReview(admin, prefix));
    expect(created.status).toBe(200);
    const customer = await bot.db.customer.findFirstOrThrow({ where: { domainPrefix: prefix } });

    const shared = sharedCard(created.replies);
    expect(JSON.stringify(shared)).toContain("Created by Alex Wilber");
    expect(JSON.stringify(shared)).not.toContain("Temporary password");
    expect(shared.refresh).toMatchObject({ action: { verb: "customer.created.view", data: { customerId: customer.id } }, userIds: ["29:aad-admin"] });

    // Alex's client refreshes the card: the answer (to Alex's client only) has the password.
    const mine = await admin.execute("customer.created.view", shared.refresh!.action.data, { trigger: "automatic" });
    const view = JSON.stringify(cardOfAnswer(mine.answer));
    const password = /"title":"Temporary password","value":"([^"]+)"/.exec(view)?.[1];
    expect(password).toBeTruthy();
    expect(mine.replies).toHaveLength(0);

    // Megan: the shared view, whatever she presses.
    const hers = await colleague.execute("customer.created.view", shared.refresh!.action.data, { trigger: "automatic" });
    expect(JSON.stringify(hers.answer)).not.toContain(password!);
    expect(JSON.stringify(hers.answer)).toContain("Created by");
    const attempt = await colleague.execute("customer.password.show", { verb: "customer.password.show", customerId: customer.id });
    expect(JSON.stringify(attempt)).not.toContain(password!);
    // Alex on an old client (a plain Submit) in the group: told where to see it, not shown.
    const old = await admin.press({ verb: "customer.password.show", customerId: customer.id });
    expect(textsOf(old.replies).join()).toContain("never shown in a shared conversation");
    // Alex as a Universal Action: to Alex alone.
    const again = await admin.execute("customer.password.show", { verb: "customer.password.show", customerId: customer.id });
    expect(JSON.stringify(again.answer)).toContain(password!);
    expect(again.replies).toHaveLength(0);
    // Done: the password is erased; the card says so for everyone.
    const done = await admin.execute("customer.created.done", { verb: "customer.created.done", customerId: customer.id });
    expect(JSON.stringify(done.updates)).toContain("no longer shown");
    expect(await bot.db.customerCredential.count({ where: { customerId: customer.id } })).toBe(0);

    // Every activity the bot sent or updated in the group chat, searched for the password.
    const toGroup = bot.connector.received.slice(before).filter((request) => decodeURIComponent(request.path).includes(group.id));
    expect(toGroup.length).toBeGreaterThan(5);
    for (const request of toGroup) expect(JSON.stringify(request.body)).not.toContain(password!);
  });

  it("an invitation's code, asked for in a channel, goes to the inviter alone; an older client there is told to use the personal chat and nothing is created", async () => {
    const channel = { id: `19:${unique("channel")}@thread.tacv2`, type: "channel" as const };
    const admin = person("aad-admin", "Alex Wilber", channel);
    const before = bot.connector.received.length;
    const form = cardJson((await admin.say("invite reseller")).replies);
    const company = unique("Northwind ");
    const submit = { ...verbData(form, "reseller.invite.submit"), email: `${unique("r")}@reseller.example`, companyName: company };

    const old = await admin.press(submit);
    expect(textsOf(old.replies).join()).toContain("cannot show it to you alone");
    expect(await bot.db.partnership.count({ where: { companyName: company } })).toBe(0);

    const sent = await admin.execute("reseller.invite.submit", submit);
    const draft = JSON.stringify(cardOfAnswer(sent.answer));
    const code = /accept%20([A-Za-z0-9_-]{10,})|accept ([A-Za-z0-9_-]{10,})/.exec(decodeURIComponent(draft))!.slice(1).find(Boolean)!;
    expect(code.length).toBeGreaterThan(9);
    expect(await bot.db.partnership.count({ where: { companyName: company } })).toBe(1);
    const toChannel = bot.connector.received.slice(before).filter((request) => decodeURIComponent(request.path).includes(channel.id));
    expect(toChannel.length).toBeGreaterThan(1);
    for (const request of toChannel) expect(decodeURIComponent(JSON.stringify(request.body))).not.toContain(code);
  });

  it("a customer's card refreshes for each reader: the creator's view offers the password while it is kept, a colleague's does not", async () => {
    const admin = person("aad-admin", "Alex Wilber");
    const prefix = unique("cr");
    await admin.execute("customer.review.submit", await toReview(admin, prefix));
    const customer = await bot.db.customer.findFirstOrThrow({ where: { domainPrefix: prefix } });
    const card = sharedCard((await admin.execute("customer.open", { verb: "customer.open", customerId: customer.id })).replies);
    expect(card.refresh?.action).toMatchObject({ verb: "customer.open", data: { customerId: customer.id } });
    const colleague = person(unique("aad-megan"), "Megan Bowen");
    await colleague.say("hello");
    const mine = await admin.execute("customer.open", card.refresh!.action.data, { trigger: "automatic" });
    const theirs = await colleague.execute("customer.open", card.refresh!.action.data, { trigger: "automatic" });
    expect(mine.replies).toHaveLength(0);
    expect(JSON.stringify(cardOfAnswer(mine.answer))).toContain("Show the temporary password");
    expect(JSON.stringify(cardOfAnswer(theirs.answer))).not.toContain("Show the temporary password");
  });

  it("in a group chat the bot answers what mentions it, not the rest of the conversation", async () => {
    const group = { id: `19:${unique("group")}@thread.v2`, type: "groupChat" as const };
    const megan = person(unique("aad-megan"), "Megan Bowen", group);
    expect(textsOf((await megan.say("help")).replies).length + cardJson((await megan.say("help")).replies).length).toBeGreaterThan(0);
    const chatter = await megan.chatter("lunch at noon?");
    expect(chatter.status).toBe(200);
    expect(chatter.replies).toHaveLength(0);
  });

  it("a message whose answer waits shows Teams' typing indicator first; a quick one does not", async () => {
    const typing = await HttpBot.start({ PROVIDER_TENANT_ID: PROVIDER, PROVIDER_NAME: "Contoso Distribution", TYPING_DELAY_MS: "100" });
    try {
      const alex = typing.user({ tenantId: PROVIDER, aadObjectId: "aad-admin", name: "Alex Wilber" });
      await alex.say("hello");
      // The connector is slow to take the first answer, so the second message waits (its turn
      // comes after the first): it shows "typing…" before its answer.
      typing.connector.respond = (request) => (request.body.type === "message" ? { status: 200, delayMs: 400 } : { status: 200 });
      const before = typing.connector.received.length;
      await Promise.all([alex.say("help"), new Promise((resolve) => setTimeout(resolve, 20)).then(() => alex.say("profile"))]);
      const types = typing.connector.received.slice(before).map((request) => `${request.body.type}${request.body.attachments ? ":card" : ""}`);
      expect(types).toContain("typing");
      expect(types.indexOf("typing")).toBeLessThan(types.lastIndexOf("message:card"));
      typing.connector.respond = () => ({ status: 200 });
      const quick = await alex.say("profile");
      expect(quick.replies.map((reply) => reply.type)).toEqual(["message"]);
    } finally {
      await typing.stop();
    }
  });

  it("in a personal chat the creator sees the password on the card, as before", async () => {
    const admin = person("aad-admin", "Alex Wilber");
    const prefix = unique("pp");
    const created = await admin.execute("customer.review.submit", await toReview(admin, prefix));
    expect(cardJson(created.replies)).toMatch(/"title":"Temporary password","value":"[^"]+"/);
    // The obvious next step is suggested, in words the bot understands: order for this customer.
    const card = created.replies.find((reply) => reply.attachments?.length) as { suggestedActions?: { actions: { value: string }[] } };
    expect(card.suggestedActions?.actions.map((action) => action.value)).toEqual([`new subscription for ${prefix}`, "customers"]);
    expect(cardJson((await admin.say(`new subscription for ${prefix}`)).replies)).toContain(`Fabrikam ${prefix}`);
  });
});
