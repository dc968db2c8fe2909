import { InvalidInputError } from '../errors/regatta-error.js';

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** `?` means "any" in the day fields only. */
  question?: boolean;
}

const months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const weekdays = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

// Harbor's order: seconds first (robfig/cron with a seconds field, no descriptors).
const fields: readonly CronField[] = [
  { name: 'seconds', min: 0, max: 59 },
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: months },
  { name: 'day of week', min: 0, max: 6, names: weekdays, question: true },
];

function fail(message: string): never {
  throw new InvalidInputError(message, 'cron');
}

function value(text: string, field: CronField): number {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  // Month names count from 1, weekday names from 0 (SUN).
  const number = named >= 0 ? named + field.min : /^\d{1,2}$/.test(text) ? Number(text) : NaN;
  if (!(number >= field.min && number <= field.max)) {
    fail(`${field.name}: "${text}" is not a value from ${field.min} to ${field.max}`);
  }
  return number;
}

/** Checks one item (`*`, `5`, `1-5`, `*\/15`, `10-40/5`) and writes it with numbers only. */
function normalizeItem(item: string, field: CronField): string {
  const [range = '', step, extra] = item.split('/');
  if (extra !== undefined) fail(`${field.name}: "${item}" has more than one step`);
  let normalized: string;
  if (range === '*' || (range === '?' && field.question)) {
    normalized = '*';
  } else {
    const [low = '', high, more] = range.split('-');
    if (more !== undefined) fail(`${field.name}: "${item}" is not a range`);
    const from = value(low, field);
    normalized = String(from);
    if (high !== undefined) {
      const to = value(high, field);
      if (to < from) fail(`${field.name}: range "${range}" ends before it starts`);
      normalized += `-${to}`;
    }
  }
  if (step !== undefined) {
    if (!/^\d{1,2}$/.test(step) || Number(step) < 1 || Number(step) > field.max) {
      fail(`${field.name}: step "${step}" must be a number from 1 to ${field.max}`);
    }
    normalized += `/${Number(step)}`;
  }
  return normalized;
}

function normalizeField(text: string, field: CronField): string {
  return text
    .split(',')
    .map((item) => normalizeItem(item, field))
    .join(',');
}

/** The texts of one value of a field: 1 or 2 digits (`5`, `05`) or a name, any case. */
function valuePattern(field: CronField): string {
  const numbers: string[] = [];
  for (let n = field.min; n <= field.max; n++) numbers.push(...(n < 10 ? [`0${n}`, `${n}`] : [`${n}`]));
  const names = (field.names ?? []).map((name) =>
    [...name].map((letter) => `[${letter}${letter.toLowerCase()}]`).join(''),
  );
  return `(${[...names, ...numbers.sort((a, b) => b.length - a.length)].join('|')})`;
}

function fieldPattern(field: CronField): string {
  const value = valuePattern(field);
  const steps: string[] = [];
  for (let n = 1; n <= field.max; n++) steps.push(...(n < 10 ? [`0${n}`, `${n}`] : [`${n}`]));
  const any = field.question ? '(\\*|\\?)' : '\\*';
  const item = `(${any}|${value}(-${value})?)(/(${steps.sort((a, b) => b.length - a.length).join('|')}))?`;
  return `${item}(,${item})*`;
}

/**
 * Harbor's cron as a pattern, for the OpenAPI document: 6 fields separated by spaces, seconds 0,
 * minutes not `*` or `*\/1`. What it cannot say, harborCronToTemporal still checks: a range must
 * not end before it starts.
 */
export const harborCronPattern = `^ *0 +(?!\\*(/1)? )${fields.slice(1).map(fieldPattern).join(' +')} *$`;
const harborCron = new RegExp(harborCronPattern);

/**
 * Validates Harbor's 6-field cron (seconds first) and returns the 5-field form Temporal reads.
 * Never passes Harbor's string through: Temporal would read a 6th field as the year. Seconds
 * must be 0 and minutes must not be `*`, so a schedule fires at most once a minute.
 */
export function harborCronToTemporal(cron: string): string {
  const parts = cron.trim().split(/\s+/);
  if (parts.length !== 6) {
    fail(`must have 6 fields (seconds minutes hours day-of-month month day-of-week), found ${parts.length}`);
  }
  const [seconds, minutes] = parts as [string, string, ...string[]];
  if (seconds !== '0') fail('seconds must be 0');
  if (minutes === '*' || minutes === '*/1') fail('minutes must not be "*": a run at most once a minute');
  const normalized = parts.map((part, index) => normalizeField(part, fields[index]!));
  // Fields apart by other whitespace than spaces (a tab, a no-break space) are refused too.
  if (!harborCron.test(cron)) fail('must be 6 fields separated by spaces');
  return normalized.slice(1).join(' ');
}
