// Times as the administration pages show them: the server's UTC instants in
// the browser's time zone, in the language chosen in the UI.
import type { Words } from "../../i18n";

// `seconds` for the audit log, where the order of things within a minute matters.
export function formatTime(t: Words, iso: string | null | undefined, seconds = false): string {
  if (!iso) return "–";
  return new Date(iso).toLocaleString(t.lang === "de" ? "de-DE" : "en-GB", {
    dateStyle: "short",
    timeStyle: seconds ? "medium" : "short",
  });
}
