/** Seattle's hourly weather normals (from the `vega-datasets` npm package) as a Series. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataReport } from '../data/report';
import { seriesFromColumns, type Series } from '../loaders/series/series';

/**
 * A real multichannel series shipped with the `vega-datasets` npm package: Seattle's hourly
 * climate normals for one year (8,759 hourly readings of pressure in hPa, temperature in °C and wind in
 * m/s). Nothing is downloaded. Unparseable readings become NaN and are reported; windowSeries
 * then skips the windows that contain them.
 */
export function loadWeatherSeries(): Series & { report: DataReport } {
  // The package's exports map hides package.json; its entry point sits in build/, data/ beside it.
  const file = join(
    dirname(require.resolve('vega-datasets')),
    '..',
    'data',
    'seattle-weather-hourly-normals.csv'
  );
  const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',');
  const channels = ['pressure', 'temperature', 'wind'];
  const index = channels.map(c => header.indexOf(c));
  const report = new DataReport('hourly rows of seattle-weather-hourly-normals.csv');
  const columns: Record<string, number[]> = { pressure: [], temperature: [], wind: [] };
  lines.slice(1).forEach((line, row) => {
    report.total++;
    const cells = line.split(',');
    channels.forEach((c, j) => {
      const value = Number.parseFloat(cells[index[j]]);
      if (!Number.isFinite(value)) {
        report.note(`row ${row + 2}`, `unreadable '${c}' value (set to NaN)`, 'filled');
      }
      columns[c].push(Number.isFinite(value) ? value : Number.NaN);
    });
  });
  return { ...seriesFromColumns('Seattle hourly weather normals', columns), report };
}
