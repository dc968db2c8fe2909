/**
 * Every `regatta` command once: its words, arguments, summary and flags. Parsing, `--help` and
 * the shell completion scripts are all read from this table, so they cannot disagree.
 */

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** What a string flag takes, as help shows it (`FILE|DIR`). */
  value?: string;
  /** Completed with file names. */
  files?: boolean;
  help: string;
}

export type Flags = Record<string, FlagSpec>;

export interface CommandSpec {
  /** One word, or a group and its subcommand (`policy apply`). */
  name: string;
  /** Its positional arguments, as usage shows them. */
  args: string;
  summary: string;
  /** `server` starts part of Regatta; `client` talks to a running API; `local` needs neither. */
  kind: 'server' | 'client' | 'local';
  flags: Flags;
}

/** Flags every client command takes: where the API is, who is calling, and output format. */
export const connectionFlags: Flags = {
  url: { type: 'string', value: 'URL', help: "the API's origin (REGATTA_URL)" },
  token: { type: 'string', value: 'TOKEN', help: 'bearer token (REGATTA_TOKEN)' },
  user: { type: 'string', value: 'USER', help: 'HTTP Basic user (REGATTA_USER, default admin)' },
  password: { type: 'string', value: 'PASSWORD', help: 'HTTP Basic password (REGATTA_PASSWORD)' },
  json: { type: 'boolean', help: 'JSON output, for scripts' },
};

export const helpFlag: Flags = { help: { type: 'boolean', short: 'h', help: 'show this help' } };

export const commandSpecs: readonly CommandSpec[] = [
  {
    name: 'dev',
    args: '',
    summary: 'the whole system: Temporal dev server (unless TEMPORAL_ADDRESS), API and worker',
    kind: 'server',
    flags: {},
  },
  { name: 'api', args: '', summary: 'the REST API only (needs TEMPORAL_ADDRESS)', kind: 'server', flags: {} },
  { name: 'worker', args: '', summary: 'a worker only (needs TEMPORAL_ADDRESS)', kind: 'server', flags: {} },
  {
    name: 'policy apply',
    args: '-f FILE|DIR',
    summary: 'make registries and policies what YAML/JSON files say (see examples/)',
    kind: 'client',
    flags: {
      file: {
        type: 'string',
        short: 'f',
        value: 'FILE|DIR',
        files: true,
        help: 'a file, or a folder of them',
      },
      prune: { type: 'boolean', help: 'delete policies no file names' },
      'dry-run': { type: 'boolean', help: 'only show the plan' },
      'rotate-secrets': { type: 'boolean', help: 're-send registry secrets (the API never returns them)' },
    },
  },
  {
    name: 'policy list',
    args: '',
    summary: 'the policies, with their registries',
    kind: 'client',
    flags: {},
  },
  {
    name: 'run',
    args: 'POLICY',
    summary: 'start a run of a policy (name or id)',
    kind: 'client',
    flags: {
      wait: { type: 'boolean', help: 'show progress; exit 0 only if the run succeeds' },
      'dry-run': {
        type: 'boolean',
        help: 'wait for the plan and print what a real run would copy, skip and delete',
      },
    },
  },
  {
    name: 'runs',
    args: '[POLICY]',
    summary: 'the latest runs, of one policy or of all',
    kind: 'client',
    flags: { limit: { type: 'string', value: 'N', help: 'how many (1 to 100, default 20)' } },
  },
  { name: 'status', args: 'RUN', summary: 'one run and its progress', kind: 'client', flags: {} },
  {
    name: 'registry add',
    args: 'NAME URL',
    summary: 'register a registry',
    kind: 'client',
    flags: {
      type: { type: 'string', value: 'T', help: 'docker-registry (default) or harbor' },
      description: { type: 'string', value: 'TEXT', help: 'a description' },
      insecure: { type: 'boolean', help: 'plain HTTP, or TLS without verification' },
      'access-key': { type: 'string', value: 'K', help: 'user name of a basic credential' },
      'access-secret-env': {
        type: 'string',
        value: 'VAR',
        help: 'environment variable holding its secret (never a flag: it would show in ps)',
      },
    },
  },
  { name: 'registry list', args: '', summary: 'the registries', kind: 'client', flags: {} },
  {
    name: 'registry ping',
    args: 'NAME|ID',
    summary: 'check that Regatta reaches a registry with its credentials',
    kind: 'client',
    flags: {},
  },
  {
    name: 'completion',
    args: 'bash|zsh',
    summary: 'print a shell completion script: eval "$(regatta completion bash)"',
    kind: 'local',
    flags: {},
  },
];

/** The first words of every command: `policy`, `run`, ... in table order. */
export const commandWords: readonly string[] = [...new Set(commandSpecs.map((spec) => firstWord(spec.name)))];

function firstWord(name: string): string {
  return name.split(' ')[0] ?? name;
}

/** The subcommands of a group (`policy` → apply, list); none for a one-word command. */
export function subcommandsOf(word: string): string[] {
  return commandSpecs
    .filter((spec) => spec.name.startsWith(`${word} `))
    .map((spec) => spec.name.slice(word.length + 1));
}

/** Every flag a command takes, `--help` included. */
export function flagsOf(spec: CommandSpec): Flags {
  return { ...spec.flags, ...(spec.kind === 'client' ? connectionFlags : {}), ...helpFlag };
}

export function findCommand(name: string): CommandSpec | undefined {
  return commandSpecs.find((spec) => spec.name === name);
}

function flagUsage(name: string, flag: FlagSpec): string {
  const short = flag.short ? `-${flag.short}, ` : '';
  return `${short}--${name}${flag.value ? ` ${flag.value}` : ''}`;
}

/** `regatta <command> --help`. */
export function commandHelp(spec: CommandSpec): string {
  const flags = Object.entries(flagsOf(spec)).map(([name, flag]) => [flagUsage(name, flag), flag.help]);
  const width = Math.max(...flags.map(([usage = '']) => usage.length));
  return [
    `usage: regatta ${[spec.name, spec.args, spec.kind === 'server' ? '' : '[options]'].filter(Boolean).join(' ')}`,
    '',
    `  ${spec.summary}`,
    '',
    'options:',
    ...flags.map(([usage = '', help]) => `  ${usage.padEnd(width)}  ${help}`),
  ].join('\n');
}

/** `regatta --help`: every command in one line each. */
export function overallUsage(): string {
  const lines = commandSpecs.map((spec) => [`${spec.name} ${spec.args}`.trim(), spec.summary]);
  const width = Math.max(...lines.map(([usage = '']) => usage.length));
  return [
    'usage: regatta <command> [options]',
    '',
    ...lines.map(([usage = '', summary]) => `  ${usage.padEnd(width)}  ${summary}`),
    '',
    '`regatta <command> --help` shows its options. Client commands talk to a running API: --url',
    '(REGATTA_URL), --token (REGATTA_TOKEN) or --user/--password (REGATTA_USER, default admin /',
    'REGATTA_PASSWORD), --json for scripts.',
  ].join('\n');
}

/** `regatta policy --help`: a group's subcommands. */
export function groupHelp(word: string): string {
  const specs = commandSpecs.filter((spec) => spec.name.startsWith(`${word} `));
  const width = Math.max(...specs.map((spec) => `${spec.name} ${spec.args}`.trim().length));
  return [
    `usage: regatta ${word} <${subcommandsOf(word).join('|')}> [options]`,
    '',
    ...specs.map((spec) => `  ${`${spec.name} ${spec.args}`.trim().padEnd(width)}  ${spec.summary}`),
  ].join('\n');
}
