/**
 * The model-registry hand-off: an exported encoder folder goes up as artifacts of its run's
 * MLflow run and becomes a registered-model version with an alias; `models:/name@alias`,
 * `models:/name/<version>` or `runs:/<mlflow run id>/<path>` download it again anywhere.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Run } from '../runs/store';
import { PretextError } from '../util/errors';
import { MlflowClient } from './mlflow-client';
import { MlflowApiError } from './mlflow-http';
import type { ModelVersion } from './mlflow-models';
import { RunUploader } from './run-upload';
import { syncRun } from './sync';

export interface Registered {
  name: string;
  version: string;
  alias?: string;
  mlflowRunId: string;
  source: string;
  trackingUri: string;
}

/** True for references that name a tracking server's model or run artifacts. */
export function isRemoteModelRef(ref: string): boolean {
  return typeof ref === 'string' && /^(models|runs):\//.test(ref);
}

/**
 * Uploads every file of `folder` under `artifactDir` of the run's MLflow run (syncing the run
 * first, so its metrics and params sit next to the model), then registers a version.
 */
export async function registerEncoder(
  client: MlflowClient,
  run: Run,
  folder: string,
  options: { name: string; alias?: string; experiment?: string; artifactDir: string }
): Promise<Registered> {
  await syncRun(client, run, options.experiment);
  const uploader = new RunUploader(client, run.dir);
  const copy = uploader.copy!;
  // A model version must keep its files: a later export of the same run gets its own folder.
  let artifactDir = options.artifactDir;
  for (let n = 2; copy.artifacts.includes(`${artifactDir}/model.json`); n++) {
    artifactDir = `${options.artifactDir}-${n}`;
  }
  const files = fs
    .readdirSync(folder, { withFileTypes: true })
    .filter(e => e.isFile())
    .map(e => ({
      file: path.join(folder, e.name),
      artifact: `${artifactDir}/${e.name}`
    }));
  await uploader.uploadFiles(files);
  await client.ensureRegisteredModel(options.name);
  const source = `${copy.artifactUri.replace(/\/+$/, '')}/${artifactDir}`;
  const version = await client.createModelVersion(options.name, source, copy.mlflowRunId);
  if (options.alias) {
    await client.setAlias(options.name, options.alias, version.version);
  }
  return {
    name: options.name,
    version: version.version,
    ...(options.alias ? { alias: options.alias } : {}),
    mlflowRunId: copy.mlflowRunId,
    source,
    trackingUri: client.uri
  };
}

async function resolveVersion(client: MlflowClient, ref: string): Promise<ModelVersion> {
  const match = /^models:\/([^@/]+)(?:@([^/]+)|\/(\d+))?$/.exec(ref);
  if (!match || (!match[2] && !match[3])) {
    throw new PretextError(
      `'${ref}' is not a model reference Pretext can load.`,
      "Use 'models:/<name>@<alias>' (e.g. 'models:/mnist-simclr@candidate'), 'models:/<name>/<version>' or 'runs:/<mlflow run id>/encoder'."
    );
  }
  const [, name, alias, version] = match;
  const model = await client.registeredModel(name);
  if (!model) {
    throw new PretextError(
      `The tracking server ${client.uri} has no registered model '${name}'.`,
      `Check the name (case matters), or register it from the training notebook: await px.exportEncoder(encoder, { runId, register: '${name}', alias: '${alias ?? 'candidate'}' }).`
    );
  }
  try {
    return alias
      ? await client.versionByAlias(name, alias)
      : await client.modelVersion(name, version);
  } catch (error) {
    if (!(error instanceof MlflowApiError) || error.status === 0 || error.status >= 500) {
      throw error;
    }
    const aliases = (model.aliases ?? []).map(a => `@${a.alias} (version ${a.version})`);
    throw new PretextError(
      `Registered model '${name}' on ${client.uri} has no ${alias ? `alias '${alias}'` : `version ${version}`}.`,
      aliases.length
        ? `Use one of its aliases: ${aliases.join(', ')}.`
        : `It has no aliases yet: set one when registering, exportEncoder(encoder, { runId, register: '${name}', alias: 'candidate' }), or load a version: 'models:/${name}/1'.`
    );
  }
}

/** Where a reference's files live: the artifact URI of a folder. */
async function resolveSource(
  client: MlflowClient,
  ref: string
): Promise<{ source: string; what: string }> {
  if (ref.startsWith('runs:/')) {
    const [, runId, ...rest] = ref.replace(/^runs:\//, '/').split('/');
    if (!runId) {
      throw new PretextError(
        `'${ref}' names no run.`,
        "Use 'runs:/<mlflow run id>/encoder' (the run id is in MLflow's run page)."
      );
    }
    let artifactUri: string;
    try {
      artifactUri = (await client.getRun(runId)).info.artifact_uri;
    } catch (error) {
      if (error instanceof MlflowApiError && error.code === 'RESOURCE_DOES_NOT_EXIST') {
        throw new PretextError(
          `The tracking server ${client.uri} has no run '${runId}'.`,
          'Copy the MLflow run id from the MLflow UI (or use models:/<name>@<alias>).'
        );
      }
      throw error;
    }
    const relative = rest.join('/') || 'encoder';
    return { source: `${artifactUri.replace(/\/+$/, '')}/${relative}`, what: ref };
  }
  const version = await resolveVersion(client, ref);
  return {
    source: version.source,
    what: `${ref} (version ${version.version} of '${version.name}')`
  };
}

/**
 * Downloads the encoder folder a reference names into a fresh temporary folder and returns
 * that folder (the caller removes it). Missing files are a clear error, not a half model.
 */
export async function downloadEncoder(
  client: MlflowClient,
  ref: string
): Promise<{ dir: string; what: string }> {
  const { source, what } = await resolveSource(client, ref);
  const files = (await client.listArtifacts(source)).filter(f => !f.is_dir);
  const names = files.map(f => path.posix.basename(f.path));
  const missing = (detail: string) =>
    new PretextError(
      `${what} points at artifacts that are missing on ${client.uri}: ${detail}.`,
      'Export and register the encoder again from the notebook that trained it: await px.exportEncoder(encoder, { runId, register, alias }).'
    );
  if (!names.includes('model.json')) {
    throw missing(`no model.json under ${source}`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-model-'));
  try {
    for (const name of names) {
      const data = await client.downloadArtifact(source, name);
      if (!data) {
        throw missing(`${name} is listed but cannot be read`);
      }
      fs.writeFileSync(path.join(dir, name), data);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
      weightsManifest?: { paths: string[] }[];
    };
    const shards = (manifest.weightsManifest ?? []).flatMap(g => g.paths);
    const absent = shards.filter(p => !fs.existsSync(path.join(dir, p)));
    if (absent.length) {
      throw missing(`weight files ${absent.join(', ')}`);
    }
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, what };
}
