/**
 * The benchmark's bar chart: stepgate's throughput as a share of the correct proxy's, per
 * scenario, with the runs' interquartile range as a whisker, the share of the bare proxy's as a
 * tick, 1.0 (no cost) and each scenario's target marked. Plain SVG, no library.
 */

const WIDTH = 800;
const BAR_HEIGHT = 28;
const GAP = 14;
const LABEL_WIDTH = 330;
const SCALE_MAX = 1.2;

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * @example
 * writeFileSync("bench/results.svg", ratioChart([{ label: "pass-through", ratio: 0.97, target: 0.95, spread: [0.96, 0.98], bare: 0.9 }]));
 */
export function ratioChart(bars: Array<{ label: string; ratio: number; target: number | null; spread?: [number, number]; bare?: number }>): string {
  const plotWidth = WIDTH - LABEL_WIDTH - 60;
  const x = (ratio: number) => LABEL_WIDTH + (Math.min(ratio, SCALE_MAX) / SCALE_MAX) * plotWidth;
  const height = 50 + bars.length * (BAR_HEIGHT + GAP) + 30;
  const rows = bars.map((bar, i) => {
    const y = 40 + i * (BAR_HEIGHT + GAP);
    // Green: target met; red: missed; grey: no target.
    const fill = bar.target === null ? "#8c959f" : bar.ratio >= bar.target ? "#2da44e" : "#cf222e";
    return [
      `<text x="${LABEL_WIDTH - 10}" y="${y + BAR_HEIGHT / 2 + 5}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${x(bar.ratio) - LABEL_WIDTH}" height="${BAR_HEIGHT}" fill="${fill}"/>`,
      `<text x="${Math.max(x(bar.ratio), bar.target === null ? 0 : x(bar.target)) + 6}" y="${y + BAR_HEIGHT / 2 + 5}">${bar.ratio.toFixed(2)}×</text>`,
      bar.target === null
        ? ""
        : `<line x1="${x(bar.target)}" x2="${x(bar.target)}" y1="${y - 3}" y2="${y + BAR_HEIGHT + 3}" stroke="#1f2328" stroke-dasharray="3 2"/>`,
      bar.spread
        ? `<line x1="${x(bar.spread[0])}" x2="${x(bar.spread[1])}" y1="${y + BAR_HEIGHT / 2}" y2="${y + BAR_HEIGHT / 2}" stroke="#1f2328" stroke-width="2"/>`
        : "",
      bar.bare === undefined
        ? ""
        : `<line x1="${x(bar.bare)}" x2="${x(bar.bare)}" y1="${y + 4}" y2="${y + BAR_HEIGHT - 4}" stroke="#1f2328" stroke-width="3"/>`,
    ].join("");
  });
  const one = x(1);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="system-ui, sans-serif" font-size="13">`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-weight="600">stepgate throughput ÷ correct proxy's (whisker: IQR; tick: ÷ bare proxy's; dashed: target)</text>`,
    ...rows,
    `<line x1="${one}" x2="${one}" y1="32" y2="${height - 28}" stroke="#57606a"/>`,
    `<text x="${one}" y="${height - 10}" text-anchor="middle">1.0 = no cost</text>`,
    "</svg>",
  ].join("\n");
}
