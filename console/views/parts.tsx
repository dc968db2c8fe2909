import type { ComponentChildren } from 'preact';
import type { DestinationDrift, ExecutionStatus } from '../../contract/index.js';
import type { SyncState } from '../../service/index.js';
import { csrfField } from '../session/console-guard.js';
import { formatAgo } from './format.js';

/** Messages of a form, by field name; `''` for the form as a whole. */
export type FieldErrors = Record<string, string>;

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name={csrfField} value={token} />;
}

/** A one-button form: every write is a POST carrying the session's CSRF token. */
export function PostButton(props: {
  action: string;
  token: string;
  label: string;
  kind?: 'danger' | 'primary';
}) {
  return (
    <form method="post" action={props.action} class="inline">
      <CsrfField token={props.token} />
      <button type="submit" class={props.kind ?? ''}>
        {props.label}
      </button>
    </form>
  );
}

/** A destructive button behind a disclosure: one click opens it, a second confirms. */
export function ConfirmButton(props: { action: string; token: string; label: string; confirm: string }) {
  return (
    <details class="confirm">
      <summary>{props.label}</summary>
      <PostButton action={props.action} token={props.token} label={props.confirm} kind="danger" />
    </details>
  );
}

interface FieldProps {
  name: string;
  label: string;
  errors: FieldErrors;
  hint?: string;
}

function described({ name, errors, hint }: FieldProps) {
  const ids = [hint ? `${name}-hint` : '', errors[name] ? `${name}-error` : ''].filter(Boolean).join(' ');
  return {
    id: name,
    name,
    'aria-invalid': errors[name] ? true : undefined,
    'aria-describedby': ids || undefined,
  };
}

/** A field's hint and error message, which its control names in `aria-describedby`. */
function FieldNotes({ name, errors, hint }: FieldProps) {
  return (
    <>
      {hint && (
        <small id={`${name}-hint`} class="hint">
          {hint}
        </small>
      )}
      {errors[name] && (
        <p id={`${name}-error`} class="field-error">
          {errors[name]}
        </p>
      )}
    </>
  );
}

function FieldFrame(props: FieldProps & { children: ComponentChildren }) {
  return (
    <div class={props.errors[props.name] ? 'field invalid' : 'field'}>
      <label for={props.name}>{props.label}</label>
      {props.children}
      <FieldNotes {...props} />
    </div>
  );
}

export function TextField(
  props: FieldProps & {
    value?: string;
    type?: 'text' | 'password' | 'url' | 'number';
    placeholder?: string;
    required?: boolean;
    autocomplete?: string;
    step?: string;
  },
) {
  return (
    <FieldFrame {...props}>
      <input
        {...described(props)}
        // preact types inputs as a union by `type`; these four take the same attributes.
        type={(props.type ?? 'text') as 'text'}
        value={props.value ?? ''}
        placeholder={props.placeholder}
        required={props.required}
        autocomplete={props.autocomplete}
        step={props.step}
      />
    </FieldFrame>
  );
}

export function TextArea(props: FieldProps & { value?: string; rows?: number; placeholder?: string }) {
  return (
    <FieldFrame {...props}>
      <textarea {...described(props)} rows={props.rows ?? 3} placeholder={props.placeholder}>
        {props.value ?? ''}
      </textarea>
    </FieldFrame>
  );
}

export function SelectField(
  props: FieldProps & { value?: string; options: Array<{ value: string; label: string }> },
) {
  return (
    <FieldFrame {...props}>
      <select {...described(props)}>
        {props.options.map((option) => (
          <option value={option.value} selected={option.value === props.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

export function CheckboxField(props: FieldProps & { checked: boolean }) {
  return (
    <div class={props.errors[props.name] ? 'field check invalid' : 'field check'}>
      <input {...described(props)} type="checkbox" value="on" checked={props.checked} />
      <label for={props.name}>{props.label}</label>
      <FieldNotes {...props} />
    </div>
  );
}

/** A message for the form as a whole (one no field owns). */
export function FormError({ errors }: { errors: FieldErrors }) {
  return errors[''] ? (
    <p class="form-error" role="alert">
      {errors['']}
    </p>
  ) : null;
}

const statusClass: Record<ExecutionStatus, string> = {
  InProgress: 'running',
  Succeed: 'good',
  Failed: 'bad',
  Stopped: 'muted',
};

export function StatusBadge({ status }: { status: ExecutionStatus }) {
  return <span class={`badge ${statusClass[status]}`}>{status}</span>;
}

const stateLabel: Record<SyncState, [string, string]> = {
  in_sync: ['In sync', 'good'],
  drift: ['Drift', 'bad'],
  unknown: ['Unknown', 'muted'],
};

export function StateBadge({ state }: { state: SyncState }) {
  const [label, kind] = stateLabel[state];
  return <span class={`badge ${kind}`}>{label}</span>;
}

export function TimeAgo({ iso, now }: { iso: string; now: number }) {
  return (
    <time datetime={iso} title={iso}>
      {formatAgo(iso, now)}
    </time>
  );
}

/** A table that scrolls sideways on a narrow screen rather than squeeze. */
export function Table({ columns, children }: { columns: string[]; children: ComponentChildren }) {
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col">{column}</th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** What an audit found out of place at a site, a line each: `missing production/app:v2`. */
export function driftSampleLines(samples: DestinationDrift['samples']): string[] {
  const line = (kind: string, entry: { repository: string; tag: string }) =>
    `${kind} ${entry.repository}:${entry.tag}`;
  return [
    ...samples.missing.map((entry) => line('missing', entry)),
    ...samples.different.map((entry) => line('different', entry)),
    ...samples.extra.map((entry) => line('extra', entry)),
    ...samples.unservable.map(
      (entry) => `${line('unservable', entry)} (${entry.problems.map((problem) => problem.code).join(', ')})`,
    ),
  ];
}
