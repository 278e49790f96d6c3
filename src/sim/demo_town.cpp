#include "sim/demo_town.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <numbers>
#include <set>

#include "auth/secret.h"
#include "auth/secret_file.h"
#include "core/digest.h"
#include "store/device_access_store.h"

namespace citypulse::sim {
namespace {

// A building's outline for the map: a rectangle (1.6 : 1) of its floor area
// over its storeys above ground, around its position, turned by an angle of
// its own — plausible shapes, not surveyed ones.
std::string footprint_of(const BuildingPlan& plan, int index) {
  int storeys = 0;
  for (const auto& f : plan.floors) storeys += f.level >= 0 ? 1 : 0;
  const double ground_m2 = plan.area_m2 / std::max(1, storeys);
  const double half_long = std::sqrt(ground_m2 * 1.6) / 2, half_short = half_long / 1.6;
  const double turn = (index * 37 % 90) * std::numbers::pi / 180;
  constexpr double kMetresPerDegree = 111'320;
  const double per_lon = kMetresPerDegree * std::cos(plan.latitude * std::numbers::pi / 180);
  std::string wkt = "POLYGON((";
  const double corners[5][2] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}, {-1, -1}};
  for (int i = 0; i < 5; ++i) {
    const double x = corners[i][0] * half_long, y = corners[i][1] * half_short;
    const double east = x * std::cos(turn) - y * std::sin(turn);
    const double north = x * std::sin(turn) + y * std::cos(turn);
    wkt += fmt::format("{}{:.7f} {:.7f}", i ? ", " : "", plan.longitude + east / per_lon,
                       plan.latitude + north / kMetresPerDegree);
  }
  return wkt + "))";
}

constexpr std::string_view kIntegrationName = "Demo ChirpStack";

std::string_view protocol_of(Link link) {
  switch (link) {
    case Link::http:
      return "http";
    case Link::lorawan:
      return "lorawan";
    default:
      return "mqtt";
  }
}

std::string_view model_of(const SimDevice& d) {
  if (d.link == Link::mqtt_gateway) return "Automation station (simulated)";
  if (d.link == Link::lorawan) return "LoRaWAN room sensor (simulated)";
  if (d.serial.ends_with("-meters")) return "Meter gateway (simulated)";
  if (d.link == Link::mqtt) return "Room sensor (simulated)";
  return "Controller (simulated)";
}

class Seeder {
 public:
  Seeder(MetaStore& store, const TownLayout& town, DemoTown& out, const std::string& secret)
      : store_(store), town_(town), out_(out), secret_(secret) {}

  Status run() {
    auto buildings = list_all(store_.buildings(), scope());
    auto points = list_all(store_.points(), scope());
    auto devices = list_all(store_.devices(), scope());
    if (!buildings) return std::unexpected(buildings.error());
    if (!points) return std::unexpected(points.error());
    if (!devices) return std::unexpected(devices.error());
    std::map<std::string, Id> building_by_key, point_by_key, device_by_serial;
    for (const auto& b : *buildings)
      for (const auto& tag : b.tags) building_by_key.emplace(tag, b.id);
    for (const auto& p : *points) point_by_key.emplace(p.key, p.id);
    for (const auto& d : *devices) device_by_serial.emplace(d.serial, d.id);

    out_.points.assign(town_.points.size(), 0);
    out_.devices.assign(town_.devices.size(), 0);
    out_.tokens.assign(town_.devices.size(), {});
    Id site = 0;
    for (std::size_t b = 0; b < town_.buildings.size(); ++b) {
      const BuildingPlan& plan = town_.buildings[b];
      if (auto found = building_by_key.find(plan.key); found != building_by_key.end()) {
        // Seeded before: everything of it must be there.
        for (std::size_t p = 0; p < town_.points.size(); ++p) {
          if (town_.points[p].building != static_cast<int>(b)) continue;
          auto id = point_by_key.find(town_.points[p].key);
          if (id == point_by_key.end())
            return fail(ErrorCode::conflict,
                        fmt::format("the demo town's building '{}' lacks its point '{}': the town "
                                    "was made by an older demo or its seeding was interrupted; "
                                    "start the demo on a fresh data folder",
                                    plan.name, town_.points[p].key));
          out_.points[p] = id->second;
        }
        for (std::size_t d = 0; d < town_.devices.size(); ++d) {
          if (town_.devices[d].building != static_cast<int>(b)) continue;
          auto id = device_by_serial.find(town_.devices[d].serial);
          if (id == device_by_serial.end())
            return fail(ErrorCode::conflict,
                        fmt::format("the demo town's building '{}' lacks its device '{}': the town "
                                    "was made by an older demo or its seeding was interrupted; "
                                    "start the demo on a fresh data folder",
                                    plan.name, town_.devices[d].name));
          out_.devices[d] = id->second;
        }
        continue;
      }
      if (site == 0) {
        auto s = ensure_site();
        if (!s) return std::unexpected(s.error());
        site = *s;
      }
      if (auto s = building(static_cast<int>(b), site); !s) return s;
    }
    for (std::size_t d = 0; d < town_.devices.size(); ++d)
      if (auto s = credential(d); !s) return s;
    return integration();
  }

