import { parseRegex, RegexSyntaxError, type CharTest, type RegexNode } from './regex-syntax.js';

type State =
  | { kind: 'char'; test: CharTest; next: number }
  | { kind: 'split'; next: number; alternative: number }
  | { kind: 'start' | 'end'; next: number }
  | { kind: 'match' };

/** States a compiled pattern may have: bounds memory and the work per character matched. */
const maxStates = 10_000;

/** A regular expression matched in time linear in the text: no input can make it backtrack. */
export interface LinearRegex {
  /** Whether the pattern matches somewhere in `text` (anchor with `^…$` for the whole text). */
  test(text: string): boolean;
}

/**
 * Thompson's construction: the pattern becomes a nondeterministic automaton whose every state is
 * followed at once, one character at a time, so matching costs at most characters × states steps
 * whatever the pattern, where a backtracking engine (JavaScript's RegExp) can take exponential
 * time on patterns such as `(a+)+$`. Throws a RegexSyntaxError naming the position of a bad pattern.
 */
export function compileRegex(pattern: string): LinearRegex {
  const states: State[] = [];
  const add = (state: State): number => {
    if (states.length >= maxStates)
      throw new RegexSyntaxError(0, `the pattern expands to more than ${maxStates} states`);
    states.push(state);
    return states.length - 1;
  };

  // Compiles `node` to enter at the returned state and continue at `next`: built back to front,
  // so every state's successor is known when it is made.
  const compile = (node: RegexNode, next: number): number => {
    switch (node.kind) {
      case 'char':
        return add({ kind: 'char', test: node.test, next });
      case 'start':
      case 'end':
        return add({ kind: node.kind, next });
      case 'sequence':
        return node.items.reduceRight((after, item) => compile(item, after), next);
      case 'alternation':
        return node.options
          .slice(0, -1)
          .reduceRight(
            (rest, option) => add({ kind: 'split', next: compile(option, next), alternative: rest }),
            compile(node.options[node.options.length - 1]!, next),
          );
      case 'repeat': {
        let entry = next;
        if (node.max === Infinity) {
          const loop = add({ kind: 'split', next: -1, alternative: next });
          (states[loop] as { next: number }).next = compile(node.node, loop);
          entry = loop;
        } else {
          for (let optional = node.min; optional < node.max; optional++)
            entry = add({ kind: 'split', next: compile(node.node, entry), alternative: next });
        }
        for (let required = 0; required < node.min; required++) entry = compile(node.node, entry);
        return entry;
      }
    }
  };

  const first = compile(parseRegex(pattern), add({ kind: 'match' }));

  return {
    test(text) {
      let current = new Set<number>();
      // Follows the moves that read nothing (splits, anchors) from `state` at `position`.
      const enter = (into: Set<number>, state: number, position: number) => {
        const pending = [state];
        while (pending.length > 0) {
          const at = pending.pop()!;
          if (into.has(at)) continue;
          into.add(at);
          const entry = states[at]!;
          if (entry.kind === 'split') pending.push(entry.alternative, entry.next);
          else if (entry.kind === 'start' && position === 0) pending.push(entry.next);
          else if (entry.kind === 'end' && position === text.length) pending.push(entry.next);
        }
      };
      const matched = (set: Set<number>) => [...set].some((state) => states[state]!.kind === 'match');
      for (let position = 0; ; position++) {
        // Unanchored search: a match may start at every position.
        enter(current, first, position);
        if (matched(current)) return true;
        if (position === text.length) return false;
        const char = text[position]!;
        const next = new Set<number>();
        for (const state of current) {
          const entry = states[state]!;
          if (entry.kind === 'char' && entry.test(char)) enter(next, entry.next, position + 1);
        }
        current = next;
      }
    },
  };
}
