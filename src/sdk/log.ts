// One line per event on stderr (osqueryd captures an extension's stderr into
// its own log): time, level, message; details only with --verbose. Messages
// often quote attacker-controlled text (process names, paths), so control
// characters are escaped: a name with a newline cannot forge a log line.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  (level: LogLevel, message: string, details?: Record<string, unknown>): void;
  readonly verbose: boolean;
}

export interface LoggerOptions {
  readonly name: string;
  readonly verbose?: boolean;
  /** Where lines go; stderr by default. */
  readonly write?: (line: string) => void;
}

export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

function detailsText(details: Record<string, unknown>): string {
  try {
    return JSON.stringify(details, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return '[unserializable details]';
  }
}

export function createLogger(options: LoggerOptions): Logger {
  const verbose = options.verbose ?? false;
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const log = ((level: LogLevel, message: string, details?: Record<string, unknown>) => {
    if (level === 'debug' && !verbose) return;
    let line = `${new Date().toISOString()} ${options.name} ${level.toUpperCase()} ${escapeControl(message)}`;
    if (verbose && details) line += ` ${escapeControl(detailsText(details))}`;
    write(`${line}\n`);
  }) as Logger;
  Object.defineProperty(log, 'verbose', { value: verbose });
  return log;
}
