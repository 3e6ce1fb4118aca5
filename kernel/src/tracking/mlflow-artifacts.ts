/**
 * Artifacts through the tracking server's mlflow-artifacts proxy (upload, list, download), so
 * the client needs no credentials of the artifact store itself.
 */
import { PretextError } from '../util/errors';
import { MlflowApiError } from './mlflow-http';
import { MlflowRuns } from './mlflow-runs';

export interface ArtifactFile {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** The artifacts part of the API, on top of runs (an artifact URI is a run's). */
export class MlflowArtifacts extends MlflowRuns {
  /** 'mlflow-artifacts:/1/<run>/artifacts' → '1/<run>/artifacts' (the proxy's path). */
  artifactPath(artifactUri: string, relative = ''): string {
    if (!artifactUri.startsWith('mlflow-artifacts:')) {
      throw new PretextError(
        `The artifact store ${artifactUri} is not served by the tracking server, so Pretext cannot upload or download through it.`,
        'Start the server with artifact serving on (the default: mlflow server --artifacts-destination <folder or bucket>).'
      );
    }
    const rest = artifactUri.replace(/^mlflow-artifacts:(\/\/[^/]*)?/, '').replace(/^\/+/, '');
    const joined = [rest, relative.replace(/^\/+/, '')].filter(Boolean).join('/');
    return joined
      .split('/')
      .map(part => encodeURIComponent(part))
      .join('/');
  }

  async uploadArtifact(artifactUri: string, relative: string, data: Uint8Array): Promise<void> {
    const route = `/api/2.0/mlflow-artifacts/artifacts/${this.artifactPath(artifactUri, relative)}`;
    const response = await this.request('PUT', route, undefined, { data });
    if (!response.ok) {
      throw new MlflowApiError(
        `Uploading artifact ${relative} to ${this.uri} failed (${response.status}): ${(await response.text()).slice(0, 200)}`,
        'Check that the server serves artifacts (--artifacts-destination) and has space left.',
        response.status,
        undefined
      );
    }
    await response.arrayBuffer();
  }

  /** Files and folders directly under `relative`; [] when there are none. */
  async listArtifacts(artifactUri: string, relative = ''): Promise<ArtifactFile[]> {
    const qs = new URLSearchParams({
      path: decodeURIComponent(this.artifactPath(artifactUri, relative))
    });
    const r = await this.json<{ files?: ArtifactFile[] }>(
      'GET',
      `/api/2.0/mlflow-artifacts/artifacts?${qs}`
    );
    return r.files ?? [];
  }

  /** An artifact's bytes, or undefined when the server has no such file. */
  async downloadArtifact(artifactUri: string, relative: string): Promise<Uint8Array | undefined> {
    const route = `/api/2.0/mlflow-artifacts/artifacts/${this.artifactPath(artifactUri, relative)}`;
    const response = await this.request('GET', route);
    if (response.status === 404) {
      await response.arrayBuffer();
      return undefined;
    }
    if (!response.ok) {
      throw new MlflowApiError(
        `Downloading artifact ${relative} from ${this.uri} failed (${response.status}).`,
        'Check that the server serves artifacts (--artifacts-destination).',
        response.status,
        undefined
      );
    }
    return new Uint8Array(await response.arrayBuffer());
  }
}
