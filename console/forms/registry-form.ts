import { maskedSecret, type StoredRegistry } from '../../policies/index.js';
import { formChecked, formText, type FormBody } from './form-body.js';
import { numberOrAbsent, numberText } from './number-field.js';

/** What the registry form shows and sends. Secrets are write-only: never filled in from the store. */
export interface RegistryForm {
  name: string;
  description: string;
  type: string;
  url: string;
  insecure: boolean;
  ca_certificate: string;
  access_key: string;
  access_secret: string;
  webhook_secret: string;
  /** Each worker's limits on this registry; empty for none. */
  max_connections: string;
  max_requests_in_flight: string;
  /** Edit only: forget the stored credential (read anonymously) or webhook secret. */
  remove_credential: boolean;
  remove_webhook_secret: boolean;
}

export function registryFormOf(body: FormBody): RegistryForm {
  return {
    name: formText(body, 'name'),
    description: formText(body, 'description'),
    type: formText(body, 'type') || 'docker-registry',
    url: formText(body, 'url'),
    insecure: formChecked(body, 'insecure'),
    ca_certificate: formText(body, 'ca_certificate'),
    access_key: formText(body, 'access_key'),
    access_secret: formText(body, 'access_secret', { raw: true }),
    webhook_secret: formText(body, 'webhook_secret', { raw: true }),
    max_connections: formText(body, 'max_connections'),
    max_requests_in_flight: formText(body, 'max_requests_in_flight'),
    remove_credential: formChecked(body, 'remove_credential'),
    remove_webhook_secret: formChecked(body, 'remove_webhook_secret'),
  };
}

/** A stored registry in the form; its secrets stay empty (the form says whether one is set). */
export function registryFormFromStored(registry: StoredRegistry): RegistryForm {
  return {
    name: registry.name,
    description: registry.description,
    type: registry.type,
    url: registry.url,
    insecure: registry.insecure,
    ca_certificate: registry.ca_certificate ?? '',
    access_key: registry.credential?.type === 'basic' ? registry.credential.access_key : '',
    access_secret: '',
    webhook_secret: '',
    max_connections: numberText(registry.max_connections),
    max_requests_in_flight: numberText(registry.max_requests_in_flight),
    remove_credential: false,
    remove_webhook_secret: false,
  };
}

/** An empty limit is none, which a body says with 0 (left out or null, an update keeps the stored limit). */
const limit = (text: string) => numberOrAbsent(text) ?? 0;

/** The fields every body takes as the form shows them. */
const plainFields = (form: RegistryForm) => {
  const { name, description, type, url, insecure } = form;
  return {
    name,
    description,
    type,
    url,
    insecure,
    max_connections: limit(form.max_connections),
    max_requests_in_flight: limit(form.max_requests_in_flight),
  };
};

/** The body of `POST /registries`, as a script would send it. */
export function registryInputBody(form: RegistryForm) {
  return {
    ...plainFields(form),
    ...(form.ca_certificate ? { ca_certificate: form.ca_certificate } : {}),
    ...(form.access_key || form.access_secret
      ? { credential: { type: 'basic', access_key: form.access_key, access_secret: form.access_secret } }
      : {}),
    ...(form.webhook_secret ? { webhook_secret: form.webhook_secret } : {}),
  };
}

/**
 * Harbor's flat credential fields for what the form changes: none when the key is as stored and
 * no secret is typed (the stored one is kept), an empty pair to read anonymously, or the new key
 * with the typed secret (`"*****"`, the stored one, when only the key changed).
 */
function credentialChange(form: RegistryForm, stored?: StoredRegistry) {
  const storedKey = stored?.credential?.type === 'basic' ? stored.credential.access_key : '';
  if (form.remove_credential) return { credential_type: 'basic', access_key: '', access_secret: '' };
  if (!form.access_secret && form.access_key === storedKey) return {};
  return {
    credential_type: 'basic',
    access_key: form.access_key,
    access_secret: form.access_secret || (storedKey ? maskedSecret : ''),
  };
}

/**
 * The body of `PUT /registries/{id}`: every shown field, and a secret only when typed (left
 * empty it is kept, as `"*****"` keeps it over the API) or removed on purpose. A Docker
 * config credential, which the form does not show, is left alone unless a key is typed.
 */
export function registryUpdateBody(form: RegistryForm, stored: StoredRegistry) {
  const credential = credentialChange(form, stored);
  const webhookSecret = form.remove_webhook_secret
    ? { webhook_secret: '' }
    : form.webhook_secret
      ? { webhook_secret: form.webhook_secret }
      : {};
  return { ...plainFields(form), ca_certificate: form.ca_certificate, ...credential, ...webhookSecret };
}

/**
 * The body of `POST /registries/ping` for what the form says: a new registry, or (with `stored`)
 * the stored one with the form's changes laid over it, its secret kept unless one is typed.
 */
export function registryPingBody(form: RegistryForm, stored?: StoredRegistry) {
  const credential = credentialChange(form, stored);
  return {
    ...(stored ? { id: stored.id } : {}),
    type: form.type,
    url: form.url,
    insecure: form.insecure,
    ca_certificate: form.ca_certificate,
    ...credential,
  };
}

const registryFields = new Set([
  'name',
  'description',
  'type',
  'url',
  'insecure',
  'ca_certificate',
  'webhook_secret',
  'max_connections',
  'max_requests_in_flight',
]);

/** The form field an API field belongs to (`credential.access_secret` → `access_secret`). */
export function registryFormField(apiField: string): string | undefined {
  if (apiField === 'credential' || apiField.endsWith('access_key') || apiField === 'credential_type')
    return 'access_key';
  if (apiField.endsWith('access_secret')) return 'access_secret';
  const top = apiField.split(/[.[]/, 1)[0] ?? '';
  return registryFields.has(top) ? top : undefined;
}
