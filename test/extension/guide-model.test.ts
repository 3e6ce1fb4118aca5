// Unit tests for the guide output's validator (pure: no DOM, no JupyterLab).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseGuideData } from '../../src/renderers/guide-model';

const step = { id: 'train', title: 'Train', done: true, detail: '1 run finished' };

describe('parseGuideData', () => {
  it('accepts the kernel shape as an object or a JSON string', () => {
    const data = { steps: [step], advice: [{ level: 'warning', text: 'No evaluation yet' }] };
    const fromObject = parseGuideData(data);
    assert.deepEqual(fromObject, { ok: true, value: data });
    assert.deepEqual(parseGuideData(JSON.stringify(data)), fromObject);
  });

  it('treats unknown advice levels as info and missing advice as none', () => {
    const parsed = parseGuideData({ steps: [step], advice: [{ level: 'shout', text: 'x' }] });
    assert.deepEqual(parsed.ok && parsed.value.advice, [{ level: 'info', text: 'x' }]);
    const none = parseGuideData({ steps: [] });
    assert.deepEqual(none.ok && none.value.advice, []);
  });

  it('names the field that is wrong', () => {
    const cases: [unknown, RegExp][] = [
      [{ steps: 'x' }, /'steps' must be a list/],
      [{ steps: [{ ...step, done: 'yes' }] }, /'steps\[0\]\.done' must be true or false/],
      [{ steps: [{ ...step, title: 3 }] }, /'steps\[0\]\.title' must be a string/],
      [
        { steps: [step], advice: [{ level: 'info' }] },
        /'advice\[0\]' must be an object with a 'text' string/
      ],
      ['[1]', /expected a JSON object/]
    ];
    for (const [data, message] of cases) {
      const parsed = parseGuideData(data);
      assert.equal(parsed.ok, false);
      assert.match(parsed.ok ? '' : parsed.error, message);
    }
  });
});
