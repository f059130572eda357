// Corpus: the shipped corpora (title, size, source) or the user's own texts (pasted or dropped .txt files),
// checked with the data layer's messages, kept in IndexedDB and listed for reuse or deletion.
import { useEffect, useId, useState, type ClipboardEvent, type DragEvent } from 'react';
import { CORPORA } from '../../data/corpora';
import {
  isToyCorpus,
  parseToyCorpus,
  TOY_CORPUS,
  TOY_MAX_SENTENCES,
  TOY_RULES,
  TOY_TITLE,
  TOY_WORDS,
  toyCorpusId,
} from '../../data/toyLanguage';
import type { StoredTextMeta } from '../../data/textStore';
import { checkCorpusText, checkTextFile, checkTextSize, checkTextString } from '../../data/validate';
import { CUSTOM_PREFIX, usePreparedCorpus, useSavedTexts } from '../../store/data';
import { useExperimentStore } from '../../store/experiment';
import { modelShape } from '../../session/config';
import { Choice, formatBytes, Panel } from './controls';

export function CorpusPanel() {
  const corpus = useExperimentStore((s) => s.config.corpus);
  const setCorpus = useExperimentStore((s) => s.setCorpus);
  const saved = useSavedTexts((s) => s.list);
  const storeError = useSavedTexts((s) => s.error);
  const refresh = useSavedTexts((s) => s.refresh);
  const removeText = useSavedTexts((s) => s.remove);
  const group = useId();

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const remove = async (meta: StoredTextMeta) => {
    if (!window.confirm(`Delete "${meta.name}" from this browser?`)) return;
    await removeText(meta.id);
    if (corpus === `${CUSTOM_PREFIX}${meta.id}`) setCorpus('fairy-tales');
  };

  const current = CORPORA.find((c) => c.id === corpus);
  const currentSaved = saved.find((m) => `${CUSTOM_PREFIX}${m.id}` === corpus);
  const summary =
    current?.title ??
    currentSaved?.name ??
    (isToyCorpus(corpus) ? TOY_TITLE : corpus.startsWith(CUSTOM_PREFIX) ? 'your text' : corpus);

  return (
    <Panel title="Corpus" testId="corpus-panel" summary={summary}>
      <fieldset className="choices">
        <legend>Text to train on</legend>
        {CORPORA.map((c) => (
          <Choice
            key={c.id}
            name={group}
            title={c.title}
            checked={corpus === c.id}
            onChange={() => setCorpus(c.id)}
            data={{ 'data-corpus': c.id }}
            extra={
              <span className="muted">
                {' '}
                {formatBytes(c.bytes)}, {c.lines.toLocaleString('en-US')} lines
              </span>
            }
            note={c.source}
          />
        ))}
        <Choice
          name={group}
          title={TOY_TITLE}
          checked={isToyCorpus(corpus)}
          onChange={() => setCorpus(TOY_CORPUS)}
          data={{ 'data-corpus': TOY_CORPUS }}
          extra={<span className="muted"> generated in the page, {TOY_WORDS.length} words</span>}
          note="An English-like language with subject-verb agreement, made for watching a model learn: see its rules below."
        />
        {saved.map((m) => {
          const id = `${CUSTOM_PREFIX}${m.id}`;
          return (
            <div key={m.id} className="saved-text" data-saved-text={m.name}>
              <Choice
                name={group}
                title={m.name}
                checked={corpus === id}
                onChange={() => setCorpus(id)}
                note={`your text, ${formatBytes(m.bytes)}, saved ${new Date(m.savedAt).toLocaleDateString()}`}
              />
              <button
                type="button"
                className="small secondary"
                onClick={() => void remove(m)}
                aria-label={`Delete ${m.name}`}
              >
                Delete
              </button>
            </div>
          );
        })}
      </fieldset>
      {isToyCorpus(corpus) && <ToyOptions corpus={corpus} onChange={setCorpus} />}
      <PrepError />
      {storeError && (
        <p className="field-error" role="alert">
          {storeError}
        </p>
      )}
      <AddText onSaved={(meta) => setCorpus(`${CUSTOM_PREFIX}${meta.id}`)} />
      <TokenBudget />
    </Panel>
  );
}

/** The toy language's size and seed, and its rules in plain language. */
function ToyOptions({ corpus, onChange }: { corpus: string; onChange(id: string): void }) {
  const { sentences, seed } = parseToyCorpus(corpus);
  const [draft, setDraft] = useState<string>();
  const [error, setError] = useState<string>();
  const ids = { n: useId(), seed: useId() };
  const setSentences = (raw: string) => {
    setDraft(raw);
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 100 || n > TOY_MAX_SENTENCES) {
      setError(
        `The number of sentences must be a whole number from 100 to ${TOY_MAX_SENTENCES.toLocaleString('en-US')}.`,
      );
      return;
    }
    setError(undefined);
    setDraft(undefined);
    onChange(toyCorpusId(n, seed));
  };
  return (
    <div className="toy-options" data-testid="toy-options">
      <label htmlFor={ids.n}>Sentences</label>{' '}
      <input
        id={ids.n}
        type="number"
        min={100}
        max={TOY_MAX_SENTENCES}
        step={1000}
        value={draft ?? sentences}
        onChange={(e) => setSentences(e.currentTarget.value)}
        data-testid="toy-sentences"
      />{' '}
      <label htmlFor={ids.seed}>Seed</label>{' '}
      <input
        id={ids.seed}
        type="number"
        min={0}
        step={1}
        value={seed}
        onChange={(e) => {
          const v = Number(e.currentTarget.value);
          if (Number.isInteger(v) && v >= 0) onChange(toyCorpusId(sentences, v));
        }}
        data-testid="toy-seed"
      />
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <details className="toy-rules">
        <summary>The rules of the toy language</summary>
        <ul>
          {TOY_RULES.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
        <p className="field-help">
          400 held-out minimal pairs (200 without and 200 with an attractor) never appear in the training text. The
          model scores a pair by masking the verb and comparing the two forms&apos; probabilities (the method of Linzen
          et al. 2016 and Goldberg 2019); chance is 50%.
        </p>
      </details>
    </div>
  );
}

