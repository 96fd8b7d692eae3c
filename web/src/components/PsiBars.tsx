/**
 * The population stability index of each model input as bars, most drifted first, with the two lines the
 * runbooks read it by: 0.1 (drift worth a look) and 0.25 (a population the model was not trained on).
 */

export const PSI_LOOK = 0.1;
export const PSI_SHIFTED = 0.25;

export const psiTone = (psi: number): 'safe' | 'neutral' | 'risk' =>
  psi > PSI_SHIFTED ? 'risk' : psi > PSI_LOOK ? 'neutral' : 'safe';

export const psiWords = (psi: number): string =>
  psi > PSI_SHIFTED ? 'shifted' : psi > PSI_LOOK ? 'drift worth a look' : 'stable';

export function PsiBars({
  features,
  label,
}: {
  features: { feature: string; psi: number }[];
  label: string;
}) {
  const sorted = [...features].sort((a, b) => b.psi - a.psi);
  // The scale always reaches past 0.25, so both lines are on it and a stable model's bars stay short.
  const max = Math.max(PSI_SHIFTED * 1.2, ...sorted.map((f) => f.psi));
  const at = (psi: number) => `${(psi / max) * 100}%`;
  return (
    <ul className="bars psi-bars" aria-label={label}>
      {sorted.map((f) => (
        <li key={f.feature}>
          <span className="bar-label">{f.feature}</span>
          <span className="bar-track">
            <span className={`bar-fill ${psiTone(f.psi)}`} style={{ width: at(f.psi) }} />
            <span className="psi-line" style={{ left: at(PSI_LOOK) }} aria-hidden="true" />
            <span className="psi-line shifted" style={{ left: at(PSI_SHIFTED) }} aria-hidden="true" />
          </span>
          <span className="bar-value" title={psiWords(f.psi)}>
            {f.psi.toFixed(3)}
          </span>
        </li>
      ))}
    </ul>
  );
}
