/**
 * Sharing a trained encoder: save it into its run folder with a model card (what data, task,
 * settings and downstream scores produced it), and load it back by run id in any notebook
 * that can read the run store. With `register`, the folder also goes to the MLflow model
 * registry, and `models:/name@alias` loads it on any machine that reaches the server.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { tf, type LayersModel } from '../backend/tf';
import type { MimeBundle, Displayable } from '../render/mime';
import { check, checkOptionNames, PretextError } from '../util/errors';
import { writeFileAtomic, writeJsonAtomic } from './files';
import { openRunStore, type Run } from './store';
import { WordPieceTokenizer } from '../text/tokenizer';
import { MlflowClient, resolveTrackingUri } from '../tracking/mlflow-client';
import {
  downloadEncoder,
  isRemoteModelRef,
  registerEncoder,
  type Registered
} from '../tracking/registry';

const ENCODER_DIR = 'encoder';

/** Anything with a results table can be attached to the card (evaluate(), labelEfficiency()). */
interface ScoredReport {
  table(): { toBundle(): MimeBundle };
}

/** A score for the card's YAML header, with the protocol that produced it. */
export interface CardMetric {
  type: string;
  value: number;
  name: string;
  /** Downstream task and data, as the Hub's model-index wants them. */
  task: string;
  dataset: string;
}

export interface ExportOptions {
  /** The run that trained the encoder (e.g. `result.runId`). */
  runId: string;
  root?: string;
  /** Downstream results to record on the card. */
  reports?: ScoredReport[];
  /** Free text: intended use, caveats. */
  notes?: string;
  /** Also register the encoder in the MLflow model registry under this name. */
  register?: string;
  /** Alias for the new version (e.g. 'candidate', 'champion'); needs register. */
  alias?: string;
  /** Tracking server for register (default MLFLOW_TRACKING_URI). */
  tracking?: string;
  /** MLflow experiment, when the run is not on the server yet. */
  experiment?: string;
  /** The tokenizer the encoder's token ids come from; it travels with the encoder. */
  tokenizer?: WordPieceTokenizer;
}

export interface ModelCardData {
  encoder: {
    name: string;
    inputShape: (number | null)[];
    outputDim: number | null;
    parameters: number;
  };
  run: {
    id: string;
    name?: string;
    created: string;
    status: string;
    steps: number;
    seconds: number;
    finalLoss: number | null;
  };
  data: { name: string; size: number; shape: number[] };
  task: Record<string, unknown>;
  training: Record<string, unknown>;
  environment: Record<string, unknown> | undefined;
  downstream: string[];
  /** Scores for the Hub header, each with its protocol. */
  metrics?: CardMetric[];
  notes?: string;
  load: string;
  /** Where the registry holds it, when registered. */
  registry?: Omit<Registered, 'source'>;
}

/** One YAML scalar: JSON strings and numbers are valid YAML, and need no escaping rules. */
const yamlScalar = (value: string | number): string => JSON.stringify(value);

/**
 * The Hugging Face model-card metadata (library, tags, datasets, metrics in model-index with
 * their protocol), written as YAML with JSON-quoted scalars so any YAML parser reads it.
 */
export function hubHeader(d: ModelCardData): string {
  const dataset = d.data.name;
  const method = String(d.task.method ?? d.run.id.split('-')[2] ?? 'pretext');
  const tags = [
    'self-supervised',
    'representation-learning',
    'feature-extraction',
    method,
    'pretext',
    'tfjs'
  ];
  const lines = [
    '---',
    `library_name: ${yamlScalar('tfjs')}`,
    `pipeline_tag: ${yamlScalar('feature-extraction')}`,
    'tags:',
    ...[...new Set(tags)].map(t => `- ${yamlScalar(t)}`),
    'datasets:',
    `- ${yamlScalar(dataset)}`
  ];
  const metrics = d.metrics ?? [];
  if (metrics.length) {
    lines.push(
      'metrics:',
      ...[...new Set(metrics.map(m => m.type))].map(t => `- ${yamlScalar(t)}`)
    );
    lines.push(
      'model-index:',
      `- name: ${yamlScalar(d.registry?.name ?? d.encoder.name)}`,
      '  results:'
    );
    for (const m of metrics) {
      lines.push(
        `  - task:`,
        `      type: ${yamlScalar(m.task)}`,
        `    dataset:`,
        `      name: ${yamlScalar(m.dataset)}`,
        `      type: ${yamlScalar(m.dataset)}`,
        `    metrics:`,
        `    - type: ${yamlScalar(m.type)}`,
        `      value: ${yamlScalar(m.value)}`,
        `      name: ${yamlScalar(m.name)}`
      );
    }
  }
  lines.push('---');
  return lines.join('\n');
}

