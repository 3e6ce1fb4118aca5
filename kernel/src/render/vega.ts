/**
 * Vega-Lite to static SVG in Node, so every chart has a fallback that renders wherever the
 * notebook is opened (GitHub, nbconvert, JupyterLab without Pretext). vega and vega-lite are
 * ESM-only; this CommonJS library reaches them through dynamic import().
 */
import type { VegaLiteSpec } from './mime';

interface VegaModules {
  vega: {
    View: new (
      runtime: unknown,
      options: { renderer: string }
    ) => {
      toSVG(): Promise<string>;
      finalize(): void;
    };
    parse(spec: unknown): unknown;
  };
  vegaLite: { compile(spec: unknown): { spec: unknown } };
}

let modules: Promise<VegaModules> | null = null;

function loadVega(): Promise<VegaModules> {
  modules ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({
    vega: vega as unknown as VegaModules['vega'],
    vegaLite: vegaLite as unknown as VegaModules['vegaLite']
  }));
  return modules;
}

/** Compiles a Vega-Lite spec and renders it headless to an SVG string. */
export async function specToSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, vegaLite } = await loadVega();
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
