import type { ReplicationFilter, StoredPolicy } from '../../policies/index.js';
import { formChecked, formList, formText, type FormBody } from './form-body.js';
import { numberOrAbsent, numberText } from './number-field.js';

/** What the policy form shows and sends; a policy's settings it does not show are kept on edit. */
export interface PolicyForm {
  name: string;
  description: string;
  src_registry: string;
  dest_registries: string[];
  trigger: string;
  cron: string;
  name_filter: string;
  name_decoration: string;
  tag_filter: string;
  tag_decoration: string;
  /** `''` for every kind of artifact (no resource filter). */
  resource: string;
  dest_namespace: string;
  dest_namespace_replace_count: string;
  override: boolean;
  enabled: boolean;
  replicate_deletion: boolean;
  replicate_referrers: boolean;
  single_active_replication: boolean;
  mirror_prune: boolean;
  mirror_max_delete_ratio: string;
  mirror_max_delete_ratio_per_repository: string;
  /** Comma-separated globs. */
  mirror_protect: string;
  drift_cron: string;
  drift_verify: string;
}

export const newPolicyForm: PolicyForm = {
  name: '',
  description: '',
  src_registry: '',
  dest_registries: [],
  trigger: 'manual',
  cron: '',
  name_filter: '',
  name_decoration: 'matches',
  tag_filter: '',
  tag_decoration: 'matches',
  resource: '',
  dest_namespace: '',
  dest_namespace_replace_count: '',
  override: true,
  enabled: true,
  replicate_deletion: false,
  replicate_referrers: false,
  single_active_replication: false,
  mirror_prune: false,
  mirror_max_delete_ratio: '',
  mirror_max_delete_ratio_per_repository: '',
  mirror_protect: '',
  drift_cron: '',
  drift_verify: 'off',
};

export function policyFormOf(body: FormBody): PolicyForm {
  return {
    name: formText(body, 'name'),
    description: formText(body, 'description'),
    src_registry: formText(body, 'src_registry'),
    dest_registries: formList(body, 'dest_registries'),
    trigger: formText(body, 'trigger') || 'manual',
    cron: formText(body, 'cron'),
    name_filter: formText(body, 'name_filter'),
    name_decoration: formText(body, 'name_decoration') || 'matches',
    tag_filter: formText(body, 'tag_filter'),
    tag_decoration: formText(body, 'tag_decoration') || 'matches',
    resource: formText(body, 'resource'),
    dest_namespace: formText(body, 'dest_namespace'),
    dest_namespace_replace_count: formText(body, 'dest_namespace_replace_count'),
    override: formChecked(body, 'override'),
    enabled: formChecked(body, 'enabled'),
    replicate_deletion: formChecked(body, 'replicate_deletion'),
    replicate_referrers: formChecked(body, 'replicate_referrers'),
    single_active_replication: formChecked(body, 'single_active_replication'),
    mirror_prune: formChecked(body, 'mirror_prune'),
    mirror_max_delete_ratio: formText(body, 'mirror_max_delete_ratio'),
    mirror_max_delete_ratio_per_repository: formText(body, 'mirror_max_delete_ratio_per_repository'),
    mirror_protect: formText(body, 'mirror_protect'),
    drift_cron: formText(body, 'drift_cron'),
    drift_verify: formText(body, 'drift_verify') || 'off',
  };
}

/** The filters the form has a field for: the first name, tag and resource filter. */
function shownFilters(filters: readonly ReplicationFilter[]) {
  const name = filters.find((filter) => filter.type === 'name');
  const tag = filters.find((filter) => filter.type === 'tag');
  const resource = filters.find((filter) => filter.type === 'resource');
  return {
    name,
    tag,
    resource,
    kept: filters.filter((filter) => filter !== name && filter !== tag && filter !== resource),
  };
}

export function policyFormFromStored(policy: StoredPolicy): PolicyForm {
  const { name, tag, resource } = shownFilters(policy.filters);
  return {
    name: policy.name,
    description: policy.description,
    src_registry: String(policy.src_registry_id),
    dest_registries: policy.dest_registry_ids.map(String),
    trigger: policy.trigger.type,
    cron: policy.trigger.trigger_settings?.cron ?? '',
    name_filter: name?.type === 'name' ? name.value : '',
    name_decoration: (name?.type === 'name' && name.decoration) || 'matches',
    tag_filter: tag?.type === 'tag' ? tag.value : '',
    tag_decoration: (tag?.type === 'tag' && tag.decoration) || 'matches',
    resource: resource?.type === 'resource' ? resource.value : '',
    dest_namespace: policy.dest_namespace,
    dest_namespace_replace_count: numberText(policy.dest_namespace_replace_count),
    override: policy.override,
    enabled: policy.enabled,
    replicate_deletion: policy.replicate_deletion,
    replicate_referrers: policy.replicate_referrers,
    single_active_replication: policy.single_active_replication,
    mirror_prune: policy.mirror?.prune ?? false,
    mirror_max_delete_ratio: numberText(policy.mirror?.max_delete_ratio),
    mirror_max_delete_ratio_per_repository: numberText(policy.mirror?.max_delete_ratio_per_repository),
    mirror_protect: (policy.mirror?.protect ?? []).join(', '),
    drift_cron: policy.drift_audit?.cron ?? '',
    drift_verify: policy.drift_audit?.verify ?? 'off',
  };
}

