import { lazy, Suspense, useEffect, useState } from "react";

import { session } from "./api/client";
import { dictionary, initialLanguage, keepLanguage, type Language } from "./i18n";
import { Admin, adminSections } from "./pages/Admin";
import { Alarms } from "./pages/Alarms";
import { Building, chartedIn } from "./pages/Building";
import { Buildings } from "./pages/Buildings";
import { Login } from "./pages/Login";

// The energy page is loaded when first opened: the overview stays quick to load.
const Energy = lazy(() => import("./pages/energy/Energy"));
// So are the control schedules: an editor few users open.
const Schedules = lazy(() => import("./pages/control/Schedules"));

type Theme = "light" | "dark";
const THEME_KEY = "citypulse.theme";

function initialTheme(): Theme {
  const kept = localStorage.getItem(THEME_KEY);
  if (kept === "light" || kept === "dark") return kept;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function App() {
  const [signedIn, setSignedIn] = useState(session.signedIn);
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const t = dictionary(language);

  const [route, setRoute] = useState(location.hash);
  const [permissions, setPermissions] = useState<string[]>([]);
  useEffect(() => {
    if (!signedIn) return setPermissions([]);
    session
      .call<{ permissions: string[] }>("/api/v1/auth/me")
      .then((me) => setPermissions(me.permissions))
      .catch(() => setPermissions([]));
  }, [signedIn]);
  useEffect(() => session.onChange(setSignedIn), []);
  useEffect(() => {
    const follow = () => setRoute(location.hash);
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, []);
  useEffect(() => keepLanguage(language), [language]);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(THEME_KEY, theme);
  }, [theme]);

  const controls = (
    <div className="controls">
      <label>
        <span className="visually-hidden">{t.language}</span>
        <select value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
          <option value="de">Deutsch</option>
          <option value="en">English</option>
        </select>
      </label>
      <button type="button" aria-label={t.theme}
              onClick={() => setTheme(theme === "dark" ? "light" : "dark")}>
        {theme === "dark" ? "☀" : "☾"}
      </button>
      {signedIn && <button type="button" onClick={() => session.logout()}>{t.signOut}</button>}
    </div>
  );

  // A building, optionally with points charted over a window
  // (#/buildings/6?points=659,663&from=…&to=…, as the energy page links).
  const match = /^#\/buildings\/(\d+)(?:\?(.*))?$/.exec(route);
  const building = match ? Number(match[1]) : null;
  const adminPath = /^#\/admin(?:\/([\w-]+)(?:\/([\w-]+))?)?$/.exec(route);
  const energyPath = /^#\/energy(?:\/([\w-]+))?$/.exec(route);
  const schedulesPath = /^#\/schedules(?:\/(new|\d+))?$/.exec(route);

  if (!signedIn)
    return (
      <>
        <header>{controls}</header>
        <Login t={t} />
      </>
    );
  return (
    <>
      <header>
        <strong>{t.appName}</strong>
        <nav>
          <a href="#/">{t.buildings}</a>
          {permissions.includes("alarms:read") && <a href="#/alarms">{t.alarms}</a>}
          {permissions.includes("analytics:read") && <a href="#/energy">{t.energy}</a>}
          {permissions.includes("control:read") && <a href="#/schedules">{t.schedules}</a>}
          {adminSections(permissions).length > 0 && <a href="#/admin">{t.administration}</a>}
        </nav>
        {controls}
      </header>
      <main>
        {adminPath ? (
          <Admin t={t} permissions={permissions} path={adminPath[1] ?? ""} sub={adminPath[2]} />
        ) : route === "#/alarms" || route === "#/alarms/history" ? (
          <Alarms t={t} canAck={permissions.includes("alarms:ack")}
                  view={route === "#/alarms" ? "open" : "history"} />
        ) : energyPath ? (
          <Suspense fallback={<p>{t.loading}</p>}>
            <Energy t={t} part={energyPath[1] ?? ""} />
          </Suspense>
        ) : schedulesPath ? (
          <Suspense fallback={<p>{t.loading}</p>}>
            <Schedules t={t} part={schedulesPath[1] ?? ""} canWrite={permissions.includes("control:write")} />
          </Suspense>
        ) : building ? (
          <Building id={building} t={t} charting={chartedIn(match?.[2])}
                    canCommand={permissions.includes("control:write")} />
        ) : (
          <Buildings t={t} canReadAlarms={permissions.includes("alarms:read")}
                     canReadAnalytics={permissions.includes("analytics:read")} />
        )}
      </main>
    </>
  );
}