 private:
  Scope scope() const { return Scope::tenant(out_.tenant_id); }

  Result<Id> ensure_site() {
    auto sites = list_all(store_.sites(), scope());
    if (!sites) return std::unexpected(sites.error());
    if (!sites->empty()) return sites->front().id;
    Site site;
    site.tenant_id = out_.tenant_id;
    site.name = "Stadtgebiet Hechingen";
    site.address = "72379 Hechingen";
    site.latitude = kTownLatitude;
    site.longitude = kTownLongitude;
    auto stored = store_.sites().create(scope(), site);
    if (!stored) return std::unexpected(stored.error());
    return stored->id;
  }

  Status building(int bi, Id site) {
    const BuildingPlan& plan = town_.buildings[static_cast<std::size_t>(bi)];
    Building b;
    b.tenant_id = out_.tenant_id;
    b.site_id = site;
    b.name = plan.name;
    b.type = plan.type;
    b.address = plan.address;
    b.latitude = plan.latitude;
    b.longitude = plan.longitude;
    b.gross_floor_area_m2 = plan.area_m2;
    b.year_built = plan.year_built;
    b.tags = {"municipal", plan.key};
    b.footprint = footprint_of(plan, bi);
    auto stored = store_.buildings().create(scope(), b);
    if (!stored) return std::unexpected(stored.error());
    ++out_.buildings;
    const Id bid = stored->id;

    // Floors and rooms, in the layout's flat room order.
    std::vector<Id> spaces;
    for (const auto& fp : plan.floors) {
      Floor f;
      f.building_id = bid;
      f.name = fp.name;
      f.level = fp.level;
      f.elevation_m = fp.level * 3.5;
      auto floor = store_.floors().create(scope(), f);
      if (!floor) return std::unexpected(floor.error());
      ++out_.floors;
      for (const auto& rp : fp.rooms) {
        Space s;
        s.floor_id = floor->id;
        s.name = rp.name;
        s.usage = rp.usage;
        s.area_m2 = rp.area_m2;
        s.zone = fp.level < 0 ? "technik" : fmt::format("zone-{}", fp.level);
        auto space = store_.spaces().create(scope(), s);
        if (!space) return std::unexpected(space.error());
        ++out_.spaces;
        spaces.push_back(space->id);
      }
    }
    auto space_of = [&](std::optional<int> room) -> std::optional<Id> {
      if (!room) return std::nullopt;
      return spaces[static_cast<std::size_t>(*room)];
    };

    std::map<int, Id> equipment;
    for (std::size_t e = 0; e < town_.equipment.size(); ++e) {
      const SimEquipment& se = town_.equipment[e];
      if (se.building != bi) continue;
      Equipment rec;
      rec.building_id = bid;
      rec.space_id = space_of(se.room);
      if (se.parent) rec.parent_id = equipment.at(*se.parent);
      rec.name = se.name;
      rec.kind = se.kind;
      auto made = store_.equipment().create(scope(), rec);
      if (!made) return std::unexpected(made.error());
      ++out_.equipment;
      equipment.emplace(static_cast<int>(e), made->id);
    }

    for (std::size_t p = 0; p < town_.points.size(); ++p) {
      const SimPoint& sp = town_.points[p];
      if (sp.building != bi) continue;
      Point rec;
      rec.building_id = bid;
      rec.space_id = space_of(sp.room);
      if (sp.equipment) rec.equipment_id = equipment.at(*sp.equipment);
      rec.name = sp.name;
      rec.key = sp.key;
      rec.kind = sp.kind;
      rec.quantity = sp.quantity;
      rec.unit = sp.unit_symbol;
      rec.min_value = sp.min_value;
      rec.max_value = sp.max_value;
      rec.expected_interval_s = town_.devices[static_cast<std::size_t>(sp.device)].interval_s;
      auto made = store_.points().create(scope(), rec);
      if (!made) return std::unexpected(made.error());
      ++out_.created_points;
      out_.points[p] = made->id;
    }

    for (std::size_t d = 0; d < town_.devices.size(); ++d) {
      const SimDevice& sd = town_.devices[d];
      if (sd.building != bi) continue;
      Device rec;
      rec.tenant_id = out_.tenant_id;
      rec.building_id = bid;
      rec.name = sd.name;
      rec.protocol = std::string(protocol_of(sd.link));
      rec.vendor = "CityPulse";
      rec.model = std::string(model_of(sd));
      rec.serial = sd.serial;
      rec.status = "active";
      rec.tags = {"demo"};
      if (sd.link == Link::mqtt_gateway) rec.role = "gateway";
      if (sd.gateway) rec.gateway_id = out_.devices[static_cast<std::size_t>(*sd.gateway)];
      for (int p : sd.points)
        rec.channels.push_back({town_.points[static_cast<std::size_t>(p)].channel,
                                out_.points[static_cast<std::size_t>(p)]});
      auto made = store_.devices().create(scope(), rec);
      if (!made) return std::unexpected(made.error());
      ++out_.created_devices;
      out_.devices[d] = made->id;
    }
    return {};
  }

