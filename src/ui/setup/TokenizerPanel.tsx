// Tokenizer: kind and vocabulary size, and the state of the tokenizer being trained in the worker on the corpus.
import type { TokenizerKind } from '../../data/tokenizer';
import { DEFAULT_VOCAB_SIZE } from '../../data/train';
import { usePreparedCorpus, type DataStatus } from '../../store/data';
import { useExperimentStore } from '../../store/experiment';
import { VOCAB_RULE } from '../../session/settingRules';
import { NumberField, Panel, SelectField } from './controls';

const KINDS: readonly { value: TokenizerKind; label: string; note: string }[] = [
  {
    value: 'wordpiece',
    label: 'WordPiece (subwords, as BERT)',
    note: 'Frequent words stay whole, rare ones split into pieces marked "##".',
  },
  {
    value: 'word',
    label: 'Words',
    note: 'One token per word or punctuation mark; words outside the vocabulary become [UNK].',
  },
  { value: 'char', label: 'Characters', note: 'One token per character: a tiny vocabulary, long sequences.' },
];

export function TokenizerPanel() {
  const spec = useExperimentStore((s) => s.config.tokenizer);
  const setTokenizer = useExperimentStore((s) => s.setTokenizer);
  const status = usePreparedCorpus();
  const kind = KINDS.find((k) => k.value === spec.kind) ?? KINDS[0];
  const isChar = spec.kind === 'char';
  return (
    <Panel
      title="Tokenizer"
      testId="tokenizer-panel"
      summary={`${spec.kind}${spec.vocabSize ? `, ${spec.vocabSize}` : ''}`}
    >
      <SelectField
        label="Kind"
        value={spec.kind}
        options={KINDS}
        testId="tokenizer-kind"
        help={kind.note}
        onChange={(k) =>
          setTokenizer({ kind: k, vocabSize: k === 'char' ? undefined : (spec.vocabSize ?? DEFAULT_VOCAB_SIZE[k]) })
        }
      />
      <NumberField
        label={isChar ? 'Largest vocabulary (optional)' : 'Vocabulary size'}
        value={spec.vocabSize}
        optional={isChar}
        rule={VOCAB_RULE}
        testId="vocab-size"
        help={
          isChar
            ? 'Leave empty to keep every character of the text.'
            : 'Including the 5 special tokens [PAD] [UNK] [CLS] [SEP] [MASK].'
        }
        onChange={(v) => setTokenizer({ ...spec, vocabSize: v })}
      />
      <TokenizerStatus status={status} />
    </Panel>
  );
}

/** What the tokenizer worker is doing: loading the text, training (with progress), or done. */
export function TokenizerStatus({ status }: { status: DataStatus }) {
  switch (status.state) {
    case 'idle':
      return null;
    case 'loading': {
      const what =
        status.phase === 'text'
          ? 'Loading the text…'
          : status.phase === 'encode'
            ? 'Tokenizing the text…'
            : (status.progress?.message ?? 'Training the tokenizer…');
      const value =
        status.phase === 'tokenizer' && status.progress
          ? phaseFraction(status.progress.phase, status.progress.fraction)
          : undefined;
      return (
        <div className="tok-status" data-testid="tokenizer-status" data-state="loading" aria-live="polite">
          <progress max={1} value={value} aria-label="Tokenizer training progress" />
          <span>{what}</span>
        </div>
      );
    }
    case 'error':
      return (
        <p className="field-error" role="alert" data-testid="tokenizer-status" data-state="error">
          {status.message}
        </p>
      );
    case 'ready': {
      const d = status.data;
      return (
        <p className="tok-status field-help" data-testid="tokenizer-status" data-state="ready">
          Trained on the training part of {d.name} ({(d.trainText.length / 1e3).toFixed(0)}k characters) in{' '}
          {(d.trainMs / 1000).toFixed(1)} s: {d.vocab.size.toLocaleString('en-US')} tokens,{' '}
          {d.trainEncoding.ids.length.toLocaleString('en-US')} in the text.
        </p>
      );
    }
  }
}

/** Overall progress over the trainer's phases (counting, alphabet, merges). */
function phaseFraction(phase: string, fraction: number): number {
  const start: Record<string, number> = { count: 0, alphabet: 0.3, merge: 0.35, done: 1 };
  const width: Record<string, number> = { count: 0.3, alphabet: 0.05, merge: 0.65, done: 0 };
  return Math.min(1, (start[phase] ?? 0) + (width[phase] ?? 0) * Math.min(1, Math.max(0, fraction)));
}
