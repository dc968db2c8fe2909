import type { Response } from 'express';
import type { Role } from '../../service/index.js';

/** Who a request is from: the admin user, or an API token with its role. */
export interface Principal {
  name: string;
  role: Role;
}

export function principalOf(res: Response): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}
