#include "sim/demo_rules.h"

#include <fmt/format.h>

#include <set>

namespace citypulse::sim {
namespace {

Rule rule(std::string name, std::string type, std::string severity, std::string message,
          std::string action) {
  Rule r;
  r.name = std::move(name);
  r.type = std::move(type);
  r.severity = std::move(severity);
  r.message = std::move(message);
  r.action = std::move(action);
  r.tags = {"demo"};
  return r;
}

std::vector<Rule> town_rules() {
  std::vector<Rule> out;
  {
    auto r = rule("Temperaturfühler eingefroren", "flatline", "minor",
                  "{point} zeigt seit drei Stunden unverändert {value} {unit}",
                  "Fühler, Verkabelung und Regler prüfen");
    r.quantity = "temperature";
    r.tolerance = 0.05;
    r.duration_s = 3 * 3600;
    out.push_back(std::move(r));
  }
  {
    auto r = rule("CO2 zu hoch", "threshold_high", "warning", "{point}: {value} {unit} CO2",
                  "Raum lüften; Lüftungsanlage und Belegung prüfen");
    r.quantity = "co2";
    r.threshold = 1600;
    r.deadband = 200;
    r.on_delay_s = 900;
    out.push_back(std::move(r));
  }
  {
    auto r = rule("Zähler meldet nicht", "stale", "major", "{point} sendet keine Werte mehr",
                  "Zählergateway, Stromversorgung und Verbindung prüfen");
    r.quantity = "energy";
    r.interval_factor = 10;
    out.push_back(std::move(r));
  }
  for (const char* quantity : {"energy", "volume"}) {
    auto r = rule(fmt::format("Zählerstand rückläufig ({})",
                              std::string_view(quantity) == "energy" ? "Energie" : "Volumen"),
                  "rate_of_change", "warning",
                  "{point} ist gefallen: Zählertausch, Überlauf oder Fehler? Jetzt {value} {unit}",
                  "Zählertausch dokumentieren (alter Endstand, neuer Anfangsstand)");
    r.quantity = quantity;
    r.direction = "fall";
    r.max_change = 0.5;
    r.window_s = 3600;
    out.push_back(std::move(r));
  }
  {
    auto r = rule("Wasser läuft nachts", "threshold_high", "major",
                  "{point}: {value} {unit} in der Nacht",
                  "Leitungen, Spülkästen und Zapfstellen "
                  "auf Leckage prüfen");
    r.quantity = "volume_flow";
    r.threshold = 0.25;
    r.deadband = 0.05;
    r.on_delay_s = 3600;
    r.schedule = "Mon-Sun 00:00-05:00";
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Result<DemoRulesMade> seed_demo_rules(MetaStore& store, const TownLayout& town,
                                      const DemoTown& stored) {
  const Scope scope = Scope::tenant(stored.tenant_id);
  auto existing = list_all(store.rules(), scope);
  if (!existing) return std::unexpected(existing.error());
  std::set<std::string> names;
  for (const auto& r : *existing) names.insert(r.name);
  DemoRulesMade made;
  auto add = [&](Rule r) -> Status {
    if (names.contains(r.name)) return {};
    r.tenant_id = stored.tenant_id;
    auto s = store.rules().create(scope, r);
    if (!s) return std::unexpected(s.error());
    names.insert(r.name);
    ++made.rules;
    return {};
  };
  for (auto& r : town_rules())
    if (auto s = add(std::move(r)); !s) return std::unexpected(s.error());

  for (std::size_t b = 0; b < town.buildings.size(); ++b) {
    const BuildingPlan& plan = town.buildings[b];
    // The building's main room: where most people are.
    std::optional<int> main;
    int most = 0;
    const auto& rooms = town.rooms[b];
    for (std::size_t r = 0; r < rooms.size(); ++r)
      if (rooms[r].plan->occupants > most)
        most = rooms[r].plan->occupants, main = static_cast<int>(r);
    std::optional<Id> setpoint, heat;
    std::vector<Id> windows;
    for (std::size_t p = 0; p < town.points.size(); ++p) {
      const SimPoint& pt = town.points[p];
      if (pt.building != static_cast<int>(b)) continue;
      if (pt.signal == Signal::room_setpoint && pt.room == main) setpoint = stored.points[p];
      if (pt.signal == Signal::heat_output) heat = stored.points[p];
      if (pt.signal == Signal::room_window) windows.push_back(stored.points[p]);
    }
    // A fire station is manned day and night: its rooms stay warm.
    if (setpoint && plan.type != "fire_station") {
      auto r =
          rule(fmt::format("Heizung nachts im Komfortbetrieb: {}", plan.name), "threshold_high",
               "warning", "{point} steht nachts auf {value} {unit} (Absenkung erwartet)",
               "Zeitprogramm und Übersteuerungen der Heizung prüfen");
      r.point_id = setpoint;
      r.threshold = setback_setpoint(rooms[static_cast<std::size_t>(*main)].plan->usage) + 1.5;
      r.schedule = "Mon-Sun 01:00-04:00";
      if (auto s = add(std::move(r)); !s) return std::unexpected(s.error());
    }
    if (!windows.empty()) {
      auto r = rule(fmt::format("Fenster offen: {}", plan.name), "expression", "warning",
                    "Ein Fenster steht offen ({point})",
                    "Fenster schließen; in der Heizperiode Heizkörperventil prüfen");
      std::string sum;
      for (Id w : windows) sum += fmt::format("{}p{}", sum.empty() ? "" : " + ", w);
      r.expression = sum + " >= 1";
      if (auto s = add(std::move(r)); !s) return std::unexpected(s.error());
    }
    if (heat) {
      auto r = rule(fmt::format("Ungewöhnliche Heizleistung: {}", plan.name), "anomaly", "minor",
                    "{point} liegt mit {value} {unit} weit über dem Üblichen für diese Stunde",
                    "Heizkörperventile, Zeitprogramme und offene Fenster prüfen");
      r.point_id = heat;
      r.sigmas = 6;
      r.weeks = 4;
      r.min_sigma = 5;
      r.duration_s = 2 * 3600;
      if (auto s = add(std::move(r)); !s) return std::unexpected(s.error());
    }
  }

  auto recipients = list_all(store.recipients(), scope);
  if (!recipients) return std::unexpected(recipients.error());
  std::set<std::string> who;
  for (const auto& r : *recipients) who.insert(r.name);
  auto person = [&](std::string name, std::string channel, std::string address,
                    std::string min_severity) {
    Recipient r;
    r.tenant_id = stored.tenant_id;
    r.name = std::move(name);
    r.channel = std::move(channel);
    r.address = std::move(address);
    r.min_severity = std::move(min_severity);
    r.tags = {"demo"};
    return r;
  };
  std::vector<Recipient> people = {
      person("Hausmeisterdienst", "email", "hausmeister@hechingen.demo", "warning"),
      person("Energiemanagement", "email", "energie@hechingen.demo", "info"),
      person("Rufbereitschaft Technik", "sms", "+4974719400", "critical")};
  people[0].quiet_from = "22:00";
  people[0].quiet_to = "06:00";
  people[2].escalate_after_s = 900;
  for (auto& r : people) {
    if (who.contains(r.name)) continue;
    auto s = store.recipients().create(scope, r);
    if (!s) return std::unexpected(s.error());
    ++made.recipients;
  }
  return made;
}

}  // namespace citypulse::sim
