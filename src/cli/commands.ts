// The subcommand table. To add a command, write src/cli/<name>.ts exporting a
// Command and add it to this list.
import type { Command } from './command.js';
import { queryCommand } from './query.js';
import { shellCommand } from './shell.js';
import { packCommand } from './pack.js';
import { checkCommand } from './check.js';
import { huntCommand } from './hunt.js';
import { replayCommand } from './replay.js';

export const COMMANDS: readonly Command[] = [
  huntCommand,
  queryCommand,
  shellCommand,
  packCommand,
  checkCommand,
  replayCommand,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
