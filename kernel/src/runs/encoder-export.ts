/**
 * Sharing a trained encoder: save it into its run folder with a model card (what data, task,
 * settings and downstream scores produced it), and load it back by run id in any notebook
 * that can read the run store.
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

const ENCODER_DIR = 'encoder';

/** Anything with a results table can be attached to the card (evaluate(), labelEfficiency()). */
interface ScoredReport {
  table(): { toBundle(): MimeBundle };
}

export interface ExportOptions {
  /** The run that trained the encoder (e.g. `result.runId`). */
  runId: string;
  root?: string;
  /** Downstream results to record on the card. */
  reports?: ScoredReport[];
  /** Free text: intended use, caveats. */
  notes?: string;
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
  notes?: string;
  load: string;
}

export class ModelCard implements Displayable {
  constructor(readonly data: ModelCardData) {}

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
    ...(options.notes ? { notes: options.notes } : {}),
    load: `const encoder = await px.loadEncoder('${run.id}');`
  });
}

/**
 * Saves `encoder` (architecture + weights) into its run's folder with MODEL_CARD.md and
 * model-card.json. The previous export, if any, is replaced only once the new one is complete.
 */
export async function exportEncoder(
  encoder: LayersModel,
  options: ExportOptions
): Promise<ModelCard> {
  checkOptionNames('exportEncoder', options, ['runId', 'root', 'reports', 'notes']);
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
  const run = openRunStore(options.root).get(options.runId);
  const card = cardFor(encoder, run, options);
  const staging = path.join(run.dir, `.${ENCODER_DIR}-${randomBytes(3).toString('hex')}.tmp`);
  const target = path.join(run.dir, ENCODER_DIR);
  try {
    await encoder.save(`file://${staging}`);
    writeJsonAtomic(path.join(staging, 'model-card.json'), card.data);
    writeFileAtomic(path.join(staging, 'MODEL_CARD.md'), card.markdown() + '\n');
    const previous = `${target}.old-${randomBytes(3).toString('hex')}`;
    if (fs.existsSync(target)) fs.renameSync(target, previous);
    fs.renameSync(staging, target);
    fs.rmSync(previous, { recursive: true, force: true });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return card;
}

/** Loads the encoder exported with run `runId` (yours or a colleague's, from the same store). */
export async function loadEncoder(
  runId: string,
  options: { root?: string } = {}
): Promise<LayersModel> {
  checkOptionNames('loadEncoder', options, ['root']);
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
