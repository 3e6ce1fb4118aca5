/**
 * The method catalog, guide steps and notebook templates as the extension sees them, and
 * the pure functions over them. The data itself is generated from the kernel library
 * (scripts/gen-catalog.mjs -> src/generated/catalog.json, loaded in ./data.ts), so the
 * panel always shows what `px.METHODS` and `px.guide()` say.
 * Pure module: no DOM, no JupyterLab.
 */

export type Modality = 'image' | 'text' | 'tabular' | 'timeseries';

/** Display order and headings of the modalities in the side panel. */
export const MODALITIES: ReadonlyArray<{ id: Modality; label: string }> = [
  { id: 'image', label: 'Images' },
  { id: 'text', label: 'Text' },
  { id: 'tabular', label: 'Tabular' },
  { id: 'timeseries', label: 'Time series' }
];

export interface ICatalogMethod {
  name: string;
  family: string;
  modality: string;
  usesAugment: boolean;
  summary: string;
  whenToUse: string;
  /** A notebook cell with `{{epochs}}` and `{{batchSize}}` placeholders. */
  snippet: string;
}

export interface IGuideStepInfo {
  id: string;
  title: string;
  /** What to do in this step (the kernel guide's text for a fresh session). */
  detail: string;
}

/** A notebook in nbformat 4, as stored. */
export interface INotebookJson {
  cells: Array<Record<string, unknown>>;
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

export interface ITemplate {
  id: string;
  /** Short name for the launcher card. */
  label: string;
  modality: string;
  /** The example notebook's own heading. */
  title: string;
  /** Where the template came from, relative to the repository root. */
  example: string;
  notebook: INotebookJson;
}

export interface ICatalog {
  methods: ICatalogMethod[];
  guide: IGuideStepInfo[];
  templates: ITemplate[];
}

export interface ISnippetValues {
  epochs: number;
  batchSize: number;
}

/**
 * Fills a snippet's `{{epochs}}` and `{{batchSize}}` placeholders (spaces inside the braces
 * allowed). Any other `{{name}}` is an error: inserting a cell that cannot run would only
 * move the failure into the user's notebook.
 */
export function fillSnippet(snippet: string, values: ISnippetValues): string {
  for (const [key, value] of Object.entries(values)) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new Error(
        `The snippet value '${key}' must be a positive integer, got ${String(value)}; ` +
          'fix it in Settings > Pretext.'
      );
    }
  }
  return snippet.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (match, name: string) => {
    if (name === 'epochs' || name === 'batchSize') {
      return String(values[name]);
    }
    throw new Error(
      `The snippet has an unknown placeholder ${match}; only {{epochs}} and {{batchSize}} ` +
        'are filled. Fix the snippet in kernel/src/tasks/catalog.ts.'
    );
  });
}

/** The methods of each modality, in MODALITIES order; unknown modalities come last. */
export function groupByModality(
  methods: readonly ICatalogMethod[]
): Array<{ modality: string; label: string; methods: ICatalogMethod[] }> {
  const known = MODALITIES.map(m => m.id as string);
  const others = [...new Set(methods.map(m => m.modality))].filter(m => !known.includes(m));
  return [
    ...MODALITIES.map(m => ({ modality: m.id as string, label: m.label })),
    ...others.map(m => ({ modality: m, label: m }))
  ]
    .map(group => ({ ...group, methods: methods.filter(m => m.modality === group.modality) }))
    .filter(group => group.methods.length > 0);
}

export function findMethod(catalog: ICatalog, name: string): ICatalogMethod | undefined {
  return catalog.methods.find(m => m.name === name);
}

export function findTemplate(catalog: ICatalog, id: string): ITemplate | undefined {
  return catalog.templates.find(t => t.id === id);
}

/** A link from a guide step to a catalog entry or a notebook template. */
export type GuideLink =
  { kind: 'method'; name: string; label: string } | { kind: 'template'; id: string; label: string };

/**
 * Which catalog entries and templates help with each guide step. Links to templates that
 * were not generated (an example not written yet) are left out.
 */
export function guideLinks(catalog: ICatalog, stepId: string): GuideLink[] {
  const template = (id: string): GuideLink[] => {
    const found = findTemplate(catalog, id);
    return found ? [{ kind: 'template', id, label: `${found.label} notebook` }] : [];
  };
  const method = (name: string): GuideLink[] =>
    findMethod(catalog, name) ? [{ kind: 'method', name, label: name }] : [];
  const modalityTemplates = catalog.templates
    .filter(t => t.id !== 'compare')
    .flatMap(t => template(t.id));
  switch (stepId) {
    case 'objective':
      return template('images');
    case 'task':
      // One entry per family is enough to start reading; the catalog lists the rest.
      return [...new Map(catalog.methods.map(m => [m.family, m])).values()].flatMap(m =>
        method(m.name)
      );
    case 'data':
      return modalityTemplates;
    case 'backend':
    case 'train':
      return [...template('images'), ...method('simclr')];
    case 'evaluate':
      return [...template('images'), ...template('compare')];
    case 'iterate':
      return template('compare');
    default:
      return [];
  }
}
