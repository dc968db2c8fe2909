import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary folder for one bench run, and `folder(name)` making a subfolder of it. */
export function scratchFolder(prefix: string): { dir: string; folder: (name: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    folder(name) {
      mkdirSync(join(dir, name), { recursive: true });
      return join(dir, name);
    },
  };
}
