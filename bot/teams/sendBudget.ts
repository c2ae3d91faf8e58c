/**
 * Teams' rate limits for a bot (per conversation 7 sends a second, 8 in 2 s, 60 in 30 s, 1,800
 * an hour; per tenant about 30 a second), as a budget of send slots (src/util/slidingWindowBudget.ts):
 * in memory in one process, shared through PostgreSQL by several instances.
 */
import type { Window } from "../../src/util/slidingWindowBudget.js";

export { ClockOffset, earliestSlot, LocalSendBudget, SharedSendBudget, type BudgetKey, type SendBudget, type Window } from "../../src/util/slidingWindowBudget.js";

// One chat rarely gets more than a few cards at once, so its windows keep generous room for the
// jitter between a reserved slot and the card's arrival (a late first card and a punctual ninth
// would otherwise make 8 in under 2 s); the tenant's window is the throughput, kept tight.
export const perConversation: Window[] = [
  { limit: 7, ms: 1_000, marginMs: 150 },
  { limit: 8, ms: 2_000, marginMs: 150 },
  { limit: 60, ms: 30_000, marginMs: 150 },
  { limit: 1_800, ms: 3_600_000, marginMs: 150 },
];
// A tenant's sends are spaced evenly (one every 34 ms, 29 a second) rather than sent 30 at
// once: a burst reaches Teams spread over tens of milliseconds, and the next second's first send,
// punctual, then finds 30 still inside the window (429). Evenly spaced, each send has the room.
export const perTenant: Window[] = [
  { limit: 30, ms: 1_000 },
  { limit: 1, ms: 34, marginMs: 0 },
];
