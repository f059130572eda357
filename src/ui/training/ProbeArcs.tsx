// The probe sentence with its gold arcs above the words (from the toy grammar) and, below, where the chosen head or
// chain of heads actually leads each word at the scrubbed evaluation: green where it lands on the gold word.
import type { TokenizerKind } from '../../data/tokenizer';
import type { AttentionSnapshot } from '../../session/records';
import { probeParse, relationDef, traceProbe, type HeadRef, type SyntaxRelationId } from '../../session/syntax';

const W = 62;
const TEXT_Y = 70;

/** A curve from token a to token b, above (up) or below the words, with an arrowhead at b. */
function arc(a: number, b: number, up: boolean): string {
  const x1 = a * W + W / 2;
  const x2 = b * W + W / 2;
  const y = up ? TEXT_Y - 16 : TEXT_Y + 8;
  const h = Math.min(48, 12 + Math.abs(b - a) * 7) * (up ? -1 : 1);
  return `M ${x1} ${y} C ${x1} ${y + h}, ${x2} ${y + h}, ${x2} ${y}`;
}

export function ProbeArcs({
  snapshot,
  kind,
  selection,
}: {
  snapshot: AttentionSnapshot;
  kind: TokenizerKind;
  selection?: { hops: HeadRef[]; relation: SyntaxRelationId };
}) {
  const parse = probeParse(snapshot.tokens, kind);
  if (!parse)
    return (
      <p className="muted" data-testid="probe-arcs-none">
        The probe sentence is not a sentence of the toy language, so the page has no gold arcs for it. Type one such as
        &quot;the dogs near the cat [MASK] .&quot; in the probe above.
      </p>
    );
  const n = snapshot.tokens.length;
  const def = selection && relationDef(selection.relation);
  // Gold arcs: the selected relation's (drawn from the word attention starts at to its partner), or all of them.
  const gold = def
    ? parse.units[def.id].flatMap((u) => u.to.map((t) => [u.from, t] as const))
    : parse.sentence.arcs.map((a) => [parse.starts[a.dep], parse.starts[a.head]] as const);
  const hops = selection
    ? parse.units[selection.relation].map((u) => ({
        path: traceProbe(snapshot.attention, snapshot.NH, n, selection.hops, u.from),
        to: u.to,
      }))
    : [];
  const right = hops.filter((h) => h.to.includes(h.path[h.path.length - 1])).length;
  return (
    <figure className="probe-arcs" data-testid="probe-arcs" data-gold={gold.length} data-hops={hops.length}>
      <svg
        width={n * W}
        height={TEXT_Y + 60}
        role="img"
        aria-label="Gold arcs and attention hops over the probe sentence"
      >
        <defs>
          {['gold', 'right', 'wrong'].map((id) => (
            <marker
              key={id}
              id={`arrow-${id}`}
              viewBox="0 0 6 6"
              refX="3"
              refY="3"
              markerWidth="6"
              markerHeight="6"
              orient="auto"
            >
              <path d="M0,0 L6,3 L0,6 z" className={`arrow-${id}`} />
            </marker>
          ))}
        </defs>
        {gold.map(([a, b], i) => (
          <path key={`g${i}`} d={arc(a, b, true)} className="gold-arc" markerEnd="url(#arrow-gold)" />
        ))}
        {hops.flatMap(({ path, to }, i) => {
          const ok = to.includes(path[path.length - 1]);
          return path
            .slice(1)
            .map((t, k) => (
              <path
                key={`h${i}-${k}`}
                d={arc(path[k], t, false)}
                className={ok ? 'hop right' : 'hop wrong'}
                markerEnd={`url(#arrow-${ok ? 'right' : 'wrong'})`}
              />
            ));
        })}
        {snapshot.tokens.map((t, i) => (
          <text key={i} x={i * W + W / 2} y={TEXT_Y} textAnchor="middle" className="arc-token">
            {t}
          </text>
        ))}
      </svg>
      <figcaption className="muted">
        {def
          ? `Above: the gold arcs of "${def.label}". Below: where ${selection!.hops.length > 1 ? 'the chain of heads' : 'the head'} leads each word at step ${snapshot.step}, the top layer's head first (${right} of ${hops.length} land on the gold word).`
          : `Above: the sentence's gold arcs (each word to its head in the grammar). Click a row of the table to draw where its heads lead.`}
      </figcaption>
    </figure>
  );
}
