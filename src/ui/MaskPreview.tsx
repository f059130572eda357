// Live mask preview: a real sentence of the chosen corpus, tokenized by the tokenizer trained on it and masked
// with previewMasking under the current settings; tokens colored by tag, originals and targets shown.
import { useMemo, useState } from 'react';
import { Rng } from '../data/rng';
import { HEADS } from '../engine/model/heads';
import { getObjective, getStrategy, previewMasking, resolveParams, scheduledRate, type PreviewToken } from '../masking';
import type { CorpusTable, HeadSpec, MaskedBatch, MaskingConfig, PmiLexicon } from '../masking/types';
import {
  corpusTableFor,
  pmiLexiconFor,
  previewSentences,
  rarityHardness,
  usePreparedCorpus,
  type PreparedCorpus,
} from '../store/data';
import { useExperimentStore } from '../store/experiment';
import { TokenizerStatus } from './setup/TokenizerPanel';
import { useMaskingPlan } from './setup/StrategyPicker';

interface Preview {
  sentence: string;
  index: number;
  count: number;
  truncated: boolean;
  masked: MaskedBatch;
  tokens: PreviewToken[];
  head: HeadSpec;
  lexicon?: PmiLexicon;
  /** What the objective drew from the training part (ERNIE-Gram's n-gram vocabulary). */
  table?: CorpusTable;
  /** The strategy needs token hardness: the preview stands in corpus rarity for it. */
  rarity: boolean;
  boundaries: Set<number>;
}

function computePreview(
  data: PreparedCorpus,
  masking: MaskingConfig,
  T: number,
  seed: number,
  sentenceDraw: number,
  sample: number,
  progress: number,
  head: HeadSpec,
): Preview {
  const sentences = previewSentences(data);
  const index = Rng.from(seed, 'preview-sentence', sentenceDraw).int(sentences.length);
  const sentence = sentences[index];
  const enc = data.tokenizer.encode(sentence);
  const max = Math.max(1, T - 2);
  const truncated = enc.ids.length > max;
  const encoding = truncated ? { ids: enc.ids.slice(0, max), wordIds: enc.wordIds.slice(0, max) } : enc;
  // What the strategy needs, built as the strategy says (its lexicon settings come from its own parameters).
  const strategy = getStrategy(masking.strategy);
  const needs = strategy.needs;
  const options = needs.includes('lexicon')
    ? strategy.lexiconOptions?.(resolveParams(`strategy "${strategy.id}"`, strategy.params, masking.strategyParams))
    : undefined;
  const lexicon = options ? pmiLexiconFor(data, options.minCount, options.size) : undefined;
  const hardness = needs.includes('hardness') ? rarityHardness(data) : undefined;
  const table = corpusTableFor(data, masking);
  const { masked, tokens } = previewMasking(masking, encoding, {
    vocab: data.vocab,
    rng: Rng.from(seed, 'preview-mask', sentenceDraw, sample),
    progress,
    lexicon,
    hardness,
    table,
  });
  const boundaries = new Set<number>();
  const sbo = masked.sbo;
  if (sbo)
    for (let s = 0; s < sbo.left.length; s++) if (sbo.weights[s] > 0) boundaries.add(sbo.left[s]).add(sbo.right[s]);
  return {
    sentence,
    index,
    count: sentences.length,
    truncated,
    masked,
    tokens,
    head,
    lexicon,
    table,
    rarity: hardness !== undefined,
    boundaries,
  };
}

const SPECIAL = new Set(['[CLS]', '[SEP]', '[PAD]']);

/** Whitespace tokens (character tokenizers) drawn as visible symbols. */
function visible(s: string): string {
  return s.replace(/ /g, '␣').replace(/\n/g, '↵').replace(/\t/g, '⇥').replace(/\r/g, '␍');
}

