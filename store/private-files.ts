import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

/** Tightens what Regatta's user owns; a folder or file another user owns is left as it is. */
function restrict(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
  }
}

/** The data folder, for Regatta's user only (0700); an existing one is tightened. */
export function makePrivateFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  restrict(dir, 0o700);
}

/** A file for Regatta's user only (0600): created empty when missing, tightened when it exists. */
export function makePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  restrict(path, 0o600);
}

/** Tightens a file when it exists (0600). */
export function restrictFile(path: string): void {
  if (existsSync(path)) restrict(path, 0o600);
}
