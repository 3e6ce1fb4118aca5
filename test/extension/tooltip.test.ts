// Unit tests for the chart tooltip formatter (pure; the browser test hovers real charts).
// Run: node --import tsx --test test/extension/tooltip.test.ts
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { escapeHtml, formatTooltip, isImageDataUri } from '../../src/renderers/tooltip';

const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGBgAAAABQABpfZFQAAAAABJRU5ErkJggg==';

describe('escapeHtml', () => {
  it('escapes every character that can open a tag or close an attribute', () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&</a>`),
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;'
    );
  });
});

describe('isImageDataUri', () => {
  it('accepts base64 raster data URIs only', () => {
    assert.ok(isImageDataUri(PNG));
    assert.ok(isImageDataUri('data:image/jpeg;base64,/9j/4AAQ'));
    for (const bad of [
      'javascript:alert(1)',
      'data:text/html;base64,PHNjcmlwdD4=',
      'data:image/svg+xml;base64,PHN2Zz4=',
      `${PNG}" onerror="alert(1)`,
      'https://example.com/a.png',
      42
    ]) {
      assert.equal(isImageDataUri(bad), false, String(bad));
    }
  });
});

describe('formatTooltip', () => {
  it('shows a thumbnail and escapes the other fields', () => {
    const html = formatTooltip({ class: '<b>7</b>', 'image #': 12, image: PNG });
    assert.equal(
      html,
      `<img src="${PNG}" alt=""><table><tr><td class="key">class</td><td class="value">&lt;b&gt;7&lt;/b&gt;</td></tr>` +
        '<tr><td class="key">image #</td><td class="value">12</td></tr></table>'
    );
  });

  it('never puts a hostile image value into an attribute: it becomes escaped text', () => {
    for (const image of [
      'javascript:x" onerror="window.__pretextPwned=1',
      'data:x" onerror="window.__pretextPwned=1',
      '<img src=x onerror="window.__pretextPwned=1">'
    ]) {
      const html = formatTooltip({ image });
      assert.doesNotMatch(html, /<img/);
      assert.doesNotMatch(html, /onerror="/);
      assert.match(html, /<td class="key">image<\/td><td class="value">[^<]*onerror/);
    }
  });

  it('escapes titles, keys, arrays, scalars and nested values', () => {
    assert.equal(formatTooltip({ title: '<script>' }), '<h2>&lt;script&gt;</h2>');
    assert.equal(
      formatTooltip({ '"><svg onload=1>': 1 }),
      '<table><tr><td class="key">&quot;&gt;&lt;svg onload=1&gt;</td><td class="value">1</td></tr></table>'
    );
    assert.equal(
      formatTooltip(['<i>', { a: '<b>' }]),
      '[&lt;i&gt;, {&quot;a&quot;:&quot;&lt;b&gt;&quot;}]'
    );
    assert.equal(formatTooltip('<u>x</u>'), '&lt;u&gt;x&lt;/u&gt;');
    assert.equal(
      formatTooltip({ deep: { a: { b: { c: 1 } } } }, undefined, 1),
      '<table><tr><td class="key">deep</td><td class="value">{&quot;a&quot;:{&quot;b&quot;:&quot;[Object]&quot;}}</td></tr></table>'
    );
    assert.equal(formatTooltip({}), '{}');
  });
});
