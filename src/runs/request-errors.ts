/**
 * What a failed request says: the HTTP status (Jupyter's ResponseError carries it in
 * `error.response.status`; 404 means "not there", not "broken") and a message for the user.
 * Pure module: no DOM, no JupyterLab.
 */

export function statusOf(error: unknown): number | undefined {
  const response = (error as { response?: { status?: unknown } } | null)?.response;
  return typeof response?.status === 'number' ? response.status : undefined;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
