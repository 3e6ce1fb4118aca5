/** Run statuses, for the dashboard payload, summary.json and both halves' badges. */

/** What a training process writes while it runs and when it ends. */
export const WRITTEN_STATUSES = ['running', 'done', 'stopped', 'failed'] as const;

/**
 * Every status a reader shows with its own style: the written ones and 'interrupted', which
 * readers derive (and some store readers write) for a 'running' run whose process is gone.
 * Anything else (from a newer kernel) is shown as text, neutrally.
 */
export const RUN_STATUSES = [...WRITTEN_STATUSES, 'interrupted'] as const;

export type WrittenStatus = (typeof WRITTEN_STATUSES)[number];
export type RunStatus = (typeof RUN_STATUSES)[number];

export function isKnownStatus(status: string): status is RunStatus {
  return (RUN_STATUSES as readonly string[]).includes(status);
}

/**
 * A training process refreshes summary.json's heartbeat every few seconds; a 'running' run
 * whose heartbeat is older than this is interrupted (its process is gone).
 */
export const STALE_HEARTBEAT_MS = 10 * 60 * 1000;
