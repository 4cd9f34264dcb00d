// INFO's text: Redis 7's sections, field names and formats ("# Section" headers, name:value
// lines, CRLF, a blank line between sections), filled with kvserver's own honest numbers.
// Reads the server; changes nothing (but the memory peak it observes).
import { readFileSync } from "node:fs";
import * as os from "node:os";
import { resolve } from "node:path";
import type { Server } from "./server.ts";
import { VERSION } from "./server.ts";
import { bytesToHuman } from "./util/format.ts";
import { nowUsec } from "./util/clock.ts";

/** Every section, in the order Redis prints them. */
export const SECTIONS = [
  "server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules",
  "commandstats", "errorstats", "latencystats", "cluster", "keyspace",
] as const;
export type Section = (typeof SECTIONS)[number];

const DEFAULT: ReadonlySet<Section> = new Set<Section>([
  "server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules",
  "errorstats", "cluster", "keyspace",
]);
const TITLES: Record<Section, string> = {
  server: "Server", clients: "Clients", memory: "Memory", persistence: "Persistence", stats: "Stats",
  replication: "Replication", cpu: "CPU", modules: "Modules", commandstats: "Commandstats",
  errorstats: "Errorstats", latencystats: "Latencystats", cluster: "Cluster", keyspace: "Keyspace",
};

/** Which sections INFO's arguments ask for: none means "default"; unknown names are ignored. */
export function selectSections(args: readonly string[]): Set<Section> {
  if (args.length === 0) return new Set(DEFAULT);
  const out = new Set<Section>();
  for (const raw of args) {
    const a = raw.toLowerCase();
    if (a === "default") for (const s of DEFAULT) out.add(s);
    else if (a === "all" || a === "everything") for (const s of SECTIONS) out.add(s);
    else if ((SECTIONS as readonly string[]).includes(a)) out.add(a as Section);
  }
  return out;
}

/** The INFO text for the chosen sections. */
export function buildInfo(server: Server, want: ReadonlySet<Section>): string {
  const parts: string[] = [];
  for (const s of SECTIONS) {
    if (!want.has(s)) continue;
    const lines = SECTION_BUILDERS[s](server);
    parts.push(`# ${TITLES[s]}\r\n` + lines.map((l) => l + "\r\n").join(""));
  }
  return parts.join("\r\n");
}

const fixed2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "0.00");
const fixed6 = (n: number) => n.toFixed(6);

let buildId = "";
function redisBuildId(): string {
  if (buildId === "") {
    const h = Bun.hash(`kvserver ${VERSION} ${Bun.version} ${process.execPath}`);
    buildId = BigInt.asUintN(64, BigInt(h)).toString(16).slice(0, 15);
  }
  return buildId;
}

function serverSection(srv: Server): string[] {
  const now = srv.clock.now();
  const uptime = Math.floor((now - srv.startMs) / 1000);
  const hz = srv.config.hz;
  return [
    `redis_version:${VERSION}`,
    "redis_git_sha1:00000000",
    "redis_git_dirty:0",
    `redis_build_id:${redisBuildId()}`,
    "redis_mode:standalone",
    `os:${os.type()} ${os.release()} ${os.machine()}`,
    `arch_bits:${process.arch.endsWith("64") ? 64 : 32}`,
    "monotonic_clock:POSIX clock_gettime",
    `multiplexing_api:${process.platform === "linux" ? "epoll" : "kqueue"}`,
    "atomicvar_api:c11-builtin",
    // Redis prints 0.0.0 when not built by gcc.
    "gcc_version:0.0.0",
    `process_id:${process.pid}`,
    "process_supervised:no",
    `run_id:${srv.runId}`,
    `tcp_port:${srv.port}`,
    `server_time_usec:${nowUsec(srv.clock)}`,
    `uptime_in_seconds:${uptime}`,
    `uptime_in_days:${Math.floor(uptime / 86400)}`,
    `hz:${hz}`,
    `configured_hz:${hz}`,
    `lru_clock:${Math.floor(now / 1000) & 0xffffff}`,
    `executable:${process.execPath}`,
    `config_file:${srv.config.file === "" || srv.config.file === "-" ? "" : resolve(srv.config.file)}`,
    "io_threads_active:0",
  ];
}

