// Times as the administration pages show them: the server's UTC instants in
// the browser's time zone, in the language chosen in the UI.
import type { Words } from "../../i18n";

export function formatTime(t: Words, iso: string | null | undefined): string {
  if (!iso) return "–";
  return new Date(iso).toLocaleString(t.lang === "de" ? "de-DE" : "en-GB", {
    dateStyle: "short",
    timeStyle: "short",
  });
}
