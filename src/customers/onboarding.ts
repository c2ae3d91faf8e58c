/**
 * "Add a new customer" as one command: create the customer in Partner Center, attest the
 * Microsoft Customer Agreement, then order its first subscriptions. Each step is idempotent by a
 * key derived from the creating card's, so submitting again (a double click, a redelivery, a
 * retry after a failure or a crash) completes what is missing and repeats nothing. The customer
 * and its temporary password are kept even if a later step fails: that failure is returned, for
 * the user to be told, and ordering can be done again from the customer's card.
 */
import { orderable, type CatalogService } from "../catalog/catalogService.js";
import { InvalidInput } from "../errors.js";
import type { Caller } from "../identity/identityService.js";
import type { BillingCycle, Term } from "../partnerCenter/terms.js";
import type { OrderResult, OrderService } from "../subscriptions/orderService.js";
import type { CreateCustomerCommand, CreateCustomerResult, CustomerService } from "./customerService.js";

export interface OnboardCommand extends CreateCustomerCommand {
  /** The attestation of the Microsoft Customer Agreement (see attestationSchema). */
  attestation: unknown;
  /** The first subscriptions, keyed by productId:skuId (none: the customer only). */
  order?: { termDuration: Term; billingCycle: BillingCycle; quantities: Record<string, number> };
}

export interface OnboardResult {
  customer: CreateCustomerResult;
  order?: OrderResult;
  /** A step after the creation failed (attestation, order): the customer exists, this did not happen. */
  failed?: { step: "attestation" | "order"; error: unknown };
}

export async function onboardCustomer(services: { customers: CustomerService; orders: OrderService; catalog: CatalogService }, caller: Caller, command: OnboardCommand): Promise<OnboardResult> {
  const attestation = services.customers.checkAttestation(command.attestation);
  if (!attestation.ok) throw new InvalidInput(attestation.issues);
  const customer = await services.customers.create(caller, command);
  try {
    await services.customers.attest(caller, { customerId: customer.customer.id, attestation: command.attestation, key: command.creationKey });
  } catch (error) {
    return { customer, failed: { step: "attestation", error } };
  }
  const wanted = Object.entries(command.order?.quantities ?? {}).filter(([, quantity]) => quantity > 0);
  if (!command.order || !wanted.length) return { customer };
  try {
    const offers = await services.catalog.offers({ country: customer.customer.country, segment: customer.customer.segment, language: "en" });
    const lines = wanted.map(([key, quantity]) => {
      const offer = offers.find((candidate) => `${candidate.productId}:${candidate.skuId}` === key && !candidate.addOnOf.length && orderable(candidate, command.order!.termDuration, command.order!.billingCycle));
      if (!offer) throw new InvalidInput([{ field: key, code: "notAvailable", params: { cycle: command.order!.billingCycle } }]);
      return { catalogItemId: offer.catalogItemId, quantity };
    });
    const order = await services.orders.place(caller, {
      customerId: customer.customer.id,
      termDuration: command.order.termDuration,
      billingCycle: command.order.billingCycle,
      lines,
      resellerOfRecordId: command.resellerOrgId ?? null,
      idempotencyKey: `customer:${command.creationKey}`,
    });
    return { customer, order };
  } catch (error) {
    return { customer, failed: { step: "order", error } };
  }
}
