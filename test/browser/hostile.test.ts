/// <reference lib="dom" />
/**
 * Notebooks are untrusted input. A notebook whose saved Pretext outputs are full of markup,
 * script and javascript: URLs (fixtures/hostile.ts) is opened untrusted and trusted: nothing
 * may run, the strings must show as plain text, and malformed outputs must say what is wrong.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Locator } from 'playwright-core';
import { HOSTILE, HOSTILE_OUTPUTS, hostileNotebook } from './fixtures/hostile';
import { useLab } from './harness';

const lab = useLab({
  write: {
    'untrusted.ipynb': hostileNotebook('untrusted'),
    'trusted.ipynb': hostileNotebook('trusted')
  },
  trust: ['trusted.ipynb']
});

const pwned = () =>
  lab.page.evaluate(() => (window as Window & { __pretextPwned?: unknown }).__pretextPwned);

/** Hovers and clicks what a user would touch: chart points, legends, table headers. */
async function touchEverything(panel: Locator): Promise<void> {
  const points = panel.locator('.jp-Pretext-chart-view .mark-symbol.role-mark path');
  const count = await points.count();
  assert.ok(count >= 6, `chart points drawn (${count})`);
  for (let i = 0; i < count; i++) {
    await points.nth(i).hover({ force: true });
    await lab.page.waitForTimeout(150);
  }
  // The tooltip of the last point is open now: the hostile image field is text, not an <img>.
  const tooltip = lab.page.locator('#vg-tooltip-element');
  await tooltip.waitFor({ state: 'visible', timeout: 5_000 });
  assert.equal(await tooltip.locator('img').count(), 0, 'no <img> from a javascript: URL');
  assert.match((await tooltip.textContent()) ?? '', /javascript:x" onerror=/);
  for (const button of await panel.locator('.jp-Pretext-sortButton').all()) {
    await button.click();
  }
}

for (const variant of ['untrusted', 'trusted'] as const) {
  test(`${variant}: hostile strings show as text and run nothing`, { timeout: 120_000 }, () =>
    lab.step(`hostile-${variant}`, async () => {
      if (variant === 'untrusted') {
        await lab.openLab();
      }
      const panel = await lab.openNotebook(`${variant}.ipynb`);
      const trusted = await lab.page.evaluate(() => {
        const app = (window as unknown as { jupyterapp: { shell: { currentWidget: unknown } } })
          .jupyterapp;
        const widget = app.shell.currentWidget as {
          content: { model: { cells: { get(i: number): { trusted: boolean } } } };
        };
        return widget.content.model.cells.get(0).trusted;
      });
      assert.equal(trusted, variant === 'trusted', 'the notebook opened with the intended trust');

      const outputs = panel.locator('.jp-Pretext-output');
      await assert.doesNotReject(
        lab.page.waitForFunction(
          ([node, n]) => (node as Element).querySelectorAll('.jp-Pretext-output').length === n,
          [await panel.elementHandle(), HOSTILE_OUTPUTS.length] as const,
          { timeout: 30_000 }
        ),
        'every output is drawn by a Pretext renderer (none fell back to text/plain)'
      );
      assert.equal(await outputs.count(), HOSTILE_OUTPUTS.length);
      await panel.locator('.jp-Pretext-chart-view svg.marks').nth(2).waitFor();

      // Malformed outputs: a readable error box each, naming the problem.
      const errors = await panel.locator('.jp-Pretext-error').allTextContents();
      const expected = HOSTILE_OUTPUTS.filter(output => output.error !== undefined);
      assert.equal(errors.length, expected.length, errors.join('\n'));
      for (const output of expected) {
        assert.ok(
          errors.some(message => output.error!.test(message)),
          `error for ${output.id}: ${output.error} in ${JSON.stringify(errors)}`
        );
      }

      await touchEverything(panel);
      await lab.page.waitForTimeout(500);
      assert.equal(await pwned(), undefined, 'no hostile string ran');
      // Nothing from the data became an element or an attribute.
      assert.equal(await panel.locator('.jp-Pretext-output img[src="x"]').count(), 0);
      assert.equal(await panel.locator('.jp-Pretext-output script').count(), 0);
      assert.equal(
        await panel.locator('.jp-Pretext-output [onmouseover], [onerror], [onload]').count(),
        0
      );
      assert.equal(
        await panel.locator('.vega-actions, .vega-embed details').count(),
        0,
        'usermeta.embedOptions ignored'
      );

      // The strings are visible as text where they were sent.
      const text = (await panel.locator('.jp-Pretext-table td').allTextContents()).join('\n');
      for (const value of [HOSTILE.img, HOSTILE.js, HOSTILE.attr]) {
        assert.ok(text.includes(value), `table cell shows ${value}`);
      }
      const visible = async (css: string, value: string) =>
        assert.ok(
          (await panel.locator(css).allTextContents()).some(t => t.includes(value)),
          `${css} shows ${value}`
        );
      await visible('.jp-Pretext-dashboard .jp-Pretext-title', HOSTILE.img);
      await visible('.jp-Pretext-metric-name', HOSTILE.script);
      await visible('.jp-Pretext-dashboard-message', HOSTILE.svg);
      await visible('.jp-Pretext-badge', '<img src=x');
      await visible('.jp-Pretext-guide-stepTitle', HOSTILE.img);
      await visible('.jp-Pretext-guide-detail', HOSTILE.script);
      await visible('.jp-Pretext-table-caption', HOSTILE.svg);
      await visible('.jp-Pretext-chart > .jp-Pretext-title', HOSTILE.img);
      await visible('.jp-Pretext-chart-view svg text', HOSTILE.svg);
      if (variant === 'untrusted') {
        await lab.screenshot('hostile');
      }
    })
  );
}
