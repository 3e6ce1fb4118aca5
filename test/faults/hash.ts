/** A digest of a folder tree (paths, sizes and contents), to show a fault changed nothing. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export function hashTree(dir: string): string {
  const hash = createHash('sha256');
  const walk = (current: string): void => {
    if (!fs.existsSync(current)) {
      hash.update(`missing ${current}\n`);
      return;
    }
    for (const entry of fs
      .readdirSync(current, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      hash.update(`${path.relative(dir, full)}\n`);
      if (entry.isDirectory()) {
        walk(full);
      } else {
        hash.update(fs.readFileSync(full));
      }
    }
  };
  walk(dir);
  return hash.digest('hex');
}
