#!/usr/bin/env node
// `pretext` command line (npx pretext sweep ...): runs the compiled kernel library's CLI.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'cli', 'pretext.js');
if (!existsSync(cli)) {
  console.error(
    `pretext: the kernel library is not built (${cli} is missing).\nFix: run npm run setup (or npm run build:kernel) first.`
  );
  process.exit(1);
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = await main(process.argv.slice(2));
