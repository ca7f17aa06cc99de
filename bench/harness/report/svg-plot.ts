/**
 * A small SVG line chart writer: stacked panels sharing the x axis, each with its own y axis,
 * grid, series and legend. Enough for throughput and latency over a run, with no dependency.
 */
export interface Series {
  name: string;
  color: string;
  /** y per x; undefined or NaN leaves a gap. */
  points: readonly { x: number; y: number | undefined }[];
}

export interface Panel {
  title: string;
  yLabel: string;
  series: readonly Series[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  panels: readonly Panel[];
  width?: number;
  panelHeight?: number;
}

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string,
  );
}

/** Round tick values (1, 2, 5 times a power of ten) covering [0, max]. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let i = 0; ; i++) {
    const v = Number((i * step).toPrecision(12));
    ticks.push(v);
    if (v >= max) break;
  }
  return ticks;
}

function formatTick(v: number): string {
  if (v >= 1_000_000) return `${v / 1_000_000}M`;
  if (v >= 1_000) return `${v / 1_000}k`;
  return String(v);
}

const MARGIN = { left: 64, right: 150, top: 34, bottom: 40 };

export function renderChart(options: ChartOptions): string {
  const width = options.width ?? 900;
  const panelHeight = options.panelHeight ?? 240;
  const height = MARGIN.top + options.panels.length * (panelHeight + MARGIN.bottom) + 10;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = panelHeight - 30;
  const xs = options.panels.flatMap((p) => p.series.flatMap((s) => s.points.map((pt) => pt.x)));
  const xMax = Math.max(1, ...xs);
  const xTicks = niceTicks(xMax, 10);
  const xEnd = xTicks[xTicks.length - 1] as number;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  options.panels.forEach((panel, index) => {
    const top = MARGIN.top + index * (panelHeight + MARGIN.bottom) + 20;
    const ys = panel.series.flatMap((s) =>
      s.points.map((p) => p.y).filter((y): y is number => y !== undefined && Number.isFinite(y)),
    );
    const yTicks = niceTicks(Math.max(0, ...ys));
    const yEnd = yTicks[yTicks.length - 1] as number;
    const sx = (x: number): number => MARGIN.left + (x / xEnd) * plotWidth;
    const sy = (y: number): number => top + plotHeight - (y / yEnd) * plotHeight;
    parts.push(`<g>`);
    parts.push(
      `<text x="${MARGIN.left}" y="${top - 6}" font-size="12" font-weight="bold">${escapeXml(panel.title)}</text>`,
    );
    for (const t of yTicks) {
      const y = sy(t).toFixed(1);
      parts.push(
        `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotWidth}" y2="${y}" stroke="#e5e5e5"/>`,
      );
      parts.push(
        `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(t)}</text>`,
      );
    }
    for (const t of xTicks) {
      const x = sx(t).toFixed(1);
      parts.push(
        `<line x1="${x}" y1="${top + plotHeight}" x2="${x}" y2="${top + plotHeight + 4}" stroke="#333"/>`,
      );
      parts.push(`<text x="${x}" y="${top + plotHeight + 16}" text-anchor="middle">${formatTick(t)}</text>`);
    }
    parts.push(
      `<rect x="${MARGIN.left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#333"/>`,
      `<text transform="translate(14 ${top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(panel.yLabel)}</text>`,
      `<text x="${MARGIN.left + plotWidth / 2}" y="${top + plotHeight + 32}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    );
    panel.series.forEach((series, i) => {
      // Gaps split the line into segments.
      const segments: string[][] = [[]];
      for (const p of series.points) {
        if (p.y === undefined || !Number.isFinite(p.y)) segments.push([]);
        else (segments[segments.length - 1] as string[]).push(`${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`);
      }
      for (const seg of segments.filter((s) => s.length > 0)) {
        parts.push(
          `<polyline fill="none" stroke="${escapeXml(series.color)}" stroke-width="1.5" points="${seg.join(' ')}"/>`,
        );
      }
      const ly = top + 10 + i * 16;
      const lx = MARGIN.left + plotWidth + 12;
      parts.push(
        `<line x1="${lx}" y1="${ly}" x2="${lx + 18}" y2="${ly}" stroke="${escapeXml(series.color)}" stroke-width="2"/>`,
        `<text x="${lx + 24}" y="${ly}" dominant-baseline="middle">${escapeXml(series.name)}</text>`,
      );
    });
    parts.push(`</g>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
