/**
 * The Pretext side panel (left area): method catalog, runs browser and guide, one
 * collapsible section each.
 *
 * Hooks for browser tests (stable; change them together with test/browser/panel.test.ts):
 *   #jp-pretext-panel, .jp-PretextPanel                 the panel
 *   [data-pretext-section="catalog"|"runs"|"guide"]      the three sections
 *   Catalog:
 *     [data-pretext-modality="image"|...]                 a modality group
 *     [data-pretext-method="<name>"]                      a method card
 *     [data-pretext-action="insert"]                      its Insert button
 *     [data-pretext-role="message"]                       result of the last insert;
 *                                                         data-pretext-inserted="true"|"false"
 *   Runs:
 *     select[data-pretext-filter="method"|"dataset"|"status"]
 *     [data-pretext-action="refresh"], [data-pretext-action="compare"] (disabled below 2 ticks)
 *     [data-pretext-role="runs-status"]                   "N of M runs in 'runs'" or why none
 *     [data-pretext-role="tracking-status"][data-pretext-available="true"|"false"]
 *                                                         "MLflow at host (from settings): N runs"
 *                                                         or why the server's runs are missing
 *     [data-pretext-role="run-list"] > [data-pretext-run="<id>"][data-pretext-kind="run"|"unreadable"]
 *       [data-pretext-source="local"|"mlflow"|"both"]     (id: the local id, or the MLflow run
 *                                                         id of a run only on the server)
 *       [data-pretext-action="select"] (checkbox), [data-pretext-action="open"] (shows details),
 *       [data-pretext-role="run-source"] (the source badge)
 *     [data-pretext-role="run-details"][data-pretext-run="<id>"] with
 *       [data-pretext-role="run-summary"], [data-pretext-role="run-metrics"] and
 *       [data-pretext-role="run-config"]
 *     [data-pretext-role="compare"] with [data-pretext-role="compare-message"] and
 *       [data-pretext-role="compare-chart"] (the Vega chart: an <svg> once drawn)
 *   Guide:
 *     [data-pretext-step="objective"|"task"|"data"|"backend"|"train"|"evaluate"|"iterate"]
 *     [data-pretext-link="method:<name>"|"template:<id>"]
 *
 * Every run-derived string (ids, names, datasets, statuses, config) is set as text, never
 * as HTML: run folders can be written by anyone.
 */
import type { CommandRegistry } from '@lumino/commands';
import { SidePanel } from '@jupyterlab/ui-components';

import { ICatalog } from '../catalog/model';
import { IChartThemeSource } from '../chart-theme';
import { PANEL_ID } from '../commands/ids';
import { IPretextRunStore } from '../tokens';
import { CatalogSection } from './catalog-section';
import { GuideSection } from './guide-section';
import { pretextIcon } from './icon';
import { RunsSection } from './runs-section';

export interface IPretextPanelOptions {
  catalog: ICatalog;
  runs: IPretextRunStore;
  commands: CommandRegistry;
  theme: IChartThemeSource;
}

export class PretextPanel extends SidePanel {
  constructor(options: IPretextPanelOptions) {
    super();
    this.id = PANEL_ID;
    this.addClass('jp-PretextPanel');
    this.title.icon = pretextIcon;
    this.title.caption = 'Pretext: methods, runs and guide';
    this.catalog = new CatalogSection(options.catalog, options.commands);
    this.runs = new RunsSection(options.runs, options.theme);
    this.guide = new GuideSection(options.catalog, options.commands, name =>
      this.catalog.reveal(name)
    );
    this.addWidget(this.catalog);
    this.addWidget(this.runs);
    this.addWidget(this.guide);
  }

  readonly catalog: CatalogSection;
  readonly runs: RunsSection;
  readonly guide: GuideSection;
}
