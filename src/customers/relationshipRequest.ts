/**
 * "Request a relationship" (Partner Center): the Microsoft 365 admin center link a customer's
 * global administrator opens to accept a partner as its reseller. For an indirect provider's own
 * customer the link names the provider; for a customer of one of its indirect resellers it names
 * the reseller and the provider (the "indirect reseller relationship" invitation). Delegated
 * administration (GDAP) is requested separately, so the link asks for no DAP.
 */
const base = "https://admin.microsoft.com/Adminportal/Home";

export function relationshipRequestUrl(input: { providerTenantId: string; resellerTenantId?: string | null }): string {
  const query = input.resellerTenantId
    ? new URLSearchParams({ invType: "IndirectResellerRelationship", partnerId: input.resellerTenantId, msppId: "0", indirectCSPId: input.providerTenantId, DAP: "false" })
    : new URLSearchParams({ invType: "ResellerRelationship", partnerId: input.providerTenantId, msppId: "0", DAP: "false" });
  return `${base}?${query.toString()}#/BillingAccounts/partner-invitation`;
}

/** The customer's own Azure portal (the partner signs in to the customer's tenant). */
export const azurePortalUrl = (domain: string) => `https://portal.azure.com/#@${encodeURIComponent(domain)}`;
export const azureSubscriptionsUrl = (domain: string) => `${azurePortalUrl(domain)}/blade/Microsoft_Azure_Billing/SubscriptionsBlade`;
