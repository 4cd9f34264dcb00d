// Server-wide counters read by INFO (stats, errorstats) and reset by CONFIG RESETSTAT, the
// sampled instantaneous rates, the memory peak, and the fields other subsystems publish for INFO
// (persistence, replication). Owns numbers only; updated by the dispatcher, the net layer,
// keyspace hooks and the cron.

/** Redis samples its instantaneous metrics into a ring of 16, at most every 100 ms. */
const SAMPLES = 16;
const SAMPLE_EVERY_MS = 100;

/** A rate over the last SAMPLES samples of a monotonically growing counter. */
class RateSampler {
  readonly #ring = new Float64Array(SAMPLES);
  #idx = 0;
  #lastMs = -1;
  #lastValue = 0;

  sample(nowMs: number, value: number): void {
    if (this.#lastMs >= 0) {
      const dt = nowMs - this.#lastMs;
      if (dt <= 0) return;
      const delta = Math.max(0, value - this.#lastValue);
      this.#ring[this.#idx] = (delta * 1000) / dt;
      this.#idx = (this.#idx + 1) % SAMPLES;
    }
    this.#lastMs = nowMs;
    this.#lastValue = value;
  }

  /** Mean of the ring (per second). */
  get rate(): number {
    let sum = 0;
    for (let i = 0; i < SAMPLES; i++) sum += this.#ring[i]!;
    return sum / SAMPLES;
  }

  reset(value: number): void {
    this.#ring.fill(0);
    this.#idx = 0;
    this.#lastMs = -1;
    this.#lastValue = value;
  }
}

/**
 * A command's latency distribution (INFO latencystats): log-linear buckets over nanoseconds, 64
 * per power of two (under 1.6% error), like the HDR histogram Redis keeps per command.
 */
export class LatencyHistogram {
  readonly #counts = new Uint32Array(27 * 64);
  total = 0;

  record(ns: number): void {
    const v = ns < 1 ? 1 : ns >= 0xffffffff ? 0xffffffff : Math.round(ns);
    let idx: number;
    if (v < 64) {
      idx = v;
    } else {
      const e = 31 - Math.clz32(v);
      idx = (e - 5) * 64 + ((v >>> (e - 6)) & 63);
    }
    this.#counts[idx]!++;
    this.total++;
  }

  /**
   * LATENCY HISTOGRAM's cumulative distribution: [bound in µs, calls at or under it] for each
   * power-of-two step that gained calls. Matches Redis's bounds: the step up to 2^n ns reports
   * the highest value its HDR histogram (2 significant figures) holds there, 2^n + 2^(n-7) - 1 ns,
   * in whole µs (1, 2, 4, 8, 16, 33, 66, 132 …); calls over 1 s count in the 1 s step.
   */
  cumulativeUsec(): [usec: number, calls: number][] {
    const out: [number, number][] = [];
    let seen = 0;
    let key = 1;
    let inKey = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      const n = this.#counts[i]!;
      if (n === 0) continue;
      // Values of bucket i lie in [2^e, 2^(e+1)) ns; Redis caps latencies at 1 s (< 2^30 ns).
      const e = Math.min(i < 64 ? 0 : Math.floor(i / 64) + 5, 29);
      const k = e < 9 ? 1 : Math.floor((2 ** (e + 1) + 2 ** (e - 6) - 1) / 1000);
      if (k !== key && inKey !== 0) {
        out.push([key, seen]);
        inKey = 0;
      }
      key = k;
      seen += n;
      inKey += n;
    }
    if (inKey !== 0) out.push([key, seen]);
    return out;
  }

  /** The latency (ns) at or under which p percent of the calls completed. */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const want = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= want) {
        if (i < 64) return i;
        const e = Math.floor(i / 64) + 5;
        return (64 + (i % 64) + 1) * 2 ** (e - 6) - 1;
      }
    }
    return 0xffffffff;
  }
}

/** What the persistence layer reports in INFO persistence; defaults describe "nothing saved yet". */
export class PersistenceInfo {
  loading = false;
  /** Unix seconds of the last successful save (Redis starts it at start-up time). */
  lastSaveTime = Math.floor(Date.now() / 1000);
  /** server.dirty at the last successful save: rdb_changes_since_last_save = dirty - this. */
  dirtyAtLastSave = 0;
  bgsaveInProgress = false;
  lastBgsaveOk = true;
  lastBgsaveTimeSec = -1;
  currentBgsaveStartMs = -1;
  rdbSaves = 0;
  lastLoadKeysExpired = 0;
  lastLoadKeysLoaded = 0;
  aofRewriteInProgress = false;
  aofRewriteScheduled = false;
  aofLastRewriteTimeSec = -1;
  aofCurrentRewriteStartMs = -1;
  aofLastBgrewriteOk = true;
  aofRewrites = 0;
  aofRewritesConsecutiveFailures = 0;
  aofLastWriteOk = true;
  /** Extra "name:value" lines a live AOF appends (aof_current_size, …) when enabled. */
  aofExtra: () => string[] = () => [];
}

