/**
 * The data contract of the step-by-step guide output and its validator.
 * Pure module: no DOM, no JupyterLab.
 */
import { Parsed, fail, isRecord, ok, readJsonObject } from './json';

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

function readStep(value: unknown, index: number): Parsed<IGuideStep> {
  const where = `steps[${index}]`;
  if (!isRecord(value)) {
    return fail(`'${where}' must be an object`);
  }
  for (const key of ['id', 'title', 'detail'] as const) {
    if (typeof value[key] !== 'string') {
      return fail(`'${where}.${key}' must be a string`);
    }
  }
  if (typeof value.done !== 'boolean') {
    return fail(`'${where}.done' must be true or false`);
  }
  return ok({
    id: value.id as string,
    title: value.title as string,
    detail: value.detail as string,
    done: value.done
  });
}

function readAdvice(value: unknown, index: number): Parsed<IGuideAdvice> {
  const where = `advice[${index}]`;
  if (!isRecord(value) || typeof value.text !== 'string') {
    return fail(`'${where}' must be an object with a 'text' string`);
  }
  // Unknown levels from a newer kernel are shown as plain information.
  const level: AdviceLevel = value.level === 'warning' ? 'warning' : 'info';
  return ok({ level, text: value.text });
}

export function parseGuideData(data: unknown): Parsed<IGuideData> {
  const read = readJsonObject(data);
  if (!read.ok) {
    return read;
  }
  const { steps, advice } = read.value;
  if (!Array.isArray(steps)) {
    return fail("'steps' must be a list of steps");
  }
  const parsedSteps: IGuideStep[] = [];
  for (const [index, step] of steps.entries()) {
    const parsed = readStep(step, index);
    if (!parsed.ok) {
      return parsed;
    }
    parsedSteps.push(parsed.value);
  }
  if (advice !== undefined && !Array.isArray(advice)) {
    return fail("'advice' must be a list");
  }
  const parsedAdvice: IGuideAdvice[] = [];
  for (const [index, item] of (advice ?? []).entries()) {
    const parsed = readAdvice(item, index);
    if (!parsed.ok) {
      return parsed;
    }
    parsedAdvice.push(parsed.value);
  }
  return ok({ steps: parsedSteps, advice: parsedAdvice });
}
