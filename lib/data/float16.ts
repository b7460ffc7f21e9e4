/**
 * IEEE 754 half precision (binary16, NumPy's `float16`) decoded to a double, exactly: every half
 * value is representable as a double.
 *
 * @module
 */

/**
 * The number whose IEEE 754 binary16 bit pattern is `bits` (1 sign bit, 5 exponent bits of bias
 * 15, 10 fraction bits): subnormals (exponent 0) are 2⁻¹⁴ × fraction/1024, exponent 31 is an
 * infinity (fraction 0) or NaN. The result is exact.
 *
 * @example
 * ```ts
 * float16ToNumber(0x3c00); // 1
 * float16ToNumber(0xc000); // -2
 * float16ToNumber(0x0001); // 2 ** -24, the smallest subnormal
 * float16ToNumber(0x7c00); // Infinity
 * ```
 */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}