/** Harbor's default decoration is `matches`: said only when it is not, so a saved policy does not change. */
const excludes = (decoration: string) => (decoration === 'matches' ? {} : { decoration });

/**
 * The form's filters, in the order the body lists them, and the form field of each (`''` for
 * filters kept from the stored policy that the form does not show).
 */
export function formFilters(form: PolicyForm, stored?: StoredPolicy) {
  const filters: unknown[] = [];
  const fields: string[] = [];
  if (form.name_filter) {
    filters.push({ type: 'name', value: form.name_filter, ...excludes(form.name_decoration) });
    fields.push('name_filter');
  }
  if (form.tag_filter) {
    filters.push({ type: 'tag', value: form.tag_filter, ...excludes(form.tag_decoration) });
    fields.push('tag_filter');
  }
  if (form.resource) {
    filters.push({ type: 'resource', value: form.resource });
    fields.push('resource');
  }
  for (const kept of shownFilters(stored?.filters ?? []).kept) {
    filters.push(kept);
    fields.push('');
  }
  return { filters, fields };
}

/**
 * The body of `POST` (or `PUT`) `/replication/policies` for the form, as a script would send it:
 * validated by the API's own schema. On edit, what the form does not show (platforms, speed,
 * copy_by_chunk, label filters) is kept from the stored policy.
 */
export function policyInputBody(form: PolicyForm, stored?: StoredPolicy) {
  const protect = form.mirror_protect
    .split(',')
    .map((glob) => glob.trim())
    .filter(Boolean);
  return {
    name: form.name,
    description: form.description,
    ...(form.src_registry ? { src_registry: { id: numberOrAbsent(form.src_registry) } } : {}),
    ...(form.dest_registries.length > 0
      ? { dest_registries: form.dest_registries.map((id) => ({ id: Number(id) })) }
      : {}),
    trigger: {
      type: form.trigger,
      ...(form.trigger === 'scheduled' ? { trigger_settings: { cron: form.cron } } : {}),
    },
    filters: formFilters(form, stored).filters,
    dest_namespace: form.dest_namespace,
    dest_namespace_replace_count: numberOrAbsent(form.dest_namespace_replace_count),
    override: form.override,
    enabled: form.enabled,
    replicate_deletion: form.replicate_deletion,
    replicate_referrers: form.replicate_referrers,
    single_active_replication: form.single_active_replication,
    ...(form.mirror_prune ||
    form.mirror_max_delete_ratio ||
    form.mirror_max_delete_ratio_per_repository ||
    protect.length > 0
      ? {
          mirror: {
            prune: form.mirror_prune,
            ...(form.mirror_max_delete_ratio
              ? { max_delete_ratio: numberOrAbsent(form.mirror_max_delete_ratio) }
              : {}),
            ...(form.mirror_max_delete_ratio_per_repository
              ? {
                  max_delete_ratio_per_repository: numberOrAbsent(
                    form.mirror_max_delete_ratio_per_repository,
                  ),
                }
              : {}),
            protect,
          },
        }
      : {}),
    ...(form.drift_cron ? { drift_audit: { cron: form.drift_cron, verify: form.drift_verify } } : {}),
    ...(stored?.platforms ? { platforms: stored.platforms } : {}),
    ...(stored ? { speed: stored.speed, copy_by_chunk: stored.copy_by_chunk } : {}),
  };
}

const sameNames = new Set([
  'name',
  'description',
  'dest_namespace',
  'dest_namespace_replace_count',
  'override',
  'enabled',
  'replicate_deletion',
  'replicate_referrers',
  'single_active_replication',
]);

/** The form field an API field belongs to: `filters[1].value` → the second filter's field, `trigger.trigger_settings.cron` → `cron`. */
export function policyFormField(apiField: string, filterFields: readonly string[]): string | undefined {
  const filter = /^filters\[(\d+)\]/.exec(apiField);
  if (filter) return filterFields[Number(filter[1])] || undefined;
  if (apiField.startsWith('src_registry')) return 'src_registry';
  if (apiField.startsWith('dest_registr')) return 'dest_registries';
  if (apiField.startsWith('trigger.trigger_settings')) return 'cron';
  if (apiField.startsWith('trigger')) return 'trigger';
  if (apiField.startsWith('mirror.max_delete_ratio_per_repository'))
    return 'mirror_max_delete_ratio_per_repository';
  if (apiField.startsWith('mirror.max_delete_ratio')) return 'mirror_max_delete_ratio';
  if (apiField.startsWith('mirror.protect')) return 'mirror_protect';
  if (apiField.startsWith('mirror')) return 'mirror_prune';
  if (apiField.startsWith('drift_audit.verify')) return 'drift_verify';
  if (apiField.startsWith('drift_audit')) return 'drift_cron';
  if (apiField === 'deletion') return 'replicate_deletion';
  return sameNames.has(apiField) ? apiField : undefined;
}
