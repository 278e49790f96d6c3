// What every part of the schedule editor shares: its words, the server's
// refusal (shown on the input whose JSON pointer it names) and whether the
// user may change anything.
import type { ReactNode } from "react";

import type { Refusal } from "./refusal";
import type { ScheduleWords } from "./scheduleWords";

export interface EditorKit {
  w: ScheduleWords;
  refusal: Refusal;
}

// The attributes of an input that sends the member at `path`: the pointer
// itself (for tests and for finding the field again) and, when refused,
// aria-invalid with the reason named.
export function at(kit: EditorKit, path: string, ...hints: string[]): Record<string, unknown> {
  return { "data-path": path, ...kit.refusal.invalid(path, ...hints) };
}

// The input at `path` with the server's reason after it when refused.
export function field(kit: EditorKit, path: string, input: ReactNode): ReactNode {
  return kit.refusal.field(path, input);
}
