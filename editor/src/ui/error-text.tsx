import { describeError } from '../api.ts';

/** An API error in words, announced to screen readers; never swallowed. */
export function ErrorText({ error, id }: { error: unknown; id?: string }) {
  if (error === null || error === undefined) return null;
  const { title, details } = describeError(error);
  return (
    <div class="error" role="alert" id={id}>
      <strong>{title}</strong>
      {details.length > 0 && <ul>{details.map((d) => <li key={d}>{d}</li>)}</ul>}
    </div>
  );
}
