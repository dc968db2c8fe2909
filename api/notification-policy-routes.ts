import { Router } from 'express';
import { NotificationPolicyInput, notificationPolicyView, parseInput } from '../policies/index.js';
import { notificationPolicyListFields, type ReplicationService } from '../service/index.js';
import { requirePermission } from './auth/authenticate.js';
import { idParam } from './id-param.js';
import { parseListParams, setPageHeaders } from './list-params.js';
import { toDeliveryView } from './notification-delivery-view.js';

/**
 * Harbor's webhook policies without projects (`/webhook/policies`, `/webhook/events`): who is
 * told which events, how; each policy's deliveries; a test that sends a ping now.
 */
export function notificationPolicyRoutes(notifications: ReplicationService['notifications']): Router {
  const router = Router();
  const administer = requirePermission('administer');

  router.get('/events', (_req, res) => {
    res.json(notifications.supported());
  });

  router.get('/policies', async (req, res) => {
    const query = parseListParams(req, notificationPolicyListFields);
    const page = await notifications.list(query);
    setPageHeaders(req, res, query, page.total);
    res.json(page.items.map(notificationPolicyView));
  });

  router.post('/policies', administer, async (req, res) => {
    const created = await notifications.create(parseInput(NotificationPolicyInput, req.body));
    res.status(201).location(`${req.baseUrl}/policies/${created.id}`).end();
  });

  router.get('/policies/:id', async (req, res) => {
    res.json(notificationPolicyView(await notifications.get(idParam(req.params.id))));
  });

  router.put('/policies/:id', administer, async (req, res) => {
    await notifications.update(idParam(req.params.id), parseInput(NotificationPolicyInput, req.body));
    res.status(200).end();
  });

  router.delete('/policies/:id', administer, async (req, res) => {
    await notifications.delete(idParam(req.params.id));
    res.status(200).end();
  });

  router.post('/policies/:id/test', requirePermission('operate'), async (req, res) => {
    const { status } = await notifications.test(idParam(req.params.id));
    res.json({ status_code: status });
  });

  router.get('/policies/:id/deliveries', async (req, res) => {
    const query = parseListParams(req, {});
    const page = await notifications.deliveries(idParam(req.params.id), query.page, query.pageSize);
    setPageHeaders(req, res, query, page.total);
    res.json(page.items.map(toDeliveryView));
  });

  return router;
}
