/**
 * Inline SVG charts for the HTML reports: plain shapes and text, no script and no fonts to fetch, so a mailed
 * report reads the same in any client that shows SVG (and its tables say the same for one that does not).
 */

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const COLOURS = ['#2e7d32', '#f9a825', '#ef6c00', '#c62828', '#1565c0', '#6a1b9a'];

export interface Series {
  name: string;
  values: number[];
}

/** Stacked bars, one per label (a day), a segment per series, with a legend. */
export function stackedBars(title: string, labels: string[], series: Series[]): string {
  const width = 640;
  const height = 220;
  const left = 48;
  const bottom = 40;
  const top = 24;
  const totals = labels.map((_, i) => series.reduce((a, s) => a + (s.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const slot = (width - left - 10) / Math.max(1, labels.length);
  const barWidth = Math.max(2, slot * 0.7);
  const y = (v: number): number => top + (height - top - bottom) * (1 - v / max);
  const parts: string[] = [];
  labels.forEach((label, i) => {
    let acc = 0;
    const x = left + i * slot + (slot - barWidth) / 2;
    series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      if (v <= 0) return;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(acc + v).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(y(acc) - y(acc + v)).toFixed(1)}" fill="${COLOURS[k % COLOURS.length]}"><title>${escapeHtml(`${label} ${s.name}: ${v}`)}</title></rect>`,
      );
      acc += v;
    });
    parts.push(
      `<text x="${(x + barWidth / 2).toFixed(1)}" y="${height - bottom + 14}" font-size="10" text-anchor="middle">${escapeHtml(label)}</text>`,
    );
  });
  return frame(
    title,
    width,
    height,
    max,
    y,
    left,
    parts,
    series.map((s) => s.name),
  );
}

/** Bars side by side, one group per label and a bar per series (e.g. a rate now and in the baseline). */
export function groupedBars(title: string, labels: string[], series: Series[]): string {
  const width = 640;
  const height = 220;
  const left = 48;
  const bottom = 40;
  const top = 24;
  const max = Math.max(1e-9, ...series.flatMap((s) => s.values));
  const slot = (width - left - 10) / Math.max(1, labels.length);
  const barWidth = Math.max(2, (slot * 0.8) / Math.max(1, series.length));
  const y = (v: number): number => top + (height - top - bottom) * (1 - v / max);
  const parts: string[] = [];
  labels.forEach((label, i) => {
    const x0 = left + i * slot + slot * 0.1;
    series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      const x = x0 + k * barWidth;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(y(0) - y(v)).toFixed(1)}" fill="${COLOURS[k % COLOURS.length]}"><title>${escapeHtml(`${label} ${s.name}: ${v}`)}</title></rect>`,
      );
    });
    parts.push(
      `<text x="${(x0 + (barWidth * series.length) / 2).toFixed(1)}" y="${height - bottom + 14}" font-size="10" text-anchor="middle">${escapeHtml(label)}</text>`,
    );
  });
  return frame(
    title,
    width,
    height,
    max,
    y,
    left,
    parts,
    series.map((s) => s.name),
  );
}

/** Plain bars, one per label, for one series (e.g. cases per age class). */
export function bars(title: string, labels: string[], values: number[]): string {
  return stackedBars(title, labels, [{ name: title, values }]);
}

/** An axis label: whole numbers unless the axis is too short for them. */
function axisNumber(v: number, max: number): string {
  return v.toLocaleString('en-US', { maximumFractionDigits: max < 10 ? 2 : 0 });
}

function frame(
  title: string,
  width: number,
  height: number,
  max: number,
  y: (v: number) => number,
  left: number,
  parts: string[],
  legend: string[],
): string {
  const axis = [0, max / 2, max].map(
    (v) =>
      `<text x="${left - 6}" y="${(y(v) + 3).toFixed(1)}" font-size="10" text-anchor="end">${axisNumber(v, max)}</text>` +
      `<line x1="${left}" x2="${width - 10}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`,
  );
  const keys =
    legend.length < 2
      ? []
      : legend.map(
          (name, k) =>
            `<rect x="${left + k * 130}" y="${height - 14}" width="10" height="10" fill="${COLOURS[k % COLOURS.length]}"/>` +
            `<text x="${left + k * 130 + 14}" y="${height - 5}" font-size="11">${escapeHtml(name)}</text>`,
        );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">` +
    `<text x="${left}" y="14" font-size="12" font-weight="bold">${escapeHtml(title)}</text>` +
    axis.join('') +
    parts.join('') +
    keys.join('') +
    '</svg>'
  );
}

/** A line per series over the same labels (e.g. this week's and last week's decisions per weekday). */
export function lines(title: string, labels: string[], series: Series[]): string {
  const width = 640;
  const height = 220;
  const left = 48;
  const bottom = 40;
  const top = 24;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const step = (width - left - 30) / Math.max(1, labels.length - 1);
  const x = (i: number): number => left + 10 + i * step;
  const y = (v: number): number => top + (height - top - bottom) * (1 - v / max);
  const parts = series.map((s, k) => {
    const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const dots = s.values
      .map(
        (v, i) =>
          `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${COLOURS[k % COLOURS.length]}"><title>${escapeHtml(`${s.name} ${labels[i] ?? ''}: ${v}`)}</title></circle>`,
      )
      .join('');
    return `<polyline fill="none" stroke="${COLOURS[k % COLOURS.length]}" stroke-width="2" points="${points}"/>${dots}`;
  });
  labels.forEach((label, i) =>
    parts.push(
      `<text x="${x(i).toFixed(1)}" y="${height - bottom + 14}" font-size="10" text-anchor="middle">${escapeHtml(label)}</text>`,
    ),
  );
  return frame(
    title,
    width,
    height,
    max,
    y,
    left,
    parts,
    series.map((s) => s.name),
  );
}