function clientsSection(srv: Server): string[] {
  let maxIn = 0;
  let maxOut = 0;
  let blocked = 0;
  for (const c of srv.clients.values()) {
    if (c.blocked) blocked++;
    if (c.pendingInput > maxIn) maxIn = c.pendingInput;
    if (c.pendingOutput > maxOut) maxOut = c.pendingOutput;
  }
  return [
    `connected_clients:${srv.clients.size}`,
    "cluster_connections:0",
    `maxclients:${srv.config.maxclients}`,
    `client_recent_max_input_buffer:${maxIn}`,
    `client_recent_max_output_buffer:${maxOut}`,
    `blocked_clients:${blocked}`,
    "tracking_clients:0",
    `clients_in_timeout_table:${srv.stats.blockedWithTimeout()}`,
  ];
}

function memorySection(srv: Server): string[] {
  const m = process.memoryUsage();
  const used = m.heapUsed + m.external;
  srv.stats.notePeak(used);
  const peak = srv.stats.peakMemory;
  let clientsMem = 0;
  for (const c of srv.clients.values()) clientsMem += c.reply.buf.length + c.pendingInput + c.pendingOutput;
  const startup = srv.stats.startupMemory;
  const overhead = Math.min(used, startup + clientsMem);
  const dataset = used - overhead;
  const netUsed = used - startup;
  const maxmemory = srv.config.maxmemory;
  const allocated = m.heapUsed + m.external;
  const active = Math.max(allocated, m.heapTotal + m.external);
  const resident = Math.max(active, m.rss);
  const total = os.totalmem();
  return [
    `used_memory:${used}`,
    `used_memory_human:${bytesToHuman(used)}`,
    `used_memory_rss:${m.rss}`,
    `used_memory_rss_human:${bytesToHuman(m.rss)}`,
    `used_memory_peak:${peak}`,
    `used_memory_peak_human:${bytesToHuman(peak)}`,
    `used_memory_peak_perc:${fixed2((used * 100) / peak)}%`,
    `used_memory_overhead:${overhead}`,
    `used_memory_startup:${startup}`,
    `used_memory_dataset:${dataset}`,
    `used_memory_dataset_perc:${fixed2(netUsed > 0 ? (dataset * 100) / netUsed : 0)}%`,
    `allocator_allocated:${allocated}`,
    `allocator_active:${active}`,
    `allocator_resident:${resident}`,
    `total_system_memory:${total}`,
    `total_system_memory_human:${bytesToHuman(total)}`,
    // No scripting engine is loaded: its memory is zero.
    "used_memory_lua:0",
    "used_memory_vm_eval:0",
    "used_memory_lua_human:0B",
    "used_memory_scripts_eval:0",
    "number_of_cached_scripts:0",
    "number_of_functions:0",
    "number_of_libraries:0",
    "used_memory_vm_functions:0",
    "used_memory_vm_total:0",
    "used_memory_vm_total_human:0B",
    "used_memory_functions:0",
    "used_memory_scripts:0",
    "used_memory_scripts_human:0B",
    `maxmemory:${maxmemory}`,
    `maxmemory_human:${bytesToHuman(maxmemory)}`,
    `maxmemory_policy:${srv.config.get("maxmemory-policy")}`,
    `allocator_frag_ratio:${fixed2(active / allocated)}`,
    `allocator_frag_bytes:${active - allocated}`,
    `allocator_rss_ratio:${fixed2(resident / active)}`,
    `allocator_rss_bytes:${resident - active}`,
    `rss_overhead_ratio:${fixed2(m.rss / resident)}`,
    `rss_overhead_bytes:${m.rss - resident}`,
    `mem_fragmentation_ratio:${fixed2(m.rss / used)}`,
    `mem_fragmentation_bytes:${m.rss - used}`,
    "mem_not_counted_for_evict:0",
    "mem_replication_backlog:0",
    "mem_total_replication_buffers:0",
    "mem_clients_slaves:0",
    `mem_clients_normal:${clientsMem}`,
    "mem_cluster_links:0",
    "mem_aof_buffer:0",
    "mem_allocator:bun",
    "active_defrag_running:0",
    "lazyfree_pending_objects:0",
    "lazyfreed_objects:0",
  ];
}

/** current_fork_perc and current_save_keys_*: the progress of a BGSAVE in progress. */
function saveProgress(srv: Server): string[] {
  const [done, total] = srv.rdb.saveProgress();
  return [
    `current_fork_perc:${fixed2(total === 0 ? 0 : (done * 100) / total)}`,
    `current_save_keys_processed:${done}`,
    `current_save_keys_total:${total}`,
  ];
}

