import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkByLimits } from '../../../kernel/src/tracking/mlflow-runs';

test('chunks keep under the item limit and the byte budget', () => {
  const items = Array.from({ length: 2500 }, (_, i) => ({ key: 'loss', value: i }));
  const byCount = chunkByLimits(items, 1000, 1_000_000);
  assert.deepEqual(
    byCount.map(c => c.length),
    [1000, 1000, 500]
  );
  const big = Array.from({ length: 5 }, () => ({ key: 'x', value: 'y'.repeat(400_000) }));
  const byBytes = chunkByLimits(big, 100, 1_000_000);
  assert.deepEqual(
    byBytes.map(c => c.length),
    [2, 2, 1]
  );
  assert.deepEqual(byBytes.flat(), big);
});
