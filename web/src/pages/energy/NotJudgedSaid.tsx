// A part's "no figures, and why": the reason in the user's words, the
// server's English sentence beside it as the detail (marked as English so a
// screen reader reads it so on a German page).
import type { Words } from "../../i18n";
import { notJudgedWords, type ModelPart, type NotJudged } from "./notJudged";

interface Props {
  t: Words;
  item: NotJudged;
  medium: string;
  part: ModelPart;
  none: (reason: string) => string; // "No estimate: …"
}

export function NotJudgedSaid({ t, item, medium, part, none }: Props) {
  const { said, detail } = notJudgedWords(t, item, medium, part);
  return (
    <p className="not-judged" data-reason={item.reason}>
      {none(said)}
      {detail && <> <small className="muted detail" lang="en">({detail})</small></>}
    </p>
  );
}
