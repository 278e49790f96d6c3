// The server's refusal of an administrative change, shown beside the form
// that caused it. The server's problem+json already says what was wrong in
// words an administrator understands (a taken email, a role the caller may
// not grant), so it is shown as sent rather than replaced by a generic text.
import { ApiError } from "../../api/client";

export function ProblemNote({ id, error }: { id: string; error: unknown }) {
  if (!error) return null;
  if (!(error instanceof ApiError))
    return <div id={id} role="alert" className="error problem">{String(error)}</div>;
  const p = error.problem;
  // The reasons usually repeat the detail; only those adding something are listed.
  const extra = (p.invalid_params ?? []).filter((i) => i.reason !== p.detail);
  return (
    <div id={id} role="alert" className="error problem">
      <strong>{p.title} ({p.status})</strong>
      {p.detail && <p>{p.detail}</p>}
      {extra.length > 0 && (
        <ul>
          {extra.map((i) => <li key={i.name}><code>{i.name}</code>: {i.reason}</li>)}
        </ul>
      )}
    </div>
  );
}
