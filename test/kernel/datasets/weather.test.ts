import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadWeatherSeries } from '../../../kernel/src/datasets/weather';
import { windowSeries } from '../../../kernel/src/loaders/series/series';

test('the real weather series from vega-datasets loads as 8,759 hours of 3 channels', () => {
  const weather = loadWeatherSeries();
  assert.equal(weather.length, 8759);
  assert.deepEqual(weather.channels, ['pressure', 'temperature', 'wind']);
  assert.ok(weather.report.ok, weather.report.summary());
  const w = windowSeries(weather, { length: 24, stride: 24 });
  assert.deepEqual(w.inputs.shape, [364, 24, 3]);
  // Pressure in hPa, temperature in °C: plausible ranges catch a column mix-up.
  const first = w.inputs.arraySync()[0][0];
  assert.ok(first[0] > 950 && first[0] < 1060, `pressure ${first[0]}`);
  assert.ok(first[1] > -20 && first[1] < 40, `temperature ${first[1]}`);
  w.inputs.dispose();
});
