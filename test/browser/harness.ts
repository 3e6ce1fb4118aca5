/// <reference lib="dom" />
/**
 * Browser-test harness: a real JupyterLab (from .venv, with the installed prebuilt extension)
 * driven by Debian Chromium through playwright-core, from node:test (not the @playwright/test
 * runner, so `npm test` stays one runner).
 *
 * API
 *   const lab = useLab({ copy, write, trust });   // in a test file: before() starts, after() stops
 *     copy:  { 'name in root': 'path from repo root' }  notebooks copied into a temp root dir
 *            (.ipynb copies have their saved outputs stripped, so what shows comes from this run)
 *     write: { 'name in root': string | object }       files written there (objects as JSON)
 *     trust: ['name in root', ...]                      notebooks signed with `jupyter trust`
 *     settings: { 'jupyterlab-pretext/plugin': {...} }  user settings files (plugin path: values)
 *     env: { NAME: 'value' | undefined }               the server's environment (undefined unsets)
 *   const lab = useLab(async () => ({ ... }));    // options computed in before(), after the
 *                                                   test file's own before() hooks (free ports)
 *   lab.page                      the Playwright Page (after start)
 *   lab.root                      the server's root dir (temp; removed by stop())
 *   await lab.openLab()           loads /lab, waits until the app is restored
 *   await lab.openNotebook(path)  opens a notebook (path relative to root), waits for its kernel;
 *                                 returns a Locator on its panel
 *   await lab.runAllCells()       starts "Run All" on the current notebook; does NOT wait
 *   await lab.waitForKernelIdle(timeoutMs)  waits for that run (or any execution) to finish
 *   await lab.command(id, args)   runs a JupyterLab command (app is exposed in the page)
 *   await lab.screenshot(name, locator?)  -> test/snapshots/<name>.png (page or one element)
 *   await lab.step(name, fn)      runs fn; on failure screenshots build/browser-failures/<name>.png,
 *                                 rethrows with the server log tail and page errors attached
 *   await lab.cellSummary()       one line per code cell (prompt, outputs) for messages
 *   lab.serverLog()               the server's output so far
 *   lab.pageErrors                uncaught errors seen in the page
 *   await lab.stop()              always kills browser, kernels and server (idempotent)
 *
 * HOW TO ADD BROWSER TESTS
 *   Put them in test/browser/<name>.test.ts. scripts/test.mjs runs test/browser/ in a second
 *   node:test run with --test-concurrency=1 after the unit tests, because every file starts its
 *   own server on port 8888 (node:test runs each file in its own process, so one server cannot
 *   be shared across files). A server + page load costs about 15-25 s here: group related
 *   checks as several test()s in ONE file with one useLab(), and keep each file's work small.
 *   Run one file alone:  node --import tsx --test test/browser/<name>.test.ts
 *   Example:
 *     const lab = useLab({ copy: { 'q.ipynb': 'examples/01-quickstart.ipynb' } });
 *     test('the side panel opens', () => lab.step('panel', async () => {
 *       await lab.openLab();
 *       await lab.command('pretext:open-panel');
 *       await lab.page.locator('.jp-Pretext-panel').waitFor();
 *     }));
 *   Chromium: /usr/bin/chromium or $PRETEXT_CHROMIUM (scripts/setup/chromium.mjs installs it).
 *   Port: 8888, or $PRETEXT_TEST_PORT when 8888 is busy (e.g. another browser test running).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const ROOT = resolve(__dirname, '..', '..');
export const SNAPSHOTS = join(ROOT, 'test', 'snapshots');
/** Screenshots of failed steps (not committed). */
export const FAILURES = join(ROOT, 'build', 'browser-failures');
const VENV_BIN = join(ROOT, '.venv', 'bin');
/** 8888 by default; PRETEXT_TEST_PORT picks another (two people testing on one machine). */
export const PORT = Number(process.env.PRETEXT_TEST_PORT || 8888);
const URL_BASE = `http://127.0.0.1:${PORT}`;

