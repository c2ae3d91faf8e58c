/**
 * Approvals through the HTTP edge, pressed as Universal Actions (issue 15): an admin sets what
 * needs a second person; an order above the limit becomes a request with its card; approving it
 * places exactly one order even pressed twice or by two admins at once; rejecting needs a reason;
 * a request expires; nobody approves their own request; every step is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OFFERS, validAccount, validAttestation } from "./helpers/fixtures.js";
import { cardJson, HttpBot, textsOf, verbData, type HttpConversation, type Reply } from "./helpers/httpBot.js";
import { providerUnderTest } from "./helpers/testDatabase.js";

const PROVIDER = "0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f";
let sequence = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${++sequence}`;
const answerJson = (answer: { type: string; value: unknown }) => (answer.type === "application/vnd.microsoft.card.adaptive" ? JSON.stringify(answer.value) : "");
const anyCard = (replies: Reply[]) => replies.flatMap((reply) => reply.attachments ?? []).map((attachment) => JSON.stringify(attachment.content)).find((json) => json.includes("Approval needed")) ?? "";

describe(`approvals in the chat (${providerUnderTest})`, () => {
  let bot: HttpBot;
  let alex: HttpConversation;
  let nestor: HttpConversation;
  let megan: HttpConversation;

  beforeAll(async () => {
    bot = await HttpBot.start({ PROVIDER_TENANT_ID: PROVIDER, PROVIDER_NAME: "Contoso Distribution" });
    // Alex is the provider's first user (its admin); Nestor is made an admin too; Megan is an agent.
    alex = bot.user({ tenantId: PROVIDER, aadObjectId: "aad-alex", name: "Alex Wilber" });
    nestor = bot.user({ tenantId: PROVIDER, aadObjectId: "aad-nestor", name: "Nestor Wilke" });
    megan = bot.user({ tenantId: PROVIDER, aadObjectId: "aad-megan", name: "Megan Bowen" });
    for (const person of [alex, nestor, megan]) await person.say("hello");
    await bot.db.user.updateMany({ where: { aadObjectId: "aad-nestor" }, data: { role: "admin" } });
    const policy = cardJson((await alex.say("approvals")).replies);
    expect(policy).toContain("Orders of more than this many licences");
    const saved = await alex.execute("approvals.save", { verb: "approvals.save", orderLicencesAbove: "10", orderMonthlyAbove: "", resellerCustomers: "false", cancellations: "true", suspensions: "false", expiryHours: "48" });
    expect(textsOf(saved.replies)).toContain("Approvals saved.");
  });
  afterAll(() => {
    if (process.env.SHOW_LOG) console.log(bot.log.lines.filter((line) => /"level":(40|50)/.test(line)).join("\n"));
    return bot?.stop();
  });

  /** A customer made by Alex, with 2 licences (under the limit: no approval). */
  const customer = async () => {
    const prefix = unique("ap");
    const account = cardJson((await alex.say("new customer")).replies);
    const { flowId } = verbData(account, "customer.account.next");
    await alex.execute("customer.account.next", { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: prefix, companyName: `Fabrikam ${prefix}` }) });
    await alex.execute("customer.agreement.next", { verb: "customer.agreement.next", flowId, ...validAttestation() });
    await alex.execute("customer.term.next", { verb: "customer.term.next", flowId, termCycle: "P1Y/monthly" });
    await alex.execute("customer.subscriptions.next", { verb: "customer.subscriptions.next", flowId, [`qty_${OFFERS.e1}`]: "2" });
    await alex.execute("customer.review.submit", { verb: "customer.review.submit", flowId });
    const row = await bot.db.customer.findFirstOrThrow({ where: { domainPrefix: prefix } });
    expect(await bot.db.order.count({ where: { customerId: row.id } })).toBe(1);
    return row;
  };

  /** `who` orders `licences` of Office 365 E3 for the customer; returns the request's id (or none). */
  const orderAbove = async (who: HttpConversation, customerId: string, licences: number) => {
    const term = cardJson((await who.execute("subscription.new", { verb: "subscription.new", customerId })).replies);
    const { flowId } = verbData(term, "order.term.next");
    await who.execute("order.term.next", { verb: "order.term.next", flowId, termCycle: "P1Y/monthly" });
    await who.execute("order.catalog.next", { verb: "order.catalog.next", flowId, [`qty_${OFFERS.e3}`]: String(licences) });
    const submitted = await who.execute("order.review.submit", { verb: "order.review.submit", flowId });
    return { submitted, flowId };
  };

  it("an order above the limit is asked for, not placed; the admins get the card; an approval places it once, even pressed twice and by two admins at once", async () => {
    const { id: customerId, companyName } = await customer();
    const notices = bot.connector.received.length;
    const { submitted, flowId } = await orderAbove(megan, customerId, 25);
    expect(textsOf(submitted.replies)).toContain("This needs an admin's approval. I have asked the admins; nothing is ordered or changed until one approves.");
    const mine = anyCard(submitted.replies);
    expect(mine).toContain(`Approval needed: order for ${companyName}`);
    expect(mine).toContain("25 × Office 365 E3");
    expect(mine).toContain("more than 10 licences");
    expect(mine).not.toContain("approval.approve"); // Megan may not decide
    expect(await bot.db.order.count({ where: { customerId } })).toBe(1);
    const request = await bot.db.approvalRequest.findFirstOrThrow({ where: { customerId } });
    expect(request).toMatchObject({ status: "pending", kind: "order" });
    // A double click on the review's Submit asks once.
    await megan.execute("order.review.submit", { verb: "order.review.submit", flowId });
    expect(await bot.db.approvalRequest.count({ where: { customerId } })).toBe(1);
    // Both admins got the card in their personal chats, with Approve; each card refreshes for its reader.
    const toAdmins = bot.connector.received.slice(notices).filter((r) => /a%3Apersonal-aad-(alex|nestor)|a:personal-aad-(alex|nestor)/.test(decodeURIComponent(r.path)) && JSON.stringify(r.body).includes("Approval needed"));
    expect(toAdmins.map((r) => decodeURIComponent(r.path).match(/aad-(alex|nestor)/)![1]).sort()).toEqual(["alex", "nestor"]);
    for (const r of toAdmins) expect(JSON.stringify(r.body)).toContain('"verb":"approval.approve"');

    // Alex and Nestor press Approve at the same moment, and Alex twice.
    const approve = { verb: "approval.approve", approvalId: request.id };
    const pressedAt = bot.connector.received.length;
    const presses = await Promise.all([alex.execute("approval.approve", approve), nestor.execute("approval.approve", approve), alex.execute("approval.approve", approve)]);
    const sentSince = bot.connector.received.slice(pressedAt);
    expect(presses.every((press) => press.status === 200)).toBe(true);
    expect(await bot.db.order.count({ where: { customerId } })).toBe(2);
    expect((await bot.db.subscription.findMany({ where: { customerId, offerName: "Office 365 E3" } })).map((s) => s.licences)).toEqual([25]);
    const decided = await bot.db.approvalRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(decided.status).toBe("done");
    // The pressed cards answer with the outcome; the ones that lost say it was already decided.
    // The pressed cards answer with the outcome (a press that lost while the winner was still
    // placing the order shows it being done); the ones that lost say it was already decided.
    const answers = presses.map((press) => answerJson(press.answer));
    expect(answers.filter((json) => json.includes("The order was placed")).length).toBeGreaterThanOrEqual(1);
    for (const json of answers) expect(json).toMatch(/The order was placed|being done now/);
    expect(sentSince.filter((r) => String(r.body.text ?? "").includes("already decided"))).toHaveLength(2);
    expect(sentSince.filter((r) => String(r.body.text ?? "").startsWith("Approved by"))).toHaveLength(1);
    // Megan's copy is updated, and she is told.
    const after = bot.connector.received.slice(notices);
    expect(after.some((r) => r.method === "PUT" && decodeURIComponent(r.path).includes("personal-aad-megan") && JSON.stringify(r.body).includes("The order was placed"))).toBe(true);
    expect(after.some((r) => r.method === "POST" && decodeURIComponent(r.path).includes("personal-aad-megan") && String(r.body.text).startsWith("Your request was decided"))).toBe(true);
    // Every step audited.
    expect((await bot.db.auditEntry.findMany({ where: { action: { startsWith: "approval." }, customerId }, orderBy: { at: "asc" } })).map((entry) => entry.action)).toEqual(["approval.requested", "approval.approved", "approval.done"]);
    // Anyone opening the card later sees the outcome (Teams' refresh).
    const refreshed = await megan.execute("approval.open", { approvalId: request.id }, { trigger: "automatic" });
    expect(answerJson(refreshed.answer)).toContain("Approved by");
  });

  it("the requester cannot approve their own request; an agent cannot decide; a rejection needs a reason and places nothing", async () => {
    const { id: customerId } = await customer();
    await orderAbove(alex, customerId, 30);
    const request = await bot.db.approvalRequest.findFirstOrThrow({ where: { customerId } });
    const own = await alex.execute("approval.approve", { verb: "approval.approve", approvalId: request.id });
    expect(textsOf(own.replies)).toEqual(["You asked for this: another admin must approve or reject it."]);
    const agent = await megan.execute("approval.approve", { verb: "approval.approve", approvalId: request.id });
    expect(textsOf(agent.replies)).toEqual(["Only an admin can approve or reject a request."]);
    const noReason = await nestor.execute("approval.reject", { verb: "approval.reject", approvalId: request.id, reason: "  " });
    expect(textsOf(noReason.replies)).toEqual(["Say why it is rejected: the requester will read it."]);
    expect((await bot.db.approvalRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("pending");
    const rejected = await nestor.execute("approval.reject", { verb: "approval.reject", approvalId: request.id, reason: "Budget frozen until January" });
    expect(answerJson(rejected.answer)).toContain("Rejected by Nestor Wilke: Budget frozen until January");
    expect(answerJson(rejected.answer)).not.toContain("approval.approve");
    const late = await nestor.execute("approval.approve", { verb: "approval.approve", approvalId: request.id });
    expect(textsOf(late.replies)).toContain("This request was already decided; the card shows how.");
    expect(await bot.db.order.count({ where: { customerId } })).toBe(1);
    expect((await bot.db.auditEntry.findMany({ where: { action: { startsWith: "approval." }, customerId } })).map((entry) => entry.action).sort()).toEqual(["approval.rejected", "approval.requested"]);
  });

  it("a request nobody decides expires: approving it then does nothing, and the requester is told", async () => {
    const { id: customerId } = await customer();
    await orderAbove(megan, customerId, 40);
    const request = await bot.db.approvalRequest.findFirstOrThrow({ where: { customerId } });
    expect(request.expiresAt.getTime() - request.createdAt.getTime()).toBe(48 * 3_600_000);
    await bot.db.approvalRequest.update({ where: { id: request.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const pressed = await alex.execute("approval.approve", { verb: "approval.approve", approvalId: request.id });
    expect(answerJson(pressed.answer)).toContain("Expired: nobody decided before");
    expect(await bot.db.order.count({ where: { customerId } })).toBe(1);
    expect((await bot.db.approvalRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("expired");
    expect(await bot.db.auditEntry.count({ where: { action: "approval.expired", customerId } })).toBe(1);
  });

  it("a cancellation needs approval under the policy; approved, the subscription is cancelled once", async () => {
    const { id: customerId } = await customer();
    const subscription = await bot.db.subscription.findFirstOrThrow({ where: { customerId } });
    const asked = await megan.execute("subscription.cancel", { verb: "subscription.cancel", subscriptionId: subscription.id, version: subscription.version });
    expect(textsOf(asked.replies)).toContain("This needs an admin's approval. I have asked the admins; nothing is ordered or changed until one approves.");
    expect((await bot.db.subscription.findUniqueOrThrow({ where: { id: subscription.id } })).status).toBe("active");
    const request = await bot.db.approvalRequest.findFirstOrThrow({ where: { subscriptionId: subscription.id } });
    expect(request.kind).toBe("cancel");
    const approved = await nestor.execute("approval.approve", { verb: "approval.approve", approvalId: request.id });
    expect(answerJson(approved.answer)).toContain("The subscription was cancelled");
    expect((await bot.db.subscription.findUniqueOrThrow({ where: { id: subscription.id } })).status).toBe("deleted");
  });
});
