// The savings with their uncertainty, and how well the baseline model fits
// its own period, judged against ASHRAE Guideline 14 in plain words: a
// saving is only as good as the model that predicts the baseline.
import { localWords, type Words } from "../../../i18n";
import { formatEnergy, formatEnergyLike } from "../figures";
import { localeOf } from "../plot";
import { guideline14, type SavingsItem } from "./savings";
import { SAVINGS_WORDS } from "./words";

function percent(t: Words, fraction: number, digits = 1): string {
  const v = (fraction * 100).toLocaleString(localeOf(t.lang), { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${v.replace("-", "−")} %`;
}

export function SavingsFigures({ t, item, confidence, subject }: { t: Words; item: Required<SavingsItem>; confidence: number; subject: string }) {
  const w = localWords(t, SAVINGS_WORDS);
  // Savings are of energy media only: kWh, MWh.
  const energy = (v: number) => formatEnergy(t, v).replace("-", "−");
  const uncertainty = formatEnergyLike(t, item.avoided_uncertainty, item.avoided);
  const level = `${Math.round(confidence * 100)} %`;
  const fit = item.baseline_fit;
  const judged = guideline14(fit);
  const why = [
    !judged.cvrmse && w.cvrmseAbove(percent(t, fit.cvrmse)),
    !judged.nmbe && w.nmbeAbove(percent(t, fit.nmbe)),
  ].filter(Boolean).join(w.and);
  // The sentence says saved or more used, so its figures go without sign.
  const amount = `${energy(Math.abs(item.avoided))} ± ${uncertainty}`;
  const fraction = `${percent(t, Math.abs(item.fractional_savings))} ± ${percent(t, item.fractional_savings_uncertainty)}`;
  return (
    <>
      <p className="savings-said">
        {(item.avoided < 0 ? w.moreUsed : w.saved)(amount, fraction, level)}{" "}
        {Math.abs(item.avoided) <= item.avoided_uncertainty && w.withinUncertainty(level)}
      </p>
      <div className="figure-tables">
        <div className="scroll" role="region" aria-label={`${w.figures}: ${subject}`} tabIndex={0}>
          <table className="savings-figures">
            <caption>{w.figures} ({level})</caption>
            <tbody>
              <tr data-figure="adjusted_baseline"><th scope="row">{w.adjustedBaseline}</th><td className="number">{energy(item.adjusted_baseline)}</td></tr>
              <tr data-figure="actual"><th scope="row">{w.actual}</th><td className="number">{energy(item.actual)}</td></tr>
              <tr data-figure="avoided">
                <th scope="row">{w.avoided}</th>
                <td className="number"><span data-value>{energy(item.avoided)}</span> <span data-uncertainty>± {uncertainty}</span></td>
              </tr>
              <tr data-figure="fraction">
                <th scope="row">{w.fraction}</th>
                <td className="number"><span data-value>{percent(t, item.fractional_savings)}</span> <span data-uncertainty>± {percent(t, item.fractional_savings_uncertainty)}</span></td>
              </tr>
              <tr data-figure="hours"><th scope="row">{w.hours}</th><td className="number">{item.reporting_hours.toLocaleString(localeOf(t.lang))} h</td></tr>
            </tbody>
          </table>
        </div>
        <div className="scroll" role="region" aria-label={`${w.fit}: ${subject}`} tabIndex={0}>
          <table className="fit-figures">
            <caption>{w.fit}</caption>
            <tbody>
              <tr data-figure="cvrmse"><th scope="row">{w.cvrmse}</th><td className="number">{percent(t, fit.cvrmse)}</td></tr>
              <tr data-figure="nmbe"><th scope="row">{w.nmbe}</th><td className="number">{percent(t, fit.nmbe, 2)}</td></tr>
              <tr data-figure="r2"><th scope="row">{w.r2}</th><td className="number">{fit.r2.toLocaleString(localeOf(t.lang), { minimumFractionDigits: 2, maximumFractionDigits: 2 })}</td></tr>
              <tr data-figure="hours"><th scope="row">{w.hours}</th><td className="number">{fit.hours.toLocaleString(localeOf(t.lang))} h</td></tr>
              <tr data-figure="parameters"><th scope="row">{w.parameters}</th><td className="number">{fit.parameters}</td></tr>
            </tbody>
          </table>
        </div>
      </div>
      <p className={`verdict ${why ? "fails" : "meets"}`} data-verdict={why ? "fails" : "meets"}>
        {why ? w.fails(why) : w.meets}
      </p>
    </>
  );
}
