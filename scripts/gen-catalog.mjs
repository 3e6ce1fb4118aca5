#!/usr/bin/env node
// Writes src/generated/catalog.json: the data the JupyterLab extension shows and inserts.
//
// The kernel library is the single source: the method catalog comes from the compiled
// kernel/lib/tasks/catalog.js, the guide's steps from kernel/lib/guide/guide.js (both load
// without TensorFlow), and the launcher templates from the example notebooks, outputs
// cleared. Run `npm run build:kernel` first; `npm run build:ext` runs this script itself.
//
// The pure functions are exported for test/extension/catalog-gen.test.ts.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUTPUT = join(ROOT, 'src', 'generated', 'catalog.json');

/**
 * The launcher templates, in launcher order. `prefix` picks the example notebook by its
 * number, so a renamed example (04-text-mlm -> 04-text-...) still becomes its template.
 */
export const TEMPLATES = [
  { id: 'images', label: 'Images', prefix: '01-', modality: 'image' },
  { id: 'compare', label: 'Compare pretext tasks', prefix: '02-', modality: 'image' },
  { id: 'text', label: 'Text', prefix: '04-', modality: 'text' },
  { id: 'tabular', label: 'Tabular', prefix: '05-', modality: 'tabular' },
  { id: 'timeseries', label: 'Time series', prefix: '06-', modality: 'timeseries' }
];

/** The kernelspec every template opens with: the Pretext tslab kernel. */
export const PRETEXT_KERNELSPEC = {
  name: 'pretext',
  display_name: 'TypeScript (Pretext)',
  language: 'typescript'
};

/** A notebook cell's source as one string (nbformat allows a list of lines). */
function sourceText(source) {
  return Array.isArray(source) ? source.join('') : String(source ?? '');
}

