import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../policies/index.js';
import { Role, type ReplicationService } from '../service/index.js';
import { requirePermission } from './auth/authenticate.js';
import { idParam } from './id-param.js';

export const ApiTokenInput = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, dots, dashes or underscores'),
  role: Role,
  /** Seconds from now until the token stops working (at most ten years); never when left out. */
  expires_in: z
    .number()
    .int()
    .min(1)
    .max(10 * 365 * 24 * 3600)
    .optional(),
});

/**
 * Regatta's `/tokens` (admin only): create a bearer token with a role and, with `expires_in`, an
 * expiry; list; revoke. The token is in the 201 body, the one time it is shown (as Harbor does
 * for robot accounts).
 */
export function tokenRoutes(tokens: ReplicationService['tokens']): Router {
  const router = Router();
  router.use(requirePermission('administer'));

  router.get('/', async (_req, res) => {
    res.json(await tokens.list());
  });

  router.post('/', async (req, res) => {
    const { expires_in: expiresInSeconds, ...input } = parseInput(ApiTokenInput, req.body);
    const { token, record } = await tokens.create({ ...input, expiresInSeconds });
    res
      .status(201)
      .location(`${req.baseUrl}/${record.id}`)
      .json({ ...record, token });
  });

  router.delete('/:id', async (req, res) => {
    await tokens.delete(idParam(req.params.id));
    res.status(200).end();
  });

  return router;
}