  // The device's derived token, and its credential unless it has it.
  Status credential(std::size_t d) {
    const SimDevice& sd = town_.devices[d];
    if (sd.link == Link::via_gateway || sd.link == Link::lorawan) return {};
    const std::string token = hex_lower(hmac_sha256(secret_, "device:" + sd.serial)).substr(0, 40);
    out_.tokens[d] = token;
    const std::string hash = auth::sha256_hex(token);
    auto existing = store_.device_access().list_credentials(scope(), out_.devices[d]);
    if (!existing) return std::unexpected(existing.error());
    for (const auto& c : *existing)
      if (c.kind == "token" && c.token_hash == hash && !c.revoked) return {};
    DeviceCredential c;
    c.tenant_id = out_.tenant_id;
    c.device_id = out_.devices[d];
    c.kind = "token";
    c.name = "demo simulator";
    c.token_hash = hash;
    c.hint = token.substr(0, 6);
    auto made = store_.device_access().create_credential(scope(), std::move(c));
    if (!made) return std::unexpected(made.error());
    return {};
  }

  Status integration() {
    const std::string secret = hex_lower(hmac_sha256(secret_, "chirpstack")).substr(0, 40);
    out_.chirpstack_secret = secret;
    const std::string hash = auth::sha256_hex(secret);
    auto existing = store_.device_access().list_integrations(scope());
    if (!existing) return std::unexpected(existing.error());
    for (const auto& i : *existing)
      if (i.kind == "chirpstack" && i.secret_hash == hash && !i.revoked) return {};
    Integration i;
    i.tenant_id = out_.tenant_id;
    i.kind = "chirpstack";
    i.name = std::string(kIntegrationName);
    i.secret_hash = hash;
    i.hint = secret.substr(0, 6);
    auto made = store_.device_access().create_integration(scope(), std::move(i));
    if (!made) return std::unexpected(made.error());
    return {};
  }

  MetaStore& store_;
  const TownLayout& town_;
  DemoTown& out_;
  const std::string& secret_;
};

}  // namespace

Result<DemoTown> seed_demo_town(MetaStore& store, const TownLayout& town,
                                const std::string& secret) {
  if (secret.size() < 16)
    return fail(ErrorCode::invalid, "the demo's secret is too short", "secret");
  DemoTown out;
  auto tenants = list_all(store.tenants(), Scope::all_tenants());
  if (!tenants) return std::unexpected(tenants.error());
  for (const auto& t : *tenants)
    if (t.name == kDemoTownName) out.tenant_id = t.id;
  if (out.tenant_id == 0) {
    Tenant tenant;
    tenant.name = std::string(kDemoTownName);
    tenant.timezone = "Europe/Berlin";
    auto made = store.tenants().create(Scope::all_tenants(), tenant);
    if (!made) return std::unexpected(made.error());
    out.tenant_id = made->id;
    out.created = true;
  }
  Seeder seeder(store, town, out, secret);
  if (auto s = seeder.run(); !s) return std::unexpected(s.error());
  return out;
}

Result<std::string> demo_secret(const std::string& data_dir) {
  const auto path = std::filesystem::path(data_dir) / "demo-secret";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    auto written =
        auth::write_secret_file(path, auth::random_token(24) + "\n", false, "the demo's secret");
    if (!written) return std::unexpected(written.error());
  }
  auto text = auth::read_secret_file(path, "the demo's secret");
  if (!text) return std::unexpected(text.error());
  std::string secret = *text;
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  // A damaged secret is not replaced: every device token and the integration
  // derive from it, and the credentials made from the old one would stay valid.
  if (secret.size() < 16 || secret.find_first_of(" \t\n") != std::string::npos)
    return fail(ErrorCode::invalid,
                fmt::format("{} is damaged (it must hold one line of at least 16 characters); "
                            "restore it, or start the demo on a fresh data folder",
                            path.string()),
                "demo-secret");
  return secret;
}

}  // namespace citypulse::sim
