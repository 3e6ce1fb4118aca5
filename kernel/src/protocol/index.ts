/**
 * The contract between the kernel library and the JupyterLab extension: MIME types, payload
 * and run-file types with their JSON Schemas, statuses, the duration format and the run
 * comparison. Pure data and functions (no TensorFlow, no Node, no DOM), so the extension
 * bundles it as `pretext/protocol` (the kernel package's exports map).
 */
export * from './compare';
export * from './duration';
export * from './mime';
export * from './payloads';
export * from './run-files';
export * from './schema';
export * from './status';
export * from './version';
