#include "drivers/modbus/read_plan.h"

#include <algorithm>
#include <tuple>

namespace citypulse::modbus {

std::vector<ReadRequest> plan_reads(const std::vector<RegisterPoint>& points,
                                    const std::vector<std::size_t>& selected, unsigned max_gap) {
  std::vector<std::size_t> order;
  for (std::size_t i : selected)
    if (i < points.size()) order.push_back(i);
  // By table, then address, then the longer first so that a wide point opens
  // a request and the narrow ones inside it join it.
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& pa = points[a];
    const auto& pb = points[b];
    return std::tuple(pa.table, pa.address, -static_cast<int>(item_count(pa)), a) <
           std::tuple(pb.table, pb.address, -static_cast<int>(item_count(pb)), b);
  });

  std::vector<ReadRequest> plan;
  unsigned end = 0;  // one past the last item of plan.back(), as unsigned to pass 65535
  for (std::size_t i : order) {
    const RegisterPoint& p = points[i];
    const unsigned limit = has_registers(p.table) ? kMaxReadRegisters : kMaxReadBits;
    const unsigned p_end = p.address + item_count(p);
    const bool joins = !plan.empty() && plan.back().table == p.table &&
                       p.address <= end + std::min(max_gap, limit) &&
                       std::max(end, p_end) - plan.back().start <= limit;
    if (joins) {
      end = std::max(end, p_end);
      plan.back().count = static_cast<std::uint16_t>(end - plan.back().start);
      plan.back().points.push_back(i);
      continue;
    }
    plan.push_back(ReadRequest{p.table, p.address, static_cast<std::uint16_t>(item_count(p)), {i}});
    end = p_end;
  }
  return plan;
}

std::vector<std::size_t> group_points(const DeviceConfig& config, std::string_view group) {
  std::vector<std::size_t> selected;
  for (std::size_t i = 0; i < config.points.size(); ++i)
    if (config.points[i].group == group) selected.push_back(i);
  return selected;
}

std::vector<ReadRequest> plan_group(const DeviceConfig& config, std::string_view group) {
  return plan_reads(config.points, group_points(config, group),
                    static_cast<unsigned>(config.max_gap));
}

}  // namespace citypulse::modbus
