/**
 * Pretext: self-supervised learning in a TypeScript notebook.
 *
 *   import * as px from 'pretext';
 *
 * One entry point for notebooks; modules behind it are grouped by concern (data, augment,
 * models, tasks, train, eval, render).
 */
export { tf, backendInfo, type BackendInfo } from './backend/tf';
export type { LayersModel, Tensor, Tensor2D, Tensor4D, Scalar, Variable } from './backend/tf';
export { PretextError } from './util/errors';
export { params } from './util/params';

export {
  datasetSize,
  disposeDataset,
  imageShape,
  splitForSsl,
  subset,
  unlabeled,
  type ImageDataset,
  type SplitOptions,
  type SplitProtocol,
  type SslSplit
} from './data/dataset';
export { loadMnist, type MnistOptions } from './data/mnist';
export { DataReport, type DataAction, type DataIssue } from './data/report';

export { describeAugment, withSpec, type AugmentSpec, type ImageAugment } from './augment/augment';
export {
  colorJitter,
  cutout,
  gaussianBlur,
  gaussianNoise,
  horizontalFlip,
  randomResizedCrop,
  type ColorJitterOptions,
  type CutoutOptions,
  type GaussianBlurOptions,
  type GaussianNoiseOptions,
  type HorizontalFlipOptions,
  type RandomResizedCropOptions
} from './augment/ops';
export {
  compose,
  simclrAugment,
  SIMCLR_AUGMENT_DEFAULTS,
  type SimclrAugmentOptions
} from './augment/compose';

export { convEncoder, type ConvEncoderOptions } from './models/conv-encoder';
export { projectionHead, type ProjectionHeadOptions } from './models/heads';
export { mlpEncoder, type MlpEncoderOptions } from './models/mlp-encoder';
export { modelInputShape, modelOutputDim } from './models/shape';
export { modelVariables } from './models/variables';

export type { PretextTask } from './tasks/task';
export { targetCopy, emaUpdate, tauAt } from './tasks/momentum';
export { byol, type ByolOptions } from './tasks/byol';
export { vicreg, barlowTwins, type VicregOptions } from './tasks/vicreg';
export { rotation, rotate90, type RotationOptions } from './tasks/rotation';
export {
  maskedImage,
  patchMask,
  type MaskedImageOptions,
  type MaskedImageTask
} from './tasks/masked-image';
export { createTask, METHODS, type MethodInfo, type Modality } from './tasks/registry';
export {
  byolLoss,
  vicregLoss,
  barlowTwinsLoss,
  VICREG_WEIGHTS,
  type VicregWeights
} from './tasks/ssl-losses';
export { ntXentLoss } from './tasks/losses';
export { simclr, SIMCLR_DEFAULTS, type SimclrOptions, type SimclrTask } from './tasks/simclr';

export { train, TrainResult, type EpochSummary } from './train/train';
export type {
  TrainOptions,
  OptimizerName,
  ScheduleOptions,
  EarlyStoppingOptions,
  TrainMonitor,
  MonitorContext
} from './train/options';
export {
  openRunStore,
  loadCheckpoint,
  type RunStore,
  type Run,
  type RunInfo,
  type RunConfig,
  type RunSummary,
  type MetricRecord,
  type StoredStatus
} from './runs/store';
export { anomalyScores, auroc, type AnomalyOptions } from './eval/anomaly';
export { compareRuns, RunComparison, type CompareOptions } from './runs/compare';
export {
  exportEncoder,
  loadEncoder,
  modelCard,
  ModelCard,
  type ExportOptions,
  type ModelCardData
} from './runs/encoder-export';
export {
  knnMonitor,
  collapseMonitor,
  type KnnMonitorOptions,
  type MonitorOptions
} from './eval/monitors';

export { embed, l2Normalize, type EmbedOptions } from './eval/embed';
export { knnAccuracy, knnClassify, type KnnOptions } from './eval/knn';
export { linearProbe, type LinearProbeOptions, type LinearProbeResult } from './eval/linear-probe';
export {
  embeddingMap,
  project,
  type EmbeddingMapOptions,
  type MapPoint
} from './eval/embedding-map';
export {
  alignmentUniformity,
  COLLAPSE_THRESHOLDS,
  describeHealth,
  effectiveRank,
  representationHealth,
  type HealthReport
} from './eval/health';
export {
  labelEfficiency,
  LabelEfficiencyReport,
  type EfficiencyResult,
  type LabelEfficiencyOptions,
  type LabelEfficiencyProtocol
} from './eval/label-efficiency';
export {
  classifierAccuracy,
  cloneEncoder,
  trainClassifier,
  type SupervisedOptions
} from './eval/supervised';
export {
  evaluate,
  EvaluationReport,
  type EncoderScores,
  type EvaluateOptions,
  type EvaluationProtocol
} from './eval/evaluate';

export { guide, Guide, guideSteps, type GuideStep } from './guide/guide';
export { adviceFor, type Advice } from './guide/advice';
export { Chart, show } from './render/chart';
export {
  augmentationGrid,
  imageGrid,
  ImageGrid,
  type AugmentationGridOptions,
  type ImageGridOptions
} from './render/image-grid';
export { Table, type TableColumn, type CellValue } from './render/table';
export { displayBundle, DisplayHandle } from './render/display';
export { MIME, type MimeBundle, type VegaLiteSpec, type Displayable } from './render/mime';
export { lossCurveSpec, accuracyBarsSpec, type AccuracyRow, type LossPoint } from './render/specs';
