// The server judges what a form sends; its 4xx problem+json names the member
// at fault by a JSON pointer (RFC 7807 invalid_params, "/value",
// "/schedule/days/mon/0/end"). A form's inputs carry the pointers of what
// they send, so the refusal is shown on that very input, with the server's
// reason, and the input points to it (aria-invalid, aria-describedby).
import type { ReactNode } from "react";

import { ApiError } from "../../api/client";

export interface Refusal {
  // The pointer refused, null when the problem names no member.
  pointer: string | null;
  // The input at `path`, followed by the reason when it is the one refused.
  field: (path: string, input: ReactNode) => ReactNode;
  // The attributes an input at `path` takes; `also` are the ids of its own
  // hints, which it names whether refused or not.
  invalid: (path: string, ...also: string[]) => Record<string, unknown>;
  // The reason alone, for a row or a group the pointer names as a whole.
  note: (path: string) => ReactNode;
}

// `id` names the reason's element; `problemId` the form's general alert,
// which says the rest (status, detail) and is named too.
export function refusalOf(error: unknown, id: string, problemId: string, label: string): Refusal {
  const problem = error instanceof ApiError ? error.problem : null;
  const refused = problem && problem.status >= 400 && problem.status < 500 ? problem.invalid_params?.[0] : undefined;
  const pointer = refused?.name ?? null;
  const reason = (path: string) => (
    <span id={id} className="error field-problem" data-field-problem={path}>
      {label}: {refused?.reason}
    </span>
  );
  return {
    pointer,
    field: (path, input) => (pointer === path ? <>{input}{reason(path)}</> : input),
    invalid: (path, ...also) =>
      pointer === path
        ? { "aria-invalid": true as const, "aria-describedby": [...also, id, problemId].join(" ") }
        : also.length > 0 ? { "aria-describedby": also.join(" ") } : {},
    note: (path) => (pointer === path ? reason(path) : null),
  };
}

// A problem in the user's words by its status, the server's own detail
// beside it: shown above a form's actions, as an alert.
export function ProblemAlert({ id, error, statuses, serverSaid, failed }: {
  id: string;
  error: unknown;
  statuses: Record<number, string>;
  serverSaid: string;
  failed: string;
}) {
  if (!error) return null;
  if (!(error instanceof ApiError))
    return <div id={id} role="alert" className="error problem">{failed}: {String(error)}</div>;
  const p = error.problem;
  const at = p.invalid_params?.[0]?.name;
  return (
    <div id={id} role="alert" className="error problem" data-status={p.status}>
      <strong>{statuses[p.status] ?? p.title}</strong>
      <p>
        <small>
          {serverSaid}: {p.detail ?? p.title} ({p.status}{at ? <>, <code>{at}</code></> : null})
        </small>
      </p>
    </div>
  );
}
