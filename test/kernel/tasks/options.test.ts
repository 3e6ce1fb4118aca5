import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { tf } from '../../../kernel/src/backend/tf';
import { convEncoder } from '../../../kernel/src/models/conv-encoder';
import { conv1dEncoder } from '../../../kernel/src/models/conv1d-encoder';
import { mlpEncoder } from '../../../kernel/src/models/mlp-encoder';
import { byol } from '../../../kernel/src/tasks/byol';
import { maskedImage } from '../../../kernel/src/tasks/masked-image';
import { maskedSeries } from '../../../kernel/src/tasks/masked-series';
import { moco } from '../../../kernel/src/tasks/moco';
import { rotation } from '../../../kernel/src/tasks/rotation';
import { scarf } from '../../../kernel/src/tasks/scarf';
import { seriesContrastive } from '../../../kernel/src/tasks/series-contrastive';
import { simclr } from '../../../kernel/src/tasks/simclr';
import { barlowTwins, vicreg } from '../../../kernel/src/tasks/vicreg';
import { vime } from '../../../kernel/src/tasks/vime';
import { PretextError } from '../../../kernel/src/util/errors';

const image = convEncoder({ inputShape: [8, 8, 1], filters: [4] });
const rows = mlpEncoder({ inputDim: 6, hidden: [8] });
const windows = conv1dEncoder({ inputShape: [16, 2], filters: [4] });
after(() => [image, rows, windows].forEach(model => model.dispose()));

function refused(build: () => unknown): PretextError {
  const before = tf.memory().numTensors;
  try {
    build();
  } catch (error) {
    assert.ok(error instanceof PretextError, String(error));
    assert.equal(tf.memory().numTensors, before, 'a refused task allocates nothing');
    return error;
  }
  assert.fail('the options were accepted');
}

test('every task refuses a missing options object with its own call', () => {
  const calls: [string, (options: never) => unknown][] = [
    ['simclr({ encoder', simclr],
    ['moco({ encoder', moco],
    ['byol({ encoder })', byol],
    ['vicreg({ encoder })', vicreg],
    ['rotation({ encoder })', rotation],
    ['maskedImage({ encoder })', maskedImage],
    ['maskedSeries({ encoder', maskedSeries],
    ['seriesContrastive({ encoder', seriesContrastive],
    ['scarf({ encoder', scarf],
    ['vime({ encoder', vime]
  ];
  for (const [call, build] of calls) {
    const error = refused(() => build(undefined as never));
    assert.match(error.problem, /needs an options object with at least an encoder/);
    assert.ok(error.fix.startsWith(`Call ${call}`), `${call}: ${error.fix}`);
  }
});

test('a typo comes first, then the encoder, then the other options', () => {
  const typo = refused(() => simclr({ encoder: {} as never, temprature: 0 } as never));
  assert.match(
    typo.message,
    /Unknown option 'temprature' for simclr[\s\S]*Did you mean 'temperature'/
  );
  const encoder = refused(() => moco({ encoder: {} as never, temperature: 0 }));
  assert.match(encoder.problem, /moco: encoder is not a tf.LayersModel/);
  const wrongKind = refused(() => scarf({ encoder: image }));
  assert.match(wrongKind.problem, /not table rows/);
  assert.match(refused(() => seriesContrastive({ encoder: image })).fix, /for images use simclr/);
  assert.match(refused(() => maskedSeries({ encoder: image })).fix, /for images use maskedImage/);
});

test('the shared head sizes and seeds are checked for every task that has them', () => {
  assert.equal(
    refused(() => simclr({ encoder: image, projectionDim: 0 })).problem,
    'simclr projectionDim must be a positive integer, got 0.'
  );
  assert.match(refused(() => moco({ encoder: image, hiddenDim: 1.5 })).problem, /moco hiddenDim/);
  assert.match(
    refused(() => simclr({ encoder: image, headBatchNorm: 'yes' as never })).problem,
    /simclr: headBatchNorm must be true or false, got yes/
  );
  assert.match(
    refused(() => scarf({ encoder: rows, projectionDim: -1 })).problem,
    /scarf projectionDim/
  );
  assert.match(refused(() => byol({ encoder: image, totalSteps: 0 })).problem, /byol totalSteps/);
  const seed = refused(() => rotation({ encoder: image, seed: '3' as never }));
  assert.equal(seed.problem, 'rotation: seed must be an integer, got the string "3".');
  assert.match(
    refused(() => scarf({ encoder: rows, temperature: 0 })).problem,
    /scarf temperature must be a positive number/
  );
  assert.match(
    refused(() => maskedImage({ encoder: image, decoderHidden: 0 })).problem,
    /decoderHidden/
  );
});

test('redundancy-reduction options name the method being built', () => {
  const weights = refused(() => vicreg({ encoder: image, weights: { muVarience: 1 } as never }));
  assert.match(
    weights.message,
    /Unknown option 'muVarience' for vicreg weights[\s\S]*'muVariance'/
  );
  assert.match(
    refused(() => vicreg({ encoder: image, weights: { nuCovariance: -1 } })).problem,
    /vicreg weights.nuCovariance/
  );
  assert.match(
    refused(() => barlowTwins({ encoder: image, expanderDim: 1 })).problem,
    /^barlow: expanderDim/
  );
  assert.match(
    refused(() => barlowTwins({ encoder: image, lambda: -1 })).problem,
    /^barlow lambda/
  );
  assert.match(refused(() => vime({ encoder: rows, alpha: Number.NaN })).problem, /vime alpha/);
});

test('defaults come from the schema: a task built with none records them', () => {
  const task = simclr({ encoder: image, seed: 1 });
  assert.equal(task.temperature, 0.1);
  assert.equal((task.config() as { projectionDim: number }).projectionDim, 64);
  task.dispose();
  const series = seriesContrastive({ encoder: windows, temperature: 0.5 });
  assert.equal(series.method, 'series-contrastive');
  assert.equal(series.temperature, 0.5);
  series.dispose();
  // Series windows keep the temperature they were benchmarked with, not SimCLR's image default.
  const seriesDefault = seriesContrastive({ encoder: windows });
  assert.equal(seriesDefault.temperature, 0.2);
  seriesDefault.dispose();
});
