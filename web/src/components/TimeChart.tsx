/**
 * A uPlot line chart that follows its container's width and updates in place when new data arrives. Series on
 * the `right` axis have their own scale, so a small series (flagged decisions) is not drawn flat against a big one.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

export interface Series {
  label: string;
  color: string;
  /** null where the series has no value (a gap in the line). */
  values: (number | null)[];
  axis?: 'left' | 'right';
}

export function TimeChart({
  label,
  times,
  series,
  axisLabels,
  showPoints = false,
  timeRange,
}: {
  label: string;
  times: number[];
  series: Series[];
  /** Names of the left and (when a series uses it) right axis. */
  axisLabels?: { left: string; right?: string };
  /** Mark each value (for sparse series, where a lone value would draw no line). */
  showPoints?: boolean;
  /** The time axis' extent (epoch seconds), when it must not shrink to the data (a single value, say). */
  timeRange?: [number, number];
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const range = useRef(timeRange);
  range.current = timeRange;
  const shape = series.map((s) => `${s.label}:${s.axis ?? 'left'}`).join('|');
  const twoAxes = series.some((s) => s.axis === 'right');

  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    const options: uPlot.Options = {
      width: element.clientWidth || 600,
      height: 220,
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          points: { show: showPoints },
          scale: s.axis === 'right' ? 'right' : 'y',
        })),
      ],
      scales: {
        ...(twoAxes ? { right: { auto: true } } : {}),
        // Read through a ref: the range moves with each refresh while the plot stays.
        ...(timeRange ? { x: { time: true, range: (): uPlot.Range.MinMax => range.current! } } : {}),
      },
      axes: [
        {},
        { size: 56, scale: 'y', label: axisLabels?.left },
        ...(twoAxes
          ? [{ size: 56, scale: 'right', side: 1 as const, grid: { show: false }, label: axisLabels?.right }]
          : []),
      ],
      legend: { show: true },
    };
    plot.current = new uPlot(options, [times, ...series.map((s) => s.values)], element);
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: element.clientWidth, height: 220 }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the set of series changes (shape); data changes go through setData below.
  }, [shape]);

  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)]);
  }, [times, series]);

  return <div ref={box} role="img" aria-label={label} className="chart" />;
}