interface EvaluationLike {
  scores: { model: string; knn: number; linearProbe: number }[];
  protocol: { dataset: string; labeledExamples: number; knn: { k: number } };
}
interface EfficiencyLike {
  results: { budget: string; protocol: string; mean: number; std: number; accuracies: number[] }[];
  protocol: { dataset: string; seeds: number[] };
}

/** The scores of evaluate() / labelEfficiency() reports, each named with its protocol. */
function reportMetrics(reports: ScoredReport[]): CardMetric[] {
  const metrics: CardMetric[] = [];
  for (const report of reports as unknown[]) {
    const r = report as Partial<EvaluationLike & EfficiencyLike>;
    if (Array.isArray(r.scores) && r.protocol && 'knn' in r.protocol) {
      const p = r.protocol as EvaluationLike['protocol'];
      for (const s of (r as EvaluationLike).scores) {
        metrics.push(
          {
            type: 'accuracy',
            value: s.knn,
            name: `${s.model}: kNN (cosine, k=${p.knn.k}) on frozen features, ${p.labeledExamples} labels`,
            task: 'image-classification',
            dataset: p.dataset
          },
          {
            type: 'accuracy',
            value: s.linearProbe,
            name: `${s.model}: linear probe on frozen features, ${p.labeledExamples} labels`,
            task: 'image-classification',
            dataset: p.dataset
          }
        );
      }
    } else if (Array.isArray(r.results) && r.protocol) {
      const p = r.protocol as EfficiencyLike['protocol'];
      for (const e of (r as EfficiencyLike).results) {
        metrics.push({
          type: 'accuracy',
          value: e.mean,
          name: `${e.protocol} with ${e.budget} of the labels (mean of ${e.accuracies.length} seeds, std ${e.std.toFixed(4)})`,
          task: 'image-classification',
          dataset: p.dataset
        });
      }
    }
  }
  return metrics;
}

export class ModelCard implements Displayable {
  constructor(readonly data: ModelCardData) {}

  /** README.md for the Hub and MLflow's artifact view: YAML metadata, then the card. */
  readme(): string {
    return `${hubHeader(this.data)}\n\n${this.markdown()}\n`;
  }

  markdown(): string {
    const d = this.data;
    return [
      `# Model card: ${d.encoder.name} (run ${d.run.id})`,
      '',
      `**Load it:** \`${d.load}\``,
      '',
      '## Encoder',
      `- input ${JSON.stringify(d.encoder.inputShape.slice(1))}, output ${d.encoder.outputDim} features, ${d.encoder.parameters} parameters`,
      '## Pretraining data',
      `- ${d.data.name}: ${d.data.size} unlabeled examples of shape ${JSON.stringify(d.data.shape)}`,
      '## Pretext task',
      '```json',
      JSON.stringify(d.task, null, 2),
      '```',
      '## Training',
      `- status ${d.run.status}, ${d.run.steps} steps in ${Math.round(d.run.seconds)} s, final loss ${d.run.finalLoss ?? '—'}`,
      '```json',
      JSON.stringify(d.training, null, 2),
      '```',
      '## Downstream results',
      ...(d.downstream.length
        ? d.downstream.map(t => ['```', t, '```'].join('\n'))
        : ['None recorded yet.']),
      '## Environment',
      '```json',
      JSON.stringify(d.environment ?? {}, null, 2),
      '```',
      ...(d.registry
        ? [
            '## Registry',
            `- MLflow model '${d.registry.name}' version ${d.registry.version}${d.registry.alias ? ` (@${d.registry.alias})` : ''}, run ${d.registry.mlflowRunId} on ${d.registry.trackingUri}`
          ]
        : []),
      ...(d.notes ? ['## Notes', d.notes] : [])
    ].join('\n');
  }

