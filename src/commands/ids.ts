/**
 * Ids of the Pretext commands and of the side panel, shared by the plugins that register
 * them and the ones that call them (and by browser tests).
 */
export const CommandIds = {
  /** args: { template?: string, cwd?: string }; no template: a blank Pretext notebook. */
  newNotebook: 'pretext:new-notebook',
  openPanel: 'pretext:open-panel',
  /** args: { method: string }; returns an IInsertResult. */
  insertSnippet: 'pretext:insert-snippet',
  refreshRuns: 'pretext:refresh-runs'
} as const;

/** The side panel's widget id (app.shell.activateById). */
export const PANEL_ID = 'jp-pretext-panel';

/** Launcher category of the template cards. */
export const LAUNCHER_CATEGORY = 'Pretext';