/** Flags that keep Chromium from calling outside hosts (refused here) and let it run as root. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run'
];

export function chromiumPath(): string {
  return process.env.PRETEXT_CHROMIUM || '/usr/bin/chromium';
}

export interface LabOptions {
  copy?: Record<string, string>;
  write?: Record<string, string | object>;
  trust?: string[];
  /** User settings by plugin path ('jupyterlab-pretext/plugin'), as JupyterLab stores them. */
  settings?: Record<string, object>;
  /** Variables for the server's environment; undefined removes an inherited one. */
  env?: Record<string, string | undefined>;
}

/** What the page exposes with `--LabApp.expose_app_in_browser` (only the parts used here). */
interface ExposedWidget {
  id: string;
  context?: { sessionContext: { ready: Promise<void>; session?: SessionLike | null } };
  sessionContext?: { ready: Promise<void>; session?: SessionLike | null };
}
interface SessionLike {
  kernel?: { status: string } | null;
}
interface ExposedApp {
  restored: Promise<void>;
  commands: { execute(id: string, args?: object): Promise<unknown> };
  shell: { currentWidget: ExposedWidget | null };
}
type LabWindow = Window & {
  jupyterapp?: ExposedApp;
  __pretextRun?: Promise<unknown>;
  __pretextRunDone?: boolean;
  __pretextRunError?: string;
};

