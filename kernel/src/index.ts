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
export { nativeGradientState, type NativeGradientState } from './backend/native/install';
export { PretextError } from './util/errors';
export { params, injectParams } from './util/params';
export { recordResult } from './sweep/recorder';
export { sweepReport, SweepReport, type SweepRow } from './sweep/report';
export { sweep, type NotebookSweepOptions } from './sweep/api';

export {
  datasetSize,
  exampleShape,
  disposeDataset,
  imageShape,
  splitForSsl,
  subset,
  unlabeled,
  type Dataset,
  type ImageDataset,
  type SplitOptions,
  type SplitProtocol,
  type SslSplit
} from './data/dataset';
export { loadMnist, type MnistOptions } from './datasets/mnist';
export { loadWeatherSeries } from './datasets/weather';
export {
  fitStandardizer,
  seriesFromColumns,
  windowSeries,
  type AnomalyEvent,
  type Series,
  type SeriesWindows,
  type Standardizer,
  type WindowOptions
} from './loaders/series/series';
export {
  ANOMALY_KINDS,
  SENSOR_CHANNELS,
  sensorSeries,
  type AnomalyKind,
  type SensorOptions
} from './datasets/sensors';
export {
  imageFolderBatches,
  imageFolderSource,
  loadImageFolder,
  type ImageBatch,
  type ImageFolderSource,
  type ImageFolderBatches,
  type ImageFolderBatchOptions,
  type ImageFolderDataset,
  type ImageFolderOptions
} from './loaders/images/image-folder';
export {
  writeImageFolder,
  type ImageFormat,
  type WriteImageFolderOptions
} from './loaders/images/image-files';
export { DataReport, type DataAction, type DataIssue } from './data/report';
export {
  fromRecords,
  loadTable,
  splitTable,
  vegaData,
  type TableOptions,
  type TabularDataset
} from './loaders/tables/table';
export type { Cell, RawTable } from './loaders/tables/cells';
export {
  planColumns,
  type ColumnKind,
  type ColumnPlan,
  type SchemaOptions
} from './loaders/tables/columns';
export { fitSchema } from './loaders/tables/fit';
export { TableSchema, type ColumnEncoding } from './loaders/tables/schema';
export {
  parseCsv,
  readCsv,
  readCsvBatches,
  type CsvBatch,
  type CsvBatchOptions,
  type CsvOptions
} from './loaders/tables/csv';
export { fromArrays, type ArraysOptions } from './data/arrays';
export {
  featureCorruption,
  type Corruption,
  type FeatureCorruption,
  type FeatureCorruptionOptions
} from './augment/feature-corruption';
export {
  loadSpamAssassin,
  SPAM_ASSASSIN_GROUPS,
  type SpamAssassinCorpus,
  type SpamAssassinGroup,
  type SpamAssassinOptions
} from './datasets/spam-assassin';
export {
  loadJsonl,
  loadTextFolder,
  type JsonlOptions,
  type TextFolderOptions
} from './loaders/text/text-files';
export type { TextCorpus } from './text/corpus';
export { normalizeText, preTokenize, type NormalizeOptions } from './text/normalize';
export {
  trainTokenizer,
  WordPieceTokenizer,
  SPECIAL_TOKENS,
  PAD_ID,
  UNK_ID,
  CLS_ID,
  SEP_ID,
  MASK_ID,
  type TokenizerJSON,
  type TokenizerOptions,
  type TrainTokenizerOptions
} from './text/tokenizer';
export { loadTokenizer, saveTokenizer, type TokenizerLocation } from './loaders/text/tokenizer-io';
export { textDataset, type TextDataset } from './text/text-dataset';
export { emailText } from './text/email';
export {
  maskTokenIds,
  tokenMask,
  type MaskedTokens,
  type TokenMaskOptions
} from './augment/token-mask';
export { datasetSource, isDataSource, toSource, type DataSource } from './data/source';

export {
  describeAugment,
  withSpec,
  type AugmentSpec,
  type ImageAugment,
  type InputAugment
} from './augment/augment';
export {
  cutout,
  horizontalFlip,
  randomResizedCrop,
  type CutoutOptions,
  type HorizontalFlipOptions,
  type RandomResizedCropOptions
} from './augment/geometric';
export {
  colorJitter,
  gaussianBlur,
  gaussianNoise,
  type ColorJitterOptions,
  type GaussianBlurOptions,
  type GaussianNoiseOptions
} from './augment/photometric';
export {
  compose,
  simclrAugment,
  SIMCLR_AUGMENT_DEFAULTS,
  type SimclrAugmentOptions,
  type SimclrPreset
} from './augment/compose';
export {
  affineTransform,
  randomAffine,
  type AffineParams,
  type RandomAffineOptions
} from './augment/affine';
export {
  augmentationCheck,
  AugmentationCheck,
  viewStats,
  type AugmentationCheckOptions,
  type AugmentationWarning,
  type ViewStats
} from './augment/check';
export {
  composeSeries,
  describeSeriesAugment,
  jitter,
  permuteSegments,
  scaling,
  seriesAugment,
  timeCrop,
  SERIES_AUGMENT_DEFAULTS,
  type JitterOptions,
  type PermuteSegmentsOptions,
  type ScalingOptions,
  type SeriesAugment,
  type SeriesAugmentOptions,
  type TimeCropOptions
} from './augment/series';

