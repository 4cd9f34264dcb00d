// Server-wide counters read by INFO (stats, errorstats) and reset by CONFIG RESETSTAT.
// Owns numbers only; updated by the dispatcher, the net layer and keyspace hooks.

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
  /** errorstat_<CODE>:count — keyed by the first word of the error. */
  readonly errors = new Map<string, number>();

  countError(msg: string): void {
    this.totalErrorReplies++;
    const sp = msg.indexOf(" ");
    const code = sp < 0 ? msg : msg.slice(0, sp);
    // Redis stops tracking new error codes past 128 distinct ones.
    if (!this.errors.has(code) && this.errors.size >= 128) return;
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  reset(): void {
    this.commandsProcessed = this.connectionsReceived = this.rejectedConnections = 0;
    this.keyspaceHits = this.keyspaceMisses = this.expiredKeys = this.evictedKeys = 0;
    this.netInputBytes = this.netOutputBytes = this.rejectedUnknown = this.totalErrorReplies = 0;
    this.errors.clear();
  }
}
