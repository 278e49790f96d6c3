#include "sim/demo_energy.h"

#include <fmt/format.h>

#include <map>
#include <optional>

#include "store/energy_store.h"

namespace citypulse::sim {
namespace {

// The medium a register is a meter of, in a building heated by `heat`: a
// heat meter counts purchased energy only for district heating; behind a
// boiler, a CHP or a heat pump it measures heat made from the gas or the
// electricity already counted, and stays an ordinary point.
std::string_view medium_of(Signal signal, HeatSource heat) {
  switch (signal) {
    case Signal::electricity_energy:
      return "electricity";
    case Signal::heat_energy:
      return heat == HeatSource::district_heating ? "heat" : "";
    case Signal::gas_volume:
      return "gas";
    case Signal::water_volume:
      return "water";
    default:
      return {};
  }
}

constexpr std::string_view kElectricity = R"({"valid_from":"2020-01-01","currency":"EUR",
 "kind":"time_of_use","holidays_as_sunday":true,"fixed_per_month":15,
 "demand":{"price_per_kw":11,"interval_minutes":15},
 "windows":[
  {"name":"Hochtarif","weekdays":["mon","tue","wed","thu","fri"],"start":"06:00","end":"22:00","price_per_kwh":0.34},
  {"name":"Niedertarif früh","weekdays":["mon","tue","wed","thu","fri"],"start":"00:00","end":"06:00","price_per_kwh":0.24},
  {"name":"Niedertarif spät","weekdays":["mon","tue","wed","thu","fri"],"start":"22:00","end":"24:00","price_per_kwh":0.24},
  {"name":"Wochenende","weekdays":["sat","sun"],"start":"00:00","end":"24:00","price_per_kwh":0.24}]})";

std::string building_document(HeatSource heat, std::optional<Id> outdoor) {
  std::string tariffs = fmt::format(R"("electricity":[{}])", kElectricity);
  std::string carbon;
  if (heat == HeatSource::district_heating) {
    tariffs +=
        R"(,"heat":[{"valid_from":"2020-01-01","currency":"EUR","kind":"flat","price_per_kwh":0.115,"fixed_per_month":40}])";
    carbon = R"(,"carbon":{"heat":{"kg_per_kwh":0.2}})";
  }
  if (heat == HeatSource::gas_boiler || heat == HeatSource::chp)
    tariffs +=
        R"(,"gas":[{"valid_from":"2020-01-01","currency":"EUR","kind":"flat","price_per_kwh":0.095,"fixed_per_month":20}])";
  const std::string weather =
      outdoor ? fmt::format(R"(,"outdoor_temperature_point":{})", *outdoor) : std::string();
  return fmt::format(R"({{"tariffs":{{{}}}{}{}}})", tariffs, carbon, weather);
}

}  // namespace

Result<DemoEnergyMade> seed_demo_energy(MetaStore& store, const TownLayout& town,
                                        const DemoTown& stored, TimeMs now) {
  DemoEnergyMade made;
  const Scope scope = Scope::tenant(stored.tenant_id);
  std::map<int, Id> buildings;  // layout building → stored id
  std::map<int, Id> outdoor;    // layout building → its outdoor temperature point
  for (std::size_t i = 0; i < town.points.size() && i < stored.points.size(); ++i) {
    const auto& p = town.points[i];
    const auto medium = medium_of(p.signal, town.buildings[p.building].heat_source);
    if (!buildings.contains(p.building)) {
      auto point = store.points().get(scope, stored.points[i]);
      if (!point) return std::unexpected(point.error());
      buildings[p.building] = point->building_id;
    }
    if (p.signal == Signal::outdoor_temperature) outdoor[p.building] = stored.points[i];
    if (medium.empty()) continue;
    if (store.energy().settings(scope, EnergySubject::meter, stored.points[i])) continue;
    auto put = store.energy().put_settings(
        scope, EnergySubject::meter, stored.points[i],
        fmt::format(R"({{"kind":"counter","medium":"{}"}})", medium), 0, now);
    if (!put) return std::unexpected(put.error());
    ++made.meters;
  }
  for (const auto& [index, id] : buildings) {
    if (store.energy().settings(scope, EnergySubject::building, id)) continue;
    const auto weather = outdoor.find(index);
    auto put = store.energy().put_settings(
        scope, EnergySubject::building, id,
        building_document(town.buildings[index].heat_source,
                          weather != outdoor.end() ? std::optional(weather->second) : std::nullopt),
        0, now);
    if (!put) return std::unexpected(put.error());
    ++made.buildings;
  }
  return made;
}

}  // namespace citypulse::sim
