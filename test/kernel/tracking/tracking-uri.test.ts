/**
 * Which tracking server the kernel uses: the option, PRETEXT_TRACKING_URI, MLFLOW_TRACKING_URI,
 * then JupyterLab's Settings > Pretext file (JSON5, comments allowed); a malformed file is a
 * PretextError naming it, and train() refuses before it creates a run folder.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { tf, type Tensor4D } from '../../../kernel/src/backend/tf';
import { train } from '../../../kernel/src/train/train';
import { trackingServer } from '../../../kernel/src/tracking/tracking-server';
import {
  resolveTracking,
  resolveTrackingUri,
  settingsFile
} from '../../../kernel/src/tracking/tracking-uri';
import { fakeTask } from '../train/fake-task';
import { freePort } from './mlflow-server';
import { withTrackingEnv, writeSettings } from './tracking-env';

let dir = '';
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-tracking-uri-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A fresh settings folder holding `text` as the Pretext settings file. */
function settingsDir(text: string): { env: NodeJS.ProcessEnv; file: string } {
  const settings = fs.mkdtempSync(path.join(dir, 'settings-'));
  return { env: { JUPYTERLAB_SETTINGS_DIR: settings }, file: writeSettings(settings, text) };
}

test('the settings file: JUPYTERLAB_SETTINGS_DIR, else <JUPYTER_CONFIG_DIR or ~/.jupyter>/lab/user-settings', () => {
  const tail = path.join('jupyterlab-pretext', 'plugin.jupyterlab-settings');
  assert.equal(settingsFile({ JUPYTERLAB_SETTINGS_DIR: '/s' }), path.join('/s', tail));
  assert.equal(
    settingsFile({ JUPYTER_CONFIG_DIR: '/c' }),
    path.join('/c', 'lab', 'user-settings', tail)
  );
  assert.equal(settingsFile({}), path.join(os.homedir(), '.jupyter', 'lab', 'user-settings', tail));
});

test('precedence: option > PRETEXT_TRACKING_URI > MLFLOW_TRACKING_URI > Settings; false: none', () => {
  const { env: settings, file } = settingsDir(
    '{\n  // Settings > Pretext\n  "trackingUri": "http://settings:5000",\n}\n'
  );
  const all = {
    ...settings,
    PRETEXT_TRACKING_URI: 'http://pretext:5000',
    MLFLOW_TRACKING_URI: 'http://mlflow:5000'
  };
  assert.deepEqual(resolveTracking('http://option:5000', all), {
    uri: 'http://option:5000',
    source: 'option'
  });
  assert.equal(resolveTracking(undefined, all)?.source, 'PRETEXT_TRACKING_URI');
  assert.equal(resolveTrackingUri(undefined, all), 'http://pretext:5000');
  const { PRETEXT_TRACKING_URI: _p, ...noPretext } = all;
  assert.equal(resolveTrackingUri(undefined, noPretext), 'http://mlflow:5000');
  assert.deepEqual(resolveTracking(undefined, settings), {
    uri: 'http://settings:5000',
    source: 'JupyterLab settings',
    file
  });
  // Empty values count as unset, all the way down.
  assert.equal(
    resolveTrackingUri('', { ...settings, PRETEXT_TRACKING_URI: '', MLFLOW_TRACKING_URI: '' }),
    'http://settings:5000'
  );
  assert.equal(resolveTrackingUri(false, all), undefined);
  assert.equal(resolveTrackingUri(undefined, { JUPYTERLAB_SETTINGS_DIR: dir }), undefined);
  // A higher source wins without the settings file being read at all (even a broken one).
  const broken = settingsDir('{ "trackingUri": ').env;
  assert.equal(
    resolveTrackingUri(undefined, { ...broken, MLFLOW_TRACKING_URI: 'http://m:1' }),
    'http://m:1'
  );
});

test('settings without a tracking URI, or an empty one, configure nothing', () => {
  for (const text of [
    '',
    '{}',
    '{ "defaultEpochs": 3 }',
    '{ "trackingUri": "" }',
    '{ trackingUri: null }'
  ]) {
    assert.equal(resolveTrackingUri(undefined, settingsDir(text).env), undefined, text);
  }
});