function persistenceSection(srv: Server): string[] {
  const p = srv.stats.persistence;
  const nowMs = srv.clock.now();
  const since = (startMs: number) => (startMs < 0 ? -1 : Math.floor((nowMs - startMs) / 1000));
  return [
    `loading:${p.loading ? 1 : 0}`,
    "async_loading:0",
    "current_cow_peak:0",
    "current_cow_size:0",
    "current_cow_size_age:0",
    ...saveProgress(srv),
    `rdb_changes_since_last_save:${srv.dirty - p.dirtyAtLastSave}`,
    `rdb_bgsave_in_progress:${p.bgsaveInProgress ? 1 : 0}`,
    `rdb_last_save_time:${p.lastSaveTime}`,
    `rdb_last_bgsave_status:${p.lastBgsaveOk ? "ok" : "err"}`,
    `rdb_last_bgsave_time_sec:${p.lastBgsaveTimeSec}`,
    `rdb_current_bgsave_time_sec:${p.bgsaveInProgress ? since(p.currentBgsaveStartMs) : -1}`,
    `rdb_saves:${p.rdbSaves}`,
    "rdb_last_cow_size:0",
    `rdb_last_load_keys_expired:${p.lastLoadKeysExpired}`,
    `rdb_last_load_keys_loaded:${p.lastLoadKeysLoaded}`,
    `aof_enabled:${srv.config.get("appendonly") === "yes" ? 1 : 0}`,
    `aof_rewrite_in_progress:${p.aofRewriteInProgress ? 1 : 0}`,
    `aof_rewrite_scheduled:${p.aofRewriteScheduled ? 1 : 0}`,
    `aof_last_rewrite_time_sec:${p.aofLastRewriteTimeSec}`,
    `aof_current_rewrite_time_sec:${p.aofRewriteInProgress ? since(p.aofCurrentRewriteStartMs) : -1}`,
    `aof_last_bgrewrite_status:${p.aofLastBgrewriteOk ? "ok" : "err"}`,
    `aof_rewrites:${p.aofRewrites}`,
    `aof_rewrites_consecutive_failures:${p.aofRewritesConsecutiveFailures}`,
    `aof_last_write_status:${p.aofLastWriteOk ? "ok" : "err"}`,
    "aof_last_cow_size:0",
    "module_fork_in_progress:0",
    "module_fork_last_cow_size:0",
    ...(srv.config.get("appendonly") === "yes" ? p.aofExtra() : []),
  ];
}

function statsSection(srv: Server): string[] {
  const s = srv.stats;
  return [
    `total_connections_received:${s.connectionsReceived}`,
    `total_commands_processed:${s.commandsProcessed}`,
    `instantaneous_ops_per_sec:${s.opsPerSec}`,
    `total_net_input_bytes:${s.netInputBytes}`,
    `total_net_output_bytes:${s.netOutputBytes}`,
    "total_net_repl_input_bytes:0",
    "total_net_repl_output_bytes:0",
    `instantaneous_input_kbps:${fixed2(s.inputKbps)}`,
    `instantaneous_output_kbps:${fixed2(s.outputKbps)}`,
    "instantaneous_input_repl_kbps:0.00",
    "instantaneous_output_repl_kbps:0.00",
    `rejected_connections:${s.rejectedConnections}`,
    "sync_full:0",
    "sync_partial_ok:0",
    "sync_partial_err:0",
    `expired_keys:${s.expiredKeys}`,
    "expired_stale_perc:0.00",
    "expired_time_cap_reached_count:0",
    `expire_cycle_cpu_milliseconds:${Math.round(s.expireCycleMs)}`,
    `evicted_keys:${s.evictedKeys}`,
    "evicted_clients:0",
    "total_eviction_exceeded_time:0",
    "current_eviction_exceeded_time:0",
    `keyspace_hits:${s.keyspaceHits}`,
    `keyspace_misses:${s.keyspaceMisses}`,
    `pubsub_channels:${s.pubsubChannels()}`,
    `pubsub_patterns:${s.pubsubPatterns()}`,
    `pubsubshard_channels:${srv.pubsub.shardChannelCount}`,
    "latest_fork_usec:0",
    "total_forks:0",
    "migrate_cached_sockets:0",
    "slave_expires_tracked_keys:0",
    "active_defrag_hits:0",
    "active_defrag_misses:0",
    "active_defrag_key_hits:0",
    "active_defrag_key_misses:0",
    "total_active_defrag_time:0",
    "current_active_defrag_time:0",
    "tracking_total_keys:0",
    "tracking_total_items:0",
    "tracking_total_prefixes:0",
    `unexpected_error_replies:${s.unexpectedErrorReplies}`,
    `total_error_replies:${s.totalErrorReplies}`,
    "dump_payload_sanitizations:0",
    `total_reads_processed:${s.readsProcessed}`,
    `total_writes_processed:${s.writesProcessed}`,
    "io_threaded_reads_processed:0",
    "io_threaded_writes_processed:0",
    "reply_buffer_shrinks:0",
    "reply_buffer_expands:0",
  ];
}

