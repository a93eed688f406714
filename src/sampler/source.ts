// The process sources (osquery through the manager's query(), Linux procfs)
// sit behind this one interface, so that the sampler and the signature check
// read processes the same way whatever is underneath.

export interface ProcessRecord {
  readonly pid: number;
  readonly ppid: number;
  /**
   * Process start time in seconds since the Unix epoch where the source knows
   * it (osquery's processes.start_time; procfs boot time + starttime). With
   * pid it forms the identity: pid reuse never merges two processes.
   */
  readonly startTime: number;
  readonly name: string;
  /** Executable path; '' when unknown. Attacker-controlled text. */
  readonly path: string;
  /** Command line; null when this tick did not fetch it (see needCmdline). */
  readonly cmdline: string | null;
  /** User name or uid as text; '' when unknown. */
  readonly user: string;
  /** Cumulative CPU time in ms; null when unknown or access denied (-1). */
  readonly userTimeMs: number | null;
  readonly systemTimeMs: number | null;
  readonly residentBytes: number | null;
  readonly threads: number | null;
}

export interface SocketRecord {
  readonly pid: number;
  readonly protocol: 'tcp' | 'udp';
  readonly family: 4 | 6;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** TCP state as osquery spells it (ESTABLISHED, LISTEN, ...); '' for UDP. */
  readonly state: string;
}

export interface ProcessSample {
  /** Wall clock (ms since epoch) when the sample was taken. */
  readonly wallMs: number;
  /** Monotonic clock (ms) when the sample was taken; immune to clock jumps. */
  readonly monotonicMs: number;
  readonly processes: readonly ProcessRecord[];
  readonly sockets: readonly SocketRecord[];
}

export interface SampleOptions {
  /** Whether to fetch the (expensive) command line of a process identity. */
  readonly needCmdline?: (pid: number, startTime: number) => boolean;
  /** Whether to read sockets this tick. */
  readonly sockets?: boolean;
}

export interface ProcessSource {
  readonly name: string;
  sample(options?: SampleOptions): Promise<ProcessSample>;
}
