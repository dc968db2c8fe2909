import type { StoredRegistry } from '../../policies/index.js';
import type { RegistryForm } from '../forms/registry-form.js';
import type { Session } from '../session/session-store.js';
import {
  CheckboxField,
  ConfirmButton,
  CsrfField,
  FormError,
  SelectField,
  TextArea,
  TextField,
  type FieldErrors,
  Table,
} from './parts.js';

function credentialText(registry: StoredRegistry): string {
  const { credential } = registry;
  if (!credential) return 'anonymous';
  return credential.type === 'basic'
    ? `basic: ${credential.access_key}`
    : `Docker config ${credential.config_path}`;
}

/** Each worker's limits on the registry, or `–` when it has none. */
function limitsText({ max_connections, max_requests_in_flight }: StoredRegistry): string {
  const limits = [
    max_connections ? `connections: ${max_connections}` : '',
    max_requests_in_flight ? `requests in flight: ${max_requests_in_flight}` : '',
  ].filter(Boolean);
  return limits.length > 0 ? limits.join(', ') : '–';
}

export function RegistryList({ registries, session }: { registries: StoredRegistry[]; session: Session }) {
  const admin = session.user.role === 'admin';
  return (
    <>
      {admin && (
        <p class="toolbar">
          <a class="button primary" href="/registries/new">
            Add a registry
          </a>
        </p>
      )}
      {registries.length === 0 ? (
        <p class="muted">No registry yet.</p>
      ) : (
        <Table
          columns={[
            'name',
            'URL',
            'type',
            'credential',
            'TLS',
            'webhook secret',
            'limits per worker',
            ...(admin ? ['actions'] : []),
          ]}
        >
          {registries.map((registry) => (
            <tr data-registry={registry.name}>
              <td>
                <a href={`/registries/${registry.id}`}>{registry.name}</a>
              </td>
              <td class="mono">{registry.url}</td>
              <td>{registry.type}</td>
              <td>{credentialText(registry)}</td>
              <td>
                {registry.insecure ? 'not verified' : registry.ca_certificate ? 'own CA' : 'system CAs'}
              </td>
              <td>{registry.webhook_secret ? 'set' : '–'}</td>
              <td>{limitsText(registry)}</td>
              {admin && (
                <td class="actions">
                  <a href={`/registries/${registry.id}`}>Edit</a>{' '}
                  <ConfirmButton
                    action={`/registries/${registry.id}/delete`}
                    token={session.csrfToken}
                    label="Delete…"
                    confirm={`Delete ${registry.name}`}
                  />
                </td>
              )}
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

/** Add or edit a registry. Secrets are write-only: the fields start empty, and empty keeps what is stored. */
export function RegistryFormView(props: {
  form: RegistryForm;
  errors: FieldErrors;
  session: Session;
  stored?: StoredRegistry;
}) {
  const { form, errors, stored } = props;
  const hasSecret = stored?.credential?.type === 'basic' && stored.credential.access_secret !== '';
  return (
    <form method="post" action={stored ? `/registries/${stored.id}` : '/registries'} class="card" novalidate>
      <CsrfField token={props.session.csrfToken} />
      <FormError errors={errors} />
      <TextField name="name" label="Name" value={form.name} errors={errors} required />
      <TextField
        name="url"
        label="URL"
        value={form.url}
        errors={errors}
        placeholder="https://registry.example:5000"
        hint="http(s)://host[:port]; the registry is asked GET /v2/ before it is saved."
        required
      />
      <div class="row">
        <SelectField
          name="type"
          label="Type"
          value={form.type}
          errors={errors}
          options={[
            { value: 'docker-registry', label: 'Distribution (docker-registry)' },
            { value: 'harbor', label: 'Harbor' },
          ]}
        />
        <TextField name="description" label="Description" value={form.description} errors={errors} />
      </div>
      <fieldset>
        <legend>Credential</legend>
        {stored?.credential?.type === 'docker_config' && (
          <p class="hint">
            Read from the Docker config {stored.credential.config_path}; typing a user replaces it.
          </p>
        )}
        <div class="row">
          <TextField
            name="access_key"
            label="User"
            value={form.access_key}
            errors={errors}
            autocomplete="off"
          />
          <TextField
            name="access_secret"
            label="Password"
            type="password"
            errors={errors}
            autocomplete="new-password"
            {...(hasSecret ? { placeholder: 'set; leave empty to keep it' } : {})}
          />
        </div>
        {stored?.credential && (
          <CheckboxField
            name="remove_credential"
            label="Remove the credential (read anonymously)"
            checked={form.remove_credential}
            errors={errors}
          />
        )}
      </fieldset>
      <fieldset>
        <legend>TLS</legend>
        <TextArea
          name="ca_certificate"
          label="CA certificates (PEM)"
          value={form.ca_certificate}
          errors={errors}
          rows={4}
          hint="Trusted for this registry only, besides the system's."
        />
        <CheckboxField
          name="insecure"
          label="Insecure: plain HTTP, or HTTPS without verifying the certificate"
          checked={form.insecure}
          errors={errors}
        />
      </fieldset>
      <fieldset>
        <legend>Webhooks</legend>
        <TextField
          name="webhook_secret"
          label="Webhook secret"
          type="password"
          errors={errors}
          autocomplete="new-password"
          hint="At least 16 characters; the registry sends it as Authorization: Bearer <secret> to /webhooks/registries/<id>."
          {...(stored?.webhook_secret ? { placeholder: 'set; leave empty to keep it' } : {})}
        />
        {stored?.webhook_secret && (
          <CheckboxField
            name="remove_webhook_secret"
            label="Remove the webhook secret"
            checked={form.remove_webhook_secret}
            errors={errors}
          />
        )}
      </fieldset>
      <fieldset>
        <legend>Limits per worker</legend>
        <div class="row">
          <TextField
            name="max_connections"
            label="Connections"
            type="number"
            value={form.max_connections}
            errors={errors}
            hint="Open to this registry at once, 1 to 1024; the worker's pool size when empty."
          />
          <TextField
            name="max_requests_in_flight"
            label="Requests in flight"
            type="number"
            value={form.max_requests_in_flight}
            errors={errors}
            hint="Sent to this registry and not yet answered, 1 to 1024; no limit of its own when empty."
          />
        </div>
      </fieldset>
      <p class="toolbar">
        <button type="submit" class="primary">
          {stored ? 'Check and save' : 'Check and add'}
        </button>
        <a href="/registries">Cancel</a>
      </p>
    </form>
  );
}

/** A registry as a viewer sees it: its settings, no secret. */
export function RegistryFacts({ registry }: { registry: StoredRegistry }) {
  return (
    <dl class="facts card">
      <dt>URL</dt>
      <dd class="mono">{registry.url}</dd>
      <dt>Type</dt>
      <dd>{registry.type}</dd>
      <dt>Description</dt>
      <dd>{registry.description || '–'}</dd>
      <dt>Credential</dt>
      <dd>{credentialText(registry)}</dd>
      <dt>TLS</dt>
      <dd>{registry.insecure ? 'not verified' : registry.ca_certificate ? 'own CA' : 'system CAs'}</dd>
      <dt>Webhook secret</dt>
      <dd>{registry.webhook_secret ? 'set' : '–'}</dd>
      <dt>Limits per worker</dt>
      <dd>{limitsText(registry)}</dd>
    </dl>
  );
}
