#include "energy/budget_alarms.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "analytics/meter.h"
#include "core/calendar.h"
#include "energy/energy_service.h"

namespace citypulse::energy {
namespace {

// What a budget's point and rule are tagged with, to be found by.
constexpr const char* kTag = "energy-budget";

// How far a quantity's projection is towards its limit, in %.
double percent_of_limit(const analytics::BudgetQuantity& q) {
  if (!q.planned || q.limit <= 0) return 0;
  return 100 * q.projection / q.limit;
}

}  // namespace

BudgetAlarms::BudgetAlarms(MetaStore& store, Write write)
    : store_(store), write_(std::move(write)) {}

Status BudgetAlarms::check(EnergyService& energy, TimeMs now) {
  auto tenants = list_all(store_.tenants(), Scope::all_tenants());
  if (!tenants) return std::unexpected(tenants.error());
  const std::int64_t year = civil_from_days(now / 86'400'000).year;
  for (const auto& tenant : *tenants) {
    auto statuses = energy.budgets(Scope::tenant(tenant.id), std::nullopt, year, now);
    if (!statuses) {
      spdlog::warn("energy budgets of tenant {}: {}", tenant.id, statuses.error().message);
      continue;
    }
    std::set<Id> written;
    for (const auto& s : *statuses) {
      const auto medium = analytics::medium_name(s.medium);
      auto point = projection_point(tenant.id, s.building_id, medium);
      if (!point) {
        spdlog::warn("energy budget of building {} ({}): {}", s.building_id, medium,
                     point.error().message);
        continue;
      }
      write_(tenant.id, *point, now,
             std::max(percent_of_limit(s.check.energy), percent_of_limit(s.check.cost)));
      written.insert(*point);
      zeroed_.erase(*point);
    }
    // A budget removed, or of a year that ended, projects nothing: its point
    // goes to 0 once, so that an alarm it raised clears.
    auto tagged = list_all(store_.points(), Scope::tenant(tenant.id), {{"tag", kTag}});
    if (!tagged) return std::unexpected(tagged.error());
    for (const auto& p : *tagged)
      if (p.key.starts_with("energy.budget.") && !written.contains(p.id) &&
          zeroed_.insert(p.id).second)
        write_(tenant.id, p.id, now, 0);
  }
  return {};
}

Result<Id> BudgetAlarms::projection_point(Id tenant, Id building, std::string_view medium) {
  const Scope scope = Scope::tenant(tenant);
  const std::string key = fmt::format("energy.budget.{}.{}", building, medium);
  auto tagged =
      list_all(store_.points(), scope, {{"building_id", std::to_string(building)}, {"tag", kTag}});
  if (!tagged) return std::unexpected(tagged.error());
  for (const auto& p : *tagged)
    if (p.key == key) return p.id;

  Point point;
  point.tenant_id = tenant;
  point.building_id = building;
  point.name = fmt::format("{} budget: projection", medium);
  point.name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(point.name[0])));
  point.key = key;
  point.kind = "status";
  point.quantity = "ratio";
  point.unit = "%";
  point.min_value = 0;
  point.tags = {kTag};
  auto made = store_.points().create(scope, point);
  if (!made) return std::unexpected(made.error());

  Rule rule;
  rule.tenant_id = tenant;
  rule.name = fmt::format("{} over budget", point.name.substr(0, point.name.find(' ')));
  rule.description =
      "The projection to year end exceeds the budget by more than its margin (made with the "
      "budget; yours to change).";
  rule.type = "threshold_high";
  rule.severity = "warning";
  rule.point_id = made->id;
  rule.threshold = 100;
  rule.message = "{point} is {value} {unit} of the budget's limit";
  rule.action = "Look at the energy page's budget burn-down and the recommendations.";
  rule.tags = {kTag};
  if (auto r = store_.rules().create(scope, rule); !r) return std::unexpected(r.error());
  return made->id;
}

}  // namespace citypulse::energy
