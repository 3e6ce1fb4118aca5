/**
 * TensorFlow's `ImageProjectiveTransformV3` (the kernel behind tf.image.transform / Keras'
 * RandomRotation), which tfjs-node does not register: one C++ pass that maps every output pixel
 * through a per-image transform and samples bilinearly, with a constant fill outside the image.
 * For a batch of 256 28x28 views it is about 4x faster than building the sampling grid in JS and
 * gathering the four neighbours (measured in bench/, same machine). It is a public TF op (since
 * TF 2.4), so it is not pinned like the oneDNN internals; a build without it is detected once
 * and the caller keeps its own path.
 */
import type * as tfTypes from '@tensorflow/tfjs-node';
import { attrs, nativeKernel, type TF } from './ops';

type Tensor = tfTypes.Tensor;
type Tensor4D = tfTypes.Tensor4D;

let transformKernel: ((inputs: Tensor[]) => Tensor) | undefined;
let available: boolean | undefined;

function kernel(tf: TF) {
  transformKernel ??= nativeKernel(tf, 'ImageProjectiveTransformV3', (backend, inputs) => {
    const a = attrs(backend);
    return backend.executeSingleOutput(
      'ImageProjectiveTransformV3',
      [
        a.type('dtype', 'float32'),
        a.string('interpolation', 'BILINEAR'),
        a.string('fill_mode', 'CONSTANT')
      ],
      inputs
    );
  });
  return transformKernel;
}

/**
 * Whether the loaded TF build runs the op (probed once on a 1x2x2x1 image). Off the native
 * backend, or with PRETEXT_NATIVE_IMAGE_TRANSFORM=0, the answer is false.
 */
export function projectiveTransformAvailable(tf: TF): boolean {
  if (tf.getBackend() !== 'tensorflow' || process.env.PRETEXT_NATIVE_IMAGE_TRANSFORM === '0') {
    return false;
  }
  if (available === undefined) {
    try {
      tf.tidy(() => {
        const out = projectiveTransform(
          tf,
          tf.ones([1, 2, 2, 1]) as Tensor4D,
          new Float32Array([1, 0, 0, 0, 1, 0, 0, 0]),
          0
        );
        available = out.dataSync()[0] === 1;
      });
    } catch {
      available = false;
    }
  }
  return available === true;
}

/**
 * Maps output pixel (x, y) of image i to source point (t0 x + t1 y + t2, t3 x + t4 y + t5) in
 * pixel coordinates (column, row; pixel centres at integers), with `transforms` the 8 TF
 * coefficients per image, row-major [b, 8] (t6 = t7 = 0 for affine maps). Bilinear; each of
 * the four neighbours outside the image reads `fill`. Float32 images, same shape out.
 */
export function projectiveTransform(
  tf: TF,
  images: Tensor4D,
  transforms: Float32Array,
  fill: number
): Tensor4D {
  const [b, h, w] = images.shape;
  return tf.tidy(
    () =>
      kernel(tf)([
        images,
        tf.tensor2d(transforms, [b, 8]),
        tf.tensor1d([h, w], 'int32'),
        tf.scalar(fill)
      ]) as Tensor4D
  );
}