/** Why the chosen text could not be loaded or tokenized (a saved text missing in this browser, a network error). */
function PrepError() {
  const status = usePreparedCorpus();
  if (status.state !== 'error') return null;
  return (
    <p className="field-error" role="alert">
      {status.message}
    </p>
  );
}

/** Warns when the chosen text is too short for one batch of sequences of the model's length. */
function TokenBudget() {
  const status = usePreparedCorpus();
  const config = useExperimentStore((s) => s.config);
  if (status.state !== 'ready') return null;
  const T = modelShape(config, status.data.vocab.size).T;
  const B = config.train.B;
  const tokens = status.data.trainEncoding.ids.length;
  const needed = (B + 1) * Math.max(1, T - 2);
  return (
    <p
      className={tokens < needed ? 'field-error' : 'field-help'}
      data-testid="token-budget"
      role={tokens < needed ? 'alert' : undefined}
    >
      {tokens < needed
        ? `The training part of this text gives ${tokens.toLocaleString('en-US')} tokens, but a batch of ${B} sequences of ${T} needs at least ${needed.toLocaleString('en-US')}. Add more text, or lower the batch size or sequence length.`
        : `Training part: ${tokens.toLocaleString('en-US')} tokens, about ${Math.floor(tokens / Math.max(1, T - 2)).toLocaleString('en-US')} sequences of ${T}.`}
    </p>
  );
}

/** The corpus that is chosen now (read when a message is shown, so the message can go when another is chosen). */
const chosenCorpus = (): string => useExperimentStore.getState().config.corpus;

function AddText({ onSaved }: { onSaved(meta: StoredTextMeta): void }) {
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  // Messages belong to the corpus chosen when they were shown: choosing another corpus clears them.
  const [shown, setShown] = useState<{ corpus: string; messages: string[] }>({ corpus: '', messages: [] });
  const corpus = useExperimentStore((s) => s.config.corpus);
  const messages = shown.corpus === corpus ? shown.messages : [];
  const setMessages = (list: string[]) => setShown({ corpus: chosenCorpus(), messages: list });
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const ids = { name: useId(), text: useId(), file: useId() };

  const saveText = useSavedTexts((s) => s.save);
  const save = async (label: string, body: string) => onSaved(await saveText(label, body));

  const savePasted = async () => {
    const check = checkCorpusText(checkTextString(text, 'The pasted text'), 'The pasted text');
    if (!check.ok) {
      setMessages([check.message]);
      return;
    }
    setBusy(true);
    try {
      await save(name || firstWords(check.text), check.text);
      setMessages([]);
      setText('');
      setName('');
    } catch (e) {
      setMessages([e instanceof Error ? e.message : String(e)]);
    } finally {
      setBusy(false);
    }
  };

  /** A paste is measured before it reaches the text box: one over the limit never enters it. */
  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const pasted = e.clipboardData.getData('text/plain');
    const el = e.currentTarget;
    const kept = el.value.length - (el.selectionEnd - el.selectionStart);
    const size = checkTextSize(kept > 0 ? `${pasted}${el.value.slice(0, kept)}` : pasted, 'The pasted text');
    if (size.ok) return;
    e.preventDefault();
    setMessages([size.message]);
  };

  const addFiles = async (files: FileList | File[]) => {
    setBusy(true);
    const out: string[] = [];
    for (const f of Array.from(files)) {
      try {
        const check = checkCorpusText(await checkTextFile(f), `"${f.name}"`);
        if (!check.ok) out.push(check.message);
        else await save(f.name.replace(/\.txt$/i, ''), check.text);
      } catch (e) {
        out.push(`"${f.name}": ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    setMessages(out);
    setBusy(false);
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (e.dataTransfer.files.length) void addFiles(e.dataTransfer.files);
  };

  return (
    <details className="add-text" data-testid="add-text">
      <summary>Use your own text</summary>
      <div className="field">
        <label htmlFor={ids.text}>Paste text</label>
        <textarea
          id={ids.text}
          rows={5}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onPaste={onPaste}
          data-testid="paste-text"
          placeholder="Paste a few pages of plain text…"
        />
      </div>
      <div className="field">
        <label htmlFor={ids.name}>Name (optional)</label>
        <input id={ids.name} type="text" value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <button type="button" onClick={() => void savePasted()} disabled={busy}>
        Save text
      </button>
      <div
        className={`drop-zone${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <label htmlFor={ids.file}>Or drop .txt files here, or choose them:</label>{' '}
        <input
          id={ids.file}
          type="file"
          accept=".txt,text/plain"
          multiple
          data-testid="text-files"
          onChange={(e) => {
            if (e.target.files?.length) void addFiles(e.target.files);
            e.target.value = '';
          }}
        />
        <p className="field-help">Plain UTF-8 text, up to 50 MB. Texts are kept in this browser only.</p>
      </div>
      {messages.length > 0 && (
        <ul className="field-error" role="alert" data-testid="text-error">
          {messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
    </details>
  );
}

function firstWords(text: string): string {
  const words = text.trim().split(/\s+/).slice(0, 5).join(' ');
  return words.length > 40 ? `${words.slice(0, 40)}…` : words;
}
