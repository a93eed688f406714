// The shape every `an1489` subcommand has, so that adding one (hunt, check,
// pack, ...) is a file exporting a Command plus one line in commands.ts.

export interface CliIO {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export interface Command {
  readonly name: string;
  /** One line for `an1489 --help`. */
  readonly summary: string;
  /** Full help text for `an1489 <name> --help`. */
  readonly usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: readonly string[], io: CliIO): Promise<number>;
}

/** Exit codes shared by every command. */
export const ExitCode = {
  OK: 0,
  /** Something failed while running (a table's generate, the extension). */
  FAILURE: 1,
  /** The user's input is wrong: usage, SQL, unknown table, bad snapshot. */
  BAD_INPUT: 2,
} as const;

/** An error to report as one line on stderr, with the given exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.BAD_INPUT,
  ) {
    super(message);
  }
}
