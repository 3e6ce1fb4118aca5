/**
 * Sharing a trained encoder: save it into its run folder with a model card (what data, task,
 * settings and downstream scores produced it), and load it back by run id in any notebook
 * that can read the run store (encoder-load.ts). With `register`, the folder also goes to the
 * MLflow model registry (encoder-registration.ts), and `models:/name@alias` loads it on any
 * machine that reaches the server.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { LayersModel } from '../backend/tf';
import { check, checkOptionNames } from '../util/errors';
import { writeJsonAtomic } from '../runs/files';
import { openRunStore, type Run } from '../runs/store';
import { WordPieceTokenizer } from '../text/tokenizer';
import { resolveTrackingUri, TRACKING_FIX } from '../tracking/tracking-uri';
import { ENCODER_DIR, writeCardFiles } from './card-files';
import { reportMetrics, type ScoredReport } from './card-metrics';
import { registerExport } from './encoder-registration';
import { ModelCard } from './model-card';

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
  /** Tracking server for register (default: PRETEXT_TRACKING_URI, MLFLOW_TRACKING_URI, the setting). */
  tracking?: string;
  /** MLflow experiment, when the run is not on the server yet. */
  experiment?: string;
  /** The tokenizer the encoder's token ids come from; it travels with the encoder. */
  tokenizer?: WordPieceTokenizer;
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
    `To register, ${TRACKING_FIX}.`
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
    writeCardFiles(staging, card);
    const previous = `${target}.old-${randomBytes(3).toString('hex')}`;
    if (fs.existsSync(target)) {
      fs.renameSync(target, previous);
    }
    fs.renameSync(staging, target);
    fs.rmSync(previous, { recursive: true, force: true });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  if (!options.register || !trackingUri) {
    return card;
  }
  return registerExport(card, run, target, {
    name: options.register,
    ...(options.alias ? { alias: options.alias } : {}),
    ...(options.experiment ? { experiment: options.experiment } : {}),
    trackingUri
  });
}
