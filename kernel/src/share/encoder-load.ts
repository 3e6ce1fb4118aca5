/**
 * Loading an exported encoder back: by local run id from the run store, or from the tracking
 * server by 'models:/' or 'runs:/' reference; and reading the card stored with it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf, type LayersModel } from '../backend/tf';
import { check, checkOptionNames, PretextError } from '../util/errors';
import { openRunStore } from '../runs/store';
import { MlflowClient } from '../tracking/mlflow-client';
import { resolveTrackingUri, TRACKING_FIX } from '../tracking/tracking-uri';
import { downloadEncoder, isRemoteModelRef } from '../tracking/registry';
import { ENCODER_DIR } from './card-files';
import { ModelCard, type ModelCardData } from './model-card';

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
  if (isRemoteModelRef(runId)) {
    return loadRemoteEncoder(runId, options.tracking);
  }
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
    `Name the server that holds the model: ${TRACKING_FIX}.`
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
