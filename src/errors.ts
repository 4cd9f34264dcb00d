// Every error reply shared by several commands, with Redis 7's exact text (without the leading '-').
// Family-specific errors may sit beside their command, but text shared across files lives here.

export const E = {
  syntax: "ERR syntax error",
  notInteger: "ERR value is not an integer or out of range",
  notFloat: "ERR value is not a valid float",
  wrongType: "WRONGTYPE Operation against a key holding the wrong kind of value",
  noSuchKey: "ERR no such key",
  outOfRange: "ERR index out of range",
  overflow: "ERR increment or decrement would overflow",
  dbIndexOutOfRange: "ERR DB index is out of range",
  invalidDbIndex: "ERR invalid DB index",
  sameObject: "ERR source and destination objects are the same",
  noAuth: "NOAUTH Authentication required.",
  wrongPass: "WRONGPASS invalid username-password pair or user is disabled.",
  authNoPassword:
    "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
  invalidCursor: "ERR invalid cursor",
  notPositive: "ERR value is out of range, must be positive",
  bitOffset: "ERR bit offset is not an integer or out of range",
  bitValue: "ERR bit is not an integer or out of range",
  stringTooLong: "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
  timeoutNegative: "ERR timeout is negative",
  timeoutNotFloat: "ERR timeout is not a float or out of range",
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  readonlyReplica: "READONLY You can't write against a read only replica.",
  loading: "LOADING Redis is loading the dataset in memory",
  noproto: "NOPROTO unsupported protocol version",
  misconfRdb:
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.",
} as const;

export function unknownCommand(name: string, argsPreview: string): string {
  return `ERR unknown command '${name}', with args beginning with: ${argsPreview}`;
}

export function unknownSubcommand(sub: string, cmd: string): string {
  return `ERR unknown subcommand '${sub}'. Try ${cmd.toUpperCase()} HELP.`;
}

export function wrongArity(name: string): string {
  return `ERR wrong number of arguments for '${name}' command`;
}

export function invalidExpire(cmd: string): string {
  return `ERR invalid expire time in '${cmd}' command`;
}
