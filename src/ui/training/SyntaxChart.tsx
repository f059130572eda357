// The syntax chart (recharts, loaded with the other charts): for one relation, the best single head's and the best
// path's score at each evaluation, the two positional baselines dashed, the plateau exit and the scrubbed step marked
// on the same step axis as the loss.
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { headLabel, pathLabel, type SyntaxRelationId, type SyntaxScores } from '../../session/syntax';
import { TICK, valueAxis } from './axes';
import { fmtTick } from './format';

export interface SyntaxChartProps {
  evals: readonly { step: number; syntax?: SyntaxScores }[];
  relation: SyntaxRelationId;
  totalSteps: number;
  plateauExit: number | null;
  onset: number | null;
  /** The evaluation the scrubber is on. */
  step?: number;
}

interface Point {
  step: number;
  head?: number;
  path?: number;
  offset?: number;
  nearest?: number;
  headLabel?: string;
  pathLabel?: string;
  offsetLabel?: string;
}

export function SyntaxChart({ evals, relation, totalSteps, plateauExit, onset, step }: SyntaxChartProps) {
  const data: Point[] = evals.flatMap((e) => {
    const r = e.syntax?.relations.find((x) => x.id === relation);
    if (!r) return [];
    return [
      {
        step: e.step,
        head: r.head.score * 100,
        path: r.path ? r.path.score * 100 : undefined,
        offset: r.offset.score * 100,
        nearest: r.nearestNoun !== undefined ? r.nearestNoun * 100 : undefined,
        headLabel: headLabel(r.head),
        pathLabel: r.path ? pathLabel(r.path.hops) : undefined,
        offsetLabel: `always i ${r.offset.offset < 0 ? '−' : '+'} ${Math.abs(r.offset.offset)}`,
      },
    ];
  });
  const which: Record<string, keyof Point> = {
    'best single head': 'headLabel',
    'best path of heads': 'pathLabel',
    'best fixed offset': 'offsetLabel',
  };
  return (
    <ResponsiveContainer width="100%" height={200}>
      <LineChart data={data} margin={{ top: 4, right: 16, bottom: 4, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e6e8" />
        <XAxis
          dataKey="step"
          type="number"
          domain={[0, totalSteps]}
          tickCount={6}
          tick={TICK}
          tickFormatter={fmtTick}
        />
        <YAxis unit="%" domain={[0, 100]} tick={TICK} {...valueAxis([0, 100], { unit: '%' })} />
        <Tooltip
          formatter={(v, name, item) => {
            const key = which[String(name)];
            const label = key ? (item.payload as Point)[key] : undefined;
            return typeof v === 'number' ? `${v.toFixed(1)}%${label ? ` (${label})` : ''}` : String(v);
          }}
        />
        <Legend />
        {plateauExit !== null && (
          <ReferenceLine
            x={plateauExit}
            stroke="#009e73"
            strokeDasharray="2 2"
            label={{ value: `left the plateau (step ${plateauExit})`, position: 'insideTopLeft', fontSize: 11 }}
          />
        )}
        {onset !== null && (
          <ReferenceLine
            x={onset}
            stroke="#cc79a7"
            strokeDasharray="2 2"
            label={{ value: `syntax onset (step ${onset})`, position: 'insideBottomRight', fontSize: 11 }}
          />
        )}
        {step !== undefined && <ReferenceLine x={step} stroke="#1d2329" strokeOpacity={0.35} />}
        <Line name="best single head" dataKey="head" stroke="#0072b2" strokeWidth={2} isAnimationActive={false} />
        <Line
          name="best path of heads"
          dataKey="path"
          stroke="#d55e00"
          strokeWidth={2}
          isAnimationActive={false}
          connectNulls
        />
        <Line
          name="best fixed offset"
          dataKey="offset"
          stroke="#666"
          strokeDasharray="6 3"
          dot={false}
          isAnimationActive={false}
        />
        {data.some((p) => p.nearest !== undefined) && (
          <Line
            name="nearest noun on the left"
            dataKey="nearest"
            stroke="#e69f00"
            strokeDasharray="6 3"
            dot={false}
            isAnimationActive={false}
          />
        )}
      </LineChart>
    </ResponsiveContainer>
  );
}
