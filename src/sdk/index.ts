// The SDK's public surface, for the rest of the project: tables implement
// table.ts's TablePlugin; the extension entry runs runExtension; tests and
// tools talk to osqueryd (or the test manager) through ManagerClient.
export * from './table.js';
export { runExtension, SDK_VERSION, type ExtensionContext, type RunExtensionOptions } from './lifecycle.js';
export {
  ManagerClient,
  ExtensionClient,
  StatusError,
  ThriftCallError,
  type ClientOptions,
  type ExtensionInfo,
} from './client.js';
export {
  ThriftServer,
  createExtensionServer,
  type CallResult,
  type ExtensionHandler,
  type WireRows,
} from './server.js';
export {
  TableRegistry,
  routeInfo,
  parseQueryContext,
  encodeCell,
  encodeRows,
  declarationProblems,
  EncodedRows,
  ContextError,
} from './registry.js';
export { parseExtensionArgs, UsageError, USAGE, type ExtensionArgs } from './args.js';
export { createLogger, escapeControl, type Logger, type LogLevel } from './log.js';
export {
  checkSocketPath,
  extensionSocketPath,
  isNamedPipe,
  maxSocketPathBytes,
  SocketPathError,
  MAX_PIPE_NAME_CHARS,
} from './socket-path.js';
export { WireError, SERVER_LIMITS, CLIENT_LIMITS, type WireLimits } from './wire.js';
