// Syntax in attention, for the toy language: which head (or chain of heads in consecutive layers) points each word
// at its gold partner, over the run's evaluations; a table at the scrubbed step whose rows highlight their heads and
// draw their hops over the probe sentence. On other corpora it says why there is nothing to score.
import { lazy, Suspense, useState } from 'react';
import { isToyCorpus } from '../../data/toyLanguage';
import { plateauExitStep } from '../../session/baseline';
import type { AttentionSnapshot, LiveRun } from '../../session/records';
import {
  ONSET_RELATION,
  pathLabel,
  relationDef,
  SYNTAX_MARGIN,
  SYNTAX_RELATIONS,
  syntaxOnsetStep,
  syntaxRows,
  type HeadRef,
  type SyntaxRelationId,
} from '../../session/syntax';
import { ProbeArcs } from './ProbeArcs';

const SyntaxChart = lazy(() => import('./SyntaxChart').then((m) => ({ default: m.SyntaxChart })));

export interface SyntaxSelection {
  hops: HeadRef[];
  relation: SyntaxRelationId;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

export function SyntaxView({
  run,
  snapshot,
  step,
  selection,
  onSelect,
}: {
  run: LiveRun;
  /** The probe's attention at the scrubbed evaluation (or the newest). */
  snapshot?: AttentionSnapshot;
  /** The scrubbed evaluation's step; undefined: the newest. */
  step?: number;
  selection?: SyntaxSelection;
  onSelect(s: SyntaxSelection | undefined): void;
}) {
  const [relation, setRelation] = useState<SyntaxRelationId>(ONSET_RELATION);
  if (!isToyCorpus(run.config.corpus))
    return (
      <p className="muted" data-testid="syntax-unavailable">
        Here the toy language would show which attention heads point each word at its syntactic partner (its subject,
        its noun, its verb). This text has no gold parse in the page, and guessing one would score the heads against a
        guess, so nothing is scored. Train on the toy language, whose grammar gives every sentence its arcs, to see it.
      </p>
    );
  const evals = [...run.evals].filter((e) => e.syntax).sort((a, b) => a.step - b.step);
  if (evals.length === 0)
    return (
      <p className="muted">The heads are scored against the held-out sentences&apos; gold arcs at each evaluation.</p>
    );
  const at = evals.find((e) => e.step === step) ?? evals[evals.length - 1];
  const scores = at.syntax!;
  const base = run.info?.baseline;
  const exit = base
    ? plateauExitStep(
        [...run.evals].sort((a, b) => a.step - b.step),
        base.accuracy,
      )
    : null;
  const onset = syntaxOnsetStep(evals);
  const rows = syntaxRows(scores);
  const isSelected = (hops: HeadRef[], rel: SyntaxRelationId) =>
    selection?.relation === rel && pathLabel(selection.hops) === pathLabel(hops);
  return (
    <div className="syntax-view" data-testid="syntax-view" data-evals={evals.length}>
      <p className="muted">
        For each word, where does a head&apos;s attention go most (leaving out [CLS], [SEP] and the word itself)? A head
        tracks a relation when that token is the word&apos;s gold partner, on {scores.sentences} held-out sentences,
        unmasked (Clark et al. 2019; Chen et al. 2024). A path is a head in one layer and then one in the next: the
        word&apos;s most-attended token in the upper layer, then that token&apos;s in the lower one. Dashed: always
        attending at the same offset (the best one), and for verbs the nearest noun on the left. A head or path counts
        when it beats both by {Math.round(SYNTAX_MARGIN * 100)} points.
      </p>
      <p data-testid="syntax-onset">
        {onset !== null ? (
          <>
            <strong>Syntax onset at step {onset}</strong>: the first evaluation where a head or a path finds the
            verb&apos;s subject past an attractor
            {exit !== null && ` (the model left the frequency plateau at step ${exit})`}.
          </>
        ) : (
          <>No head or path finds the verb&apos;s subject past an attractor yet.</>
        )}
      </p>
      <label>
        Relation{' '}
        <select
          value={relation}
          onChange={(e) => setRelation(e.currentTarget.value as SyntaxRelationId)}
          data-testid="syntax-relation"
        >
          {SYNTAX_RELATIONS.filter((r) => scores.relations.some((x) => x.id === r.id)).map((r) => (
            <option key={r.id} value={r.id}>
              {r.label}
            </option>
          ))}
        </select>
      </label>
      <figure data-testid="syntax-chart">
        <figcaption>
          Share of words whose attention lands on their gold partner: {relationDef(relation).label}
        </figcaption>
        <Suspense fallback={<p className="muted">Loading the chart…</p>}>
          <SyntaxChart
            evals={evals}
            relation={relation}
            totalSteps={run.totalSteps}
            plateauExit={exit}
            onset={onset}
            step={at.step}
          />
        </Suspense>
      </figure>
      <table className="syntax-table" data-testid="syntax-table">
        <caption>
          At step {at.step}: each head, and each path that beats its relation&apos;s best single head, with the relation
          it tracks best. Click a row to highlight its heads and draw their hops.
        </caption>
        <thead>
          <tr>
            <th>layer·head (or path)</th>
            <th>relation</th>
            <th>score</th>
            <th>baseline</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={`${pathLabel(r.hops)} ${r.relation}`}
              className={`${r.syntactic ? 'syntactic' : ''}${isSelected(r.hops, r.relation) ? ' selected' : ''}`}
              onClick={() =>
                onSelect(isSelected(r.hops, r.relation) ? undefined : { hops: r.hops, relation: r.relation })
              }
              data-testid="syntax-row"
            >
              <td>
                <button type="button" className="link">
                  {pathLabel(r.hops)}
                </button>
              </td>
              <td>{relationDef(r.relation).label}</td>
              <td>{pct(r.score)}</td>
              <td className="muted">
                {pct(r.baseline)}
                {r.syntactic ? '' : ' (not above it by the margin)'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {snapshot && <ProbeArcs snapshot={snapshot} kind={run.config.tokenizer.kind} selection={selection} />}
    </div>
  );
}
