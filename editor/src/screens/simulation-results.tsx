import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { ChangedDecision, SideFigures, Simulation, SimulationResultFigures } from '../api-types.ts';
import { ChartView, SIDE_COLOURS } from '../ui/chart.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { count, dateTime, decimal, money, percent } from '../ui/format.ts';

const OUTCOMES = ['APPROVE', 'REVIEW', 'DECLINE'] as const;
type Sides = { candidate: SideFigures; baseline: SideFigures };

/** The figures side by side: what the charts show, as a table (and what the publish dialog repeats). */
export function FiguresTable({ result }: { result: SimulationResultFigures }) {
  const rows: [string, (s: SideFigures) => string][] = [
    ['Transactions', (s) => count(s.transactions)],
    ...OUTCOMES.map((o): [string, (s: SideFigures) => string] => [`${o[0]}${o.slice(1).toLowerCase()} rate`, (s) => `${percent(s.rates[o])} (${count(s.decisions[o])})`]),
    ['Precision', (s) => percent(s.precision)],
    ['Recall', (s) => percent(s.recall)],
    ['F1', (s) => decimal(s.f1)],
    ['False-positive rate', (s) => percent(s.false_positive_rate, 2)],
    ['Fraud amount caught', (s) => money(s.fraud_amount_caught)],
    ['Fraud amount missed', (s) => money(s.fraud_amount_missed)],
    ['Review workload (cases)', (s) => count(s.review_workload)],
  ];
  return (
    <table class="data figures" data-testid="figures">
      <caption>Candidate against baseline over {count(result.transactions)} transactions; {count(result.changed_decisions)} decisions change.</caption>
      <thead><tr><th scope="col">Figure</th><th scope="col">Candidate</th><th scope="col">Baseline</th></tr></thead>
      <tbody>{rows.map(([label, f]) => <tr key={label}><th scope="row">{label}</th><td>{f(result.candidate)}</td><td>{f(result.baseline)}</td></tr>)}</tbody>
    </table>
  );
}

const sides = (candidate: number[], baseline: number[]) => [
  { label: 'Candidate', data: candidate, backgroundColor: SIDE_COLOURS.candidate, borderColor: SIDE_COLOURS.candidate },
  { label: 'Baseline', data: baseline, backgroundColor: SIDE_COLOURS.baseline, borderColor: SIDE_COLOURS.baseline },
];

