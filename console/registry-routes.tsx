import { Router, type Response } from 'express';
import { errorCode } from '../errors/regatta-error.js';
import { ForbiddenError } from '../errors/access-errors.js';
import {
  parseInput,
  RegistryInput,
  RegistryPing,
  RegistryUpdate,
  type StoredRegistry,
} from '../policies/index.js';
import type { ConsoleDependencies } from './console-dependencies.js';
import { formBody } from './forms/form-body.js';
import { formErrors } from './forms/form-errors.js';
import { pathId } from './forms/path-id.js';
import {
  registryFormField,
  registryFormFromStored,
  registryFormOf,
  registryInputBody,
  registryPingBody,
  registryUpdateBody,
  type RegistryForm,
} from './forms/registry-form.js';
import { sessionOf } from './session/console-guard.js';
import { Layout } from './views/layout.js';
import type { FieldErrors } from './views/parts.js';
import { RegistryFacts, RegistryFormView, RegistryList } from './views/registry-views.js';
import { sendPage } from './views/render.js';

const emptyForm = registryFormOf({});

/** `/registries`: list; add and edit (each checked with a ping before it is saved); delete. */
export function registryRoutes({ service, httpStatusOf }: ConsoleDependencies): Router {
  const { registries } = service;
  const router = Router();

  const showForm = (
    res: Response,
    form: RegistryForm,
    errors: FieldErrors,
    stored?: StoredRegistry,
    status = 200,
  ) => {
    const session = sessionOf(res);
    sendPage(
      res,
      <Layout
        title={stored ? `Registry ${stored.name}` : 'Add a registry'}
        session={session}
        section="registries"
      >
        <RegistryFormView form={form} errors={errors} session={session} {...(stored ? { stored } : {})} />
      </Layout>,
      status,
    );
  };

  /** Runs `work`; a 4xx becomes the form again, with the API's message next to its field. */
  const orForm = async (
    res: Response,
    form: RegistryForm,
    work: () => Promise<void>,
    stored?: StoredRegistry,
  ) => {
    try {
      await work();
      return true;
    } catch (error) {
      const status = httpStatusOf(error);
      const errors = formErrors(error, status, registryFormField);
      if (!errors) throw error;
      showForm(res, form, errors, stored, status);
      return false;
    }
  };

  router.get('/registries', async (_req, res) => {
    const page = await registries.list({ page: 1, pageSize: 100 });
    const session = sessionOf(res);
    sendPage(
      res,
      <Layout title="Registries" session={session} section="registries">
        <RegistryList registries={page.items} session={session} />
      </Layout>,
    );
  });

  router.get('/registries/new', (_req, res) => {
    if (sessionOf(res).user.role !== 'admin') throw new ForbiddenError('only an admin adds registries');
    showForm(res, emptyForm, {});
  });

  router.post('/registries', async (req, res) => {
    const form = registryFormOf(formBody(req.body));
    const saved = await orForm(res, form, async () => {
      const input = parseInput(RegistryInput, registryInputBody(form));
      await registries.ping(parseInput(RegistryPing, registryPingBody(form)));
      await registries.create(input);
    });
    if (!saved) return;
    sessionOf(res).flash = { kind: 'done', text: `Registry ${form.name} added: it answered GET /v2/.` };
    res.redirect(303, '/registries');
  });

  router.get('/registries/:id', async (req, res) => {
    const stored = await registries.get(pathId(req.params.id));
    const session = sessionOf(res);
    if (session.user.role === 'admin') {
      showForm(res, registryFormFromStored(stored), {}, stored);
      return;
    }
    sendPage(
      res,
      <Layout title={`Registry ${stored.name}`} session={session} section="registries">
        <RegistryFacts registry={stored} />
      </Layout>,
    );
  });

  router.post('/registries/:id', async (req, res) => {
    const stored = await registries.get(pathId(req.params.id));
    const form = registryFormOf(formBody(req.body));
    const saved = await orForm(
      res,
      form,
      async () => {
        const update = parseInput(RegistryUpdate, registryUpdateBody(form, stored));
        await registries.ping(parseInput(RegistryPing, registryPingBody(form, stored)));
        await registries.update(stored.id, update);
      },
      stored,
    );
    if (!saved) return;
    sessionOf(res).flash = { kind: 'done', text: `Registry ${form.name} saved: it answered GET /v2/.` };
    res.redirect(303, '/registries');
  });

  router.post('/registries/:id/delete', async (req, res) => {
    const stored = await registries.get(pathId(req.params.id));
    const session = sessionOf(res);
    try {
      await registries.delete(stored.id);
      session.flash = { kind: 'done', text: `Registry ${stored.name} deleted.` };
    } catch (error) {
      if (errorCode(error) !== 'PRECONDITION') throw error;
      session.flash = {
        kind: 'error',
        text:
          `${stored.name} was not deleted (412): ${(error as Error).message}. A registry stays while a policy ` +
          'copies from or to it: edit those policies or delete them first.',
      };
    }
    res.redirect(303, '/registries');
  });

  return router;
}
