/**
 * All Pretext MIME renderer extensions. Later kinds (guide, embedding map) are
 * added here and picked up by the renderers plugin.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';

import { IChartThemeSource } from '../chart-theme';
import { chartRendererExtension } from './chart';
import { dashboardRendererExtension } from './dashboard';
import { guideRendererExtension } from './guide';
import { tableRendererExtension } from './table';

export { ChartRenderer } from './chart';
export { DashboardRenderer } from './dashboard';
export { GuideRenderer } from './guide';
export { TableRenderer } from './table';
export { VegaChart } from './vega-chart';

export function createRendererExtensions(theme: IChartThemeSource): IRenderMime.IExtension[] {
  return [
    chartRendererExtension(theme),
    dashboardRendererExtension(theme),
    tableRendererExtension(),
    guideRendererExtension()
  ];
}
