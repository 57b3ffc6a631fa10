import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { RulesetListItem } from '../api-types.ts';
import { href, navigate } from '../router.ts';
import { useSession } from '../session.ts';
import { ErrorText } from '../ui/error-text.tsx';
import { dateTime } from '../ui/format.ts';

/** As the API checks ruleset names (a pattern attribute is anchored and read in the `v` mode, hence the escape). */
const NAME_PATTERN = '[a-z0-9][a-z0-9_\\-]{0,62}';

/** Every ruleset with its draft and versions; authors create new ones here. */
export function RulesetsScreen() {
  const session = useSession();
  const [rulesets, setRulesets] = useState<RulesetListItem[] | null>(null);
  const [champion, setChampion] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [createError, setCreateError] = useState<unknown>(null);

  useEffect(() => {
    api.rulesets.list().then((r) => setRulesets(r.rulesets), setError);
    api.deployments.current().then((d) => setChampion(d.spec.champion.rulesetVersion), () => undefined);
  }, []);

  const create = async (e: Event) => {
    e.preventDefault();
    setCreateError(null);
    try {
      await api.rulesets.create(name.trim());
      navigate({ screen: 'ruleset', name: name.trim(), tab: 'edit' });
    } catch (err) {
      setCreateError(err);
    }
  };

  return (
    <section aria-labelledby="rulesets-title">
      <h1 id="rulesets-title">Rulesets</h1>
      <ErrorText error={error} />
      {rulesets === null && !error && <p role="status">Loading rulesets…</p>}
      {rulesets && (
        <table class="data">
          <caption class="sr-only">Rulesets, their drafts and versions</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Versions</th><th scope="col">Latest published</th><th scope="col">Draft</th><th scope="col">Last edited</th></tr></thead>
          <tbody>
            {rulesets.map((r) => (
              <tr key={r.name}>
                <th scope="row"><a href={href({ screen: 'ruleset', name: r.name, tab: 'edit' })}>{r.name}</a>
                  {champion?.startsWith(`${r.name}@`) && <span class="badge live" title="The champion runs a version of this ruleset"> live: {champion}</span>}</th>
                <td>{r.versions}</td>
                <td>{r.latest_published === null ? '—' : `${r.name}@${r.latest_published}`}</td>
                <td>revision {r.draft_revision}</td>
                <td>{dateTime(r.updated_at)} by {r.updated_by}</td>
              </tr>
            ))}
            {rulesets.length === 0 && <tr><td colSpan={5}>No ruleset yet.</td></tr>}
          </tbody>
        </table>
      )}
      {session.can('rules:write') && (
        <form class="inline-form" onSubmit={create} aria-labelledby="new-ruleset">
          <h2 id="new-ruleset">New ruleset</h2>
          <label for="ruleset-name">Name</label>
          <input id="ruleset-name" value={name} required pattern={NAME_PATTERN} aria-describedby="ruleset-name-help"
            onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          <small id="ruleset-name-help">Lower-case letters, digits, - and _; it names every version (name@1, name@2…).</small>
          <button type="submit">Create ruleset</button>
          <ErrorText error={createError} />
        </form>
      )}
    </section>
  );
}
