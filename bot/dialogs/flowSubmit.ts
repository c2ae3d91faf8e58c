/**
 * The card submit a multi-card flow is waiting for. Each card of a flow carries the flow's id
 * and a verb of the step it belongs to; typed text, a card of another flow, or a card of an
 * earlier step is answered with a sentence and changes nothing.
 */
import type { DialogContext } from "botbuilder-dialogs";
import { z } from "zod";
import { turnInfo } from "../turn.js";

const flowSubmit = z.looseObject({ verb: z.string().max(100), flowId: z.string().max(100) });
export type FlowSubmit = Record<string, unknown> & { verb: string; flowId: string };

export async function expectedSubmit<Step extends string>(dc: DialogContext, state: { flowId: string; step: Step }, stepOfVerb: Record<string, Step>): Promise<FlowSubmit | undefined> {
  const { t } = turnInfo(dc.context);
  const parsed = flowSubmit.safeParse(dc.context.activity.value);
  if (!parsed.success) {
    await dc.context.sendActivity(t("flow.useTheCard"));
    return undefined;
  }
  if (parsed.data.flowId !== state.flowId || stepOfVerb[parsed.data.verb] !== state.step) {
    await dc.context.sendActivity(t("unknown.action"));
    return undefined;
  }
  return parsed.data as FlowSubmit;
}
