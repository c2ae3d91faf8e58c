import type { Activity } from "botbuilder";
import type { Notifier } from "../../bot/proactive.js";

/** Remembers the proactive messages a bot driven through TestAdapter would have sent. */
export class RecordingNotifier implements Notifier {
  readonly sent: { userId: string; activity: Partial<Activity> }[] = [];

  async notifyUser(userId: string, activity: Partial<Activity>): Promise<number> {
    this.sent.push({ userId, activity });
    return 1;
  }
}