export function MaskPreview() {
  const config = useExperimentStore((s) => s.config);
  const status = usePreparedCorpus();
  const { plan, error, T } = useMaskingPlan();
  const [sample, setSample] = useState(0);
  const [sentenceDraw, setSentenceDraw] = useState(0);
  const [progress, setProgress] = useState(0);
  const data = status.state === 'ready' ? status.data : null;
  const head = plan?.heads[0];

  const result = useMemo((): { preview: Preview } | { error: string } | null => {
    if (!data || !head) return null;
    try {
      return { preview: computePreview(data, config.masking, T, config.seed, sentenceDraw, sample, progress, head) };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  }, [data, config.masking, T, config.seed, sentenceDraw, sample, progress, head]);

  const rate = plan ? scheduledRate(config.masking.schedule, Number(plan.strategyParams.rate), progress) : null;
  return (
    <section className="panel preview" aria-labelledby="preview-title" data-testid="mask-preview">
      <div className="preview-head">
        <h2 id="preview-title">Mask preview</h2>
        <div className="preview-actions">
          <button type="button" onClick={() => setSample((s) => s + 1)} disabled={!data} data-testid="resample">
            Re-sample
          </button>
          <button type="button" className="secondary" onClick={() => setSentenceDraw((s) => s + 1)} disabled={!data}>
            Another sentence
          </button>
        </div>
      </div>
      <label className="progress-slider">
        <span>
          Preview the schedule at: <strong>{Math.round(progress * 100)}%</strong> of training
        </span>
        <input
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={progress}
          onChange={(e) => setProgress(Number(e.target.value))}
        />
        <span className="field-help">
          {rate !== null && `masking rate at that point: ${(rate * 100).toFixed(1)}%`}
          {getStrategy(config.masking.strategy).needs.includes('hardness') &&
            ' (the hard-token share grows with progress)'}
        </span>
      </label>
      {status.state !== 'ready' && <TokenizerStatus status={status} />}
      {error && (
        <p className="field-error" role="alert" data-testid="preview-error">
          {error}
        </p>
      )}
      {result && 'error' in result && (
        <p className="field-error" role="alert" data-testid="preview-error">
          {result.error}
        </p>
      )}
      {result && 'preview' in result && (
        <PreviewBody p={result.preview} objective={config.masking.objective} name={data!.name} />
      )}
    </section>
  );
}

function PreviewBody({ p, objective, name }: { p: Preview; objective: string; name: string }) {
  // What the preview shows of the targets is the head's to say (its module's preview labels).
  const shown = HEADS[getObjective(objective).head].preview;
  const binary = shown.tokenLabels === true && p.masked.tokenLabels !== undefined;
  const counts = { masked: 0, replaced: 0, kept: 0 };
  for (const t of p.tokens) if (t.tag !== 'untouched') counts[t.tag]++;
  const groups = groupByUnit(p.tokens, p.masked);
  return (
    <>
      <p className="preview-source muted">
        Sentence {p.index + 1} of {p.count.toLocaleString('en-US')} from {name}
        {p.truncated && ' (cut to the model’s sequence length)'}:
      </p>
      <blockquote className="preview-sentence">{p.sentence}</blockquote>
      <div className="tokens" data-testid="preview-tokens" aria-label="Masked tokens">
        {groups.map((g, gi) => (
          <span key={gi} className={g.selected && g.tokens.length > 1 ? 'unit' : undefined}>
            {g.tokens.map(({ t, i }) => (
              <TokenChip key={i} t={t} i={i} p={p} binary={binary} />
            ))}
          </span>
        ))}
      </div>
      <Legend binary={binary} sbo={p.boundaries.size > 0} />
      <p className="preview-stats" data-testid="preview-stats">
        {p.masked.selectedCount} of {p.masked.maskableCount} tokens selected (rate {(p.masked.rate * 100).toFixed(1)}%):{' '}
        {counts.masked} masked, {counts.replaced} replaced, {counts.kept} kept. {shown.note(p.head)}
      </p>
      {p.lexicon && <LexiconNote lexicon={p.lexicon} />}
      {p.table && (
        <p className="field-help" data-testid="corpus-table">
          {p.table.summary}
        </p>
      )}
      {p.rarity && (
        <p className="field-help">
          Before training there are no losses yet: the preview ranks tokens by rarity in the corpus instead.
        </p>
      )}
    </>
  );
}

/** Consecutive tokens of one selected unit (a span, a word, a collocation) are drawn as one group. */
function groupByUnit(
  tokens: PreviewToken[],
  m: MaskedBatch,
): { selected: boolean; tokens: { t: PreviewToken; i: number }[] }[] {
  const out: { selected: boolean; unit: number; tokens: { t: PreviewToken; i: number }[] }[] = [];
  tokens.forEach((t, i) => {
    const selected = m.selected[i] === 1;
    const last = out.at(-1);
    if (last && selected && last.selected && last.unit === t.unit && t.unit >= 0) last.tokens.push({ t, i });
    else out.push({ selected, unit: t.unit, tokens: [{ t, i }] });
  });
  return out;
}

function TokenChip({ t, i, p, binary }: { t: PreviewToken; i: number; p: Preview; binary: boolean }) {
  const special = SPECIAL.has(t.original);
  const label = binary && p.masked.tokenLabels && p.masked.valid[i] && !special ? p.masked.tokenLabels.labels[i] : null;
  const classNames = p.head.classNames ?? ['original', 'replaced'];
  const target = binary ? null : t.target;
  const changed = t.shown !== t.original;
  const title = [
    `original: ${t.original}`,
    changed ? `model sees: ${t.shown}` : null,
    t.tag !== 'untouched' ? t.tag : null,
    target !== null ? `target: ${target}` : null,
    label !== null ? `label: ${label} (${classNames[label] ?? label})` : null,
    p.boundaries.has(i) ? 'span boundary' : null,
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <span
      className={`tok tag-${t.tag}${special ? ' special' : ''}${p.boundaries.has(i) ? ' boundary' : ''}`}
      data-tag={t.tag}
      data-original={t.original}
      title={title}
    >
      <span className="tok-shown">{visible(t.shown)}</span>
      {t.tag !== 'untouched' && <span className="sr-only"> ({t.tag})</span>}
      {changed && <span className="tok-original">{visible(t.original)}</span>}
      {target !== null && target !== t.original && <span className="tok-target">→ {visible(target)}</span>}
      {label !== null && <span className={`tok-label${label ? ' on' : ''}`}>{label ? classNames[1] : '0'}</span>}
    </span>
  );
}

function Legend({ binary, sbo }: { binary: boolean; sbo: boolean }) {
  return (
    <ul className="legend" aria-label="Legend">
      <li>
        <span className="tok tag-masked">masked</span> [MASK] (or hidden position)
      </li>
      <li>
        <span className="tok tag-replaced">replaced</span> another token written in
      </li>
      <li>
        <span className="tok tag-kept">kept</span> chosen but unchanged, still predicted
      </li>
      <li>
        <span className="tok tag-untouched">untouched</span>
      </li>
      <li>
        <span className="tok-original legend-small">small text</span> the original token
      </li>
      {binary && (
        <li>
          <span className="tok-label on">replaced</span> per-token label (0 = original)
        </li>
      )}
      {sbo && (
        <li>
          <span className="tok boundary">boundary</span> span boundary token the SBO head reads
        </li>
      )}
    </ul>
  );
}

function LexiconNote({ lexicon }: { lexicon: PmiLexicon }) {
  const top = lexicon.entries
    .slice()
    .sort((a, b) => b.score - a.score)
    .slice(0, 12);
  if (top.length === 0) {
    return (
      <p className="field-help">
        The PMI lexicon is empty for this text and tokenizer: every word is its own unit. Lower its minimum count.
      </p>
    );
  }
  return (
    <p className="field-help" data-testid="pmi-lexicon">
      {lexicon.entries.length} collocations found in the corpus, e.g. {top.map((e) => `“${e.text}”`).join(', ')}: each
      is masked as one unit.
    </p>
  );
}
