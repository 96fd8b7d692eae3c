/**
 * Automatic promotion (AUTO_PROMOTE=true): the challenger set replaces the champion set once both have been
 * measured on enough labelled live traffic and the challenger ranks it better (average precision). A pure rule
 * over the live report, so it is tested without traffic; the registry applies it (ModelRegistry.autoPromote).
 */
import type { LiveModelMetrics, LiveModelReport } from './live-model-metrics.ts';

export interface AutoPromotionSettings {
  enabled: boolean;
  /** Labels each set needs in the live report before its average precision is trusted (AUTO_PROMOTE_MIN_LABELS). */
  minLabels: number;
}

export const DEFAULT_AUTO_PROMOTE_MIN_LABELS = 200;
/** How often the rule is checked against the latest live report. */
export const AUTO_PROMOTE_CHECK_MS = 60_000;

export interface AutoPromotionVerdict {
  promote: boolean;
  /** Why (or why not), in words, for the log and the audit note. */
  reason: string;
  champion: LiveModelMetrics | null;
  challenger: LiveModelMetrics | null;
}

const figures = (m: LiveModelMetrics): string =>
  `${m.model_version}: AP ${m.average_precision === null ? 'n/a' : m.average_precision.toFixed(4)} over ${m.labels} labels`;

/**
 * Should the challenger set (`challengerVersion`, a decision's `model_version`) replace the champion set? Only
 * figures of exactly these two sets count, so a report computed before the last stage change decides nothing.
 */
export function autoPromotionVerdict(
  report: LiveModelReport | null,
  championVersion: string | null,
  challengerVersion: string | null,
  minLabels: number,
): AutoPromotionVerdict {
  const no = (
    reason: string,
    champion: LiveModelMetrics | null = null,
    challenger = null as LiveModelMetrics | null,
  ) => ({
    promote: false,
    reason,
    champion,
    challenger,
  });
  if (challengerVersion === null || championVersion === null || challengerVersion === championVersion)
    return no('no challenger set');
  if (report === null) return no('no live report yet');
  const champion = report.models.find((m) => m.model_version === championVersion) ?? null;
  const challenger = report.models.find((m) => m.model_version === challengerVersion) ?? null;
  if (champion === null || challenger === null)
    return no('the live report does not cover both sets yet', champion, challenger);
  for (const m of [champion, challenger]) {
    if (m.labels < minLabels)
      return no(`${figures(m)}: fewer than ${minLabels} labels`, champion, challenger);
    if (m.average_precision === null) return no(`${figures(m)}: no average precision`, champion, challenger);
  }
  const better = challenger.average_precision! > champion.average_precision!;
  const compared = `challenger ${figures(challenger)}; champion ${figures(champion)}`;
  return better
    ? { promote: true, reason: compared, champion, challenger }
    : no(`${compared}: the challenger is not better`, champion, challenger);
}

/** AUTO_PROMOTE (`true`/`false`, default false) and AUTO_PROMOTE_MIN_LABELS (a positive whole number, 200). */
export function autoPromotionFromEnv(env: NodeJS.ProcessEnv): AutoPromotionSettings {
  const raw = (env.AUTO_PROMOTE ?? '').trim().toLowerCase();
  if (raw !== '' && raw !== 'true' && raw !== 'false')
    throw new RangeError(`AUTO_PROMOTE: must be true or false, got "${env.AUTO_PROMOTE}"`);
  const labels = env.AUTO_PROMOTE_MIN_LABELS;
  const minLabels = labels === undefined || labels === '' ? DEFAULT_AUTO_PROMOTE_MIN_LABELS : Number(labels);
  if (!Number.isSafeInteger(minLabels) || minLabels <= 0)
    throw new RangeError(`AUTO_PROMOTE_MIN_LABELS: must be a positive whole number, got "${labels}"`);
  return { enabled: raw === 'true', minLabels };
}
