// Unit tests for theme text colours in live charts (pure; the browser test measures contrast).
// Run: node --import tsx --test test/extension/chart-text.test.ts
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DEFAULT_TEXT_COLORS, withTextColors } from '../../src/renderers/chart-text';

const colors = { strong: '#000', normal: '#111', muted: '#222' };

describe('withTextColors', () => {
  it('recolours axis, legend, header and title text, keeping the rest of the config', () => {
    const spec = {
      background: 'transparent',
      mark: 'point',
      config: { axis: { labelColor: '#888', gridColor: '#8883' }, range: { category: ['#f00'] } }
    };
    const out = withTextColors(spec, colors);
    assert.deepEqual(out.config, {
      axis: {
        labelColor: '#111',
        titleColor: '#111',
        domainColor: '#222',
        tickColor: '#222',
        gridColor: '#8883'
      },
      range: { category: ['#f00'] },
      legend: { labelColor: '#111', titleColor: '#111' },
      header: { labelColor: '#111', titleColor: '#111' },
      title: { color: '#000', subtitleColor: '#111' }
    });
    assert.equal(out.mark, 'point');
    assert.deepEqual(
      spec.config.axis,
      { labelColor: '#888', gridColor: '#8883' },
      'input untouched'
    );
  });

  it('applies when the spec sets no background or a transparent one', () => {
    for (const background of [undefined, 'transparent', 'none', 'rgba(0, 0, 0, 0)']) {
      const spec = background === undefined ? { mark: 'point' } : { mark: 'point', background };
      assert.notEqual(withTextColors(spec, colors), spec, String(background));
    }
  });

  it('leaves specs that paint their own background alone', () => {
    for (const background of ['white', '#333', 'rgba(0, 0, 0, 0.5)']) {
      const spec = { mark: 'point', background };
      assert.equal(withTextColors(spec, colors), spec);
    }
  });

  it('has light and dark fallbacks', () => {
    assert.match(DEFAULT_TEXT_COLORS.light.normal, /^rgba\(0, 0, 0/);
    assert.match(DEFAULT_TEXT_COLORS.dark.normal, /^rgba\(255, 255, 255/);
  });
});
