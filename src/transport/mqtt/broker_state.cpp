#include "transport/mqtt/broker_state.h"

#include <fmt/format.h>

#include "sqlite/connection.h"
#include "transport/mqtt/codec.h"

namespace citypulse::mqtt {
namespace {

constexpr std::string_view kSchema = R"sql(
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS sessions (
  client_id TEXT NOT NULL, kind INTEGER NOT NULL, tenant_id INTEGER NOT NULL,
  device_id INTEGER, may_read INTEGER NOT NULL, may_write INTEGER NOT NULL,
  sys_reader INTEGER NOT NULL, who TEXT NOT NULL, expiry_s INTEGER NOT NULL,
  disconnected_at_ms INTEGER NOT NULL, last_packet_id INTEGER NOT NULL, inbound_qos2 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS subscriptions (
  session INTEGER NOT NULL, filter TEXT NOT NULL, internal_filter TEXT NOT NULL,
  qos INTEGER NOT NULL, no_local INTEGER NOT NULL, retain_as_published INTEGER NOT NULL,
  retain_handling INTEGER NOT NULL, subscription_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
  session INTEGER NOT NULL,  -- sessions.rowid; 0 for a retained message
  seq INTEGER NOT NULL,      -- order within the session
  stage INTEGER NOT NULL,    -- 0 queued, 1..3 InflightDelivery::Stage + 1, 9 retained
  packet_id INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  packet BLOB NOT NULL);     -- the message as an MQTT 5 PUBLISH (codec.h)
)sql";

constexpr std::int64_t kQueued = 0;
constexpr std::int64_t kRetained = 9;

// A message as an MQTT 5 PUBLISH: the codec already writes every property a
// message carries, and reads it back checked. The internal topic, the
// delivery's QoS and RETAIN and its subscription ids ride along.
std::string to_packet(const Message& m, std::uint8_t qos, bool retain,
                      const std::vector<std::uint32_t>& subscription_ids) {
  Publish p;
  p.topic = m.topic;
  p.payload = m.payload;
  p.qos = qos;
  p.retain = retain;
  p.packet_id = qos > 0 ? 1 : 0;
  auto& props = p.properties;
  props.payload_format = m.payload_format;
  if (m.content_type) props.content_type = *m.content_type;
  if (m.response_topic) props.response_topic = *m.response_topic;
  if (m.correlation_data) props.correlation_data = *m.correlation_data;
  for (const auto& [k, v] : m.user_properties) props.user_properties.emplace_back(k, v);
  props.subscription_ids = subscription_ids;
  std::string out;
  encode(p, Version::v5, out);
  return out;
}

struct Decoded {
  MessagePtr message;
  std::uint8_t qos = 0;
  bool retain = false;
  std::vector<std::uint32_t> subscription_ids;
};

Result<Decoded> from_packet(std::string_view bytes, std::int64_t expires_at_ms) {
  FrameHeader header;
  if (read_frame(bytes, 0xFFFF'FFFF, header) != FrameStatus::complete ||
      header.type() != PacketType::publish)
    return fail(ErrorCode::io, "corrupt MQTT state: a saved message is not a PUBLISH");
  auto packet = decode(header, bytes.substr(header.header_size), Version::v5);
  if (!packet)
    return fail(ErrorCode::io,
                fmt::format("corrupt MQTT state: a saved message does not decode ({})",
                            packet.error().what));
  const auto& p = std::get<Publish>(*packet);
  auto m = std::make_shared<Message>();
  m->topic = std::string(p.topic);
  m->payload = std::string(p.payload);
  m->qos = p.qos;
  m->retain = p.retain;
  m->payload_format = p.properties.payload_format;
  m->expires_at_ms = expires_at_ms;
  if (p.properties.content_type) m->content_type = std::string(*p.properties.content_type);
  if (p.properties.response_topic) m->response_topic = std::string(*p.properties.response_topic);
  if (p.properties.correlation_data)
    m->correlation_data = std::string(*p.properties.correlation_data);
  for (const auto& [k, v] : p.properties.user_properties)
    m->user_properties.emplace_back(std::string(k), std::string(v));
  return Decoded{std::move(m), p.qos, p.retain, p.properties.subscription_ids};
}

std::string join_ids(const std::vector<std::uint16_t>& ids) {
  std::string out;
  for (auto id : ids) out += fmt::format("{}{}", out.empty() ? "" : ",", id);
  return out;
}

std::vector<std::uint16_t> split_ids(std::string_view text) {
  std::vector<std::uint16_t> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    out.push_back(static_cast<std::uint16_t>(std::stoul(std::string(text.substr(0, comma)))));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

ClientIdentity identity_of(std::int64_t kind, Id tenant, std::optional<Id> device, bool read,
                           bool write, bool sys, std::string who) {
  switch (static_cast<ClientIdentity::Kind>(kind)) {
    case ClientIdentity::Kind::device:
      return device_identity(tenant, device.value_or(0), who);
    case ClientIdentity::Kind::user:
      return user_identity(tenant ? std::optional<Id>(tenant) : std::nullopt, read, write, sys,
                           std::move(who));
    case ClientIdentity::Kind::anonymous:
      break;
  }
  return anonymous_identity();
}

}  // namespace

struct BrokerStateFile::Impl {
  sqlite::Connection db;
};

BrokerStateFile::BrokerStateFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BrokerStateFile::BrokerStateFile(BrokerStateFile&&) noexcept = default;
BrokerStateFile& BrokerStateFile::operator=(BrokerStateFile&&) noexcept = default;
BrokerStateFile::~BrokerStateFile() = default;

Result<BrokerStateFile> BrokerStateFile::open(const std::string& path) {
  auto db = sqlite::Connection::open(path);
  if (!db) return std::unexpected(db.error());
  if (auto s = db->exec(kSchema); !s) return std::unexpected(s.error());
  return BrokerStateFile(std::make_unique<Impl>(Impl{std::move(*db)}));
}

Status BrokerStateFile::save(const BrokerState& state) {
  auto& db = impl_->db;
  auto tx = sqlite::Transaction::begin(db, sqlite::Transaction::Mode::write);
  if (!tx) return std::unexpected(tx.error());
  if (auto s = db.exec("DELETE FROM sessions; DELETE FROM subscriptions; DELETE FROM messages;");
      !s)
    return s;
  auto put_message = [&](std::int64_t session, std::int64_t seq, std::int64_t stage,
                         std::uint16_t packet_id, const Delivery& d) -> Status {
    auto st = db.prepare(
        "INSERT INTO messages (session, seq, stage, packet_id, expires_at_ms, packet) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    // The packet carries the delivery's QoS, which becomes the restored
    // message's QoS too: past routing, only the delivery's matters (and a
    // retained message is saved with its own).
    return st->bind(session)
        .bind(seq)
        .bind(stage)
        .bind(std::int64_t{packet_id})
        .bind(d.message->expires_at_ms)
        .bind_blob(to_packet(*d.message, d.qos, d.retain, d.subscription_ids))
        .run();
  };
  for (const auto& s : state.sessions) {
    auto st = db.prepare(
        "INSERT INTO sessions (client_id, kind, tenant_id, device_id, may_read, may_write, "
        "sys_reader, who, expiry_s, disconnected_at_ms, last_packet_id, inbound_qos2) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    const auto& c = s.identity;
    if (auto r = st->bind(s.client_id)
                     .bind(std::int64_t{static_cast<std::uint8_t>(c.kind)})
                     .bind(c.tenant_id)
                     .bind(c.device_id ? std::optional<std::int64_t>(*c.device_id) : std::nullopt)
                     .bind(std::int64_t{c.may_read})
                     .bind(std::int64_t{c.may_write})
                     .bind(std::int64_t{c.sys_reader})
                     .bind(c.name)
                     .bind(std::int64_t{s.expiry_s})
                     .bind(s.disconnected_at_ms)
                     .bind(std::int64_t{s.last_packet_id})
                     .bind(join_ids(s.inbound_qos2))
                     .run();
        !r)
      return r;
    const auto row = db.last_insert_id();
    for (const auto& [filter, record] : s.subscriptions) {
      auto sub = db.prepare(
          "INSERT INTO subscriptions (session, filter, internal_filter, qos, no_local, "
          "retain_as_published, retain_handling, subscription_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      if (!sub) return std::unexpected(sub.error());
      const auto& o = record.options;
      if (auto r = sub->bind(row)
                       .bind(filter)
                       .bind(record.internal_filter)
                       .bind(std::int64_t{o.qos})
                       .bind(std::int64_t{o.no_local})
                       .bind(std::int64_t{o.retain_as_published})
                       .bind(std::int64_t{o.retain_handling})
                       .bind(std::int64_t{o.subscription_id})
                       .run();
          !r)
        return r;
    }
    std::int64_t seq = 0;
    for (const auto& f : s.inflight)
      if (auto r = put_message(row, seq++, static_cast<std::int64_t>(f.stage) + 1, f.packet_id,
                               f.delivery);
          !r)
        return r;
    for (const auto& d : s.queued)
      if (auto r = put_message(row, seq++, kQueued, 0, d); !r) return r;
  }
  std::int64_t seq = 0;
  for (const auto& m : state.retained)
    if (auto r = put_message(0, seq++, kRetained, 0, Delivery{m, m->qos, true, {}}); !r) return r;
  return tx->commit();
}

Result<BrokerState> BrokerStateFile::load() {
  auto& db = impl_->db;
  BrokerState state;
  std::unordered_map<std::int64_t, std::size_t> index;  // rowid → position in state.sessions
  {
    auto st = db.prepare(
        "SELECT rowid, client_id, kind, tenant_id, device_id, may_read, may_write, sys_reader, "
        "who, expiry_s, disconnected_at_ms, last_packet_id, inbound_qos2 FROM sessions");
    if (!st) return std::unexpected(st.error());
    while (true) {
      auto row = st->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      SavedSession s;
      s.client_id = st->text(1);
      s.identity =
          identity_of(st->int64(2), st->int64(3),
                      st->is_null(4) ? std::nullopt : std::optional<Id>(st->int64(4)),
                      st->int64(5) != 0, st->int64(6) != 0, st->int64(7) != 0, st->text(8));
      s.expiry_s = static_cast<std::uint32_t>(st->int64(9));
      s.disconnected_at_ms = st->int64(10);
      s.last_packet_id = static_cast<std::uint16_t>(st->int64(11));
      s.inbound_qos2 = split_ids(st->text(12));
      index[st->int64(0)] = state.sessions.size();
      state.sessions.push_back(std::move(s));
    }
  }
  {
    auto st = db.prepare(
        "SELECT session, filter, internal_filter, qos, no_local, retain_as_published, "
        "retain_handling, subscription_id FROM subscriptions");
    if (!st) return std::unexpected(st.error());
    while (true) {
      auto row = st->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      auto it = index.find(st->int64(0));
      if (it == index.end()) continue;
      SubscriptionRecord r;
      r.internal_filter = st->text(2);
      r.options.qos = static_cast<std::uint8_t>(st->int64(3));
      r.options.no_local = st->int64(4) != 0;
      r.options.retain_as_published = st->int64(5) != 0;
      r.options.retain_handling = static_cast<std::uint8_t>(st->int64(6));
      r.options.subscription_id = static_cast<std::uint32_t>(st->int64(7));
      state.sessions[it->second].subscriptions.emplace_back(st->text(1), std::move(r));
    }
  }
  auto st = db.prepare(
      "SELECT session, stage, packet_id, expires_at_ms, packet FROM messages ORDER BY session, "
      "seq");
  if (!st) return std::unexpected(st.error());
  while (true) {
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    const auto stage = st->int64(1);
    auto decoded = from_packet(st->blob(4), st->int64(3));
    if (!decoded) return std::unexpected(decoded.error());
    if (stage == kRetained) {
      state.retained.push_back(std::move(decoded->message));
      continue;
    }
    auto it = index.find(st->int64(0));
    if (it == index.end()) continue;
    Delivery d{std::move(decoded->message), decoded->qos, decoded->retain,
               std::move(decoded->subscription_ids)};
    auto& s = state.sessions[it->second];
    if (stage == kQueued)
      s.queued.push_back(std::move(d));
    else
      s.inflight.push_back(InflightDelivery{static_cast<std::uint16_t>(st->int64(2)),
                                            static_cast<InflightDelivery::Stage>(stage - 1),
                                            std::move(d)});
  }
  return state;
}

}  // namespace citypulse::mqtt
