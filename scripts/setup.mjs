#!/usr/bin/env node
// One idempotent set-up for a fresh machine: npm packages, native TensorFlow, the Python venv,
// the kernel library, the prebuilt extension, the kernelspec and Chromium for the browser
// tests. Each step says what it does and skips itself when its inputs have not changed.
import { buildExtension, buildKernelLibrary } from './setup/build.mjs';
import { setupChromium } from './setup/chromium.mjs';
import { installKernelspec } from './setup/kernelspec.mjs';
import { setupNativeTensorflow } from './setup/native-tf.mjs';
import { setupNodeDeps } from './setup/node-deps.mjs';
import { setupPythonEnv } from './setup/python-env.mjs';
import { SetupError, step } from './setup/util.mjs';

try {
  setupNodeDeps();
  setupNativeTensorflow();
  setupPythonEnv();
  buildKernelLibrary();
  buildExtension();
  installKernelspec();
  setupChromium();
  step('Set-up complete');
} catch (error) {
  if (error instanceof SetupError) {
    console.error(`\npretext setup failed: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
