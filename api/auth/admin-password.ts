import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const adminPasswordFileName = 'admin-password';

export interface AdminPassword {
  password: string;
  /** Where it is kept when it did not come from the environment. */
  path?: string;
  /** True on the first start, when it was just generated: the one time it is shown. */
  generated: boolean;
}

/** The kept password, its file tightened to 0600 if it was made looser. */
async function readKept(path: string): Promise<AdminPassword> {
  const password = (await readFile(path, 'utf8')).trim();
  await chmod(path, 0o600);
  return { password, path, generated: false };
}

/**
 * `REGATTA_ADMIN_PASSWORD`, else the password kept in the data folder (0700), generated (mode
 * 0600) on first start.
 */
export async function resolveAdminPassword(
  dataDir: string,
  configured: string | undefined,
): Promise<AdminPassword> {
  if (configured !== undefined) return { password: configured, generated: false };
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, adminPasswordFileName);
  try {
    return await readKept(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const password = randomBytes(18).toString('base64url');
  try {
    await writeFile(path, `${password}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readKept(path);
  }
  return { password, path, generated: true };
}

/**
 * Shows a generated password once, on the terminal and not in the log (the logger redacts
 * passwords anyway); on later starts only says where it is kept.
 */
export function announceAdminPassword(
  admin: AdminPassword,
  logger: { info(object: object, message: string): void },
  write: (text: string) => void = (text) => process.stdout.write(text),
): void {
  if (admin.generated) {
    write(
      `\nRegatta generated the password of user "admin": ${admin.password}\n` +
        `It is kept in ${admin.path} (mode 0600); set REGATTA_ADMIN_PASSWORD to choose your own.\n\n`,
    );
  } else if (admin.path) {
    logger.info({ path: admin.path }, 'the password of user "admin" is kept in the data folder');
  }
}
