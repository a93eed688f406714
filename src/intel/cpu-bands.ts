// The CPU bands findings report instead of raw figures, so a differential
// query emits one "added" row per process rather than one per interval. One
// list: the SQL CASE of every query is rendered from it (@cpu_band) and the
// TypeScript side (bandOf) reads the same list.

/** Lower bounds, % of one core, highest first; each band is [min, the next higher min). */
export const CPU_BANDS: readonly { readonly min: number; readonly label: string }[] = [
  { min: 90, label: '>=90' },
  { min: 50, label: '50-90' },
  { min: 25, label: '25-50' },
];
/** Below the lowest bound. */
export const CPU_BAND_BELOW = '<25';

export function bandOf(percent: number): string {
  for (const b of CPU_BANDS) if (percent >= b.min) return b.label;
  return CPU_BAND_BELOW;
}
