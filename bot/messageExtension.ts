/**
 * The message extension's search: from the compose box, a person finds a customer (or a
 * subscription) they may see and inserts its card into the conversation. Results are scoped by
 * the same rules as the chat commands (a reseller sees its own customers only).
 */
import type { TurnContext } from "botbuilder";
import { z } from "zod";
import type { CustomerService } from "../src/customers/customerService.js";
import type { SubscriptionService } from "../src/subscriptions/subscriptionService.js";
import { customerDetailsCard, customerDetailsCardData } from "./customers/customerCards.js";
import { subscriptionCard, subscriptionCardData } from "./subscriptions/subscriptionCards.js";
import { turnInfo } from "./turn.js";

const query = z.object({
  commandId: z.string().max(100).optional(),
  parameters: z.array(z.object({ name: z.string().max(100), value: z.unknown() })).max(10).optional(),
  queryOptions: z.object({ skip: z.number().int().min(0).max(1000).optional(), count: z.number().int().min(1).max(25).optional() }).optional(),
});

export interface SearchResult {
  composeExtension: { type: "result"; attachmentLayout: "list"; attachments: object[] };
}

const MAX_RESULTS = 10;

export function searchExtension(customers: CustomerService, subscriptions: SubscriptionService) {
  return async (context: TurnContext): Promise<SearchResult> => {
    const { caller, lang, locale } = turnInfo(context);
    const parsed = query.safeParse(context.activity.value);
    const raw = parsed.success ? parsed.data.parameters?.find((parameter) => parameter.name === "query")?.value : undefined;
    const text = typeof raw === "string" ? raw.trim().slice(0, 100) : "";
    const attachments: object[] = [];
    const found = await customers.list(caller, { text, page: 1 });
    for (const item of found.items.slice(0, MAX_RESULTS)) {
      const customer = await customers.get(caller, item.id);
      attachments.push({ ...customerDetailsCard(customerDetailsCardData(lang, customer)), preview: { contentType: "application/vnd.microsoft.card.thumbnail", content: { title: customer.companyName, text: `${customer.domainPrefix}.onmicrosoft.com` } } });
    }
    if (text && attachments.length < MAX_RESULTS) {
      for (const item of (await subscriptions.search(caller, text)).slice(0, MAX_RESULTS - attachments.length)) {
        const details = await subscriptions.get(caller, item.id, { language: locale });
        attachments.push({ ...subscriptionCard(subscriptionCardData(lang, details, { isProvider: caller.organisation.kind === "provider", resellers: [] })), preview: { contentType: "application/vnd.microsoft.card.thumbnail", content: { title: details.offerName, text: `${details.customer.companyName} · ${details.licences}` } } });
      }
    }
    return { composeExtension: { type: "result", attachmentLayout: "list", attachments } };
  };
}
