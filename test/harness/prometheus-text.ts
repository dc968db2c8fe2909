/** One sample of Prometheus' text exposition format: `name{label="value",...} value [timestamp]`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const escapes: Record<string, string> = { '\\': '\\', '"': '"', n: '\n' };

/** As Prometheus reads values (Go's ParseFloat): NaN and Inf in any case; prom-client writes `Nan`. */
function parseValue(text: string, line: string): number {
  const special = text.toLowerCase();
  if (special === '+inf' || special === 'inf') return Infinity;
  if (special === '-inf') return -Infinity;
  if (special === 'nan') return NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`not a sample value: ${line}`);
  return value;
}

/** A line's labels, read character by character: a label value may hold `,`, `}`, `=` and escapes. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let at = start + 1;
  for (;;) {
    while (line[at] === ' ' || line[at] === ',') at++;
    if (line[at] === '}') return { labels, end: at + 1 };
    const equals = line.indexOf('=', at);
    if (equals < 0 || line[equals + 1] !== '"') throw new Error(`bad label at ${at}: ${line}`);
    const name = line.slice(at, equals).trim();
    let value = '';
    at = equals + 2;
    while (line[at] !== '"') {
      if (at >= line.length) throw new Error(`unterminated label value: ${line}`);
      if (line[at] === '\\') {
        const escaped = escapes[line[at + 1] ?? ''];
        if (escaped === undefined) throw new Error(`bad escape at ${at}: ${line}`);
        value += escaped;
        at += 2;
      } else value += line[at++];
    }
    labels[name] = value;
    at++;
  }
}

/** Every sample of a scrape; `# HELP` and `# TYPE` lines and blank lines are skipped. */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (!name) throw new Error(`not a sample: ${line}`);
    let labels: Record<string, string> = {};
    let rest = line.slice(name.length);
    if (rest.startsWith('{')) {
      const parsed = parseLabels(line, name.length);
      labels = parsed.labels;
      rest = line.slice(parsed.end);
    }
    const [value = '', timestamp, ...extra] = rest.trim().split(/\s+/);
    if (extra.length > 0 || (timestamp !== undefined && !/^-?\d+$/.test(timestamp)))
      throw new Error(`not a sample: ${line}`);
    samples.push({ name, labels, value: parseValue(value, line) });
  }
  return samples;
}

/** The samples named `name` whose labels include every one of `labels`. */
export function samplesOf(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): Sample[] {
  return samples.filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}

/** The sum over matching samples (a metric recorded under several other labels, e.g. activity types). */
export function sumOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samplesOf(samples, name, labels).reduce((sum, sample) => sum + sample.value, 0);
}
