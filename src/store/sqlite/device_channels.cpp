// A device's channels in device_channels (see record_extras.h).
#include <fmt/format.h>

#include <set>
#include <string>
#include <unordered_map>

#include "core/time.h"
#include "store/sqlite/record_extras.h"

namespace citypulse::sqlite {

Status RecordExtras<Device>::check(Connection& db, const Device& device) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < device.channels.size(); ++i) {
    const auto& c = device.channels[i];
    if (!names.insert(c.channel).second)
      return fail(ErrorCode::invalid, fmt::format("channel '{}' is mapped twice", c.channel),
                  fmt::format("/channels/{}/channel", i));
    auto st = db.prepare("SELECT 1 FROM points WHERE id = ? AND tenant_id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(c.point_id).bind(device.tenant_id);
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row)
      return fail(ErrorCode::invalid,
                  fmt::format("point {} does not exist in this tenant", c.point_id),
                  fmt::format("/channels/{}/point_id", i));
  }
  return {};
}

Status RecordExtras<Device>::save(Connection& db, const Device& device) {
  auto clear = db.prepare("DELETE FROM device_channels WHERE device_id = ?");
  if (!clear) return std::unexpected(clear.error());
  clear->bind(device.id);
  if (auto s = clear->run(); !s) return s;
  for (const auto& c : device.channels) {
    auto st =
        db.prepare("INSERT INTO device_channels (device_id, channel, point_id) VALUES (?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    st->bind(device.id).bind(std::string_view(c.channel)).bind(c.point_id);
    if (auto s = st->run(); !s) return s;
  }
  return {};
}

Status RecordExtras<Device>::load(Connection& db, std::span<Device> devices) {
  if (devices.empty()) return {};
  std::unordered_map<Id, Device*> by_id;
  std::string ids = "[";
  for (auto& d : devices) {
    d.channels.clear();
    by_id.emplace(d.id, &d);
    ids += fmt::format("{}{}", ids.size() > 1 ? "," : "", d.id);
  }
  ids += "]";
  // One query for a whole page: the ids travel as one JSON array parameter, so
  // the SQL text (and its cached statement) is the same for any page size.
  auto st = db.prepare(
      "SELECT device_id, channel, point_id FROM device_channels "
      "WHERE device_id IN (SELECT value FROM json_each(?)) ORDER BY device_id, channel");
  if (!st) return std::unexpected(st.error());
  st->bind(std::string_view(ids));
  for (;;) {
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return {};
    if (auto it = by_id.find(st->int64(0)); it != by_id.end())
      it->second->channels.push_back({st->text(1), st->int64(2)});
  }
}

Result<ChannelCounts> channel_counts(Connection& db, Id tenant) {
  auto st = db.prepare(
      "SELECT c.device_id, COUNT(*) FROM device_channels c JOIN devices d ON d.id = c.device_id "
      "WHERE d.tenant_id = ? GROUP BY c.device_id");
  if (!st) return std::unexpected(st.error());
  st->bind(tenant);
  ChannelCounts counts;
  for (;;) {
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return counts;
    counts.emplace(st->int64(0), st->int64(1));
  }
}

Status touch_devices_that_lost_channels(Connection& db, Id tenant, const ChannelCounts& before) {
  auto after = channel_counts(db, tenant);
  if (!after) return std::unexpected(after.error());
  const std::int64_t now = now_ms();
  for (const auto& [device, count] : before) {
    auto it = after->find(device);
    if (it != after->end() && it->second == count) continue;
    // A device gone altogether matches no row; one that stays gets a new
    // version and an updated_at strictly later than its last.
    auto st = db.prepare(
        "UPDATE devices SET version = version + 1, "
        "updated_at = CASE WHEN updated_at < ? THEN ? ELSE updated_at + 1 END WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(now).bind(now).bind(device);
    if (auto s = st->run(); !s) return s;
  }
  return {};
}

}  // namespace citypulse::sqlite
