// A small SVG bar chart of the ratios (ours / reference), with the target drawn on each bar's row.
export interface RatioBar {
  readonly label: string;
  readonly ratio: number;
  /** The target ratio; for lower-is-better figures the bar must stay below it. */
  readonly target?: number;
  readonly lowerIsBetter?: boolean;
}

export function renderRatioChart(bars: readonly RatioBar[], title: string): string {
  const rowHeight = 26;
  const labelWidth = 330;
  const plotWidth = 420;
  const maxRatio = Math.max(2, ...bars.map((b) => Math.max(b.ratio, b.target ?? 0))) * 1.1;
  const x = (ratio: number): number => labelWidth + (Math.min(ratio, maxRatio) / maxRatio) * plotWidth;
  const height = 50 + bars.length * rowHeight + 30;
  const rows = bars.map((bar, i) => {
    const y = 40 + i * rowHeight;
    const met = bar.target === undefined || (bar.lowerIsBetter ? bar.ratio <= bar.target : bar.ratio >= bar.target);
    const target =
      bar.target === undefined
        ? ''
        : `<line x1="${x(bar.target)}" y1="${y - 2}" x2="${x(bar.target)}" y2="${y + 18}" stroke="#333" stroke-dasharray="3,2"/>`;
    return (
      `<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end" font-size="12">${escape(bar.label)}</text>` +
      `<rect x="${labelWidth}" y="${y}" width="${x(bar.ratio) - labelWidth}" height="16" fill="${met ? '#3a7d44' : '#c0392b'}"/>` +
      `<text x="${x(bar.ratio) + 4}" y="${y + 13}" font-size="11">${bar.ratio.toFixed(2)}×</text>` +
      target
    );
  });
  const one = x(1);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 70}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="22" font-size="14" font-weight="bold">${escape(title)}</text>`,
    `<line x1="${one}" y1="34" x2="${one}" y2="${height - 24}" stroke="#999"/>`,
    `<text x="${one}" y="${height - 10}" font-size="11" text-anchor="middle">1× (reference)</text>`,
    ...rows,
    `</svg>`,
  ].join('\n');
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