function replicationSection(srv: Server): string[] {
  const r = srv.stats.replication;
  if (r.lines) return r.lines();
  return [
    "role:master",
    "connected_slaves:0",
    "master_failover_state:no-failover",
    `master_replid:${r.replId}`,
    `master_replid2:${r.replId2}`,
    `master_repl_offset:${r.offset}`,
    `second_repl_offset:${r.secondOffset}`,
    `repl_backlog_active:${r.backlogActive ? 1 : 0}`,
    `repl_backlog_size:${srv.config.num("repl-backlog-size")}`,
    `repl_backlog_first_byte_offset:${r.backlogFirstByteOffset}`,
    `repl_backlog_histlen:${r.backlogHistlen}`,
  ];
}

/** The main thread's own CPU times from /proc (Linux), in seconds; null elsewhere. */
function mainThreadCpu(): { user: number; sys: number } | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "latin1");
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = 100; // USER_HZ on Linux
    return { user: Number(rest[11]) / ticks, sys: Number(rest[12]) / ticks };
  } catch {
    return null;
  }
}

function cpuSection(): string[] {
  const u = process.cpuUsage();
  const user = u.user / 1e6;
  const sys = u.system / 1e6;
  const main = mainThreadCpu() ?? { user, sys };
  return [
    `used_cpu_sys:${fixed6(sys)}`,
    `used_cpu_user:${fixed6(user)}`,
    "used_cpu_sys_children:0.000000",
    "used_cpu_user_children:0.000000",
    `used_cpu_sys_main_thread:${fixed6(main.sys)}`,
    `used_cpu_user_main_thread:${fixed6(main.user)}`,
  ];
}

function commandstatsSection(srv: Server): string[] {
  const out: string[] = [];
  for (const cmd of srv.table.all()) {
    const st = cmd.stats;
    if (st.calls === 0 && st.failed === 0 && st.rejected === 0) continue;
    const per = st.calls === 0 ? 0 : st.usec / st.calls;
    out.push(
      `cmdstat_${cmd.fullName}:calls=${st.calls},usec=${st.usec},usec_per_call=${fixed2(per)},` +
        `rejected_calls=${st.rejected},failed_calls=${st.failed}`,
    );
  }
  return out;
}

function errorstatsSection(srv: Server): string[] {
  const out: string[] = [];
  for (const [code, count] of srv.stats.errors) out.push(`errorstat_${code}:count=${count}`);
  return out;
}

/** latency_percentiles_usec_<cmd>:p50=…,p99=…,p99.9=… from each command's histogram. */
function latencystatsSection(srv: Server): string[] {
  if (srv.config.get("latency-tracking") !== "yes") return [];
  const ps = srv.config.get("latency-tracking-info-percentiles").split(" ").filter(Boolean);
  const out: string[] = [];
  for (const cmd of srv.table.all()) {
    const h = cmd.stats.latency;
    if (h === null || h.total === 0) continue;
    const vals = ps.map((p) => `p${p}=${(h.percentile(Number(p)) / 1000).toFixed(3)}`);
    out.push(`latency_percentiles_usec_${cmd.fullName}:${vals.join(",")}`);
  }
  return out;
}

/** Average remaining TTL in ms over (a bounded sample of) the keys with an expiry. */
function avgTtl(expires: Map<string, number>, now: number): number {
  let sum = 0;
  let n = 0;
  for (const when of expires.values()) {
    if (when > now) {
      sum += when - now;
      n++;
    }
    if (n >= 10000) break;
  }
  return n === 0 ? 0 : Math.floor(sum / n);
}

function keyspaceSection(srv: Server): string[] {
  const now = srv.clock.now();
  const out: string[] = [];
  for (const db of srv.dbs) {
    if (db.size === 0) continue;
    out.push(`db${db.id}:keys=${db.size},expires=${db.expires.size},avg_ttl=${avgTtl(db.expires, now)}`);
  }
  return out;
}

const SECTION_BUILDERS: Record<Section, (srv: Server) => string[]> = {
  server: serverSection,
  clients: clientsSection,
  memory: memorySection,
  persistence: persistenceSection,
  stats: statsSection,
  replication: replicationSection,
  cpu: cpuSection,
  modules: () => [],
  commandstats: commandstatsSection,
  errorstats: errorstatsSection,
  latencystats: latencystatsSection,
  cluster: () => ["cluster_enabled:0"],
  keyspace: keyspaceSection,
};
