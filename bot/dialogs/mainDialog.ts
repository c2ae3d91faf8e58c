/**
 * The root of every conversation. It routes a message (typed text or a card's verb) to a
 * command, and interrupts any running flow for "cancel" (stop, nothing saved) and "help"
 * (show help, then carry on where the user was).
 */
import { ActivityTypes } from "botbuilder";
import {
  ComponentDialog,
  DialogTurnStatus,
  WaterfallDialog,
  type DialogContext,
  type DialogTurnResult,
  type WaterfallStepContext,
} from "botbuilder-dialogs";
import { helpCard, helpCardData, menuCard, menuCardData, profileCard, profileCardData } from "../cards/basicCards.js";
import type { Command, CommandInput, CommandRegistry } from "../commands.js";
import { answerDomainError } from "../domainErrors.js";
import { cardSubmit, messageText, suggested, turnInfo, typed } from "../turn.js";
import { coreVerbs } from "../commands.js";
import { customerVerbs } from "../customers/verbs.js";

export const MAIN_DIALOG = "main";
const ROUTE = "main.route";

export class MainDialog extends ComponentDialog {
  constructor(private readonly registry: CommandRegistry) {
    super(MAIN_DIALOG);
    this.addDialog(new WaterfallDialog(ROUTE, [this.routeStep.bind(this)]));
    for (const dialog of registry.dialogs()) this.addDialog(dialog);
    this.initialDialogId = ROUTE;
  }

  /** Interruptions apply while a flow is running: they are checked before the flow sees the message. */
  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const found = this.commandOf(innerDc);
    const command = found?.command;
    if (command?.id === coreVerbs.cancel) {
      await innerDc.cancelAllDialogs();
      await innerDc.context.sendActivity(turnInfo(innerDc.context).t("cancel.done"));
      return { status: DialogTurnStatus.complete };
    }
    if (command?.id === coreVerbs.help) {
      await this.sendHelp(innerDc);
      return { status: DialogTurnStatus.waiting };
    }
    if (found) {
      // Another top-level command (typed, or pressed on a menu card) replaces the running flow.
      await innerDc.cancelAllDialogs();
      return this.run(innerDc, found.command, found.argument);
    }
    try {
      return await super.onContinueDialog(innerDc);
    } catch (error) {
      // A flow step refused by the domain: said in one sentence; the flow waits where it was.
      if (await answerDomainError(innerDc.context, error)) return { status: DialogTurnStatus.waiting };
      throw error;
    }
  }

  private async routeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const found = this.commandOf(step);
    if (found) return this.run(step, found.command, found.argument);
    const { t } = turnInfo(step.context);
    if (cardSubmit(step.context)) {
      // A button of a card whose flow has ended (or of an old card): harmless, and said so.
      await step.context.sendActivity(t("unknown.action"));
    } else if (step.context.activity.type === ActivityTypes.Message) {
      const text = messageText(step.context);
      // Not understood: the two ways to find out what it can do, one tap away.
      const next = suggested(step.context, [
        { title: t("menu.help"), text: typed(step.context, coreVerbs.help) },
        { title: t("menu.customers"), text: typed(step.context, customerVerbs.list) },
        { title: t("menu.button"), text: typed(step.context, coreVerbs.menu) },
      ]);
      await step.context.sendActivity({ text: text ? t("unknown.text", { text: text.slice(0, 100) }) : t("unknown.action"), ...next });
    }
    return step.endDialog();
  }

  /** Runs a command; what the domain refuses is answered from the one table of sentences (domainErrors). */
  private async run(dc: DialogContext, command: Command, argument: string): Promise<DialogTurnResult> {
    try {
      return await this.runCommand(dc, command, argument);
    } catch (error) {
      if (await answerDomainError(dc.context, error)) return dc.endDialog();
      throw error;
    }
  }

  private async runCommand(dc: DialogContext, command: Command, argument: string): Promise<DialogTurnResult> {
    const submit = cardSubmit(dc.context);
    // verb → schema → handler: card data is read by the command's schema before it runs.
    const input: CommandInput = { text: argument, submit, data: command.schema && submit ? command.schema.parse(submit) : undefined };
    if (command.dialog) return dc.beginDialog(command.dialog.id, input);
    if (command.handler) {
      await command.handler(dc.context, input);
      return dc.endDialog();
    }
    const { t, caller } = turnInfo(dc.context);
    switch (command.id) {
      case coreVerbs.menu:
        await dc.context.sendActivity({ attachments: [menuCard(menuCardData(t, caller, this.registry.menuEntries(caller)))] });
        break;
      case coreVerbs.help:
        await this.sendHelp(dc);
        break;
      case coreVerbs.cancel:
        await dc.context.sendActivity(t("cancel.nothing"));
        break;
      case coreVerbs.profile:
        await dc.context.sendActivity({ attachments: [profileCard(profileCardData(t, caller))] });
        break;
    }
    return dc.endDialog();
  }

  private async sendHelp(dc: DialogContext): Promise<void> {
    const { t, caller } = turnInfo(dc.context);
    await dc.context.sendActivity({ attachments: [helpCard(helpCardData(t, this.registry.helpLines(caller)))] });
  }

  private commandOf(dc: DialogContext): ReturnType<CommandRegistry["find"]> {
    const submit = cardSubmit(dc.context);
    return submit ? this.registry.find({ verb: submit.verb }) : this.registry.find({ text: messageText(dc.context) });
  }
}
