#include "sim/town_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "core/splitmix.h"

namespace citypulse::sim {
namespace {

// A deterministic draw from (seed, building, what is drawn).
class Draw {
 public:
  Draw(std::uint64_t seed, int building) : state_(seed * kSplitMixIncrement + building) {}
  double uniform(double lo, double hi) { return lo + (hi - lo) * unit(); }
  int between(int lo, int hi) { return lo + static_cast<int>(unit() * (hi - lo + 1) * 0.999999); }
  bool chance(double p) { return unit() < p; }

 private:
  double unit() {  // [0, 1)
    const std::uint64_t x = splitmix64(state_);
    state_ += kSplitMixIncrement;
    return static_cast<double>(x >> 11) / 9007199254740992.0;
  }
  std::uint64_t state_;
};

RoomPlan room(std::string name, std::string usage, double area, int occupants = 0) {
  return {std::move(name), std::move(usage), area, occupants};
}

RoomPlan plant_room(std::string name, double area) {
  return room(std::move(name), "plant_room", area);
}

std::string level_name(int level) {
  if (level < 0) return "Untergeschoss";
  if (level == 0) return "Erdgeschoss";
  return fmt::format("{}. Obergeschoss", level);
}

// Classrooms named by grade and letter, `count` of them from grade `first`.
std::vector<RoomPlan> classrooms(int first, int count, double area, int pupils) {
  std::vector<RoomPlan> out;
  for (int i = 0; i < count; ++i)
    out.push_back(room(fmt::format("Klassenzimmer {}{}", first + i / 2, i % 2 ? 'b' : 'a'),
                       "classroom", area, pupils));
  return out;
}

void append(std::vector<RoomPlan>& to, std::vector<RoomPlan> more) {
  for (auto& r : more) to.push_back(std::move(r));
}

// The seven landmarks, by hand.
std::vector<BuildingPlan> landmarks() {
  std::vector<BuildingPlan> out;
  {
    BuildingPlan b{.key = "rathaus",
                   .name = "Rathaus",
                   .type = "town_hall",
                   .address = "Marktplatz 1, 72379 Hechingen",
                   .latitude = 48.35185,
                   .longitude = 8.96318,
                   .area_m2 = 2400,
                   .year_built = 1906,
                   .floors = {}};
    b.floors = {
        {level_name(-1), -1, {plant_room("Heizraum", 45), room("Archiv", "storage", 120)}},
        {level_name(0),
         0,
         {room("Bürgerbüro", "office", 140, 8), room("Standesamt", "office", 60, 3),
          room("Trauzimmer", "meeting_room", 45, 20), room("Foyer", "corridor", 90)}},
        {level_name(1),
         1,
         {room("Sitzungssaal", "meeting_room", 180, 60),
          room("Büro Bürgermeister", "office", 35, 2), room("Hauptamt", "office", 80, 5),
          room("Kämmerei", "office", 70, 4), room("Flur 1. OG", "corridor", 60)}},
        {level_name(2),
         2,
         {room("Bauamt", "office", 90, 6), room("Ordnungsamt", "office", 60, 4),
          room("Personalamt", "office", 45, 3), room("Besprechungsraum", "meeting_room", 40, 12),
          room("Serverraum", "server_room", 15), room("Flur 2. OG", "corridor", 60)}}};
    out.push_back(std::move(b));
  }
  {
    BuildingPlan b{.key = "grundschule",
                   .name = "Grundschule am Schlossberg",
                   .type = "primary_school",
                   .address = "Schlossbergstraße 12, 72379 Hechingen",
                   .latitude = 48.34890,
                   .longitude = 8.96780,
                   .area_m2 = 3100,
                   .year_built = 1972,
                   .heat_source = HeatSource::heat_pump,
                   .ahus = 1,
                   .pv_kwp = 30,
                   .floors = {}};
    std::vector<RoomPlan> ground = classrooms(1, 6, 65, 25);
    append(ground, {room("Mensa", "canteen", 150, 80), room("Flur EG", "corridor", 120)});
    std::vector<RoomPlan> upper = classrooms(3, 4, 65, 26);
    append(upper, {room("Lehrerzimmer", "office", 50, 12), room("Rektorat", "office", 25, 2),
                   room("Werkraum", "classroom", 70, 20), room("Flur 1. OG", "corridor", 120)});
    b.floors = {{level_name(-1), -1, {plant_room("Technikzentrale", 60)}},
                {level_name(0), 0, std::move(ground)},
                {level_name(1), 1, std::move(upper)}};
    out.push_back(std::move(b));
  }
  {
    BuildingPlan b{.key = "gymnasium",
                   .name = "Gymnasium Hechingen",
                   .type = "secondary_school",
                   .address = "Weilheimer Straße 30, 72379 Hechingen",
                   .latitude = 48.35620,
                   .longitude = 8.97250,
                   .area_m2 = 7800,
                   .year_built = 1978,
                   .ahus = 2,
                   .pv_kwp = 60,
                   .floors = {}};
    std::vector<RoomPlan> ground = {
        room("Aula", "meeting_room", 420, 300), room("Chemiesaal", "laboratory", 90, 28),
        room("Physiksaal", "laboratory", 90, 28), room("Sekretariat", "office", 60, 4),
        room("Flur EG", "corridor", 200)};
    std::vector<RoomPlan> first = classrooms(5, 6, 70, 28);
    append(first,
           {room("Informatikraum", "classroom", 80, 28), room("Flur 1. OG", "corridor", 200)});
    std::vector<RoomPlan> second = classrooms(9, 4, 70, 26);
    append(second,
           {room("Kursraum J1", "classroom", 60, 22), room("Kursraum J2", "classroom", 60, 22),
            room("Musiksaal", "classroom", 110, 30), room("Flur 2. OG", "corridor", 200)});
    b.floors = {{level_name(-1), -1, {plant_room("Heizzentrale", 110)}},
                {level_name(0), 0, std::move(ground)},
                {level_name(1), 1, std::move(first)},
                {level_name(2), 2, std::move(second)}};
    out.push_back(std::move(b));
  }
  {
    BuildingPlan b{.key = "kita",
                   .name = "Kindergarten Sonnenschein",
                   .type = "kindergarten",
                   .address = "Heiligkreuzstraße 5, 72379 Hechingen",
                   .latitude = 48.34700,
                   .longitude = 8.95840,
                   .area_m2 = 680,
                   .year_built = 1995,
                   .heat_source = HeatSource::heat_pump,
                   .pv_kwp = 15,
                   .lorawan_rooms = true,
                   .floors = {}};
    b.floors = {
        {level_name(0),
         0,
         {room("Gruppenraum Igel", "classroom", 55, 20),
          room("Gruppenraum Bären", "classroom", 55, 20),
          room("Gruppenraum Füchse", "classroom", 55, 20),
          room("Gruppenraum Eulen", "classroom", 55, 20), room("Schlafraum", "other", 40, 15),
          room("Büro Leitung", "office", 15, 1), room("Küche", "kitchen", 25),
          room("Flur", "corridor", 60), plant_room("Technik", 15)}}};
    out.push_back(std::move(b));
  }
  {
    BuildingPlan b{.key = "sporthalle",
                   .name = "Sporthalle Hechingen",
                   .type = "sports_hall",
                   .address = "Am Sportplatz 2, 72379 Hechingen",
                   .latitude = 48.35900,
                   .longitude = 8.96010,
                   .area_m2 = 2200,
                   .year_built = 1984,
                   .ahus = 1,
                   .pv_kwp = 80,
                   .http_meters = true,
                   .floors = {}};
    b.floors = {{level_name(0),
                 0,
                 {room("Halle", "gym", 1215, 60), room("Umkleide Nord", "changing_room", 60, 15),
                  room("Umkleide Süd", "changing_room", 60, 15), room("Geräteraum", "storage", 120),
                  plant_room("Technikraum", 40)}},
                {level_name(1),
                 1,
                 {room("Tribüne", "other", 150, 100), room("Gymnastikraum", "gym", 200, 20),
                  room("Besprechungsraum", "meeting_room", 30, 10)}}};
    out.push_back(std::move(b));
  }
  {
    BuildingPlan b{.key = "hallenbad",
                   .name = "Hallenbad Hechingen",
                   .type = "swimming_pool",
                   .address = "Badstraße 10, 72379 Hechingen",
                   .latitude = 48.34650,
                   .longitude = 8.97010,
                   .area_m2 = 3600,
                   .year_built = 1974,
                   .heat_source = HeatSource::chp,
                   .ahus = 2,
                   .pool = true,
                   .floors = {}};
    b.floors = {{level_name(-1), -1, {plant_room("Badewassertechnik", 300)}},
                {level_name(0),
                 0,
                 {room("Schwimmhalle", "pool_hall", 1100, 120),
                  room("Lehrschwimmhalle", "pool_hall", 250, 30),
                  room("Umkleiden", "changing_room", 180, 30), room("Duschen", "changing_room", 80),
                  room("Kasse", "office", 30, 2), room("Sauna", "other", 60, 10),
                  room("Ruheraum", "other", 40, 8)}},
                {level_name(1),
                 1,
                 {room("Cafeteria", "canteen", 120, 40), room("Schwimmmeister", "office", 20, 2)}}};
    out.push_back(std::move(b));
  }
  {
    BuildingPlan b{.key = "bibliothek",
                   .name = "Stadtbibliothek",
                   .type = "library",
                   .address = "Schloßplatz 3, 72379 Hechingen",
                   .latitude = 48.35260,
                   .longitude = 8.96120,
                   .area_m2 = 1500,
                   .year_built = 1989,
                   .heat_source = HeatSource::district_heating,
                   .ahus = 1,
                   .chiller = true,
                   .floors = {}};
    b.floors = {
        {level_name(-1), -1, {plant_room("Übergabestation", 25)}},
        {level_name(0),
         0,
         {room("Ausleihe", "library_hall", 300, 40),
          room("Kinderbibliothek", "library_hall", 150, 20), room("Foyer", "corridor", 80)}},
        {level_name(1),
         1,
         {room("Lesesaal", "library_hall", 250, 40), room("Magazin", "storage", 200),
          room("Büro", "office", 40, 3), room("Veranstaltungsraum", "meeting_room", 120, 60),
          room("Gruppenarbeitsraum", "meeting_room", 35, 8)}}};
    out.push_back(std::move(b));
  }
  return out;
}

constexpr std::array kVillages = {"Stetten", "Boll",    "Weilheim", "Sickingen",
                                  "Beuren",  "Schlatt", "Stein",    "Bechtoldsweiler"};
constexpr std::array kStreets = {"Hauptstraße",  "Kirchstraße", "Schulstraße", "Lindenstraße",
                                 "Gartenstraße", "Bergstraße",  "Talstraße",   "Brunnenstraße"};

// The types that follow the landmarks, in turn.
constexpr std::array kCycle = {"kindergarten",     "fire_station",    "primary_school",
                               "community_centre", "kindergarten",    "office",
                               "sports_hall",      "fire_station",    "depot",
                               "museum",           "community_centre"};

BuildingPlan generated(int index, std::uint64_t seed) {
  Draw d(seed, index);
  const int n = index - 7;  // 0 for the first generated building
  const std::string type = kCycle[static_cast<std::size_t>(n) % kCycle.size()];
  const std::string village = kVillages[static_cast<std::size_t>(n) % kVillages.size()];
  const int round = n / static_cast<int>(kCycle.size()) + 1;  // 1, 2, ...
  BuildingPlan b;
  b.key = fmt::format("b{:02}", index + 1);
  b.type = type;
  b.address = fmt::format("{} {}, 72379 Hechingen-{}",
                          kStreets[static_cast<std::size_t>(d.between(0, kStreets.size() - 1))],
                          d.between(1, 60), village);
  // The villages lie within a few kilometres of the core town.
  const double bearing = d.uniform(0, 6.283185307179586), km = d.uniform(1.5, 5.5);
  b.latitude = kTownLatitude + km / 111.2 * std::cos(bearing);
  b.longitude = kTownLongitude + km / 74.0 * std::sin(bearing);
  b.year_built = d.between(1955, 2015);
  b.heat_source = b.year_built >= 2005 || d.chance(0.2) ? HeatSource::heat_pump
                  : d.chance(0.15)                      ? HeatSource::district_heating
                                                        : HeatSource::gas_boiler;
  auto technik = plant_room("Technik", 15);
  if (type == "kindergarten") {
    b.name = fmt::format("Kindergarten {}", village);
    const int groups = d.between(2, 4);
    b.area_m2 = 170.0 * groups + d.uniform(60, 160);
    std::vector<RoomPlan> rooms;
    static constexpr std::array kGroups = {"Regenbogen", "Wichtel", "Spatzen", "Marienkäfer"};
    for (int g = 0; g < groups; ++g)
      rooms.push_back(room(fmt::format("Gruppenraum {}", kGroups[static_cast<std::size_t>(g)]),
                           "classroom", 55, 20));
    append(rooms, {room("Büro Leitung", "office", 15, 1), room("Küche", "kitchen", 20),
                   room("Flur", "corridor", 50), technik});
    b.floors = {{level_name(0), 0, std::move(rooms)}};
    b.pv_kwp = d.chance(0.5) ? 10 : 0;
    b.lorawan_rooms = true;
  } else if (type == "fire_station") {
    b.name = fmt::format("Feuerwehrhaus {}", village);
    b.area_m2 = d.uniform(450, 1100);
    b.floors = {
        {level_name(0),
         0,
         {room("Fahrzeughalle", "garage", b.area_m2 * 0.45), room("Werkstatt", "workshop", 50, 2),
          room("Umkleide", "changing_room", 40, 10), technik}},
        {level_name(1),
         1,
         {room("Schulungsraum", "meeting_room", 80, 30),
          room("Bereitschaftsraum", "office", 40, 4)}}};
    b.pv_kwp = d.chance(0.4) ? 20 : 0;
    b.http_meters = true;
  } else if (type == "primary_school") {
    b.name = fmt::format("Grundschule {}", village);
    const int classes = d.between(4, 6);
    b.area_m2 = 260.0 * classes + d.uniform(200, 500);
    std::vector<RoomPlan> ground = classrooms(1, (classes + 1) / 2, 62, 22);
    append(ground, {room("Lehrerzimmer", "office", 40, 8), room("Flur EG", "corridor", 80)});
    std::vector<RoomPlan> upper = classrooms(3, classes / 2, 62, 22);
    append(upper, {room("Flur 1. OG", "corridor", 80)});
    b.floors = {{level_name(-1), -1, {plant_room("Heizraum", 30)}},
                {level_name(0), 0, std::move(ground)},
                {level_name(1), 1, std::move(upper)}};
    b.pv_kwp = d.chance(0.6) ? 25 : 0;
  } else if (type == "community_centre") {
    b.name = fmt::format("Bürgerhaus {}", village);
    b.area_m2 = d.uniform(400, 1000);
    b.floors = {{level_name(0),
                 0,
                 {room("Saal", "meeting_room", b.area_m2 * 0.4, static_cast<int>(b.area_m2 / 3)),
                  room("Küche", "kitchen", 30), room("Foyer", "corridor", 50), technik}},
                {level_name(1),
                 1,
                 {room("Vereinsraum 1", "meeting_room", 50, 15),
                  room("Vereinsraum 2", "meeting_room", 50, 15)}}};
    b.lorawan_rooms = true;
  } else if (type == "office") {
    b.name = fmt::format("Technisches Rathaus{}", round == 1 ? "" : fmt::format(" {}", village));
    b.area_m2 = d.uniform(1200, 2400);
    std::vector<FloorPlan> floors = {{level_name(-1), -1, {plant_room("Heizraum", 40)}}};
    for (int level = 0; level < 3; ++level) {
      std::vector<RoomPlan> rooms;
      for (int i = 1; i <= 3; ++i)
        rooms.push_back(room(fmt::format("Büro {}.{:02}", level, i), "office", 40, 3));
      append(rooms, {room(fmt::format("Besprechung {}", level), "meeting_room", 35, 10),
                     room(fmt::format("Flur {}", level_name(level)), "corridor", 60)});
      floors.push_back({level_name(level), level, std::move(rooms)});
    }
    b.floors = std::move(floors);
    b.ahus = 1;
    b.pv_kwp = 40;
  } else if (type == "sports_hall") {
    b.name = fmt::format("Turnhalle {}", village);
    b.area_m2 = d.uniform(700, 1200);
    b.floors = {
        {level_name(0),
         0,
         {room("Halle", "gym", b.area_m2 * 0.6, 30), room("Umkleiden", "changing_room", 60, 15),
          room("Geräteraum", "storage", 60), technik}}};
    b.pv_kwp = d.chance(0.5) ? 50 : 0;
    b.ahus = 1;
  } else if (type == "depot") {
    b.name = round == 1 ? std::string("Städtischer Bauhof")
                        : fmt::format("Bauhof Außenstelle {}", village);
    b.area_m2 = d.uniform(1200, 2000);
    b.floors = {
        {level_name(0),
         0,
         {room("Fahrzeughalle", "garage", b.area_m2 * 0.4), room("Werkstatt", "workshop", 150, 6),
          room("Lager", "storage", 200), room("Sozialraum", "canteen", 60, 20),
          room("Büro Bauhofleitung", "office", 30, 2), technik}}};
    b.pv_kwp = 100;
    b.http_meters = true;
  } else {  // museum
    b.name = round == 1 ? std::string("Stadtmuseum") : fmt::format("Heimatmuseum {}", village);
    b.area_m2 = d.uniform(900, 1600);
    b.floors = {
        {level_name(-1), -1, {plant_room("Technik", 30), room("Depot", "storage", 150)}},
        {level_name(0),
         0,
         {room("Ausstellung Stadtgeschichte", "exhibition", 180, 25),
          room("Foyer und Kasse", "office", 60, 3),
          room("Sonderausstellung", "exhibition", 150, 25)}},
        {level_name(1),
         1,
         {room("Ausstellung Hohenzollern", "exhibition", 180, 25), room("Büro", "office", 30, 2)}}};
    b.ahus = 1;
    b.chiller = true;
    b.lorawan_rooms = true;
  }
  return b;
}

}  // namespace

double BuildingPlan::area_factor() const {
  double modelled = 0;
  for (const auto& f : floors)
    for (const auto& r : f.rooms)
      if (r.usage != "plant_room") modelled += r.area_m2;
  return modelled > 0 ? std::max(1.0, area_m2 / modelled) : 1.0;
}

std::vector<BuildingPlan> town_plan(int buildings, std::uint64_t seed) {
  auto out = landmarks();
  out.resize(static_cast<std::size_t>(std::min<int>(buildings, static_cast<int>(out.size()))));
  std::set<std::string> names;
  for (const auto& b : out) names.insert(b.name);
  for (int i = static_cast<int>(out.size()); i < buildings; ++i) {
    out.push_back(generated(i, seed));
    // The same type in the same village comes round again only in very large towns.
    auto& name = out.back().name;
    const std::string base = name;
    for (int n = 2; !names.insert(name).second; ++n) name = fmt::format("{} {}", base, n);
  }
  return out;
}

}  // namespace citypulse::sim
