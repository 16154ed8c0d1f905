/**
 * One colour per extractor, the same in every chart and in the page: a fixed hue per
 * extractor name (Okabe-Ito, safe for colour-blind readers), and shades of it for several
 * labels of the same name (ablation variants, e.g. transformer heads 1/2/4/8).
 */
import type { ResultRecord } from '../harness/store/results.js';

/** Built-in extractors in reading order, each with its fixed colour. */
export const EXTRACTOR_COLORS: Record<string, string> = {
  rnn: '#D55E00', // vermillion
  lstm: '#0072B2', // blue
  gru: '#56B4E9', // sky blue: LSTM's gated sibling
  transformer: '#CC79A7', // reddish purple
  tcn: '#009E73', // bluish green
  mlp: '#7F7F7F', // grey: a baseline
};

/** Colours for other (plugin) extractor names, in order of first appearance. */
const EXTRA_COLORS = ['#E69F00', '#8C564B', '#A6961A', '#17BECF', '#9467BD', '#333333', '#F781BF', '#4D8F3A'];

const KNOWN = Object.keys(EXTRACTOR_COLORS);

function hexToHsl(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => v / 255);
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const l = (max + min) / 2;
  if (max === min) return [0, 0, l];
  const d = max - min;
  const s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
  const h = max === r ? (g - b) / d + (g < b ? 6 : 0) : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return [h * 60, s, l];
}

function hslToHex(h: number, s: number, l: number): string {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return (
    '#' +
    [f(0), f(8), f(4)]
      .map((v) =>
        Math.round(v * 255)
          .toString(16)
          .padStart(2, '0'),
      )
      .join('')
      .toUpperCase()
  );
}

/**
 * `count` shades of `base`, darkest first; the base itself when count is 1. Lightness spans
 * most of the readable range and the hue turns a little across the shades, so five or more
 * variants of one extractor stay distinguishable while keeping its family colour.
 */
export function shades(base: string, count: number): string[] {
  if (count <= 1) return [base];
  const [h, s] = hexToHsl(base);
  const [lo, hi] = [0.26, 0.72];
  const turn = Math.min(40, 10 * count);
  return Array.from({ length: count }, (_, i) => {
    const f = i / (count - 1);
    return hslToHex((h - turn / 2 + turn * f + 360) % 360, Math.max(s, 0.45), lo + (hi - lo) * f);
  });
}

export interface Palette {
  /** Extractor labels in legend order: built-in names in their order, then others; labels of one name in first-seen order. */
  labels: string[];
  color(label: string): string;
  /** Domain and range of a Vega-Lite colour scale for the given labels (legend order kept). */
  scale(labels: Iterable<string>): { domain: string[]; range: string[] };
}

/** The palette for a results set: it depends on every label present, so compute it once from all records. */
export function extractorPalette(records: readonly Pick<ResultRecord, 'extractor'>[]): Palette {
  const namesSeen: string[] = [];
  const labelsByName = new Map<string, string[]>();
  for (const r of records) {
    const { name, label } = r.extractor;
    if (!labelsByName.has(name)) {
      labelsByName.set(name, []);
      namesSeen.push(name);
    }
    const ls = labelsByName.get(name)!;
    if (!ls.includes(label)) ls.push(label);
  }
  const names = [...KNOWN.filter((n) => labelsByName.has(n)), ...namesSeen.filter((n) => !KNOWN.includes(n))];
  const colors = new Map<string, string>();
  const labels: string[] = [];
  let extra = 0;
  for (const name of names) {
    const base = EXTRACTOR_COLORS[name] ?? EXTRA_COLORS[extra++ % EXTRA_COLORS.length];
    const ls = labelsByName.get(name)!;
    const cs = shades(base, ls.length);
    ls.forEach((l, i) => {
      // A label reused under two names keeps its first colour.
      if (!colors.has(l)) {
        colors.set(l, cs[i]);
        labels.push(l);
      }
    });
  }
  const color = (label: string) => colors.get(label) ?? '#999999';
  return {
    labels,
    color,
    scale(subset) {
      const wanted = new Set(subset);
      const domain = labels.filter((l) => wanted.has(l));
      for (const l of wanted) if (!domain.includes(l)) domain.push(l);
      return { domain, range: domain.map(color) };
    },
  };
}
