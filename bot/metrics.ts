/**
 * Prometheus metrics at GET /metrics: turns by activity type and outcome with their latency,
 * database time per statement (reads and writes), reminders by outcome, Partner Center calls by status (throttling included), and the process's
 * own (CPU, memory, event loop). No tenant, user or customer appears in a label.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export class Metrics {
  readonly registry = new Registry();
  private readonly turns = new Counter({ name: "csp_bot_turns_total", help: "Activities posted to /api/messages, by type and HTTP outcome", labelNames: ["activity_type", "status"], registers: [this.registry] });
  private readonly turnSeconds = new Histogram({ name: "csp_bot_turn_duration_seconds", help: "Time to answer an activity posted to /api/messages", labelNames: ["activity_type"], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  private readonly databaseSeconds = new Histogram({ name: "csp_bot_database_statement_duration_seconds", help: "Time the database took for each statement, as the driver saw it (read: returns rows; write: does not, commits included)", labelNames: ["kind"], buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [this.registry] });
  private readonly reminders = new Counter({ name: "csp_bot_reminders_total", help: "Reminders handled by the sweeps, by outcome (sent, retried, failed, skipped, …)", labelNames: ["outcome"], registers: [this.registry] });
  private readonly partnerCenter = new Counter({ name: "csp_bot_partner_center_calls_total", help: "HTTP calls to Partner Center, by method and status (429: throttled; network: no answer)", labelNames: ["method", "status"], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "csp_bot_" });
  }

  turn(activityType: string | undefined, status: number, seconds: number): void {
    const type = activityType && /^[a-zA-Z]{1,30}$/.test(activityType) ? activityType : "other";
    this.turns.inc({ activity_type: type, status: String(status) });
    this.turnSeconds.observe({ activity_type: type }, seconds);
  }

  /** One database statement's time (handed to the database as its query observer). */
  readonly databaseStatement = (kind: "read" | "write", seconds: number): void => {
    this.databaseSeconds.observe({ kind }, seconds);
  };

  /** A sweep's report: how many reminders ended each way. */
  sweep(report: Record<string, number>): void {
    for (const [outcome, count] of Object.entries(report)) if (count > 0) this.reminders.inc({ outcome }, count);
  }

  partnerCenterCall(method: string, status: number | "network"): void {
    this.partnerCenter.inc({ method, status: String(status) });
  }

  /** The text Prometheus scrapes. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
