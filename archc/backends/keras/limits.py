"""What the Keras backend cannot run, declared where the backend lives (no Keras import):
the compile path checks these before anything is built (`archc.ir.limits`).

- Sizes: TensorFlow holds strides, kernel sizes, filter counts and dilations as 32-bit
  integers (`strides: 9223372036854775807` passed `check` and `build`, then failed in
  predict), so every integer of a layer item is at most 2**31 - 1 (S004).
- Keras refuses a window with strides above 1 and dilation above 1 when the model is built
  (G010).
- TensorFlow runs a dilated convolution as space-to-batch: with `padding: same` it pads each
  axis by the dilated extent minus one, (k - 1) * d, rounded up to a multiple of d, and
  materialises that tensor. It is not a layer output, so it is not in the activation figure,
  but it is memory predict() allocates (measured: dilation 10,000 on an 8x8 input grew the
  process by 4.5 GB), so it counts against the activation cap (C006).
"""

from __future__ import annotations

from archc.ir.limits import BackendLimits
from archc.ir.ops import Attrs, Shape, window_of

INT32_MAX = 2**31 - 1


def space_to_batch_padding(attrs: Attrs, shape: Shape) -> tuple[int, int] | None:
    """(height, width) of the padded input TensorFlow makes for a dilated `same` window."""
    window = window_of(attrs)
    if window is None:
        return None
    kernel, _, dilation, padding = window
    if max(dilation) == 1 or padding != "same" or len(shape) != 3:
        return None
    sizes = []
    for axis in range(2):
        d = dilation[axis]
        padded = shape[axis] + (kernel[axis] - 1) * d
        sizes.append(-(-padded // d) * d)
    return (sizes[0], sizes[1])


KERAS_LIMITS = BackendLimits(
    backend="Keras",
    max_size=INT32_MAX,
    max_size_why="the Keras backend (TensorFlow) holds sizes as 32-bit integers, at most "
                 f"{INT32_MAX:,}",
    strides_with_dilation=False,
    padded_input=space_to_batch_padding,
)
