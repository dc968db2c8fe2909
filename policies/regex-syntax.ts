import { InvalidInputError } from '../errors/regatta-error.js';

/** One character class: a test on a single character (names and tags are ASCII). */
export type CharTest = (char: string) => boolean;

/** A parsed regular expression: what the linear matcher compiles. */
export type RegexNode =
  | { kind: 'char'; test: CharTest }
  | { kind: 'sequence'; items: RegexNode[] }
  | { kind: 'alternation'; options: RegexNode[] }
  | { kind: 'repeat'; node: RegexNode; min: number; max: number }
  | { kind: 'start' }
  | { kind: 'end' };

/** Longest pattern accepted: a filter value, as for globs. */
export const maxRegexLength = 255;
/** Largest count in `{n,m}`, as RE2 has it. */
export const maxRepeat = 1000;

const digit: CharTest = (char) => char >= '0' && char <= '9';
const word: CharTest = (char) => /^[A-Za-z0-9_]$/.test(char);
const space: CharTest = (char) => /^\s$/.test(char);
const not =
  (test: CharTest): CharTest =>
  (char) =>
    !test(char);
const classEscapes: Record<string, CharTest> = {
  d: digit,
  D: not(digit),
  w: word,
  W: not(word),
  s: space,
  S: not(space),
};
const controlEscapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v' };

/**
 * The pattern is not a regular expression Regatta accepts; `position` is the 0-based offset of the
 * character where reading stopped.
 */
export class RegexSyntaxError extends InvalidInputError {
  constructor(
    readonly position: number,
    reason: string,
  ) {
    super(`at position ${position}: ${reason}`);
  }
}

/**
 * Parses the RE2-like subset Regatta matches in linear time: literals, `.`, classes (`[a-z]`,
 * `[^…]`, `\d \w \s` and their negations), groups `(…)` and `(?:…)`, `|`, `* + ?`, `{n}`, `{n,}`,
 * `{n,m}` (a trailing `?` for laziness is accepted: only whether it matches counts) and the
 * anchors `^ $`. Backreferences, lookaround, word boundaries and flags are refused: they are what
 * makes backtracking engines slow, and RE2 (regsync, Harbor's Go) does not have most of them either.
 */
export function parseRegex(pattern: string): RegexNode {
  if (pattern.length > maxRegexLength)
    throw new RegexSyntaxError(maxRegexLength, `longer than ${maxRegexLength} characters`);
  let at = 0;
  const fail = (reason: string, position = at): never => {
    throw new RegexSyntaxError(position, reason);
  };

  const escape = (inClass: boolean): CharTest | string => {
    const char = pattern[at++];
    if (char === undefined) return fail('"\\" at the end of the pattern', at - 2);
    if (classEscapes[char]) return classEscapes[char];
    if (controlEscapes[char]) return controlEscapes[char];
    if (/[1-9]/.test(char)) return fail('backreferences are not supported', at - 2);
    if (!inClass && (char === 'b' || char === 'B')) return fail('word boundaries are not supported', at - 2);
    if (/[A-Za-z0-9]/.test(char)) return fail(`unknown escape "\\${char}"`, at - 2);
    return char;
  };

  const charClass = (): CharTest => {
    const open = at - 1;
    const negated = pattern[at] === '^';
    if (negated) at++;
    const tests: CharTest[] = [];
    let first = true;
    for (;;) {
      const char = pattern[at];
      if (char === undefined) return fail('"[" is never closed', open);
      if (char === ']' && !first) break;
      first = false;
      at++;
      const low = char === '\\' ? escape(true) : char;
      if (typeof low !== 'string') {
        tests.push(low);
        continue;
      }
      if (pattern[at] === '-' && pattern[at + 1] !== undefined && pattern[at + 1] !== ']') {
        const dash = at;
        at++;
        const next = pattern[at++]!;
        const high = next === '\\' ? escape(true) : next;
        if (typeof high !== 'string') return fail('a range cannot end with a class escape', dash);
        if (high < low) return fail(`range "${low}-${high}" ends before it starts`, dash);
        tests.push((c) => c >= low && c <= high);
        continue;
      }
      tests.push((c) => c === low);
    }
    at++;
    const any: CharTest = (c) => tests.some((test) => test(c));
    return negated ? not(any) : any;
  };

  const count = (): number | undefined => {
    const digits = /^\d+/.exec(pattern.slice(at))?.[0];
    if (digits === undefined) return undefined;
    at += digits.length;
    const value = Number(digits);
    if (value > maxRepeat) fail(`a repetition count above ${maxRepeat}`, at - digits.length);
    return value;
  };

  const quantifier = (): { min: number; max: number } | undefined => {
    const char = pattern[at];
    let bounds: { min: number; max: number } | undefined;
    if (char === '*') bounds = { min: 0, max: Infinity };
    else if (char === '+') bounds = { min: 1, max: Infinity };
    else if (char === '?') bounds = { min: 0, max: 1 };
    if (bounds) at++;
    else if (char === '{') {
      const open = at++;
      const min = count();
      if (min === undefined) return fail('"{" must start a repetition {n}, {n,} or {n,m}', open);
      let max = min;
      if (pattern[at] === ',') {
        at++;
        max = count() ?? Infinity;
      }
      if (pattern[at] !== '}') return fail('"{" must start a repetition {n}, {n,} or {n,m}', open);
      at++;
      if (max < min) return fail(`repetition {${min},${max}} ends before it starts`, open);
      bounds = { min, max };
    }
    if (bounds && pattern[at] === '?') at++;
    return bounds;
  };

  const atom = (): RegexNode | undefined => {
    const start = at;
    const char = pattern[at++]!;
    switch (char) {
      case '(': {
        if (pattern[at] === '?') {
          if (pattern[at + 1] !== ':')
            return fail('lookaround, named groups and flags are not supported', start);
          at += 2;
        }
        const inner = alternation();
        if (pattern[at] !== ')') return fail('"(" is never closed', start);
        at++;
        return inner;
      }
      case '[':
        return { kind: 'char', test: charClass() };
      case '.':
        return { kind: 'char', test: () => true };
      case '^':
        return { kind: 'start' };
      case '$':
        return { kind: 'end' };
      case '\\': {
        const escaped = escape(false);
        return { kind: 'char', test: typeof escaped === 'string' ? (c) => c === escaped : escaped };
      }
      case '*':
      case '+':
      case '?':
      case '{':
        return fail('nothing to repeat', start);
      default:
        return { kind: 'char', test: (c) => c === char };
    }
  };

  const sequence = (): RegexNode => {
    const items: RegexNode[] = [];
    while (at < pattern.length && pattern[at] !== '|' && pattern[at] !== ')') {
      const start = at;
      const node = atom()!;
      const bounds = quantifier();
      if (!bounds) {
        items.push(node);
        continue;
      }
      if (node.kind === 'start' || node.kind === 'end') fail('an anchor cannot be repeated', start);
      items.push({ kind: 'repeat', node, ...bounds });
    }
    return items.length === 1 ? items[0]! : { kind: 'sequence', items };
  };

  const alternation = (): RegexNode => {
    const options = [sequence()];
    while (pattern[at] === '|') {
      at++;
      options.push(sequence());
    }
    return options.length === 1 ? options[0]! : { kind: 'alternation', options };
  };

  const root = alternation();
  if (at < pattern.length) fail('")" has no "(" to close');
  return root;
}
