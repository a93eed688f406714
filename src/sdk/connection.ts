// One Thrift connection over a stream socket (Unix socket or Windows named
// pipe), used by both sides: the server answers each message, the client
// matches replies to calls. Messages are handled one at a time, in order:
// osqueryd's client is synchronous, and a peer that pipelines requests faster
// than we answer is bounded by the framer's buffer limit, not by our memory.
import type { Socket } from 'node:net';
import { MessageFramer } from './framer.js';
import { WireError, type WireLimits } from './wire.js';

export type MessageHandler = (message: Buffer) => void | Promise<void>;

export class WireConnection {
  private readonly framer: MessageFramer;
  private busy = false;
  private closed = false;
  private closeReason: Error | null = null;
  private readonly closeListeners: ((reason: Error | null) => void)[] = [];

  private incompleteTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  /** When this connection last made progress: accepted, a message received, a reply sent. */
  lastProgressMs = Date.now();

  constructor(
    readonly socket: Socket,
    private readonly limits: WireLimits,
    private readonly onMessage: MessageHandler,
  ) {
    this.framer = new MessageFramer(limits);
    // Every socket gets an error listener: an unhandled 'error' event would
    // take the whole process down.
    socket.on('error', (err) => this.close(err));
    socket.on('close', () => this.close(null));
    socket.on('end', () => this.close(null));
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.watchIdle();
  }

  /** Handling no message: may be closed to make room for another peer. */
  get isIdle(): boolean {
    return !this.busy && !this.closed;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Buffered, not yet handled bytes (for tests and diagnostics). */
  get buffered(): number {
    return this.framer.buffered;
  }

  onClose(listener: (reason: Error | null) => void): void {
    if (this.closed) listener(this.closeReason);
    else this.closeListeners.push(listener);
  }

  /** Queues `bytes`; `written` runs once the socket no longer needs them (sent, or failed). */
  write(bytes: Buffer, written?: () => void): void {
    if (this.closed) written?.();
    else this.socket.write(bytes, written && (() => written()));
  }

  close(reason: Error | null = null): void {
    if (this.closed) return;
    this.closed = true;
    if (this.incompleteTimer) clearTimeout(this.incompleteTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.closeReason = reason;
    this.socket.destroy();
    for (const l of this.closeListeners.splice(0)) {
      try {
        l(reason);
      } catch {
        // A listener's failure must not stop the others from learning of the close.
      }
    }
  }

  /** Bytes read from the socket (its 'data' events, or a reader of its own); copied before returning. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    try {
      this.framer.push(chunk);
    } catch (err) {
      this.close(asError(err));
      return;
    }
    this.pump();
  }

  private pump(): void {
    while (!this.busy && !this.closed) {
      let message: Buffer | null;
      try {
        message = this.framer.next();
      } catch (err) {
        this.close(asError(err));
        return;
      }
      if (message === null) {
        this.watchIdle();
        this.watchIncomplete();
        return;
      }
      if (this.incompleteTimer) {
        clearTimeout(this.incompleteTimer);
        this.incompleteTimer = null;
      }
      if (this.idleTimer) {
        clearTimeout(this.idleTimer);
        this.idleTimer = null;
      }
      this.lastProgressMs = Date.now();
      let pending: void | Promise<void>;
      try {
        // The handler decodes `message` synchronously; the view is reused afterwards.
        pending = this.onMessage(message);
      } catch (err) {
        this.close(asError(err));
        return;
      }
      if (pending && typeof pending.then === 'function') {
        this.busy = true;
        pending.then(
          () => {
            this.busy = false;
            this.lastProgressMs = Date.now();
            this.pump();
          },
          (err: unknown) => this.close(asError(err)),
        );
      }
    }
  }

  /** Starts the clock on a connection with no message in hand (from accept, or from the last reply). */
  private watchIdle(): void {
    const ms = this.limits.maxIdleMs;
    if (ms <= 0 || this.idleTimer || this.closed) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (!this.busy) this.close(new WireError(`no whole message within ${ms} ms`));
    }, ms);
    this.idleTimer.unref();
  }

  /** Starts the clock on a partial message; the peer has maxIncompleteMs to finish it. */
  private watchIncomplete(): void {
    const ms = this.limits.maxIncompleteMs;
    if (ms <= 0 || this.framer.buffered === 0 || this.incompleteTimer) return;
    this.incompleteTimer = setTimeout(() => {
      this.incompleteTimer = null;
      if (this.framer.buffered > 0) this.close(new WireError(`message left incomplete for ${ms} ms`));
    }, ms);
    this.incompleteTimer.unref();
  }
}

export function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new WireError(typeof err === 'string' ? err : `non-error thrown: ${String(err)}`);
}
