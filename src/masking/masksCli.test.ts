// End-to-end check of `npm run masks`: real corpus, real WordPiece tokenizer, JSON summary as the last line.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function masks(...args: string[]): Record<string, unknown> {
  const out = execFileSync('node_modules/.bin/vite-node', ['scripts/masks.ts', '--', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = out.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
}

describe('npm run masks', () => {
  it('reports rate, split, span histogram and split words/units for spans on fairy-tales', () => {
    const r = masks('--corpus', 'fairy-tales', '--strategy', 'span', '--samples', '300', '--seed', '7', '--json');
    expect(r.samples).toBe(300);
    expect(Math.abs((r.rate as number) - 0.15)).toBeLessThan(0.01);
    const split = r.split as { mask: number; random: number; keep: number };
    expect(split.mask + split.random + split.keep).toBeCloseTo(1, 9);
    expect(split.mask).toBeGreaterThan(0.7);
    const hist = r.span_length_words_histogram as Record<string, number>;
    expect(Object.keys(hist).map(Number)).toContain(10);
    expect(r.mean_span_length_words as number).toBeGreaterThan(2.5);
    expect(r.units_split).toBe(0);
    expect(typeof r.words_split).toBe('number');
  }, 60_000);
});
