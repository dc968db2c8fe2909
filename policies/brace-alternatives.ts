/**
 * How many patterns brace expansion makes of a glob: `{a,b}{c,d}` is 4, `{a,b{c,d}}` is 3, a
 * brace with no comma at its level (`{a}`) or never closed is literal. Counted without expanding,
 * so counting a pattern that would expand to millions costs no more than reading it.
 */
export function braceAlternatives(pattern: string): number {
  return count(pattern, 0, false).alternatives;
}

/** Counts from `start` to the end, or (inside braces) to the `,` or `}` that ends this alternative. */
function count(pattern: string, start: number, inBraces: boolean): { alternatives: number; end: number } {
  let alternatives = 1;
  let index = start;
  while (index < pattern.length) {
    const char = pattern[index];
    if (char === '\\') {
      index += 2;
    } else if (char === '{') {
      const group = braceGroup(pattern, index);
      if (group) {
        alternatives *= group.alternatives;
        index = group.end;
      } else {
        index += 1;
      }
    } else if (inBraces && (char === ',' || char === '}')) {
      return { alternatives, end: index };
    } else {
      index += 1;
    }
  }
  return { alternatives, end: index };
}

/** The group opening at `open`: its alternatives summed, or undefined when it is never closed. */
function braceGroup(pattern: string, open: number): { alternatives: number; end: number } | undefined {
  const counts: number[] = [];
  let index = open + 1;
  for (;;) {
    const alternative = count(pattern, index, true);
    counts.push(alternative.alternatives);
    if (pattern[alternative.end] === ',') {
      index = alternative.end + 1;
      continue;
    }
    if (pattern[alternative.end] !== '}') return undefined;
    // One alternative is no choice: the braces are literal, what is inside still expands.
    const alternatives = counts.length === 1 ? counts[0]! : counts.reduce((sum, n) => sum + n, 0);
    return { alternatives, end: alternative.end + 1 };
  }
}
