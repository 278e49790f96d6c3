import { useEffect, useState } from "react";

import { loadCommand, type Command, type PointRecord } from "./controlApi";
import type { CommandWords } from "./commandWords";
import { shownValue } from "./shownValue";

const POLL_MS = 500;
const GIVE_UP_MS = 40_000;

// What became of a command just sent, live: it is stored pending and the
// device's answer (or its silence for 30 s) settles it, so it is asked for
// every half second until it is no longer pending — 40 s at most, by which
// time the server has settled it as timed out anyway.
export function useCommandOutcome(sent: Command | null, onSettled: (c: Command) => void) {
  const [command, setCommand] = useState<Command | null>(sent);
  const [gaveUp, setGaveUp] = useState(false);

  useEffect(() => {
    setCommand(sent);
    setGaveUp(false);
    if (!sent) return;
    if (sent.status !== "pending") {
      onSettled(sent);
      return;
    }
    let live = true;
    let timer: number | undefined;
    const until = Date.now() + GIVE_UP_MS;
    const ask = async () => {
      try {
        const now = await loadCommand(sent.id);
        if (!live) return;
        setCommand(now);
        if (now.status !== "pending") return onSettled(now);
      } catch {
        // A failed poll is asked again: the command is stored either way.
      }
      if (!live) return;
      if (Date.now() >= until) return setGaveUp(true);
      timer = window.setTimeout(ask, POLL_MS);
    };
    timer = window.setTimeout(ask, POLL_MS);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [sent?.id]);

  return { command, gaveUp };
}

// The outcome in words: pending, confirmed with the value the device holds,
// failed or timed out with the reason.
export function CommandOutcome({ w, lang, point, command, gaveUp }: {
  w: CommandWords;
  lang: string;
  point: PointRecord;
  command: Command | null;
  gaveUp: boolean;
}) {
  // The live region is always there, so that a screen reader hears each change.
  return (
    <div className="command-outcome" role="status" aria-live="polite"
         data-command={command?.id} data-status={command?.status}>
      {command && (
        <>
          <p>
            <strong>{w.commandNo(command.id)}:</strong>{" "}
            <span className={`command-status ${command.status}`}>{w.statuses[command.status] ?? command.status}</span>
          </p>
          {command.read_back !== null && (
            <p className="read-back">
              {w.readBack}: <strong>{shownValue(w, lang, point, command.read_back)}</strong>
            </p>
          )}
          {command.error && <p className="error command-error">{command.error}</p>}
          {gaveUp && command.status === "pending" && <p className="muted">{w.stillPending}</p>}
        </>
      )}
    </div>
  );
}
