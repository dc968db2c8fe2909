import type { FilterPreview } from '../../service/index.js';
import type { ReplicationFilter, StoredPolicy, StoredRegistry } from '../../policies/index.js';
import type { PolicyForm } from '../forms/policy-form.js';
import type { Session } from '../session/session-store.js';
import {
  CheckboxField,
  ConfirmButton,
  CsrfField,
  FormError,
  PostButton,
  SelectField,
  TextField,
  type FieldErrors,
  Table,
} from './parts.js';

function filterText(filter: ReplicationFilter): string {
  const not = 'decoration' in filter && filter.decoration === 'excludes' ? 'not ' : '';
  const value = Array.isArray(filter.value) ? filter.value.join(', ') : filter.value;
  return `${filter.type} ${not}${value}`;
}

function triggerText(policy: StoredPolicy): string {
  const cron = policy.trigger.trigger_settings?.cron;
  return policy.trigger.type === 'scheduled' && cron
    ? `scheduled (${cron})`
    : policy.trigger.type.replace('_', '-');
}

/** The buttons that start or change something: an admin's only. */
export function PolicyActions({ policy, session }: { policy: StoredPolicy; session: Session }) {
  if (session.user.role !== 'admin') return null;
  const token = session.csrfToken;
  return (
    <span class="actions">
      {policy.enabled && (
        <PostButton action={`/policies/${policy.id}/run`} token={token} label="Run now" kind="primary" />
      )}{' '}
      {policy.enabled && (
        <PostButton action={`/policies/${policy.id}/dry-run`} token={token} label="Dry run" />
      )}{' '}
      <PostButton
        action={`/policies/${policy.id}/${policy.enabled ? 'disable' : 'enable'}`}
        token={token}
        label={policy.enabled ? 'Disable' : 'Enable'}
      />{' '}
      <ConfirmButton
        action={`/policies/${policy.id}/delete`}
        token={token}
        label="Delete…"
        confirm={`Delete ${policy.name}`}
      />
    </span>
  );
}

