/** What a dry run of proposed rules found on the last stored decisions. */
import type { DryRun } from '../types.ts';

export function DryRunResult({ result }: { result: DryRun }) {
  return (
    <section className="panel" aria-labelledby="dry-run-title" data-testid="dry-run">
      <h2 id="dry-run-title">Dry run of {result.version}</h2>
      <p>
        On the last {result.evaluated.toLocaleString()} decisions
        {result.skipped > 0 && ` (${result.skipped} older ones without stored features left out)`}: rules fire
        on <strong>{result.fired.toLocaleString()}</strong>, of which {result.fired_confirmed_fraud} confirmed
        fraud (of {result.confirmed_fraud}) and {result.fired_legitimate} legitimate (of {result.legitimate}).{' '}
        <strong>{result.changed.toLocaleString()}</strong> outcome(s) would change.
      </p>
      <table className="compact">
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Would fire</th>
            <th scope="col">Confirmed fraud</th>
            <th scope="col">Legitimate</th>
          </tr>
        </thead>
        <tbody>
          {result.rules.map((r) => (
            <tr key={r.rule}>
              <td>{r.rule}</td>
              <td>{r.fired}</td>
              <td>{r.confirmed_fraud}</td>
              <td>{r.legitimate}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
