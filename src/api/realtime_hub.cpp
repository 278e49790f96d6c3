#include "api/realtime_hub.h"

#include <algorithm>

#include "api/realtime_connection.h"

namespace citypulse {

RealtimeHub::RealtimeHub(RealtimeServices services, RealtimeOptions options)
    : services_(services), options_(options) {
  subscription_ = services_.bus.subscribe([this](const bus::EventPtr& e) { deliver(e); });
}

RealtimeHub::~RealtimeHub() = default;

WebSocketOptions RealtimeHub::options() const {
  WebSocketOptions o;
  o.max_message_bytes = options_.max_message_bytes;
  o.compress = true;
  return o;
}

Result<std::shared_ptr<WebSocketHandler>> RealtimeHub::open(const WebSocketUpgrade&,
                                                            std::shared_ptr<WebSocketPeer> peer) {
  std::shared_ptr<LoopFlush> loop_flush;
  {
    std::lock_guard lock(mutex_);
    auto it = std::find_if(loop_flushes_.begin(), loop_flushes_.end(),
                           [&](const auto& f) { return f->loop == &peer->loop(); });
    if (it == loop_flushes_.end()) {
      auto f = std::make_shared<LoopFlush>();
      f->loop = &peer->loop();
      it = loop_flushes_.insert(loop_flushes_.end(), std::move(f));
    }
    loop_flush = *it;
  }
  auto connection =
      std::make_shared<RealtimeConnection>(*this, services_, options_, std::move(loop_flush), peer);
  connection->start();
  return connection;
}

void RealtimeHub::join(const std::shared_ptr<RealtimeConnection>& connection,
                       std::optional<Id> tenant) {
  std::lock_guard lock(mutex_);
  auto member = std::make_unique<Member>();
  member->connection = connection;
  member->tenant = tenant.value_or(0);
  by_tenant_[member->tenant].push_back(member.get());
  members_[connection.get()] = std::move(member);
}

namespace {

template <class Member>
void unlist(std::unordered_map<Id, std::vector<Member*>>& lists, Id key, Member* member) {
  auto it = lists.find(key);
  if (it == lists.end()) return;
  std::erase(it->second, member);
  if (it->second.empty()) lists.erase(it);
}

}  // namespace

void RealtimeHub::leave(const RealtimeConnection* connection) {
  std::lock_guard lock(mutex_);
  auto it = members_.find(connection);
  if (it == members_.end()) return;
  Member* member = it->second.get();
  for (Id p : member->points) unlist(by_point_, p, member);
  for (Id b : member->buildings) unlist(by_building_, b, member);
  unlist(by_tenant_, member->tenant, member);
  members_.erase(it);
}

void RealtimeHub::watch(const RealtimeConnection* connection, Watched what, std::span<const Id> ids,
                        bool on) {
  std::lock_guard lock(mutex_);
  auto it = members_.find(connection);
  if (it == members_.end()) return;
  Member* member = it->second.get();
  auto& mine = what == Watched::point ? member->points : member->buildings;
  auto& lists = what == Watched::point ? by_point_ : by_building_;
  for (Id id : ids) {
    if (on && mine.insert(id).second)
      lists[id].push_back(member);
    else if (!on && mine.erase(id) > 0)
      unlist(lists, id, member);
  }
}

std::size_t RealtimeHub::connections() const {
  std::lock_guard lock(mutex_);
  return members_.size();
}

void RealtimeHub::deliver(const bus::EventPtr& event) {
  std::lock_guard lock(mutex_);
  if (event->kind == bus::EventKind::readings) {
    deliver_values(event);
    return;
  }
  for (const Id key : {event->tenant_id, Id{0}}) {
    auto it = by_tenant_.find(key);
    if (it == by_tenant_.end()) continue;
    for (Member* m : it->second)
      if (auto c = m->connection.lock()) c->offer(event);
  }
}

void RealtimeHub::pick(Member* member, std::uint32_t value, std::vector<Member*>& picked) {
  // A value both a point and its building are watched for goes once.
  if (member->picked.empty()) picked.push_back(member);
  if (member->picked.empty() || member->picked.back() != value) member->picked.push_back(value);
}

void RealtimeHub::deliver_values(const bus::EventPtr& event) {
  const auto& values = event->values;
  for (std::uint32_t i = 0; i < values.size(); ++i) {
    if (auto it = by_point_.find(values[i].point_id); it != by_point_.end())
      for (Member* m : it->second) pick(m, i, picked_);
    if (values[i].building_id == 0) continue;
    if (auto it = by_building_.find(values[i].building_id); it != by_building_.end())
      for (Member* m : it->second) pick(m, i, picked_);
  }
  for (Member* m : picked_) {
    if (auto c = m->connection.lock()) c->offer_values(event, m->picked);
    m->picked.clear();
  }
  picked_.clear();
}

void RealtimeHub::LoopFlush::add(std::shared_ptr<RealtimeConnection> connection) {
  std::lock_guard lock(mutex);
  due.push_back(std::move(connection));
  if (due.size() > 1) return;  // the task is posted already
  // The task holds the LoopFlush: it may run after the hub is gone.
  loop->post([self = shared_from_this()] { self->run(); });
}

void RealtimeHub::LoopFlush::run() {
  {
    std::lock_guard lock(mutex);
    flushing.swap(due);
  }
  for (const auto& c : flushing) c->flush();
  flushing.clear();
}

}  // namespace citypulse