function Charts({ candidate, baseline }: Sides) {
  const rules = [...new Set([...Object.keys(candidate.rules), ...Object.keys(baseline.rules)])]
    .sort((a, b) => (candidate.rules[b]?.hits ?? 0) - (candidate.rules[a]?.hits ?? 0)).slice(0, 15);
  const days = [...new Set([...Object.keys(candidate.daily), ...Object.keys(baseline.daily)])].sort();
  const flagged = (s: SideFigures, day: string) => (s.daily[day]?.review ?? 0) + (s.daily[day]?.decline ?? 0);
  return (
    <div class="charts" data-testid="charts">
      <figure>
        <figcaption>Decision mix (transactions, log scale)</figcaption>
        <ChartView testId="chart-mix" summary={`Decision mix. Candidate: ${OUTCOMES.map((o) => `${o} ${percent(candidate.rates[o])}`).join(', ')}. Baseline: ${OUTCOMES.map((o) => `${o} ${percent(baseline.rates[o])}`).join(', ')}.`}
          config={{ type: 'bar', data: { labels: [...OUTCOMES], datasets: sides(OUTCOMES.map((o) => candidate.decisions[o]), OUTCOMES.map((o) => baseline.decisions[o])) },
            // Approvals outnumber the rest a hundredfold: on a log scale review and decline stay readable.
            options: { scales: { y: { type: 'logarithmic', min: 1 } } } }} />
      </figure>
      <figure>
        <figcaption>Precision, recall, F1</figcaption>
        <ChartView testId="chart-quality" summary={`Precision ${percent(candidate.precision)} against ${percent(baseline.precision)}; recall ${percent(candidate.recall)} against ${percent(baseline.recall)}.`}
          config={{ type: 'bar', data: { labels: ['Precision', 'Recall', 'F1'], datasets: sides(
            [candidate.precision ?? 0, candidate.recall ?? 0, candidate.f1 ?? 0], [baseline.precision ?? 0, baseline.recall ?? 0, baseline.f1 ?? 0]) },
          options: { scales: { y: { min: 0, max: 1 } } } }} />
      </figure>
      <figure>
        <figcaption>Fraud amount caught and missed</figcaption>
        <ChartView testId="chart-amount" summary={`Fraud amount caught ${money(candidate.fraud_amount_caught)} against ${money(baseline.fraud_amount_caught)}.`}
          config={{ type: 'bar', data: { labels: ['Candidate', 'Baseline'], datasets: [
            { label: 'Caught', data: [candidate.fraud_amount_caught, baseline.fraud_amount_caught], backgroundColor: '#2e8540' },
            { label: 'Missed', data: [candidate.fraud_amount_missed, baseline.fraud_amount_missed], backgroundColor: '#c62828' }] },
          options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'EUR' } } } } }} />
      </figure>
      <figure>
        <figcaption>Hits per rule</figcaption>
        <ChartView testId="chart-rules" height={Math.max(200, rules.length * 28)} summary={`Hits per rule: ${rules.map((r) => `${r} ${candidate.rules[r]?.hits ?? 0}`).join(', ')}.`}
          config={{ type: 'bar', data: { labels: rules, datasets: sides(rules.map((r) => candidate.rules[r]?.hits ?? 0), rules.map((r) => baseline.rules[r]?.hits ?? 0)) },
            options: { indexAxis: 'y' } }} />
      </figure>
      <figure class="wide">
        <figcaption>Day by day: flagged transactions (review or decline) and frauds caught</figcaption>
        <ChartView testId="chart-daily" height={260} summary={`Daily series over ${days.length} days.`}
          config={{ type: 'line', data: { labels: days, datasets: [
            { label: 'Flagged, candidate', data: days.map((d) => flagged(candidate, d)), borderColor: SIDE_COLOURS.candidate, backgroundColor: SIDE_COLOURS.candidate },
            { label: 'Flagged, baseline', data: days.map((d) => flagged(baseline, d)), borderColor: SIDE_COLOURS.baseline, backgroundColor: SIDE_COLOURS.baseline },
            { label: 'Frauds caught, candidate', data: days.map((d) => candidate.daily[d]?.caught ?? 0), borderColor: '#2e8540', backgroundColor: '#2e8540', borderDash: [4, 3] },
            { label: 'Frauds caught, baseline', data: days.map((d) => baseline.daily[d]?.caught ?? 0), borderColor: '#7fb48a', backgroundColor: '#7fb48a', borderDash: [4, 3] },
          ] } }} />
      </figure>
    </div>
  );
}

function ChangedDecisions({ id }: { id: string }) {
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<ChangedDecision[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api.simulations.changes(id, page).then((r) => { setRows(r.changes); setMore(r.next_page !== undefined ? r.next_page !== null : r.changes.length > 0 && (r.total === undefined || page * r.changes.length < r.total)); }, setError);
  }, [id, page]);
  return (
    <section aria-labelledby="changed-title">
      <h3 id="changed-title">Decisions that change</h3>
      <ErrorText error={error} />
      {rows && (
        <table class="data" data-testid="changed-decisions">
          <thead><tr><th scope="col">Transaction</th><th scope="col">When</th><th scope="col">Amount</th><th scope="col">Fraud?</th><th scope="col">Baseline</th><th scope="col">Candidate</th><th scope="col">Candidate's reasons</th></tr></thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.transaction_id}>
                <td>{c.transaction_id}</td><td>{dateTime(c.occurred_at)}</td><td>{money(c.amount)}</td>
                <td>{c.fraud === null ? 'unknown' : c.fraud ? 'fraud' : 'genuine'}</td>
                <td><span class={`outcome ${c.baseline.decision}`}>{c.baseline.decision}</span></td>
                <td><span class={`outcome ${c.candidate.decision}`}>{c.candidate.decision}</span></td>
                <td>{c.candidate.reasons.join('; ') || '—'}</td>
              </tr>
            ))}
            {rows.length === 0 && <tr><td colSpan={7}>No decision changes on this page.</td></tr>}
          </tbody>
        </table>
      )}
      <div class="pager">
        <button disabled={page === 1} onClick={() => setPage(page - 1)}>Previous page</button>
        <span>Page {page}</span>
        <button disabled={!more} onClick={() => setPage(page + 1)}>Next page</button>
      </div>
    </section>
  );
}

export function SimulationResults({ simulation, result }: { simulation: Simulation; result: SimulationResultFigures }) {
  return (
    <div class="sim-results" data-testid="sim-results">
      <p role="status">Completed {simulation.finished_at ? dateTime(simulation.finished_at) : ''}.</p>
      <Charts candidate={result.candidate} baseline={result.baseline} />
      <FiguresTable result={result} />
      <ChangedDecisions id={simulation.id} />
    </div>
  );
}
