// The shell's history file: private (0600, it holds every hunt query typed),
// bounded, and never a reason for the shell to fail.
import { chmodSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readBoundedFileSync } from '../config/bounded-read.js';

export const HISTORY_LIMIT = 1000;
const MAX_ENTRY_CHARS = 64 * 1024;
const MAX_HISTORY_BYTES = 4 * 1024 * 1024;

export function historyPath(): string {
  return join(homedir(), '.an1489_history');
}

export class History {
  private entries: string[] = [];
  private warned = false;
  private persist = true;

  constructor(
    readonly path: string,
    private readonly warn: (message: string) => void,
  ) {
    try {
      // No-follow and regular files only: a FIFO or link planted at the path must not hang or redirect the shell.
      const text = readBoundedFileSync(path, { maxBytes: MAX_HISTORY_BYTES, noFollow: true }).toString('utf8');
      // A corrupt or foreign file must not break the prompt: keep only
      // plausible entries (one statement per line, bounded length).
      this.entries = text
        .split('\n')
        .filter((l) => l.trim() !== '' && l.length <= MAX_ENTRY_CHARS && !l.includes('\0'))
        .slice(-HISTORY_LIMIT);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        // Never overwrite a file we could not read: it may hold history (or
        // not be ours at all).
        this.persist = false;
        this.fail(e);
      }
    }
  }

  /** Oldest first. */
  all(): readonly string[] {
    return this.entries;
  }

  add(entry: string): void {
    // One line per entry: a multi-line statement is stored joined.
    const line = entry.replace(/\s*\n\s*/g, ' ').trim();
    if (line === '' || line.length > MAX_ENTRY_CHARS || this.entries[this.entries.length - 1] === line) return;
    this.entries.push(line);
    if (this.entries.length > HISTORY_LIMIT) this.entries = this.entries.slice(-HISTORY_LIMIT);
    if (!this.persist) return;
    try {
      writeFileSync(this.path, `${this.entries.join('\n')}\n`, { mode: 0o600 });
      // mode only applies when the file is created; tighten an existing one.
      chmodSync(this.path, 0o600);
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.warn(
      `history ${this.path} unavailable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); continuing without it`,
    );
  }
}
