/**
 * Sliding-window rate limits, as Teams applies them to a bot: per conversation 7 sends a
 * second, 8 in 2 s, 60 in 30 s, 1,800 an hour; per tenant about 30 a second. acquire() waits
 * until every window of every key has room, then counts the send.
 */
export interface Window {
  limit: number;
  ms: number;
}

export const perConversation: Window[] = [
  { limit: 7, ms: 1_000 },
  { limit: 8, ms: 2_000 },
  { limit: 60, ms: 30_000 },
  { limit: 1_800, ms: 3_600_000 },
];
export const perTenant: Window[] = [{ limit: 30, ms: 1_000 }];

export class RateLimiter {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** How long to wait before one more send under these keys and windows (0: now). */
  delayFor(keys: { key: string; windows: Window[] }[]): number {
    const now = this.now();
    let delay = 0;
    for (const { key, windows } of keys) {
      const times = this.sent.get(key) ?? [];
      for (const window of windows) {
        const inWindow = times.filter((time) => time > now - window.ms);
        if (inWindow.length >= window.limit) delay = Math.max(delay, inWindow[inWindow.length - window.limit] + window.ms - now);
      }
    }
    return delay;
  }

  async acquire(keys: { key: string; windows: Window[] }[]): Promise<void> {
    for (let delay = this.delayFor(keys); delay > 0; delay = this.delayFor(keys)) await this.sleep(delay);
    const now = this.now();
    const longest = Math.max(...keys.flatMap(({ windows }) => windows.map((window) => window.ms)));
    for (const { key } of keys) {
      const times = (this.sent.get(key) ?? []).filter((time) => time > now - longest);
      times.push(now);
      this.sent.set(key, times);
    }
  }
}
