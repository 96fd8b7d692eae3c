/**
 * The population stability index of each model input as bars, most drifted first, with the two lines the
 * runbooks read it by: 0.1 (drift worth a look) and 0.25 (a population the model was not trained on). The
 * bars end at 0.5 (the figure beside each says how far past); the 15 most drifted first, the rest on request.
 */
import { useState } from 'react';

export const PSI_LOOK = 0.1;
export const PSI_SHIFTED = 0.25;
/** Where the bars end: far enough past 0.25 to read both lines; a bar past it is far past "shifted" anyway. */
export const PSI_SCALE_END = 0.5;

/** Inputs listed before "Show all". */
const FIRST = 15;

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
  const [all, setAll] = useState(false);
  const sorted = [...features].sort((a, b) => b.psi - a.psi);
  const shown = all ? sorted : sorted.slice(0, FIRST);
  const at = (psi: number) => `${(Math.min(psi, PSI_SCALE_END) / PSI_SCALE_END) * 100}%`;
  return (
    <>
      <ul className="bars psi-bars" aria-label={label}>
        {shown.map((f) => (
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
      {sorted.length > FIRST && (
        <button type="button" className="link" onClick={() => setAll(!all)}>
          {all ? `Show the ${FIRST} most drifted` : `Show all ${sorted.length} inputs`}
        </button>
      )}
    </>
  );
}