/** The first Markdown heading of a notebook, without the hashes; '' when there is none. */
export function notebookTitle(notebook) {
  for (const cell of notebook.cells ?? []) {
    if (cell.cell_type !== 'markdown') {
      continue;
    }
    const heading = sourceText(cell.source)
      .split('\n')
      .find(line => /^#{1,6}\s/.test(line));
    if (heading) {
      return heading.replace(/^#+\s*/, '').trim();
    }
  }
  return '';
}

/**
 * A notebook as a fresh template: every output and execution count cleared, timing
 * metadata dropped, the Pretext kernelspec set. Throws when `notebook` is not a notebook.
 */
export function clearNotebook(notebook, file = 'notebook') {
  if (typeof notebook !== 'object' || notebook === null || !Array.isArray(notebook.cells)) {
    throw new Error(`${file} is not a notebook (no 'cells' list); fix or remove the file.`);
  }
  const cells = notebook.cells.map((cell, index) => {
    if (typeof cell !== 'object' || cell === null || typeof cell.cell_type !== 'string') {
      throw new Error(`${file}: cell ${index} has no cell_type; fix the notebook.`);
    }
    const { execution: _execution, ...metadata } = cell.metadata ?? {};
    const cleared = {
      ...(cell.id ? { id: cell.id } : {}),
      cell_type: cell.cell_type,
      metadata,
      source: sourceText(cell.source)
    };
    return cell.cell_type === 'code' ? { ...cleared, execution_count: null, outputs: [] } : cleared;
  });
  return {
    cells,
    metadata: {
      ...(notebook.metadata ?? {}),
      kernelspec: PRETEXT_KERNELSPEC,
      language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' }
    },
    nbformat: 4,
    nbformat_minor: Math.max(5, Number(notebook.nbformat_minor) || 0)
  };
}

/**
 * Templates from the example notebooks in `examples` ({ file, notebook } pairs). A template
 * whose example is absent is left out and reported in `skipped`.
 */
export function buildTemplates(examples, templates = TEMPLATES) {
  const built = [];
  const skipped = [];
  for (const template of templates) {
    const example = examples.find(e => e.file.startsWith(template.prefix));
    if (!example) {
      skipped.push(`${template.id}: no examples/${template.prefix}*.ipynb`);
      continue;
    }
    built.push({
      id: template.id,
      label: template.label,
      modality: template.modality,
      title: notebookTitle(example.notebook) || template.label,
      example: `examples/${example.file}`,
      notebook: clearNotebook(example.notebook, example.file)
    });
  }
  return { templates: built, skipped };
}

/** The catalog entries the extension needs, checked so a kernel change fails the build here. */
export function catalogMethods(methods) {
  if (!Array.isArray(methods) || methods.length === 0) {
    throw new Error('The kernel catalog (METHODS) is empty; run `npm run build:kernel` first.');
  }
  const seen = new Set();
  return methods.map((method, index) => {
    for (const key of ['name', 'family', 'modality', 'summary', 'whenToUse', 'snippet']) {
      if (typeof method[key] !== 'string' || method[key] === '') {
        throw new Error(
          `METHODS[${index}] has no '${key}' string; fix kernel/src/tasks/catalog.ts.`
        );
      }
    }
    if (seen.has(method.name)) {
      throw new Error(`METHODS lists '${method.name}' twice; fix kernel/src/tasks/catalog.ts.`);
    }
    seen.add(method.name);
    return {
      name: method.name,
      family: method.family,
      modality: method.modality,
      usesAugment: Boolean(method.usesAugment),
      summary: method.summary,
      whenToUse: method.whenToUse,
      snippet: method.snippet
    };
  });
}

/** The guide's seven steps with the kernel's own advice for an empty session. */
export function guideEntries(guideSteps) {
  const steps = guideSteps({
    datasets: [],
    tasks: [],
    runs: [],
    evaluations: [],
    backendChecked: false
  });
  return steps.map(step => ({ id: step.id, title: step.title, detail: step.detail }));
}

/** The whole generated file. */
export function buildCatalogFile({ methods, guideSteps, examples }) {
  const { templates, skipped } = buildTemplates(examples);
  return {
    file: {
      note: 'Generated by scripts/gen-catalog.mjs from the kernel library and examples/; do not edit.',
      methods: catalogMethods(methods),
      guide: guideEntries(guideSteps),
      templates
    },
    skipped
  };
}

/** Every example notebook in `dir`, parsed, sorted by file name. */
export function readExamples(dir) {
  return readdirSync(dir)
    .filter(file => file.endsWith('.ipynb'))
    .sort()
    .map(file => {
      const text = readFileSync(join(dir, file), 'utf8');
      try {
        return { file, notebook: JSON.parse(text) };
      } catch (error) {
        throw new Error(`examples/${file} is not valid JSON (${error.message}); fix the notebook.`);
      }
    });
}

function main() {
  const require = createRequire(import.meta.url);
  const catalogJs = join(ROOT, 'kernel', 'lib', 'tasks', 'catalog.js');
  const guideJs = join(ROOT, 'kernel', 'lib', 'guide', 'guide.js');
  for (const file of [catalogJs, guideJs]) {
    if (!existsSync(file)) {
      console.error(`gen-catalog: ${file} is missing; run \`npm run build:kernel\` first.`);
      process.exit(1);
    }
  }
  const { METHODS } = require(catalogJs);
  const { guideSteps } = require(guideJs);
  const { file, skipped } = buildCatalogFile({
    methods: METHODS,
    guideSteps,
    examples: readExamples(join(ROOT, 'examples'))
  });
  for (const note of skipped) {
    console.log(`gen-catalog: template skipped (${note})`);
  }
  mkdirSync(dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, `${JSON.stringify(file, null, 2)}\n`);
  console.log(
    `gen-catalog: ${file.methods.length} methods, ${file.guide.length} guide steps, ` +
      `${file.templates.length} templates -> src/generated/catalog.json`
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main();
}
