import { fileURLToPath } from 'node:url';
import { runCommand, type CommandResult } from './run-command.js';

const cliMain = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));

/** Runs the real `regatta` CLI as a person would, in its own process with only `env`. */
export function runCli(env: NodeJS.ProcessEnv, args: readonly string[]): Promise<CommandResult> {
  return runCommand(process.execPath, ['--import', 'tsx', cliMain, ...args], { env });
}
