import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

export interface SmallFilesystem {
  path: string;
  unmount(): void;
}

/**
 * A filesystem of `size` (tmpfs) mounted at `path`, for a registry whose disk fills. Needs root
 * (`mount`); throws when it cannot mount, so the test fails rather than skips.
 */
export function mountSmallFilesystem(path: string, size: string): SmallFilesystem {
  mkdirSync(path, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      `cannot mount a ${size} tmpfs at ${path} (the test needs root): ${(error as Error).message}`,
    );
  }
  return {
    path,
    unmount: () => execFileSync('umount', ['-l', path], { stdio: 'pipe' }),
  };
}