export function PolicyList(props: {
  policies: StoredPolicy[];
  registries: ReadonlyMap<number, StoredRegistry>;
  session: Session;
}) {
  const name = (id: number) => props.registries.get(id)?.name ?? `registry ${id}`;
  return (
    <>
      {props.session.user.role === 'admin' && (
        <p class="toolbar">
          <a class="button primary" href="/policies/new">
            Add a policy
          </a>
        </p>
      )}
      {props.policies.length === 0 ? (
        <p class="muted">No policy yet.</p>
      ) : (
        <Table columns={['name', 'from → to', 'trigger', 'filters', 'state', 'actions']}>
          {props.policies.map((policy) => (
            <tr data-policy={policy.name}>
              <td>
                <a href={`/policies/${policy.id}`}>{policy.name}</a>
              </td>
              <td>
                {name(policy.src_registry_id)} → {policy.dest_registry_ids.map(name).join(', ')}
              </td>
              <td>{triggerText(policy)}</td>
              <td>{policy.filters.length > 0 ? policy.filters.map(filterText).join('; ') : 'everything'}</td>
              <td>{policy.enabled ? 'enabled' : <span class="badge muted">disabled</span>}</td>
              <td class="actions">
                <a href={`/runs?policy_id=${policy.id}`}>Runs</a>{' '}
                <a href={`/drift?policy_id=${policy.id}`}>Drift</a>{' '}
                <PolicyActions policy={policy} session={props.session} />
              </td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

/** What the filters select at the source now, or why it cannot be said. */
export function PreviewView(props: { preview?: FilterPreview; message?: string }) {
  const { preview } = props;
  if (!preview)
    return <span>{props.message ?? 'Choose a source to see what the filters select there now.'}</span>;
  const atLeast = preview.complete ? '' : 'at least ';
  return (
    <span>
      At the source now:{' '}
      <strong data-preview="counts">{`${atLeast}${preview.repositories} repositories, ${atLeast}${preview.tags} tags`}</strong>
      {preview.sample.length > 0 &&
        ` (${preview.sample.join(', ')}${preview.repositories > preview.sample.length ? ', …' : ''})`}
      {!preview.complete && ' — the count stopped at its time or size bound.'}
      {preview.judgedAtRunTime.length > 0 &&
        ` Label and resource filters are judged on each manifest when a run reads it.`}
    </span>
  );
}

export function PolicyFormView(props: {
  form: PolicyForm;
  errors: FieldErrors;
  session: Session;
  registries: StoredRegistry[];
  stored?: StoredPolicy;
}) {
  const { form, errors, stored } = props;
  const registryOptions = props.registries.map((registry) => ({
    value: String(registry.id),
    label: registry.name,
  }));
  const decoration = [
    { value: 'matches', label: 'matches' },
    { value: 'excludes', label: 'excludes' },
  ];
  return (
    <form
      id="policy-form"
      method="post"
      action={stored ? `/policies/${stored.id}` : '/policies'}
      class="card"
      novalidate
    >
      <CsrfField token={props.session.csrfToken} />
      <FormError errors={errors} />
      <div class="row">
        <TextField name="name" label="Name" value={form.name} errors={errors} required />
        <TextField name="description" label="Description" value={form.description} errors={errors} />
      </div>
      <fieldset>
        <legend>From and to</legend>
        <SelectField
          name="src_registry"
          label="Source"
          value={form.src_registry}
          errors={errors}
          options={[{ value: '', label: '– choose –' }, ...registryOptions]}
        />
        <fieldset
          class={errors.dest_registries ? 'field invalid' : 'field'}
          aria-describedby={errors.dest_registries ? 'dest_registries-error' : undefined}
        >
          <legend>Sites (one run copies to all of them)</legend>
          <div class="checks">
            {registryOptions.map((option) => (
              <label>
                <input
                  type="checkbox"
                  name="dest_registries"
                  value={option.value}
                  checked={form.dest_registries.includes(option.value)}
                />{' '}
                {option.label}
              </label>
            ))}
          </div>
          {errors.dest_registries && (
            <p id="dest_registries-error" class="field-error">
              {errors.dest_registries}
            </p>
          )}
        </fieldset>
      </fieldset>
      <fieldset>
        <legend>What to copy</legend>
        <div class="row">
          <TextField
            name="name_filter"
            label="Repositories"
            value={form.name_filter}
            errors={errors}
            placeholder="production/**"
            hint="Harbor's globs: * within a path segment, ** across, {a,b}; empty = every repository."
          />
          <SelectField
            name="name_decoration"
            label="Repositories filter"
            value={form.name_decoration}
            errors={errors}
            options={decoration}
          />
        </div>
        <div class="row">
          <TextField
            name="tag_filter"
            label="Tags"
            value={form.tag_filter}
            errors={errors}
            placeholder="v*"
          />
          <SelectField
            name="tag_decoration"
            label="Tags filter"
            value={form.tag_decoration}
            errors={errors}
            options={decoration}
          />
        </div>
        <SelectField
          name="resource"
          label="Artifacts"
          value={form.resource}
          errors={errors}
          options={[
            { value: '', label: 'every kind' },
            { value: 'image', label: 'container images only' },
            { value: 'artifact', label: 'artifacts' },
          ]}
        />
        <p
          id="preview"
          class="preview"
          aria-live="polite"
          hx-get="/policies/preview"
          hx-include="#policy-form"
          hx-trigger="load, input changed delay:500ms from:#policy-form, change from:#policy-form"
          hx-sync="this:replace"
        >
          Counting what the filters select…
        </p>
      </fieldset>
      <fieldset>
        <legend>When</legend>
        <div class="row">
          <SelectField
            name="trigger"
            label="Trigger"
            value={form.trigger}
            errors={errors}
            options={[
              { value: 'manual', label: 'manual' },
              { value: 'scheduled', label: 'scheduled' },
              { value: 'event_based', label: 'event-based (registry webhooks)' },
            ]}
          />
          <TextField
            name="cron"
            label="Schedule"
            value={form.cron}
            errors={errors}
            placeholder="0 0 */2 * * *"
            hint="Harbor's 6-field cron (seconds first), when scheduled."
          />
        </div>
        <CheckboxField name="enabled" label="Enabled" checked={form.enabled} errors={errors} />
        <CheckboxField
          name="single_active_replication"
          label="One run at a time (skip a run while another is in progress)"
          checked={form.single_active_replication}
          errors={errors}
        />
      </fieldset>
      <fieldset>
        <legend>How</legend>
        <CheckboxField
          name="override"
          label="Override a tag that differs at a site"
          checked={form.override}
          errors={errors}
        />
        <CheckboxField
          name="replicate_deletion"
          label="Delete at the sites what is deleted at the source (event-based)"
          checked={form.replicate_deletion}
          errors={errors}
        />
        <CheckboxField
          name="replicate_referrers"
          label="Copy referrers (signatures, SBOMs)"
          checked={form.replicate_referrers}
          errors={errors}
        />
        <div class="row">
          <TextField
            name="dest_namespace"
            label="Site namespace"
            value={form.dest_namespace}
            errors={errors}
          />
          <TextField
            name="dest_namespace_replace_count"
            label="Path components replaced"
            type="number"
            value={form.dest_namespace_replace_count}
            errors={errors}
            hint="-1: keep the last component only (default); 0: keep all; n: drop the first n."
          />
        </div>
      </fieldset>
      <fieldset>
        <legend>Disaster-recovery mirror</legend>
        <CheckboxField
          name="mirror_prune"
          label="Prune: delete at the sites the tags in scope that the source no longer has"
          checked={form.mirror_prune}
          errors={errors}
        />
        <div class="row">
          <TextField
            name="mirror_max_delete_ratio"
            label="Largest share deleted"
            type="number"
            step="0.05"
            value={form.mirror_max_delete_ratio}
            errors={errors}
            hint="0.2 when empty: a run deleting more deletes nothing."
          />
          <TextField
            name="mirror_max_delete_ratio_per_repository"
            label="Largest share deleted in one repository"
            type="number"
            step="0.05"
            value={form.mirror_max_delete_ratio_per_repository}
            errors={errors}
            hint="No bound per repository when empty."
          />
          <TextField
            name="mirror_protect"
            label="Never delete"
            value={form.mirror_protect}
            errors={errors}
            placeholder="*.sig, release/**"
          />
        </div>
      </fieldset>
      <fieldset>
        <legend>Drift audit</legend>
        <div class="row">
          <TextField
            name="drift_cron"
            label="Audit schedule"
            value={form.drift_cron}
            errors={errors}
            placeholder="0 */15 * * * *"
          />
          <SelectField
            name="drift_verify"
            label="Verify"
            value={form.drift_verify}
            errors={errors}
            options={[
              { value: 'off', label: 'tags and digests' },
              { value: 'head', label: 'head: every manifest and blob is there' },
              { value: 'deep', label: 'deep: every blob downloaded and hashed' },
            ]}
          />
        </div>
      </fieldset>
      <p class="toolbar">
        <button type="submit" class="primary">
          {stored ? 'Save' : 'Add the policy'}
        </button>
        <a href="/policies">Cancel</a>
      </p>
    </form>
  );
}
