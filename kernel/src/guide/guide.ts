import { inspect } from 'node:util';
import { displayBundle } from '../render/display';
import { escapeHtml } from '../render/table';
import { MIME, type Displayable, type MimeBundle } from '../render/mime';
import { adviceFor, type Advice } from './advice';
import { session, type SessionLog } from './session';

export interface GuideStep {
  id: string;
  title: string;
  done: boolean;
  /** What was done, or what to do next. */
  detail: string;
}

/** The seven steps of an SSL project, each checked against what this session has done. */
export function guideSteps(log: SessionLog): GuideStep[] {
  const unlabeled = log.datasets.filter(d => !d.labeled);
  const finished = log.runs.filter(r => r.status === 'done' || r.status === 'stopped');
  const methods = [...new Set(finished.map(r => r.method))];
  const evaluated = log.evaluations.length > 0;
  return [
    {
      id: 'objective',
      title: 'Define the objective',
      // A notebook's prose holds the objective; the evidence we can see is a labeled test set.
      done: log.datasets.some(d => d.labeled),
      detail: log.datasets.some(d => d.labeled)
        ? 'A labeled held-out set exists to measure the downstream task.'
        : 'Decide the downstream task and the metric, and keep a labeled test set aside for it.'
    },
    {
      id: 'task',
      title: 'Select a pretext task',
      done: log.tasks.length > 0,
      detail:
        log.tasks.length > 0
          ? `Tasks built: ${[...new Set(log.tasks)].join(', ')}.`
          : 'Build one, e.g. simclr({ encoder }).'
    },
    {
      id: 'data',
      title: 'Prepare the data',
      done: unlabeled.length > 0,
      detail:
        unlabeled.length > 0
          ? `Unlabeled pool: ${Math.max(...unlabeled.map(d => d.size))} examples.`
          : 'Load data and split it with splitForSsl() into an unlabeled pool, a labeled subset and a test set.'
    },
    {
      id: 'backend',
      title: 'Choose framework and backend',
      done: log.backendChecked || log.runs.length > 0,
      detail: 'TensorFlow.js on native TensorFlow (tfjs-node); backendInfo() shows the details.'
    },
    {
      id: 'train',
      title: 'Train',
      done: finished.length > 0,
      detail:
        finished.length > 0
          ? `${finished.length} run(s) finished: ${methods.join(', ')}.`
          : 'Run train(task, split.unlabeled, { epochs }).'
    },
    {
      id: 'evaluate',
      title: 'Evaluate downstream',
      done: evaluated,
      detail: evaluated
        ? `Best downstream accuracy so far: ${(Math.max(...log.evaluations.map(e => e.bestAccuracy)) * 100).toFixed(1)}%.`
        : 'Score the encoder with evaluate() next to an untrained one, on the same split.'
    },
    {
      id: 'iterate',
      title: 'Iterate',
      done: methods.length > 1,
      detail:
        methods.length > 1
          ? `Methods compared: ${methods.join(', ')}.`
          : 'Try a second pretext task or other augmentations and compare.'
    }
  ];
}

/** The guide as a live checklist with advice from this session's own runs. */
export class Guide implements Displayable {
  readonly steps: GuideStep[];
  readonly advice: Advice[];

  constructor(log: SessionLog = session.snapshot()) {
    this.steps = guideSteps(log);
    this.advice = adviceFor(log);
  }

  private text(): string {
    const done = this.steps.filter(s => s.done).length;
    return [
      `Pretext guide: ${done} of ${this.steps.length} steps done`,
      ...this.steps.map((s, i) => `${s.done ? '[x]' : '[ ]'} ${i + 1}. ${s.title} — ${s.detail}`),
      ...this.advice.map(a => `${a.level === 'warning' ? '!' : 'i'} ${a.text}`)
    ].join('\n');
  }

  private html(): string {
    const items = this.steps
      .map(
        s =>
          `<li>${s.done ? '&#9745;' : '&#9744;'} <b>${escapeHtml(s.title)}</b> — ${escapeHtml(s.detail)}</li>`
      )
      .join('');
    const advice = this.advice
      .map(a => `<li>${a.level === 'warning' ? '&#9888;' : '&#8505;'} ${escapeHtml(a.text)}</li>`)
      .join('');
    return `<div><b>Pretext guide</b><ol>${items}</ol>${advice ? `<ul>${advice}</ul>` : ''}</div>`;
  }

  toBundle(): MimeBundle {
    return {
      [MIME.guide]: { steps: this.steps, advice: this.advice },
      'text/html': this.html(),
      'text/plain': this.text()
    };
  }

  [inspect.custom](): string {
    return this.text();
  }
}

/**
 * Shows the guide for this kernel session as a live checklist: the output updates in place
 * whenever a later cell loads data, builds a task, trains or evaluates. Returns nothing, so
 * the cell prints no echo; `new Guide()` gives the current state to code that wants it.
 */
export function guide(): void {
  const handle = displayBundle(new Guide().toBundle());
  session.subscribe(() => handle.show(new Guide().toBundle()));
}
