#include "ingest/directory.h"

#include <algorithm>

#include "core/mqtt_topic.h"
#include "core/text.h"
#include "store/device_access_store.h"

namespace citypulse::ingest {
namespace {

template <class V>
const V* find_in(const TextMap<V>& map, std::string_view key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

const Id* find_in(const std::unordered_map<Id, TextMap<Id>>& by_tenant, Id tenant,
                  std::string_view key) {
  auto t = by_tenant.find(tenant);
  return t == by_tenant.end() ? nullptr : find_in(t->second, key);
}

}  // namespace

const DeviceEntry* Snapshot::device_by_token_hash(std::string_view hash) const {
  const Id* id = find_in(device_by_token_, hash);
  return id ? device(*id) : nullptr;
}

const BasicCredentialEntry* Snapshot::basic_credential(std::string_view username) const {
  return find_in(basic_by_username_, username);
}

const CertificateCredentialEntry* Snapshot::certificate_by_fingerprint(
    std::string_view fingerprint) const {
  return find_in(certificate_by_fingerprint_, fingerprint);
}

const CertificateCredentialEntry* Snapshot::certificate_by_cn(std::string_view cn) const {
  return find_in(certificate_by_cn_, cn);
}

const IntegrationEntry* Snapshot::integration_by_secret_hash(std::string_view hash) const {
  return find_in(integrations_, hash);
}

const DeviceEntry* Snapshot::device(Id id) const {
  auto it = devices_.find(id);
  return it == devices_.end() ? nullptr : &it->second;
}

const DeviceEntry* Snapshot::device_by_serial(Id tenant, std::string_view serial) const {
  const Id* id = find_in(device_by_serial_, tenant, lower_ascii(serial));
  return id ? device(*id) : nullptr;
}

const DeviceEntry* Snapshot::child(Id gateway_id, std::string_view name) const {
  const Id* id = find_in(child_by_name_, gateway_id, name);
  return id ? device(*id) : nullptr;
}

std::size_t Snapshot::children_of(Id gateway_id) const {
  auto it = child_by_name_.find(gateway_id);
  return it == child_by_name_.end() ? 0 : it->second.size();
}

const DeviceEntry* Snapshot::device_by_topic(Id tenant, std::string_view topic) const {
  auto t = topic_filters_.find(tenant);
  if (t == topic_filters_.end()) return nullptr;
  for (const auto& [filter, id] : t->second)
    if (mqtt::topic_matches(filter, topic)) return device(id);
  return nullptr;
}

const PointEntry* Snapshot::point(Id id) const {
  auto it = points_.find(id);
  return it == points_.end() ? nullptr : &it->second;
}

std::span<const Id> Snapshot::points_of_building(Id building) const {
  auto it = points_by_building_.find(building);
  if (it == points_by_building_.end()) return {};
  return it->second;
}

const PointEntry* Snapshot::point_by_key(Id tenant, std::string_view key) const {
  const Id* id = find_in(point_by_key_, tenant, key);
  return id ? point(*id) : nullptr;
}

const PointEntry* Snapshot::resolve(const DeviceEntry& device, std::string_view channel) const {
  if (const Id* id = find_in(device.channels, channel)) return point(*id);
  const PointEntry* p = point_by_key(device.tenant_id, channel);
  // A device placed in a building writes only that building's points: a
  // sensor in the school must not overwrite the town hall's meter by key.
  if (p && device.building_id && p->building_id != *device.building_id) return nullptr;
  return p;
}

std::shared_ptr<const Snapshot> Directory::current_if_fresh() const {
  auto s = snapshot_.load(std::memory_order_acquire);
  if (s && s->generation() == store_.asset_generation()) return s;
  return nullptr;
}

std::shared_ptr<const Snapshot> Directory::newest() const {
  return snapshot_.load(std::memory_order_acquire);
}

Result<std::shared_ptr<const Snapshot>> Directory::current() {
  if (auto s = current_if_fresh()) return s;
  std::lock_guard lock(rebuild_mutex_);
  // Another caller may have rebuilt while this one waited.
  const std::uint64_t generation = store_.asset_generation();
  auto s = snapshot_.load(std::memory_order_acquire);
  if (s && s->generation() == generation) return s;
  return rebuild(generation);
}

Result<std::shared_ptr<const Snapshot>> Directory::rebuild(std::uint64_t generation) {
  const Scope all = Scope::all_tenants();
  auto devices = list_all(store_.devices(), all);
  if (!devices) return std::unexpected(devices.error());
  auto points = list_all(store_.points(), all);
  if (!points) return std::unexpected(points.error());
  auto credentials = store_.device_access().all_credentials();
  if (!credentials) return std::unexpected(credentials.error());
  auto integrations = store_.device_access().all_integrations();
  if (!integrations) return std::unexpected(integrations.error());

  auto s = std::make_shared<Snapshot>();
  // The generation read before the queries: a change committed meanwhile
  // makes the next call rebuild again rather than be missed.
  s->generation_ = generation;
  for (auto& p : *points) {
    PointEntry e{p.id,
                 p.tenant_id,
                 p.building_id,
                 std::move(p.key),
                 std::move(p.kind),
                 std::move(p.quantity),
                 std::move(p.unit),
                 p.min_value,
                 p.max_value};
    if (!e.key.empty()) s->point_by_key_[e.tenant_id].emplace(e.key, e.id);
    s->points_by_building_[e.building_id].push_back(e.id);
    s->points_.emplace(e.id, std::move(e));
  }
  for (auto& [building, ids] : s->points_by_building_) std::sort(ids.begin(), ids.end());
  for (auto& d : *devices) {
    DeviceEntry e;
    e.id = d.id;
    e.tenant_id = d.tenant_id;
    e.building_id = d.building_id;
    e.name = std::move(d.name);
    e.protocol = std::move(d.protocol);
    e.serial = std::move(d.serial);
    e.status = std::move(d.status);
    for (auto& c : d.channels) e.channels.emplace(std::move(c.channel), c.point_id);
    e.gateway = d.role == "gateway";
    e.gateway_id = d.gateway_id;
    e.mqtt_topics = std::move(d.mqtt_topics);
    if (e.gateway_id) s->child_by_name_[*e.gateway_id].emplace(e.name, e.id);
    for (const auto& filter : e.mqtt_topics)
      s->topic_filters_[e.tenant_id].emplace_back(filter, e.id);
    if (!e.serial.empty()) s->device_by_serial_[e.tenant_id].emplace(lower_ascii(e.serial), e.id);
    s->devices_.emplace(e.id, std::move(e));
  }
  // Lowest id first, so the first match is the lowest device id.
  for (auto& [tenant, filters] : s->topic_filters_)
    std::sort(filters.begin(), filters.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
  for (auto& c : *credentials) {
    if (c.kind == "basic") {
      s->basic_by_username_.emplace(
          std::move(c.username), BasicCredentialEntry{c.id, c.device_id, std::move(c.password_hash),
                                                      std::move(c.client_id)});
    } else if (c.kind == "certificate") {
      // With a fingerprint the CN is only a further check, so only CN-only
      // credentials are found by CN (the store keeps both keys unique).
      if (!c.certificate_fingerprint.empty())
        s->certificate_by_fingerprint_.emplace(
            std::move(c.certificate_fingerprint),
            CertificateCredentialEntry{c.id, c.device_id, std::move(c.certificate_cn)});
      else
        s->certificate_by_cn_.emplace(std::move(c.certificate_cn),
                                      CertificateCredentialEntry{c.id, c.device_id, {}});
    } else {
      s->device_by_token_.emplace(std::move(c.token_hash), c.device_id);
    }
  }
  for (auto& i : *integrations)
    s->integrations_.emplace(
        std::move(i.secret_hash),
        IntegrationEntry{i.id, i.tenant_id, std::move(i.kind), std::move(i.name)});
  std::shared_ptr<const Snapshot> built = std::move(s);
  snapshot_.store(built, std::memory_order_release);
  return built;
}

}  // namespace citypulse::ingest
