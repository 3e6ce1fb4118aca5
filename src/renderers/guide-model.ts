/**
 * The data contract of the step-by-step guide output: validated with the protocol's
 * GUIDE_SCHEMA (ajv, via ../validate), then normalised for rendering.
 * Pure module: no DOM, no JupyterLab.
 */
import { GUIDE_SCHEMA } from 'pretext/protocol';
import { schemaProblems } from '../validate';
import { Parsed, fail, ok, readJsonObject } from './json';

export interface IGuideStep {
  id: string;
  title: string;
  done: boolean;
  detail: string;
}

export type AdviceLevel = 'info' | 'warning';

export interface IGuideAdvice {
  level: AdviceLevel;
  text: string;
}

export interface IGuideData {
  steps: IGuideStep[];
  advice: IGuideAdvice[];
}

/** The shape GUIDE_SCHEMA guarantees once it has passed. */
interface IValidGuide {
  steps: IGuideStep[];
  advice?: { level?: string; text: string }[] | null;
}

export function parseGuideData(data: unknown): Parsed<IGuideData> {
  const read = readJsonObject(data);
  if (!read.ok) {
    return read;
  }
  const problems = schemaProblems(GUIDE_SCHEMA, read.value);
  if (problems.length > 0) {
    return fail(problems[0]);
  }
  const guide = read.value as unknown as IValidGuide;
  return ok({
    // Only the fields the renderer shows: a newer kernel's extra fields are dropped.
    steps: guide.steps.map(({ id, title, detail, done }) => ({ id, title, detail, done })),
    advice: (guide.advice ?? []).map(({ level, text }) => ({
      // Unknown levels from a newer kernel are shown as plain information.
      level: level === 'warning' ? 'warning' : 'info',
      text
    }))
  });
}