/** Notebook JSON without saved outputs and execution counts. */
function stripOutputs(json: string): string {
  const notebook = JSON.parse(json) as { cells: Array<Record<string, unknown>> };
  for (const cell of notebook.cells) {
    if (cell.cell_type === 'code') {
      cell.outputs = [];
      cell.execution_count = null;
    }
  }
  return JSON.stringify(notebook, null, 1);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise(done => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

const sleep = (ms: number) => new Promise(done => setTimeout(done, ms));

export class Lab {
  readonly root: string;
  readonly pageErrors: string[] = [];
  private _home: string;
  private _server: ChildProcess | null = null;
  private _log = '';
  private _browser: Browser | null = null;
  private _page: Page | null = null;
  private _stopped = false;
  private _extraEnv: Record<string, string | undefined> = {};

  private constructor(home: string) {
    this._home = home;
    this.root = join(home, 'root');
  }

  /** Starts the server (fails fast if port 8888 is taken) and the browser. */
  static async start(options: LabOptions = {}): Promise<Lab> {
    const home = mkdtempSync(join(tmpdir(), 'pretext-browser-'));
    const lab = new Lab(home);
    try {
      await lab._prepare(options);
      await lab._startServer();
      await lab._startBrowser();
    } catch (error) {
      await lab.stop();
      throw lab._explain(error);
    }
    return lab;
  }

  get page(): Page {
    if (this._page === null) {
      throw new Error('The lab is not started (or already stopped).');
    }
    return this._page;
  }

  serverLog(): string {
    return this._log;
  }

  async openLab(): Promise<Page> {
    const page = this.page;
    await page.goto(`${URL_BASE}/lab`, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => (window as LabWindow).jupyterapp !== undefined, null, {
      timeout: 60_000
    });
    await page.evaluate(() => (window as LabWindow).jupyterapp!.restored);
    await page.locator('#jp-main-dock-panel').waitFor({ timeout: 30_000 });
    return page;
  }

  async command(id: string, args: object = {}): Promise<void> {
    await this.page.evaluate(
      async ([id, args]) => {
        await (window as LabWindow).jupyterapp!.commands.execute(id as string, args as object);
      },
      [id, args] as const
    );
  }

  /** Opens `path` (relative to the root), waits for its kernel; returns its panel. */
  async openNotebook(path: string): Promise<Locator> {
    const id = await this.page.evaluate(async path => {
      const app = (window as LabWindow).jupyterapp!;
      const widget = (await app.commands.execute('docmanager:open', { path })) as ExposedWidget;
      await widget.context?.sessionContext.ready;
      return widget.id;
    }, path);
    const panel = this.page.locator(`[id="${id}"]`);
    await panel.locator('.jp-Notebook').waitFor({ timeout: 30_000 });
    await this.waitForKernelIdle(60_000);
    return panel;
  }

  /** Starts Run All on the current notebook and returns at once; see waitForKernelIdle. */
  async runAllCells(): Promise<void> {
    await this.page.evaluate(() => {
      const w = window as LabWindow;
      w.__pretextRunDone = false;
      w.__pretextRunError = undefined;
      w.__pretextRun = w
        .jupyterapp!.commands.execute('notebook:run-all-cells')
        .then(
          () => undefined,
          (error: unknown) => {
            w.__pretextRunError = String(error);
          }
        )
        .finally(() => {
          w.__pretextRunDone = true;
        });
    });
  }

  /**
   * Waits until a Run All started here has finished and the current notebook's kernel is idle
   * with no cell queued ([*]). Fails fast with the error text when a cell failed: cells queued
   * after a failure can stay [*] with tslab, so "everything finished" would never come.
   */
  async waitForKernelIdle(timeoutMs = 60_000): Promise<void> {
    const outcome = await this.page.waitForFunction(
      () => {
        const w = window as LabWindow & { __pretextErrorSince?: number };
        const widget = w.jupyterapp?.shell.currentWidget;
        const session = (widget?.context?.sessionContext ?? widget?.sessionContext)?.session;
        const idle = session?.kernel?.status === 'idle';
        const panel = '.jp-NotebookPanel:not(.lm-mod-hidden)';
        const errors = document.querySelectorAll(
          `${panel} .jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]`
        );
        if (idle && errors.length > 0) {
          // Idle with an error for a second: the run stopped there.
          w.__pretextErrorSince ??= Date.now();
          if (Date.now() - w.__pretextErrorSince > 1000) {
            return { error: Array.from(errors, e => e.textContent ?? '').join('\n') };
          }
          return false;
        }
        w.__pretextErrorSince = undefined;
        if (w.__pretextRun !== undefined && !w.__pretextRunDone) {
          return false;
        }
        if (!idle) {
          return false;
        }
        const prompts = document.querySelectorAll(`${panel} .jp-InputPrompt`);
        if (Array.from(prompts).some(p => (p.textContent ?? '').includes('*'))) {
          return false;
        }
        return { error: w.__pretextRunError ?? '' };
      },
      null,
      { timeout: timeoutMs, polling: 500 }
    );
    const { error } = (await outcome.jsonValue()) as { error: string };
    if (error) {
      throw new Error(`A cell failed:\n${error.slice(0, 4000)}`);
    }
  }

  /** One line per code cell of the current notebook: prompt, output types, output text start. */
  async cellSummary(): Promise<string> {
    const lines = await this.page
      .locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell')
      .evaluateAll(cells =>
        cells.map(cell => {
          const prompt = cell.querySelector('.jp-InputPrompt')?.textContent ?? '';
          const source = (cell.querySelector('.jp-InputArea-editor')?.textContent ?? '').slice(
            0,
            50
          );
          const outputs = Array.from(cell.querySelectorAll('.jp-OutputArea-output'), output => {
            const mime = output.getAttribute('data-mime-type') ?? output.className;
            return `${mime}: ${(output.textContent ?? '').slice(0, 120).replace(/\s+/g, ' ')}`;
          });
          return `${prompt} ${source} -> ${outputs.join(' | ') || 'no output'}`;
        })
      );
    return lines.join('\n');
  }

  /** Error and stderr outputs of the open notebooks, as text. */
  async notebookErrors(): Promise<string[]> {
    return this.page
      .locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], .jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]'
      )
      .allInnerTexts();
  }

  async screenshot(name: string, target?: Locator): Promise<string> {
    mkdirSync(SNAPSHOTS, { recursive: true });
    const path = join(SNAPSHOTS, `${name}.png`);
    if (target) {
      await target.screenshot({ path, animations: 'disabled' });
    } else {
      await this.page.screenshot({ path, animations: 'disabled' });
    }
    return path;
  }

  /** Runs a test body; on failure keeps a screenshot and adds the server log tail. */
  async step<T>(name: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      let cells = '';
      if (this._page !== null) {
        await this.page.screenshot({ path: join(FAILURES, `${name}.png`) }).catch(() => undefined);
        cells = await this.cellSummary().catch(() => '');
      }
      const explained = this._explain(error);
      if (cells) {
        explained.message += `\n--- cells of the current notebook ---\n${cells}`;
      }
      throw explained;
    }
  }

  /** Closes the browser, stops the server (and its kernels), removes the temp root. */
  async stop(): Promise<void> {
    if (this._stopped) {
      return;
    }
    this._stopped = true;
    try {
      await this._browser?.close();
    } catch {
      // already gone
    }
    this._browser = null;
    this._page = null;
    await this._stopServer();
    rmSync(this._home, { recursive: true, force: true });
  }

  private async _prepare(options: LabOptions): Promise<void> {
    this._extraEnv = options.env ?? {};
    for (const [bin, what] of [
      [join(VENV_BIN, 'jupyter-lab'), "the Python env: run 'npm run setup'"],
      [chromiumPath(), "Chromium: run 'npm run setup' (installs Debian's chromium)"]
    ]) {
      if (!existsSync(bin)) {
        throw new Error(`${bin} is missing. Install ${what}.`);
      }
    }
    if (!(await portIsFree(PORT))) {
      throw new Error(
        `Port ${PORT} is taken, and the browser tests need it (no retries). Stop the other Jupyter server (jupyter server list) and rerun.`
      );
    }
    mkdirSync(this.root, { recursive: true });
    for (const [name, source] of Object.entries(options.copy ?? {})) {
      const from = isAbsolute(source) ? source : join(ROOT, source);
      const to = join(this.root, name);
      mkdirSync(dirname(to), { recursive: true });
      if (name.endsWith('.ipynb')) {
        writeFileSync(to, stripOutputs(readFileSync(from, 'utf8')));
      } else {
        copyFileSync(from, to);
      }
    }
    for (const [name, content] of Object.entries(options.write ?? {})) {
      const to = join(this.root, name);
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(
        to,
        typeof content === 'string' ? content : JSON.stringify(content, null, 1) + '\n'
      );
    }
    // User settings live in the temp home: no news prompt, every cell in the DOM (no
    // windowing, so outputs far down exist), and a theme change here never touches ~/.jupyter.
    const settings = join(this._home, 'settings');
    const put = (plugin: string, value: object) => {
      const file = join(settings, `${plugin}.jupyterlab-settings`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(value));
    };
    put('@jupyterlab/apputils-extension/notification', {
      fetchNews: 'false',
      checkForUpdates: false
    });
    put('@jupyterlab/notebook-extension/tracker', { windowingMode: 'none' });
    for (const [plugin, values] of Object.entries(options.settings ?? {})) {
      put(plugin, values);
    }
    for (const name of options.trust ?? []) {
      const result = spawnSync(join(VENV_BIN, 'jupyter'), ['trust', join(this.root, name)], {
        env: this._env(),
        encoding: 'utf8'
      });
      if (result.status !== 0) {
        throw new Error(`jupyter trust ${name} failed: ${result.stderr}`);
      }
    }
  }

  private _env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${VENV_BIN}:${process.env.PATH}`,
      JUPYTER_CONFIG_DIR: join(this._home, 'config'),
      JUPYTER_DATA_DIR: join(this._home, 'data'),
      JUPYTER_RUNTIME_DIR: join(this._home, 'runtime'),
      JUPYTERLAB_SETTINGS_DIR: join(this._home, 'settings'),
      JUPYTERLAB_WORKSPACES_DIR: join(this._home, 'workspaces'),
      TF_CPP_MIN_LOG_LEVEL: '2'
    };
    for (const [name, value] of Object.entries(this._extraEnv)) {
      if (value === undefined) {
        delete env[name];
      } else {
        env[name] = value;
      }
    }
    return env;
  }

  private async _startServer(): Promise<void> {
    const args = [
      '--no-browser',
      '--allow-root',
      `--port=${PORT}`,
      '--ip=127.0.0.1',
      '--ServerApp.port_retries=0',
      '--IdentityProvider.token=',
      '--ServerApp.password=',
      `--ServerApp.root_dir=${this.root}`,
      // Lets the tests drive JupyterLab through its command registry (window.jupyterapp).
      '--LabApp.expose_app_in_browser=True',
      '--LabApp.news_url=',
      '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'
    ];
    const server = spawn(join(VENV_BIN, 'jupyter-lab'), args, {
      cwd: this.root,
      env: this._env(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true
    });
    this._server = server;
    const append = (chunk: Buffer) => {
      this._log += chunk.toString();
    };
    server.stdout!.on('data', append);
    server.stderr!.on('data', append);
    process.once('exit', () => {
      // Last resort if the test process dies without stop(): no orphaned server.
      if (server.exitCode === null) {
        process.kill(-server.pid!, 'SIGKILL');
      }
    });
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (server.exitCode !== null) {
        throw new Error(`jupyter lab exited with code ${server.exitCode} while starting.`);
      }
      try {
        const response = await fetch(`${URL_BASE}/api/status`);
        if (response.ok) {
          return;
        }
      } catch {
        // not listening yet
      }
      await sleep(500);
    }
    throw new Error('jupyter lab did not answer on /api/status within 90 s.');
  }

  private async _startBrowser(): Promise<void> {
    this._browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: CHROMIUM_FLAGS
    });
    const context = await this._browser.newContext({ viewport: { width: 1280, height: 900 } });
    // tsx (esbuild keepNames) wraps named functions inside page.evaluate callbacks in
    // __name(...); the page needs that helper too.
    await context.addInitScript({ content: 'globalThis.__name ??= fn => fn;' });
    this._page = await context.newPage();
    this._page.on('pageerror', error => this.pageErrors.push(error.message));
  }

  private async _stopServer(): Promise<void> {
    const server = this._server;
    if (server === null || server.exitCode !== null || server.pid === undefined) {
      return;
    }
    // SIGTERM lets the server shut its kernels down (they run in their own sessions).
    const exited = new Promise<void>(done => server.once('exit', () => done()));
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timedOut = await Promise.race([exited.then(() => false), sleep(15_000).then(() => true)]);
    if (timedOut) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }

  private _explain(error: unknown): Error {
    const base = error instanceof Error ? error : new Error(String(error));
    const log = this._log.trim().split('\n').slice(-40).join('\n');
    const pageErrors = this.pageErrors.length
      ? `\n--- page errors ---\n${this.pageErrors.slice(-10).join('\n')}`
      : '';
    base.message += `\n--- jupyter lab log (last 40 lines) ---\n${log}${pageErrors}`;
    return base;
  }
}

/**
 * Saves Settings > Pretext through JupyterLab's settings API, as the Settings editor does.
 * `raw` is the settings file's text (JSON5: comments allowed).
 */
export async function savePretextSettings(raw: string): Promise<void> {
  const response = await fetch(`${URL_BASE}/lab/api/settings/jupyterlab-pretext:plugin`, {
    method: 'PUT',
    // The server checks XSRF on writes: any hex token sent as both cookie and header passes.
    headers: {
      'Content-Type': 'application/json',
      Cookie: '_xsrf=5e7e7e7e',
      'X-XSRFToken': '5e7e7e7e'
    },
    body: JSON.stringify({ raw })
  });
  assert.ok(response.ok, `saving the settings failed: ${response.status} ${await response.text()}`);
}

/** Registers before/after hooks for one Lab per test file; call the result inside tests. */
export function useLab(options: LabOptions | (() => Promise<LabOptions>) = {}): Lab {
  let lab: Lab | null = null;
  before(async () => {
    lab = await Lab.start(typeof options === 'function' ? await options() : options);
  });
  after(async () => {
    await lab?.stop();
  });
  return new Proxy({} as Lab, {
    get(_target, key) {
      if (lab === null) {
        throw new Error('useLab(): the lab starts in before(); use it in tests.');
      }
      const value = Reflect.get(lab, key, lab);
      return typeof value === 'function' ? value.bind(lab) : value;
    }
  });
}
