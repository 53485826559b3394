import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the nearest folder above this file that holds package.json (works from src/ and dist/). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (no package.json above src/)');
    dir = up;
  }
  return dir;
}

export const projectRoot = findRoot();
/** MIGRATIONS_DIR overrides where dbmate looks (tests of failing migrations use it). */
export const migrationsDir = process.env.MIGRATIONS_DIR || join(projectRoot, 'migrations');
