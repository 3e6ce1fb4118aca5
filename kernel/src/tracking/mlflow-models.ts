/** The MLflow model registry over REST: registered models, versions and aliases. */
import { MlflowApiError } from './mlflow-http';
import { MlflowArtifacts } from './mlflow-artifacts';

export interface ModelVersion {
  name: string;
  version: string;
  source: string;
  run_id?: string;
  status?: string;
  aliases?: string[];
}

/** The model-registry part of the API, on top of artifacts (a version's source is one). */
export class MlflowModels extends MlflowArtifacts {
  /** Creates the registered model unless it exists. */
  async ensureRegisteredModel(name: string): Promise<void> {
    try {
      await this.post('registered-models/create', { name });
    } catch (error) {
      if (!(error instanceof MlflowApiError && error.code === 'RESOURCE_ALREADY_EXISTS')) {
        throw error;
      }
    }
  }

  async registeredModel(name: string): Promise<
    | {
        name: string;
        aliases?: { alias: string; version: string }[];
        latest_versions?: ModelVersion[];
      }
    | undefined
  > {
    try {
      const r = await this.get<{
        registered_model: {
          name: string;
          aliases?: { alias: string; version: string }[];
          latest_versions?: ModelVersion[];
        };
      }>('registered-models/get', { name });
      return r.registered_model;
    } catch (error) {
      if (error instanceof MlflowApiError && error.code === 'RESOURCE_DOES_NOT_EXIST') {
        return undefined;
      }
      throw error;
    }
  }

  async createModelVersion(name: string, source: string, runId?: string): Promise<ModelVersion> {
    const r = await this.post<{ model_version: ModelVersion }>('model-versions/create', {
      name,
      source,
      ...(runId ? { run_id: runId } : {})
    });
    return r.model_version;
  }

  async modelVersion(name: string, version: string): Promise<ModelVersion> {
    return (
      await this.get<{ model_version: ModelVersion }>('model-versions/get', { name, version })
    ).model_version;
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.post('registered-models/alias', { name, alias, version });
  }

  async versionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return (
      await this.get<{ model_version: ModelVersion }>('registered-models/alias', { name, alias })
    ).model_version;
  }
}
