// How parity between engines is measured: the largest absolute difference relative to the
// largest magnitude of the reference, so tiny activations are judged at the scale of the tensor.

/** max_i |actual_i - expected_i| / max_i |expected_i| (absolute when the reference is all zeros). */
export function maxRelativeError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) {
    throw new RangeError(`cannot compare outputs of ${actual.length} and ${expected.length} values`);
  }
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
