/**
 * Registering an export in the MLflow model registry: the folder goes to the run's MLflow run
 * as a new model version, and the card, which then records that version, is written again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Run } from '../runs/store';
import { MlflowClient } from '../tracking/mlflow-client';
import { registerEncoder } from '../tracking/registry';
import { CARD_FILES, ENCODER_DIR, writeCardFiles } from './card-files';
import { ModelCard } from './model-card';

export interface RegisterExportOptions {
  /** Registered model name. */
  name: string;
  alias?: string;
  /** MLflow experiment, when the run is not on the server yet. */
  experiment?: string;
  trackingUri: string;
}

/** Registers the export in `folder` (run `run`'s) and returns the card with its registry entry. */
export async function registerExport(
  card: ModelCard,
  run: Run,
  folder: string,
  options: RegisterExportOptions
): Promise<ModelCard> {
  const client = new MlflowClient(options.trackingUri);
  // The card records the version, so it is written (and uploaded) once more after registering.
  const registered = await registerEncoder(client, run, folder, {
    name: options.name,
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
  writeCardFiles(folder, final);
  const copy = registered.source;
  for (const name of CARD_FILES) {
    await client.uploadArtifact(copy, name, fs.readFileSync(path.join(folder, name)));
  }
  return final;
}
