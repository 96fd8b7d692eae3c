/**
 * The population stability index between a training distribution and a live one over the same bins:
 * Σ (live − train) · ln(live / train). Below 0.1 is read as stable, 0.1–0.25 as drift worth a look, above
 * 0.25 as a population the model was not trained on (the seeds' runbooks alert at 0.1).
 */

/** Shares below this count as this: an empty bin on one side would make the index infinite. */
export const PSI_FLOOR = 1e-4;

/** The index of live bin counts against training shares; 0 when nothing live has been seen. */
export function populationStabilityIndex(
  trainShares: ArrayLike<number>,
  liveCounts: ArrayLike<number>,
  offset = 0,
): number {
  const bins = trainShares.length;
  let total = 0;
  for (let b = 0; b < bins; b++) total += liveCounts[offset + b]!;
  if (total === 0) return 0;
  let index = 0;
  for (let b = 0; b < bins; b++) {
    const expected = Math.max(trainShares[b]!, PSI_FLOOR);
    const actual = Math.max(liveCounts[offset + b]! / total, PSI_FLOOR);
    index += (actual - expected) * Math.log(actual / expected);
  }
  return index;
}