  toBundle(): MimeBundle {
    const markdown = this.markdown();
    return { 'text/markdown': markdown, 'text/plain': markdown };
  }

  [inspect.custom](): string {
    return this.markdown();
  }
}

function cardFor(encoder: LayersModel, run: Run, options: ExportOptions): ModelCard {
  const output = encoder.outputs[0].shape;
  return new ModelCard({
    encoder: {
      name: encoder.name,
      inputShape: encoder.inputs[0].shape,
      outputDim: output[output.length - 1] ?? null,
      parameters: encoder.countParams()
    },
    run: {
      id: run.id,
      ...(run.config.name ? { name: run.config.name } : {}),
      created: run.config.created,
      status: run.summary?.status ?? 'unknown',
      steps: run.summary?.steps ?? 0,
      seconds: run.summary?.seconds ?? 0,
      finalLoss: run.summary?.finalLoss ?? null
    },
    data: run.config.dataset,
    task: run.config.task,
    training: run.config.options,
    environment: run.environment,
    downstream: (options.reports ?? []).map(r => r.table().toBundle()['text/plain']),
    metrics: reportMetrics(options.reports ?? []),
    ...(options.notes ? { notes: options.notes } : {}),
    load: options.register
      ? `const encoder = await px.loadEncoder('models:/${options.register}${options.alias ? `@${options.alias}` : '/<version>'}');`
      : `const encoder = await px.loadEncoder('${run.id}');`
  });
}

/**
 * Saves `encoder` (architecture + weights) into its run's folder with README.md (the card with
 * the Hub's YAML header), MODEL_CARD.md and model-card.json, plus tokenizer.json when given.
 * The previous export, if any, is replaced only once the new one is complete. With `register`,
 * the folder is uploaded to the run's MLflow run and registered as a new model version.
 */
