/**
 * The root of every conversation. It routes a message (typed text or a card's verb) to a
 * command, and interrupts any running flow for "cancel" (stop, nothing saved) and "help"
 * (show help, then carry on where the user was).
 */
import { ActivityTypes, type TurnContext } from "botbuilder";
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
import { cardSubmit, markReadOnly, messageText, suggested, turnInfo, typed } from "../turn.js";
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
    const found = this.commandOf(innerDc.context);
    const command = found?.command;
    if (command?.id === coreVerbs.cancel) {
      await innerDc.cancelAllDialogs();
      await innerDc.context.sendActivity(turnInfo(innerDc.context).t("cancel.done"));
      return { status: DialogTurnStatus.complete };
    }
    if (command?.id === coreVerbs.help) {
      await this.sendHelp(innerDc.context);
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
    const found = this.commandOf(step.context);
    if (found) return this.run(step, found.command, found.argument);
    await this.notUnderstood(step.context);
    return step.endDialog();
  }

  /**
   * A turn while no flow runs, answered without the dialog machinery when it starts none: a
   * one-turn command, or what is not understood. False when the turn starts a flow (the dialogs run it).
   */
  async answerAtOnce(context: TurnContext): Promise<boolean> {
    const found = this.commandOf(context);
    if (found?.command.dialog) return false;
    if (found) await this.oneTurn(context, found.command, found.argument);
    else await this.notUnderstood(context);
    return true;
  }

  private async notUnderstood(context: TurnContext): Promise<void> {
    const { t } = turnInfo(context);
    markReadOnly(context);
    if (cardSubmit(context)) {
      // A button of a card whose flow has ended (or of an old card): harmless, and said so.
      await context.sendActivity(t("unknown.action"));
    } else if (context.activity.type === ActivityTypes.Message) {
      const text = messageText(context);
      // Not understood: the two ways to find out what it can do, one tap away.
      const next = suggested(context, [
        { title: t("menu.help"), text: typed(context, coreVerbs.help) },
        { title: t("menu.customers"), text: typed(context, customerVerbs.list) },
        { title: t("menu.button"), text: typed(context, coreVerbs.menu) },
      ]);
      await context.sendActivity({ text: text ? t("unknown.text", { text: text.slice(0, 100) }) : t("unknown.action"), ...next });
    }
  }

  /** Runs a command: a flow begins, a one-turn command answers; what the domain refuses is answered from the one table of sentences (domainErrors). */
  private async run(dc: DialogContext, command: Command, argument: string): Promise<DialogTurnResult> {
    if (!command.dialog) {
      await this.oneTurn(dc.context, command, argument);
      return dc.endDialog();
    }
    try {
      return await dc.beginDialog(command.dialog.id, this.inputOf(dc.context, command, argument));
    } catch (error) {
      if (await answerDomainError(dc.context, error)) return dc.endDialog();
      throw error;
    }
  }

  /** verb → schema → handler: card data is read by the command's schema before it runs. */
  private inputOf(context: TurnContext, command: Command, argument: string): CommandInput {
    const submit = cardSubmit(context);
    return { text: argument, submit, data: command.schema && submit ? command.schema.parse(submit) : undefined };
  }

  private async oneTurn(context: TurnContext, command: Command, argument: string): Promise<void> {
    try {
      const input = this.inputOf(context, command, argument);
      if (command.handler) {
        if (command.readOnly) markReadOnly(context);
        await command.handler(context, input);
        return;
      }
      // The built-in commands only answer.
      markReadOnly(context);
      const { t, caller } = turnInfo(context);
      switch (command.id) {
        case coreVerbs.menu:
          await context.sendActivity({ attachments: [menuCard(menuCardData(t, caller, this.registry.menuEntries(caller)))] });
          break;
        case coreVerbs.help:
          await this.sendHelp(context);
          break;
        case coreVerbs.cancel:
          await context.sendActivity(t("cancel.nothing"));
          break;
        case coreVerbs.profile:
          await context.sendActivity({ attachments: [profileCard(profileCardData(t, caller))] });
          break;
      }
    } catch (error) {
      if (!(await answerDomainError(context, error))) throw error;
    }
  }

  private async sendHelp(context: TurnContext): Promise<void> {
    const { t, caller } = turnInfo(context);
    await context.sendActivity({ attachments: [helpCard(helpCardData(t, this.registry.helpLines(caller)))] });
  }

  private commandOf(context: TurnContext): ReturnType<CommandRegistry["find"]> {
    const submit = cardSubmit(context);
    return submit ? this.registry.find({ verb: submit.verb }) : this.registry.find({ text: messageText(context) });
  }
}
