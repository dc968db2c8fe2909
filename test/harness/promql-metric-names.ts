// Words of PromQL that are not metric names when they stand alone (binary operators, modifiers,
// number literals); functions and aggregations are told apart by the `(` that follows them.
const keywords = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects, e.g. `regatta_bytes_total` and `up` in
 * `sum by (destination) (rate(regatta_bytes_total[5m])) and on() up == 1`. Strings, label
 * matchers, ranges and label lists are removed first; what is left and is neither a keyword nor
 * followed by `(` is a metric name. Selectors by `{__name__=...}` are not read.
 */
export function promqlMetricNames(expression: string): string[] {
  const rest = expression
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+-?\w+/g, ' ');
  const names = new Set<string>();
  for (const match of rest.matchAll(/[A-Za-z_:][\w:]*/g)) {
    const [word] = match;
    const before = rest[match.index - 1] ?? ' ';
    const after = rest.slice(match.index + word.length).trimStart()[0];
    // `1e3`, `0x1f`: the letters of a number.
    if (/[\d.]/.test(before)) continue;
    if (after === '(' || keywords.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}