export async function exportEncoder(
  encoder: LayersModel,
  options: ExportOptions
): Promise<ModelCard> {
  checkOptionNames('exportEncoder', options, [
    'runId',
    'root',
    'reports',
    'notes',
    'register',
    'alias',
    'tracking',
    'experiment',
    'tokenizer'
  ]);
  check(
    encoder !== null &&
      typeof encoder === 'object' &&
      typeof (encoder as LayersModel).save === 'function',
    'exportEncoder() needs a tf.LayersModel encoder as its first argument.',
    'Pass the trained encoder, e.g. exportEncoder(encoder, { runId: run.runId }).'
  );
  check(
    typeof options?.runId === 'string',
    'exportEncoder() needs the run id that trained the encoder.',
    'Pass { runId: result.runId } (train() returns it when the run store is on).'
  );
  check(
    options.alias === undefined || options.register !== undefined,
    'exportEncoder() got an alias but no register name.',
    "Pass both, e.g. { register: 'mnist-simclr', alias: 'candidate' }."
  );
  check(
    options.register === undefined || /^[\w.-]+$/.test(options.register),
    `register must be a model name of letters, digits, '.', '-' or '_', got '${String(options.register)}'.`,
    "Pass e.g. { register: 'mnist-simclr' }."
  );
  check(
    options.alias === undefined || /^[\w-]+$/.test(options.alias),
    `alias must be a word like 'candidate', got '${String(options.alias)}'.`,
    "Pass e.g. { alias: 'candidate' }."
  );
  check(
    options.tokenizer === undefined || options.tokenizer instanceof WordPieceTokenizer,
    'exportEncoder() tokenizer must come from trainTokenizer().',
    'Pass { tokenizer } as trained, or leave it out.'
  );
  const trackingUri = options.register ? resolveTrackingUri(options.tracking) : undefined;
  check(
    !options.register || trackingUri,
    `exportEncoder() cannot register '${options.register}': no tracking server is configured.`,
    "Pass { tracking: 'http://<host>:5000' } or set MLFLOW_TRACKING_URI."
  );
  const run = openRunStore(options.root).get(options.runId);
  const card = cardFor(encoder, run, options);
  const staging = path.join(run.dir, `.${ENCODER_DIR}-${randomBytes(3).toString('hex')}.tmp`);
  const target = path.join(run.dir, ENCODER_DIR);
  try {
    await encoder.save(`file://${staging}`);
    if (options.tokenizer) {
      writeJsonAtomic(path.join(staging, 'tokenizer.json'), options.tokenizer.toJSON());
    }
    writeJsonAtomic(path.join(staging, 'model-card.json'), card.data);
    writeFileAtomic(path.join(staging, 'MODEL_CARD.md'), card.markdown() + '\n');
    writeFileAtomic(path.join(staging, 'README.md'), card.readme());
    const previous = `${target}.old-${randomBytes(3).toString('hex')}`;
    if (fs.existsSync(target)) fs.renameSync(target, previous);
    fs.renameSync(staging, target);
    fs.rmSync(previous, { recursive: true, force: true });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  if (!options.register || !trackingUri) return card;
  const client = new MlflowClient(trackingUri);
  // The card records the version, so it is written (and uploaded) once more after registering.
  const registered = await registerEncoder(client, run, target, {
    name: options.register,
    ...(options.alias ? { alias: options.alias } : {}),
    ...(options.experiment ? { experiment: options.experiment } : {}),
    artifactDir: ENCODER_DIR
  });
  const registry = {
    name: registered.name,
    version: registered.version,
    ...(registered.alias ? { alias: registered.alias } : {}),
    mlflowRunId: registered.mlflowRunId,
    trackingUri: registered.trackingUri
  };
  const final = new ModelCard({ ...card.data, registry });
  writeJsonAtomic(path.join(target, 'model-card.json'), final.data);
  writeFileAtomic(path.join(target, 'MODEL_CARD.md'), final.markdown() + '\n');
  writeFileAtomic(path.join(target, 'README.md'), final.readme());
  const copy = registered.source;
  for (const name of ['model-card.json', 'MODEL_CARD.md', 'README.md']) {
    await client.uploadArtifact(copy, name, fs.readFileSync(path.join(target, name)));
  }
  return final;
}

/**
 * Loads an exported encoder: by local run id (yours or a colleague's, from the same store), or
 * from the tracking server by 'models:/<name>@<alias>', 'models:/<name>/<version>' or
 * 'runs:/<mlflow run id>/encoder'.
 */
export async function loadEncoder(
  runId: string,
  options: { root?: string; tracking?: string } = {}
): Promise<LayersModel> {
  checkOptionNames('loadEncoder', options, ['root', 'tracking']);
  if (isRemoteModelRef(runId)) return loadRemoteEncoder(runId, options.tracking);
  const run = openRunStore(options.root).get(runId);
  const modelJson = path.join(run.dir, ENCODER_DIR, 'model.json');
  if (!fs.existsSync(modelJson)) {
    throw new PretextError(
      `Run ${runId} has no exported encoder (no ${path.relative(process.cwd(), modelJson)}).`,
      `Export it from the notebook that trained it: await px.exportEncoder(encoder, { runId: '${runId}' }).`
    );
  }
  try {
    return await tf.loadLayersModel(`file://${modelJson}`);
  } catch (error) {
    throw new PretextError(
      `The encoder exported with run ${runId} could not be read: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      'Export it again from the notebook that trained it; the stored files were left as they are.'
    );
  }
}

/** The model card stored with run `runId`'s exported encoder. */
export function modelCard(runId: string, options: { root?: string } = {}): ModelCard {
  const run = openRunStore(options.root).get(runId);
  const file = path.join(run.dir, ENCODER_DIR, 'model-card.json');
  check(
    fs.existsSync(file),
    `Run ${runId} has no model card (its encoder was never exported).`,
    `Export it: await px.exportEncoder(encoder, { runId: '${runId}' }).`
  );
  return new ModelCard(JSON.parse(fs.readFileSync(file, 'utf8')) as ModelCardData);
}

async function loadRemoteEncoder(ref: string, tracking: string | undefined): Promise<LayersModel> {
  const uri = resolveTrackingUri(tracking);
  check(
    uri,
    `loadEncoder('${ref}') needs a tracking server, and none is configured.`,
    "Pass { tracking: 'http://<host>:5000' } or set MLFLOW_TRACKING_URI to the server that holds the model."
  );
  const { dir, what } = await downloadEncoder(new MlflowClient(uri), ref);
  try {
    return await tf.loadLayersModel(`file://${path.join(dir, 'model.json')}`);
  } catch (error) {
    throw new PretextError(
      `The encoder of ${what} could not be read: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      'Export and register it again from the notebook that trained it.'
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
