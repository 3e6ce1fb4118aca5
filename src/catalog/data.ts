/**
 * The catalog generated from the kernel library at build time (scripts/gen-catalog.mjs).
 * Kept apart from model.ts so unit tests of the pure functions do not need a build.
 */
import generated from '../generated/catalog.json';

import { ICatalog } from './model';

export const CATALOG: ICatalog = {
  methods: generated.methods,
  guide: generated.guide,
  templates: generated.templates as ICatalog['templates']
};
