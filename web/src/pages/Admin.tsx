import { lazy, Suspense, type ComponentType } from "react";

import { localWords, type Words } from "../i18n";
import { RULE_WORDS } from "./admin/rules.words";

// What an administration section is given: the words and what the signed-in
// user may do (the server checks again on every call).
export interface SectionProps {
  t: Words;
  permissions: string[];
  // What follows the section in the route (#/admin/devices/42 → "42"), if anything.
  sub?: string;
}

interface Section {
  path: string; // #/admin/<path>
  label: (t: Words) => string;
  permission: string; // shown only to those holding it
  page: ComponentType<SectionProps>;
}

// The administration's sections, in the order of its tabs. Each is loaded
// when first opened: most users never administer, and the main bundle
// stays small for them.
const SECTIONS: Section[] = [
  { path: "rules", label: (t) => localWords(t, RULE_WORDS).rules, permission: "alarms:read", page: lazy(() => import("./admin/Rules").then((m) => ({ default: m.Rules }))) },
  { path: "devices", label: (t) => localWords(t, { de: "Geräte", en: "Devices" }), permission: "assets:read", page: lazy(() => import("./admin/Devices").then((m) => ({ default: m.Devices }))) },
  { path: "bacnet", label: (t) => localWords(t, { de: "BACnet-Suche", en: "BACnet discovery" }), permission: "assets:write", page: lazy(() => import("./admin/BacnetDiscovery").then((m) => ({ default: m.BacnetDiscovery }))) },
  { path: "users", label: (t) => t.users, permission: "users:manage", page: lazy(() => import("./admin/Users")) },
  { path: "api-keys", label: (t) => t.apiKeys, permission: "api_keys:manage", page: lazy(() => import("./admin/ApiKeys")) },
  { path: "audit", label: (t) => t.auditLog, permission: "audit:read", page: lazy(() => import("./admin/Audit")) },
];

export function adminSections(permissions: string[]): Section[] {
  return SECTIONS.filter((s) => permissions.includes(s.permission));
}

// The administration: a tab per section the user may see; the route names
// the section (#/admin/users), the first one otherwise, and may name
// something in it (#/admin/devices/42).
export function Admin({ t, permissions, path, sub }: SectionProps & { path: string }) {
  const sections = adminSections(permissions);
  const current = sections.find((s) => s.path === path) ?? sections[0];
  if (!current) return null;
  const Page = current.page;
  return (
    <section className="admin">
      <h1>{t.administration}</h1>
      <nav className="tabs" aria-label={t.administration}>
        {sections.map((s) => (
          <a key={s.path} href={`#/admin/${s.path}`} aria-current={s === current ? "page" : undefined}>
            {s.label(t)}
          </a>
        ))}
      </nav>
      <Suspense fallback={<p>{t.loading}</p>}>
        <Page t={t} permissions={permissions} sub={current.path === path ? sub : undefined} />
      </Suspense>
    </section>
  );
}