test('a malformed settings file is a PretextError naming the file', () => {
  const cases: [string, RegExp][] = [
    ['{ "trackingUri": "http://h:1" ', /is not valid JSON5: invalid end of input/],
    ['{ "trackingUri": http://h:1 }', /is not valid JSON5: invalid character 'h' at 1:18/],
    ['["http://h:1"]', /holds an array, not an object of settings/],
    [
      '{ "trackingUri": 5000 }',
      /trackingUri in the JupyterLab settings file .* must be a string, got 5000/
    ],
    [
      '{ "trackingUri": "mlflow.example:5000" }',
      /'mlflow\.example:5000' \(from trackingUri in .*\) is not an http\(s\) address/
    ]
  ];
  for (const [text, expected] of cases) {
    const { env, file } = settingsDir(text);
    assert.throws(
      () => resolveTrackingUri(undefined, env),
      (error: Error) => {
        assert.equal(error.name, 'PretextError');
        assert.match(error.message, expected);
        assert.ok(error.message.includes(file), `names ${file}: ${error.message}`);
        assert.match(error.message, /\nFix: /);
        return true;
      },
      text
    );
  }
});

test('a URI that is not http(s) names where it came from', () => {
  assert.throws(
    () => resolveTrackingUri(undefined, { MLFLOW_TRACKING_URI: 'databricks' }),
    /'databricks' \(from MLFLOW_TRACKING_URI\) is not an http\(s\) address[\s\S]*Fix: .*mlflow server --host/
  );
  assert.throws(() => resolveTrackingUri('file:///tmp/mlruns', {}), /from the tracking option/);
  // Credentials in a URI never reach a message.
  assert.throws(
    () => resolveTrackingUri(undefined, { PRETEXT_TRACKING_URI: 'ftp://alice:s3cret@host' }),
    (error: Error) =>
      !error.message.includes('s3cret') && /PRETEXT_TRACKING_URI/.test(error.message)
  );
});

test('train() refuses a malformed settings file before it creates a run folder', async () => {
  const root = path.join(dir, 'runs');
  const inputs = tf.randomUniform([8, 4, 4, 1], 0, 1, 'float32', 3) as Tensor4D;
  try {
    await withTrackingEnv({}, async settings => {
      const file = writeSettings(settings, '{ trackingUri: "http://127.0.0.1:1", oops }');
      const before = tf.memory().numTensors;
      await assert.rejects(
        train(
          fakeTask(),
          { name: 'random', inputs },
          {
            epochs: 1,
            batchSize: 4,
            display: false,
            runStore: root
          }
        ),
        (error: Error) => error.name === 'PretextError' && error.message.includes(file)
      );
      assert.ok(!fs.existsSync(root) || fs.readdirSync(root).length === 0, 'no run folder');
      assert.ok(tf.memory().numTensors <= before + 2, 'only the fake task keeps its weights');
      // Without a run store there is no tracking, so the file is not read.
      const result = await train(
        fakeTask(),
        { name: 'random', inputs },
        {
          epochs: 1,
          batchSize: 4,
          display: false,
          runStore: false
        }
      );
      assert.equal(result.status, 'done');
    });
  } finally {
    inputs.dispose();
  }
});

test('trackingServer(): none configured, or one that does not answer, says how to start one', async () => {
  await withTrackingEnv({}, async () => {
    await assert.rejects(
      trackingServer(),
      /No MLflow tracking server is configured[\s\S]*Fix: Start one \(mlflow server --host 127\.0\.0\.1 --port 5000 --backend-store-uri sqlite:\/\/\/mlflow\.db --artifacts-destination \.\/mlartifacts\)[\s\S]*Settings > Pretext > Tracking URI/
    );
    const port = await freePort();
    await assert.rejects(
      trackingServer({ tracking: `http://127.0.0.1:${port}`, timeoutMs: 2000 }),
      new RegExp(
        `at http://127\\.0\\.0\\.1:${port} \\(from option\\) does not answer \\(ECONNREFUSED\\).[\\s\\S]*Fix: Start it in a terminal: mlflow server --host 127\\.0\\.0\\.1 --port ${port} `
      )
    );
    process.env.PRETEXT_TRACKING_URI = `http://127.0.0.1:${port}`;
    await assert.rejects(trackingServer({ timeoutMs: 2000 }), /from PRETEXT_TRACKING_URI/);
  });
});
