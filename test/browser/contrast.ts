/// <reference lib="dom" />
/**
 * Legibility checks run inside the page: the WCAG contrast ratio between an element's text
 * colour and the background it is actually drawn on (the first opaque background up its
 * ancestors, or the chart's own background rect for SVG text).
 */
import type { Locator } from 'playwright-core';

export interface ContrastSample {
  text: string;
  color: string;
  background: string;
  ratio: number;
}

/** Contrast of every element matched by `locator` (at most `limit`). */
export async function contrastOf(locator: Locator, limit = 20): Promise<ContrastSample[]> {
  return locator.evaluateAll((nodes, limit) => {
    const parse = (css: string): [number, number, number, number] | null => {
      const m = css.match(/rgba?\(([^)]+)\)/);
      if (m === null) {
        return null;
      }
      const parts = m[1]
        .split(/[ ,/]+/)
        .filter(Boolean)
        .map(Number);
      return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
    };
    const luminance = ([r, g, b]: number[]) => {
      const lin = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
      };
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    // Resolves any CSS colour (names, hex) to rgb() through the browser.
    const probe = document.createElement('span');
    document.body.append(probe);
    const resolveColor = (value: string) => {
      probe.style.color = '';
      probe.style.color = value;
      return getComputedStyle(probe).color;
    };
    const backgroundOf = (node: Element): string => {
      // SVG text from Vega: the chart's background rect, if it paints one.
      const svg = node.closest('svg');
      const rect = svg?.querySelector('rect.background');
      const fill =
        rect?.getAttribute('fill') ?? rect?.getAttribute('style')?.match(/fill:\s*([^;]+)/)?.[1];
      if (fill && fill !== 'none' && fill !== 'transparent') {
        const color = parse(resolveColor(fill));
        if (color && color[3] > 0.5) {
          return resolveColor(fill);
        }
      }
      for (let el: Element | null = node; el !== null; el = el.parentElement) {
        const bg = getComputedStyle(el).backgroundColor;
        const color = parse(bg);
        if (color && color[3] > 0.5) {
          return bg;
        }
      }
      return 'rgb(255, 255, 255)';
    };
    const samples = (nodes as Element[]).slice(0, limit as number).map(node => {
      const style = getComputedStyle(node);
      const isSvg = node instanceof SVGElement;
      const raw = isSvg ? (node.getAttribute('fill') ?? style.fill) : style.color;
      const color = resolveColor(raw);
      const background = backgroundOf(node);
      const bg = parse(background) ?? [255, 255, 255, 1];
      const fg = parse(color) ?? [0, 0, 0, 1];
      // Semi-transparent text (JupyterLab's rgba font colours) is blended over its background.
      const blended = [0, 1, 2].map(i => fg[i] * fg[3] + bg[i] * (1 - fg[3]));
      const a = luminance(blended);
      const b = luminance(bg);
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      return { text: (node.textContent ?? '').slice(0, 40), color, background, ratio };
    });
    probe.remove();
    return samples;
  }, limit);
}