export { convEncoder, type ConvEncoderOptions } from './models/conv-encoder';
export { conv1dEncoder, type Conv1dEncoderOptions } from './models/conv1d-encoder';
export {
  projectionHead,
  linearHead,
  reconstructionHead,
  tokenPredictionHead,
  type ProjectionHeadOptions,
  type LinearHeadOptions,
  type ReconstructionHeadOptions
} from './models/heads';
export { mlpEncoder, type MlpEncoderOptions } from './models/mlp-encoder';
export { resnetEncoder, type ResnetEncoderOptions } from './models/resnet-encoder';
export { modelInputShape, modelOutputDim } from './models/shape';
export { modelVariables } from './models/variables';
export {
  transformerEncoder,
  tokenStatesModel,
  transformerShape,
  isTransformerEncoder,
  type TransformerEncoderOptions
} from './models/transformer-encoder';

export type { PretextTask, TaskStages, TaskTrainDefaults } from './tasks/task';
export { targetCopy, emaUpdate, tauAt } from './tasks/momentum';
export { byol, type ByolOptions } from './tasks/byol';
export { moco, mocoLoss, MOCO_DEFAULTS, type MocoOptions, type MocoTask } from './tasks/moco';
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
  mlm,
  mlmLoss,
  fillMask,
  type MlmOptions,
  type MlmTask,
  type FilledBlank
} from './tasks/mlm';
// Losses, one per file (kernel/src/losses/), so a method's loss can be swapped.
export { ntXentLoss, type NegativeQueue } from './losses/nt-xent';
export { byolLoss } from './losses/cosine';
export { vicregLoss, VICREG_WEIGHTS, type VicregWeights } from './losses/vicreg';
export { barlowTwinsLoss } from './losses/barlow-twins';
export { rotationLoss } from './losses/rotation';
// The method base: define a task from its parts (encoder, views, heads, loss).
export { defineTask, type TaskDefinition, type DefinedTask } from './tasks/define';
export { jointEmbeddingTask, type JointEmbeddingDefinition } from './tasks/joint-embedding';
export {
  maskedReconstructionTask,
  type MaskedReconstructionDefinition
} from './tasks/masked-reconstruction';
export {
  simclr,
  SIMCLR_DEFAULTS,
  SIMCLR_TRAIN_DEFAULTS,
  type SimclrOptions,
  type SimclrTask
} from './tasks/simclr';
export { scarf, SCARF_DEFAULTS, type ScarfOptions, type ScarfTask } from './tasks/scarf';
export { vime, vimeLoss, VIME_DEFAULTS, type VimeOptions, type VimeTask } from './tasks/vime';
export {
  seriesContrastive,
  type SeriesContrastiveOptions,
  type SeriesContrastiveTask
} from './tasks/series-contrastive';
export {
  maskedSeries,
  maskedMse,
  spanMask,
  type MaskedSeriesOptions,
  type MaskedSeriesTask
} from './tasks/masked-series';

export { train, TrainResult, type EpochSummary } from './train/train';
export type { StepMode } from './train/step-gradients';
export type {
  TrainCallback,
  TrainContext,
  TrainEnd,
  TrainStatus,
  StepStats
} from './train/callbacks/callback';
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
export { exportEncoder, type ExportOptions } from './share/encoder-export';
export { loadEncoder, modelCard } from './share/encoder-load';
export { ModelCard, type ModelCardData } from './share/model-card';
export type { CardMetric } from './share/card-metrics';
export { MlflowClient } from './tracking/mlflow-client';
export { MlflowApiError, type MlflowClientOptions } from './tracking/mlflow-http';
export type { MlflowRun } from './tracking/mlflow-runs';
export type { ModelVersion } from './tracking/mlflow-models';
export {
  mlflowCallback,
  type MlflowCallback,
  type MlflowCallbackOptions,
  type MlflowCallbackStats
} from './train/callbacks/mlflow';
export {
  tensorboardCallback,
  type TensorboardCallbackOptions
} from './train/callbacks/tensorboard';
export { trackingCallbacks, type TrackingOptions } from './train/callbacks/tracking';
export { syncRuns, type SyncOptions, type SyncedRun } from './tracking/sync';
export {
  resolveTracking,
  settingsFile,
  type ResolvedTracking,
  type TrackingSource
} from './tracking/tracking-uri';
export {
  trackingServer,
  trackedRun,
  type TrackedRun,
  type TrackingServerInfo
} from './tracking/tracking-server';
export {
  knnMonitor,
  collapseMonitor,
  type KnnMonitorOptions,
  type MonitorOptions
} from './eval/monitors';

export { embed, l2Normalize, type EmbedOptions } from './features/embed';
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
} from './features/health';
export {
  labelEfficiency,
  LabelEfficiencyReport,
  FINE_TUNE_RECIPE,
  type FineTuneRecipe,
  type EfficiencyResult,
  type LabelEfficiencyOptions,
  type LabelEfficiencyProtocol,
  type PretrainingMargin
} from './eval/label-efficiency';
export {
  classifierAccuracy,
  cloneEncoder,
  describeRecipe,
  rateFactor,
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
export { seriesChart, type SeriesChartOptions } from './render/series-chart';
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
