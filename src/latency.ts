// The latency monitor (LATENCY LATEST/HISTORY/RESET): per event ("command", "fast-command",
// "expire-cycle" …) the spikes of at least latency-monitor-threshold ms, one sample per second in
// a ring of 160, plus the all-time maximum. Not the per-command histograms (stats.ts).
import type { Config } from "./config.ts";

/** Matches Redis: each event keeps its last 160 per-second samples. */
export const LATENCY_HISTORY_LEN = 160;

export interface LatencySample {
  /** Unix time in seconds. */
  time: number;
  /** Milliseconds. */
  latency: number;
}

export interface LatencySeries {
  /** Oldest first. */
  readonly samples: LatencySample[];
  /** Highest latency since the event was created or reset. */
  max: number;
}

export class LatencyMonitor {
  /** latency-monitor-threshold in µs for the dispatcher's cheap check; Infinity when off (0). */
  thresholdUs: number;
  #thresholdMs: number;
  /** Event name → series, in the order events first happened. */
  readonly #events = new Map<string, LatencySeries>();

  constructor(config: Config) {
    this.#thresholdMs = config.num("latency-monitor-threshold");
    this.thresholdUs = this.#thresholdMs === 0 ? Infinity : this.#thresholdMs * 1000;
    config.onChange("latency-monitor-threshold", (v) => {
      this.#thresholdMs = Number(v);
      this.thresholdUs = this.#thresholdMs === 0 ? Infinity : this.#thresholdMs * 1000;
      return null;
    });
  }

  /** Redis's latencyAddSampleIfNeeded: record ms for event when monitoring is on and it is a spike. */
  addIfNeeded(event: string, ms: number, nowSec: number): void {
    if (this.#thresholdMs === 0 || ms < this.#thresholdMs) return;
    this.add(event, ms, nowSec);
  }

  /** Record a sample; samples within the same second keep the highest latency. */
  add(event: string, ms: number, nowSec: number): void {
    let s = this.#events.get(event);
    if (s === undefined) {
      s = { samples: [], max: 0 };
      this.#events.set(event, s);
    }
    if (ms > s.max) s.max = ms;
    const last = s.samples[s.samples.length - 1];
    if (last !== undefined && last.time === nowSec) {
      if (ms > last.latency) last.latency = ms;
      return;
    }
    s.samples.push({ time: nowSec, latency: ms });
    if (s.samples.length > LATENCY_HISTORY_LEN) s.samples.shift();
  }

  /** Every event with at least one sample. */
  events(): IterableIterator<[string, LatencySeries]> {
    return this.#events.entries();
  }

  series(event: string): LatencySeries | undefined {
    return this.#events.get(event);
  }

  /** Forget the named events (all when none are named); returns how many existed. */
  reset(events: readonly string[] | null): number {
    if (events === null) {
      const n = this.#events.size;
      this.#events.clear();
      return n;
    }
    let n = 0;
    for (const e of events) if (this.#events.delete(e)) n++;
    return n;
  }
}
