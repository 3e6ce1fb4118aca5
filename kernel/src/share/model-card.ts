/**
 * The model card of an exported encoder: what data, task, settings and downstream scores
 * produced it, as Markdown for the notebook and as README.md with the Hugging Face Hub's
 * YAML metadata header.
 */
import { inspect } from 'node:util';
import type { MimeBundle, Displayable } from '../render/mime';
import type { Registered } from '../tracking/registry';
import type { CardMetric } from './card-metrics';

export interface ModelCardData {
  encoder: {
    name: string;
    inputShape: (number | null)[];
    outputDim: number | null;
    parameters: number;
  };
  run: {
    id: string;
    name?: string;
    created: string;
    status: string;
    steps: number;
    seconds: number;
    finalLoss: number | null;
  };
  data: { name: string; size: number; shape: number[] };
  task: Record<string, unknown>;
  training: Record<string, unknown>;
  environment: Record<string, unknown> | undefined;
  downstream: string[];
  /** Scores for the Hub header, each with its protocol. */
  metrics?: CardMetric[];
  notes?: string;
  load: string;
  /** Where the registry holds it, when registered. */
  registry?: Omit<Registered, 'source'>;
}

/** One YAML scalar: JSON strings and numbers are valid YAML, and need no escaping rules. */
const yamlScalar = (value: string | number): string => JSON.stringify(value);

/**
 * The Hugging Face model-card metadata (library, tags, datasets, metrics in model-index with
 * their protocol), written as YAML with JSON-quoted scalars so any YAML parser reads it.
 */
export function hubHeader(d: ModelCardData): string {
  const dataset = d.data.name;
  const method = String(d.task.method ?? d.run.id.split('-')[2] ?? 'pretext');
  const tags = [
    'self-supervised',
    'representation-learning',
    'feature-extraction',
    method,
    'pretext',
    'tfjs'
  ];
  const lines = [
    '---',
    `library_name: ${yamlScalar('tfjs')}`,
    `pipeline_tag: ${yamlScalar('feature-extraction')}`,
    'tags:',
    ...[...new Set(tags)].map(t => `- ${yamlScalar(t)}`),
    'datasets:',
    `- ${yamlScalar(dataset)}`
  ];
  const metrics = d.metrics ?? [];
  if (metrics.length) {
    lines.push(
      'metrics:',
      ...[...new Set(metrics.map(m => m.type))].map(t => `- ${yamlScalar(t)}`)
    );
    lines.push(
      'model-index:',
      `- name: ${yamlScalar(d.registry?.name ?? d.encoder.name)}`,
      '  results:'
    );
    for (const m of metrics) {
      lines.push(
        `  - task:`,
        `      type: ${yamlScalar(m.task)}`,
        `    dataset:`,
        `      name: ${yamlScalar(m.dataset)}`,
        `      type: ${yamlScalar(m.dataset)}`,
        `    metrics:`,
        `    - type: ${yamlScalar(m.type)}`,
        `      value: ${yamlScalar(m.value)}`,
        `      name: ${yamlScalar(m.name)}`
      );
    }
  }
  lines.push('---');
  return lines.join('\n');
}

export class ModelCard implements Displayable {
  constructor(readonly data: ModelCardData) {}

  /** README.md for the Hub and MLflow's artifact view: YAML metadata, then the card. */
  readme(): string {
    return `${hubHeader(this.data)}\n\n${this.markdown()}\n`;
  }

  markdown(): string {
    const d = this.data;
    return [
      `# Model card: ${d.encoder.name} (run ${d.run.id})`,
      '',
      `**Load it:** \`${d.load}\``,
      '',
      '## Encoder',
      `- input ${JSON.stringify(d.encoder.inputShape.slice(1))}, output ${d.encoder.outputDim} features, ${d.encoder.parameters} parameters`,
      '## Pretraining data',
      `- ${d.data.name}: ${d.data.size} unlabeled examples of shape ${JSON.stringify(d.data.shape)}`,
      '## Pretext task',
      '```json',
      JSON.stringify(d.task, null, 2),
      '```',
      '## Training',
      `- status ${d.run.status}, ${d.run.steps} steps in ${Math.round(d.run.seconds)} s, final loss ${d.run.finalLoss ?? '—'}`,
      '```json',
      JSON.stringify(d.training, null, 2),
      '```',
      '## Downstream results',
      ...(d.downstream.length
        ? d.downstream.map(t => ['```', t, '```'].join('\n'))
        : ['None recorded yet.']),
      '## Environment',
      '```json',
      JSON.stringify(d.environment ?? {}, null, 2),
      '```',
      ...(d.registry
        ? [
            '## Registry',
            `- MLflow model '${d.registry.name}' version ${d.registry.version}${d.registry.alias ? ` (@${d.registry.alias})` : ''}, run ${d.registry.mlflowRunId} on ${d.registry.trackingUri}`
          ]
        : []),
      ...(d.notes ? ['## Notes', d.notes] : [])
    ].join('\n');
  }

  toBundle(): MimeBundle {
    const markdown = this.markdown();
    return { 'text/markdown': markdown, 'text/plain': markdown };
  }

  [inspect.custom](): string {
    return this.markdown();
  }
}
