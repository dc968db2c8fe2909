import { readFileSync } from 'node:fs';

/** The machine's 1-, 5- and 15-minute load averages as /proc/loadavg gives them, for a bench's doc. */
export function loadAverages(): [string, string, string] {
  const [one, five, fifteen] = readFileSync('/proc/loadavg', 'utf8').split(' ');
  return [one!, five!, fifteen!];
}
