import { ApiError } from "../../api/client";
import type { BacnetWords } from "./bacnetWords";

// The member a problem+json blames, without the JSON pointer's slash
// ("/target" → "target", "/points/0/channel" → "points").
export function blamed(e: unknown): string | null {
  if (!(e instanceof ApiError)) return null;
  const name = e.problem.invalid_params?.[0]?.name;
  return name ? name.replace(/^\//, "").split("/")[0] : null;
}

// A refusal in the user's words (by the field it names, else by its
// status), with the server's own detail beside it for the specialist.
export function ProblemWords({ id, error, w }: { id?: string; error: unknown; w: BacnetWords }) {
  if (!error) return null;
  if (!(error instanceof ApiError))
    return <div id={id} role="alert" className="error problem">{w.failed}: {String(error)}</div>;
  const field = blamed(error);
  const words = (field && w.fields[field]) || w.statuses[error.problem.status] || error.problem.title;
  return (
    <div id={id} role="alert" className="error problem" data-status={error.problem.status}>
      <strong>{words}</strong>
      <p><small>{w.serverSaid}: {error.problem.detail ?? error.problem.title} ({error.problem.status})</small></p>
    </div>
  );
}
