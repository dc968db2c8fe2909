import { Router, type Response } from 'express';
import { z } from 'zod';
import { ForbiddenError } from '../errors/access-errors.js';
import { errorCode } from '../errors/regatta-error.js';
import {
  parseInput,
  ReplicationFilter,
  ReplicationPolicyInput,
  type StoredPolicy,
} from '../policies/index.js';
import type { ConsoleDependencies } from './console-dependencies.js';
import { formBody } from './forms/form-body.js';
import { formErrors } from './forms/form-errors.js';
import { pathId } from './forms/path-id.js';
import {
  formFilters,
  newPolicyForm,
  policyFormField,
  policyFormFromStored,
  policyFormOf,
  policyInputBody,
  type PolicyForm,
} from './forms/policy-form.js';
import { sessionOf } from './session/console-guard.js';
import { Layout } from './views/layout.js';
import type { FieldErrors } from './views/parts.js';
import { PolicyActions, PolicyFormView, PolicyList, PreviewView } from './views/policy-views.js';
import { sendFragment, sendPage } from './views/render.js';

const Filters = z.object({ filters: z.array(ReplicationFilter) });

/**
 * `/policies`: list; add and edit in a form the API's own schema validates (its message next to
 * the field); the filters' preview; run now, dry run, enable, disable, delete.
 */
export function policyRoutes({ service, httpStatusOf }: ConsoleDependencies): Router {
  const { policies, registries, runs } = service;
  const router = Router();
  const allRegistries = async () => (await registries.list({ page: 1, pageSize: 100 })).items;

  const showForm = async (
    res: Response,
    form: PolicyForm,
    errors: FieldErrors,
    stored?: StoredPolicy,
    status = 200,
  ) => {
    const session = sessionOf(res);
    const known = await allRegistries();
    sendPage(
      res,
      <Layout title={stored ? `Policy ${stored.name}` : 'Add a policy'} session={session} section="policies">
        {stored && (
          <p class="toolbar">
            <PolicyActions policy={stored} session={session} />{' '}
            <a href={`/runs?policy_id=${stored.id}`}>Runs</a>{' '}
            <a href={`/drift?policy_id=${stored.id}`}>Drift</a>
          </p>
        )}
        <PolicyFormView
          form={form}
          errors={errors}
          session={session}
          registries={known}
          {...(stored ? { stored } : {})}
        />
      </Layout>,
      status,
    );
  };

  /** Validates and saves the form; a 4xx shows the form again with the API's message at its field. */
  const save = async (
    res: Response,
    form: PolicyForm,
    write: (input: ReplicationPolicyInput) => Promise<StoredPolicy>,
    stored?: StoredPolicy,
  ) => {
    try {
      return await write(parseInput(ReplicationPolicyInput, policyInputBody(form, stored)));
    } catch (error) {
      const status = httpStatusOf(error);
      const { fields } = formFilters(form, stored);
      const errors = formErrors(error, status, (field) => policyFormField(field, fields));
      if (!errors) throw error;
      await showForm(res, form, errors, stored, status);
      return undefined;
    }
  };

  /** Runs a write of one policy, then back to where the button was, with what happened. */
  const act = async (
    res: Response,
    id: number,
    write: (policy: StoredPolicy) => Promise<string | void>,
    done: (policy: StoredPolicy) => string,
  ) => {
    const { policies: policy } = await policies.get(id);
    const session = sessionOf(res);
    try {
      const next = await write(policy);
      if (next) {
        res.redirect(303, next);
        return;
      }
      session.flash = { kind: 'done', text: done(policy) };
    } catch (error) {
      if (errorCode(error) !== 'PRECONDITION') throw error;
      session.flash = { kind: 'error', text: `${policy.name}: not now (412): ${(error as Error).message}.` };
    }
    res.redirect(303, '/policies');
  };

  router.get('/policies', async (_req, res) => {
    const { policies: page, registries: named } = await policies.list({ page: 1, pageSize: 100 });
    const session = sessionOf(res);
    sendPage(
      res,
      <Layout title="Policies" session={session} section="policies">
        <PolicyList policies={page.items} registries={named} session={session} />
      </Layout>,
    );
  });

  router.get('/policies/new', async (_req, res) => {
    if (sessionOf(res).user.role !== 'admin') throw new ForbiddenError('only an admin adds policies');
    await showForm(res, newPolicyForm, {});
  });

  router.get('/policies/preview', async (req, res) => {
    const form = policyFormOf(formBody(req.query));
    if (!form.src_registry) {
      sendFragment(res, <PreviewView />);
      return;
    }
    try {
      const { filters } = parseInput(Filters, { filters: formFilters(form).filters });
      const preview = await policies.preview({
        srcRegistryId: pathId(form.src_registry, 'src_registry'),
        filters,
      });
      sendFragment(res, <PreviewView preview={preview} />);
    } catch (error) {
      if (httpStatusOf(error) >= 500) throw error;
      sendFragment(res, <PreviewView message={`Nothing to count: ${(error as Error).message}`} />);
    }
  });

  router.post('/policies', async (req, res) => {
    const form = policyFormOf(formBody(req.body));
    const created = await save(res, form, (input) => policies.create(input));
    if (!created) return;
    sessionOf(res).flash = { kind: 'done', text: `Policy ${created.name} added.` };
    res.redirect(303, '/policies');
  });

  router.get('/policies/:id', async (req, res) => {
    const { policies: policy, registries: named } = await policies.get(pathId(req.params.id));
    const session = sessionOf(res);
    if (session.user.role === 'admin') {
      await showForm(res, policyFormFromStored(policy), {}, policy);
      return;
    }
    sendPage(
      res,
      <Layout title={`Policy ${policy.name}`} session={session} section="policies">
        <PolicyList policies={[policy]} registries={named} session={session} />
      </Layout>,
    );
  });

  router.post('/policies/:id', async (req, res) => {
    const { policies: stored } = await policies.get(pathId(req.params.id));
    const form = policyFormOf(formBody(req.body));
    const updated = await save(res, form, (input) => policies.update(stored.id, input), stored);
    if (!updated) return;
    sessionOf(res).flash = { kind: 'done', text: `Policy ${updated.name} saved.` };
    res.redirect(303, '/policies');
  });

  router.post('/policies/:id/run', async (req, res) => {
    await act(
      res,
      pathId(req.params.id),
      async (policy) => `/runs/${(await runs.start({ policyId: policy.id })).id}`,
      () => '',
    );
  });

  router.post('/policies/:id/dry-run', async (req, res) => {
    await act(
      res,
      pathId(req.params.id),
      async (policy) => `/runs/${(await runs.start({ policyId: policy.id, dryRun: true })).id}`,
      () => '',
    );
  });

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    router.post(`/policies/:id/${action}`, async (req, res) => {
      await act(
        res,
        pathId(req.params.id),
        async (policy) => void (await policies.setEnabled(policy.id, enabled)),
        (policy) =>
          `Policy ${policy.name} ${action}d${enabled ? '' : ': its schedules are paused and webhooks start no run of it'}.`,
      );
    });
  }

  router.post('/policies/:id/delete', async (req, res) => {
    await act(
      res,
      pathId(req.params.id),
      (policy) => policies.delete(policy.id),
      (policy) => `Policy ${policy.name} deleted.`,
    );
  });

  return router;
}
