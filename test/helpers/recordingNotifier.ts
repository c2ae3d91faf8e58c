import type { Activity } from "botbuilder";
import type { Notifier, ProactiveActivity } from "../../bot/proactive.js";

/** Remembers the proactive messages a bot driven through TestAdapter would have sent. */
export class RecordingNotifier implements Notifier {
  readonly sent: { userId: string; activity: Partial<Activity> }[] = [];
  readonly updated: { activityId: string; activity: Partial<Activity> }[] = [];

  async notifyUser(userId: string, activity: ProactiveActivity): Promise<number> {
    this.sent.push({ userId, activity: typeof activity === "function" ? activity({ user: { id: `29:${userId}` }, conversation: { conversationType: "personal" } }) : activity });
    return 1;
  }

  async updateActivity(_reference: object, activityId: string, activity: Partial<Activity>): Promise<unknown> {
    this.updated.push({ activityId, activity });
    return undefined;
  }
}
