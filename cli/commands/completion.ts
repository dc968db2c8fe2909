import { CliError } from './cli-error.js';
import { commandSpecs, commandWords, flagsOf, subcommandsOf } from './command-specs.js';

export const completionShells = ['bash', 'zsh'] as const;
export type CompletionShell = (typeof completionShells)[number];

const groups = commandWords.filter((word) => subcommandsOf(word).length > 0);

/** `--file -f --prune ...`: what may follow a command's words. */
function flagWords(name: string): string {
  const spec = commandSpecs.find((candidate) => candidate.name === name);
  if (!spec) return '';
  return Object.entries(flagsOf(spec))
    .flatMap(([flag, { short }]) => [`--${flag}`, ...(short ? [`-${short}`] : [])])
    .join(' ');
}

/** The flags that take a file name, as a shell pattern: `--file|-f`. */
const fileFlags = [
  ...new Set(
    commandSpecs.flatMap((spec) =>
      Object.entries(spec.flags)
        .filter(([, flag]) => flag.files)
        .flatMap(([flag, { short }]) => [`--${flag}`, ...(short ? [`-${short}`] : [])]),
    ),
  ),
].join('|');

/** `case` arms from a command's words to its flags; shell words only, no quoting needed. */
function flagCases(indent: string, end: string): string {
  return commandSpecs
    .map((spec) => `${indent}'${spec.name}') flags='${flagWords(spec.name)}' ${end}`)
    .join('\n');
}

function subcommandCases(indent: string, end: string): string {
  return groups.map((word) => `${indent}${word}) subs='${subcommandsOf(word).join(' ')}' ${end}`).join('\n');
}

// Both scripts work out the command (one word, or a group and its subcommand), then offer its
// subcommands, a file name after a file flag, the shells after `completion`, or its flags.
function bashScript(): string {
  return `# bash completion for regatta: eval "$(regatta completion bash)", or save it as
# ~/.local/share/bash-completion/completions/regatta
_regatta() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local word=\${COMP_WORDS[1]} subs='' flags='' command
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W '${commandWords.join(' ')}' -- "$cur"))
    return
  fi
  case $word in
${subcommandCases('    ', ';;')}
  esac
  if [ -n "$subs" ]; then
    if [ "$COMP_CWORD" -eq 2 ]; then
      COMPREPLY=($(compgen -W "$subs" -- "$cur"))
      return
    fi
    command="$word \${COMP_WORDS[2]}"
  else
    command=$word
  fi
  case $prev in
    ${fileFlags}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [ "$command" = completion ] && [ "$COMP_CWORD" -eq 2 ]; then
    COMPREPLY=($(compgen -W '${completionShells.join(' ')}' -- "$cur"))
    return
  fi
  case $command in
${flagCases('    ', ';;')}
  esac
  COMPREPLY=($(compgen -W "$flags" -- "$cur"))
}
complete -o default -F _regatta regatta
`;
}

function zshScript(): string {
  return `#compdef regatta
# zsh completion for regatta: eval "$(regatta completion zsh)" after compinit, or save it as
# _regatta in a folder of $fpath
_regatta() {
  local word=\${words[2]} subs='' flags='' command
  if (( CURRENT == 2 )); then
    compadd -- ${commandWords.join(' ')}
    return
  fi
  case $word in
${subcommandCases('    ', ';;')}
  esac
  if [[ -n $subs ]]; then
    if (( CURRENT == 3 )); then
      compadd -- \${=subs}
      return
    fi
    command="$word \${words[3]}"
  else
    command=$word
  fi
  case \${words[CURRENT-1]} in
    ${fileFlags}) _files; return ;;
  esac
  if [[ $command == completion ]] && (( CURRENT == 3 )); then
    compadd -- ${completionShells.join(' ')}
    return
  fi
  case $command in
${flagCases('    ', ';;')}
  esac
  compadd -- \${=flags}
}
compdef _regatta regatta
`;
}

/** The completion script of `shell`, generated from the command table. */
export function completionScript(shell: string | undefined): string {
  if (shell === 'bash') return bashScript();
  if (shell === 'zsh') return zshScript();
  throw new CliError('USAGE', `usage: regatta completion ${completionShells.join('|')}`);
}