/** What replication reports in INFO replication for a primary with no replicas. */
export class ReplicationInfo {
  /** Redis's master_replid: 40 hex characters, new at every start. */
  replId = randomHex40();
  replId2 = "0".repeat(40);
  offset = 0;
  secondOffset = -1;
  backlogActive = false;
  backlogFirstByteOffset = 0;
  backlogHistlen = 0;
  /** Replaces the whole section body when replication has more to say (replica role, replicas). */
  lines: (() => string[]) | null = null;
}

export function randomHex40(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => b.toString(16).padStart(2, "0")).join("");
}

export class Stats {
  commandsProcessed = 0;
  connectionsReceived = 0;
  rejectedConnections = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  expiredKeys = 0;
  evictedKeys = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  rejectedUnknown = 0;
  totalErrorReplies = 0;
  unexpectedErrorReplies = 0;
  /** Socket reads and writes handled (total_reads_processed / total_writes_processed). */
  readsProcessed = 0;
  writesProcessed = 0;
  /** Milliseconds spent in the active expire cycle (expire_cycle_cpu_milliseconds). */
  expireCycleMs = 0;
  /** used_memory when the server was created (INFO used_memory_startup). */
  readonly startupMemory = usedMemory();
  /** Highest used_memory seen (INFO used_memory_peak); not reset by RESETSTAT, as in Redis. */
  peakMemory = this.startupMemory;
  // Counts owned by other subsystems, published here for INFO (they replace these readers).
  blockedWithTimeout: () => number = () => 0;
  pubsubChannels: () => number = () => 0;
  pubsubPatterns: () => number = () => 0;
  /** latency-tracking: per-command latency histograms are kept (INFO latencystats). */
  latencyTracking = true;
  /** errorstat_<CODE>:count — keyed by the first word of the error. */
  readonly errors = new Map<string, number>();
  readonly persistence = new PersistenceInfo();
  readonly replication = new ReplicationInfo();
  readonly #ops = new RateSampler();
  readonly #netIn = new RateSampler();
  readonly #netOut = new RateSampler();
  #lastSampleMs = -Infinity;

  countError(msg: string): void {
    this.totalErrorReplies++;
    const sp = msg.indexOf(" ");
    const code = sp < 0 ? msg : msg.slice(0, sp);
    // Redis stops tracking new error codes past 128 distinct ones.
    if (!this.errors.has(code) && this.errors.size >= 128) return;
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  /** Called from the cron: takes a sample when 100 ms have passed, as Redis's trackInstantaneousMetric. */
  sample(nowMs: number): void {
    if (nowMs - this.#lastSampleMs < SAMPLE_EVERY_MS) return;
    this.#lastSampleMs = nowMs;
    this.notePeak(usedMemory());
    this.#ops.sample(nowMs, this.commandsProcessed);
    this.#netIn.sample(nowMs, this.netInputBytes);
    this.#netOut.sample(nowMs, this.netOutputBytes);
  }

  /** instantaneous_ops_per_sec */
  get opsPerSec(): number {
    return Math.round(this.#ops.rate);
  }

  /** instantaneous_input_kbps / instantaneous_output_kbps */
  get inputKbps(): number {
    return this.#netIn.rate / 1024;
  }

  get outputKbps(): number {
    return this.#netOut.rate / 1024;
  }

  /** Record a used_memory reading for the peak. */
  notePeak(used: number): void {
    if (used > this.peakMemory) this.peakMemory = used;
  }

  reset(): void {
    this.commandsProcessed = this.connectionsReceived = this.rejectedConnections = 0;
    this.keyspaceHits = this.keyspaceMisses = this.expiredKeys = this.evictedKeys = 0;
    this.netInputBytes = this.netOutputBytes = this.rejectedUnknown = this.totalErrorReplies = 0;
    this.unexpectedErrorReplies = this.readsProcessed = this.writesProcessed = this.expireCycleMs = 0;
    this.errors.clear();
    this.#ops.reset(0);
    this.#netIn.reset(0);
    this.#netOut.reset(0);
    this.#lastSampleMs = -Infinity;
  }
}

/** used_memory: the JavaScript heap in use plus memory held outside it (buffers). */
export function usedMemory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}
