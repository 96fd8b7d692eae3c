/** Horizontal bars for a handful of labelled values (histograms, contributions); plain SVG-free markup. */

export interface Bar {
  label: string;
  value: number;
  /** Shown instead of the value, when given. */
  text?: string;
  tone?: 'risk' | 'safe' | 'neutral';
}

export function Bars({ bars, label, signed = false }: { bars: Bar[]; label: string; signed?: boolean }) {
  const max = Math.max(1e-12, ...bars.map((b) => Math.abs(b.value)));
  return (
    <ul className={`bars${signed ? ' signed' : ''}`} aria-label={label}>
      {bars.map((b) => {
        const width = `${(Math.abs(b.value) / max) * (signed ? 50 : 100)}%`;
        const negative = signed && b.value < 0;
        return (
          <li key={b.label}>
            <span className="bar-label">{b.label}</span>
            <span className="bar-track">
              <span
                className={`bar-fill ${b.tone ?? (negative ? 'safe' : 'risk')}`}
                style={signed ? { width, [negative ? 'right' : 'left']: '50%' } : { width }}
              />
            </span>
            <span className="bar-value">{b.text ?? b.value.toLocaleString()}</span>
          </li>
        );
      })}
    </ul>
  );
}
