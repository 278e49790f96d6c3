#include "notify/alarm_notifier.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <algorithm>

#include "core/time.h"
#include "model/rule.h"
#include "notify/webhook.h"
#include "store/alarm_store.h"

namespace citypulse::notify {
namespace {

constexpr std::size_t kMaxQueuedEvents = 100'000;
constexpr std::size_t kMaxEscalations = 100'000;
constexpr std::size_t kMaxDigest = 1'000;  // alarms listed in one digest

bool waiting_for_acknowledgement(AlarmState s) {
  return s == AlarmState::active_unacknowledged || s == AlarmState::returned_unacknowledged;
}

int minutes_of(std::string_view hh_mm) {
  return ((hh_mm[0] - '0') * 10 + (hh_mm[1] - '0')) * 60 + (hh_mm[3] - '0') * 10 + (hh_mm[4] - '0');
}

}  // namespace

AlarmNotifier::AlarmNotifier(MetaStore& store, bus::EventBus& bus, NotifierSettings settings,
                             DeliveryOptions delivery)
    : store_(store), bus_(bus), settings_(std::move(settings)) {
  if (!settings_.clock) settings_.clock = now_ms;
  if (!delivery.clock) delivery.clock = settings_.clock;
  deliveries_ = std::make_unique<DeliveryQueue>(std::move(delivery), this);
}

AlarmNotifier::~AlarmNotifier() {
  subscription_ = {};
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  deliveries_.reset();
}

void AlarmNotifier::start() {
  subscription_ = bus_.subscribe([this](const bus::EventPtr& e) {
    if (e->kind != bus::EventKind::alarm_changed) return;
    // Only raises start notifications; the details say which change it was.
    boost::system::error_code ec;
    const auto details = boost::json::parse(e->details_json, ec);
    if (ec || !details.is_object()) return;
    const auto* change = details.as_object().if_contains("change");
    const auto* id = details.as_object().if_contains("id");
    if (!change || !id || !change->is_string() || change->as_string() != "raised" ||
        !id->is_int64())
      return;
    {
      std::lock_guard lock(mutex_);
      if (raised_.size() >= kMaxQueuedEvents) {
        spdlog::warn("notifications: alarm {} dropped, {} waiting", id->as_int64(), raised_.size());
        return;
      }
      raised_.push_back(id->as_int64());
    }
    wake_.notify_one();
  });
  thread_ = std::thread([this] { run(); });
}

void AlarmNotifier::recover_escalations() {
  auto open = store_.alarms().open_alarms();
  if (!open) {
    spdlog::error("notifications: cannot read the open alarms: {}", open.error().message);
    return;
  }
  std::unordered_map<Id, std::vector<Recipient>> recipients;  // by tenant
  for (const auto& alarm : *open) {
    if (!waiting_for_acknowledgement(alarm.state)) continue;
    auto [it, fresh] = recipients.try_emplace(alarm.tenant_id);
    if (fresh) {
      auto listed =
          list_all(store_.recipients(), Scope::tenant(alarm.tenant_id), {{"status", "enabled"}});
      if (listed) it->second = std::move(*listed);
    }
    std::optional<Page<NotificationAttempt>> sent;
    for (const auto& r : it->second) {
      if (r.escalate_after_s == 0 || !wants(r, alarm)) continue;
      if (!sent) {
        auto attempts = store_.alarms().notification_attempts(Scope::tenant(alarm.tenant_id),
                                                              alarm.id, 1000, 0);
        sent = attempts ? std::move(*attempts) : Page<NotificationAttempt>{};
      }
      const bool told = std::any_of(sent->records.begin(), sent->records.end(), [&](const auto& a) {
        return a.recipient_id == r.id && a.kind == "escalated";
      });
      if (!told && escalations_.size() < kMaxEscalations)
        escalations_.insert({alarm.raised_at + r.escalate_after_s * 1000, alarm.id, r.id});
    }
  }
}

void AlarmNotifier::run() {
  recover_escalations();
  for (;;) {
    std::deque<Id> raised;
    {
      std::unique_lock lock(mutex_);
      std::optional<TimeMs> due;
      if (!escalations_.empty()) due = escalations_.begin()->due;
      for (const auto& [id, t] : tenants_)
        if (t.digest_due && (!due || *t.digest_due < *due)) due = t.digest_due;
      const auto ready = [&] { return stop_ || !raised_.empty(); };
      if (due)
        wake_.wait_for(lock, std::chrono::milliseconds(std::max<TimeMs>(0, *due - now())), ready);
      else
        wake_.wait(lock, ready);
      if (stop_) return;
      raised.swap(raised_);
    }
    for (const Id id : raised) on_raised(id);
    const TimeMs t = now();
    while (!escalations_.empty() && escalations_.begin()->due <= t) {
      const Escalation e = *escalations_.begin();
      escalations_.erase(escalations_.begin());
      escalate(e);
    }
    for (auto& [id, tenant] : tenants_)
      if (tenant.digest_due && *tenant.digest_due <= t) flush_digests(id, tenant);
  }
}

Result<AlarmFacts> AlarmNotifier::facts_of(const Alarm& alarm) {
  const Scope all = Scope::all_tenants();
  AlarmFacts f;
  f.alarm = alarm;
  // Names only make the message readable: a record gone meanwhile is not an error.
  if (auto b = store_.buildings().get(all, alarm.building_id))
    f.building = b->name;
  else
    f.building = fmt::format("building {}", alarm.building_id);
  if (auto p = store_.points().get(all, alarm.point_id))
    f.point = p->name;
  else
    f.point = fmt::format("point {}", alarm.point_id);
  if (auto r = store_.rules().get(all, alarm.rule_id)) {
    f.rule = r->name;
    f.action = r->action;
  } else {
    f.rule = fmt::format("rule {}", alarm.rule_id);
  }
  if (!settings_.public_url.empty())
    f.link = fmt::format("{}/alarms/{}", settings_.public_url, alarm.id);
  return f;
}

bool AlarmNotifier::wants(const Recipient& r, const Alarm& alarm) const {
  if (r.status != "enabled") return false;
  if (alarm.severity < severity_from_name(r.min_severity).value_or(Severity::warning)) return false;
  return !r.building_id || *r.building_id == alarm.building_id;
}

bool AlarmNotifier::quiet(const Recipient& r, Id tenant_id, TimeMs at) {
  if (r.quiet_from.empty()) return false;
  auto zone = zones_.find(tenant_id);
  if (zone == zones_.end()) {
    Timezone tz;
    if (auto t = store_.tenants().get(Scope::all_tenants(), tenant_id))
      if (auto loaded = Timezone::load(t->timezone)) tz = std::move(*loaded);
    zone = zones_.emplace(tenant_id, std::move(tz)).first;
  }
  const TimeMs local = zone->second.to_local(at);
  const int minute = static_cast<int>(((local % 86'400'000) + 86'400'000) % 86'400'000 / 60'000);
  const int from = minutes_of(r.quiet_from), to = minutes_of(r.quiet_to);
  return from <= to ? minute >= from && minute < to : minute >= from || minute < to;
}

void AlarmNotifier::on_raised(Id alarm_id) {
  auto alarm = store_.alarms().get(Scope::all_tenants(), alarm_id);
  if (!alarm) return;  // removed with its tenant meanwhile
  auto recipients =
      list_all(store_.recipients(), Scope::tenant(alarm->tenant_id), {{"status", "enabled"}});
  if (!recipients) {
    spdlog::error("notifications: cannot read the recipients of tenant {}: {}", alarm->tenant_id,
                  recipients.error().message);
    return;
  }
  const TimeMs t = now();
  Tenant& tenant = tenants_[alarm->tenant_id];
  tenant.raised.push_back(t);
  while (!tenant.raised.empty() && tenant.raised.front() <= t - settings_.flood_window_ms)
    tenant.raised.pop_front();
  const bool flood = tenant.raised.size() > static_cast<std::size_t>(settings_.flood_alarms);
  std::optional<AlarmFacts> facts;
  for (const auto& r : *recipients) {
    if (!wants(r, *alarm)) continue;
    if (r.escalate_after_s > 0) {
      if (escalations_.size() < kMaxEscalations)
        escalations_.insert({alarm->raised_at + r.escalate_after_s * 1000, alarm->id, r.id});
      else
        spdlog::warn("notifications: escalation of alarm {} dropped", alarm->id);
      continue;
    }
    if (alarm->severity < Severity::critical && quiet(r, alarm->tenant_id, t)) continue;
    if (!facts) {
      auto made = facts_of(*alarm);
      if (!made) return;
      facts = std::move(*made);
    }
    if (flood) {
      Digest& d = tenant.digests[r.id];
      if (d.alarms.size() < kMaxDigest) d.alarms.push_back(*facts);
      ++d.total;
      if (!tenant.digest_due) tenant.digest_due = t + settings_.digest_interval_ms;
      continue;
    }
    send(r, NoticeKind::raised, std::span(&*facts, 1), 1);
  }
}

void AlarmNotifier::escalate(const Escalation& e) {
  auto alarm = store_.alarms().get(Scope::all_tenants(), e.alarm_id);
  if (!alarm || !waiting_for_acknowledgement(alarm->state)) return;
  auto r = store_.recipients().get(Scope::tenant(alarm->tenant_id), e.recipient_id);
  if (!r || !wants(*r, *alarm)) return;
  if (alarm->severity < Severity::critical && quiet(*r, alarm->tenant_id, now())) return;
  auto facts = facts_of(*alarm);
  if (!facts) return;
  send(*r, NoticeKind::escalated, std::span(&*facts, 1), 1);
}

void AlarmNotifier::flush_digests(Id tenant_id, Tenant& tenant) {
  tenant.digest_due.reset();
  auto digests = std::move(tenant.digests);
  tenant.digests.clear();
  for (auto& [recipient_id, digest] : digests) {
    auto r = store_.recipients().get(Scope::tenant(tenant_id), recipient_id);
    if (!r || r->status != "enabled") continue;
    send(*r, NoticeKind::digest, digest.alarms, digest.total);
  }
}

void AlarmNotifier::record_refusal(const Context& c, const Recipient& r, const std::string& why) {
  NotificationAttempt a;
  a.tenant_id = c.tenant_id;
  a.alarm_id = c.alarm_id;
  a.building_id = c.building_id;
  a.recipient_id = c.recipient_id;
  a.channel = r.channel;
  a.target = c.target;
  a.kind = std::string(notice_kind_name(c.kind));
  a.attempt_no = 0;
  a.at = now();
  a.outcome = "failed";
  a.error = why;
  if (auto s = store_.alarms().add_notification_attempt(a); !s)
    spdlog::error("notifications: attempt not stored: {}", s.error().message);
}

void AlarmNotifier::send(const Recipient& r, NoticeKind kind, std::span<const AlarmFacts> alarms,
                         std::size_t total) {
  if (alarms.empty()) return;
  const Alarm& first = alarms.front().alarm;
  // A webhook URL's query may hold a token: records show the URL without it.
  Context context{first.tenant_id,
                  std::nullopt,
                  std::nullopt,
                  r.id,
                  kind,
                  r.channel == "webhook" ? r.address.substr(0, r.address.find('?')) : r.address};
  if (kind != NoticeKind::digest) {
    context.alarm_id = first.id;
    context.building_id = first.building_id;
  }
  const bool digest = kind == NoticeKind::digest;
  Delivery d;
  d.id = fmt::format("n{}", ++sequence_);
  d.target = context.target;
  if (r.channel == "email") {
    if (settings_.smtp.url.empty())
      return record_refusal(context, r, "email is not set up on this server (notify.smtp_url)");
    d.channel = Channel::email;
    const auto notice = digest ? digest_email(alarms, total) : alarm_email(kind, alarms.front());
    d.attempt = [smtp = settings_.smtp,
                 message = EmailMessage{{r.address}, notice.subject, notice.text}](TimeMs) {
      return send_email(smtp, message);
    };
  } else if (r.channel == "sms") {
    if (settings_.sms.url_template.empty())
      return record_refusal(context, r, "SMS is not set up on this server (notify.sms_url)");
    d.channel = Channel::sms;
    d.attempt = [gateway = settings_.sms, to = r.address,
                 text = digest ? digest_sms(alarms, total)
                               : alarm_sms(kind, alarms.front())](TimeMs) -> Status {
      auto sent = send_sms(gateway, to, text);
      if (!sent) return std::unexpected(sent.error());
      return {};
    };
  } else {
    d.channel = Channel::webhook;
    d.attempt = [target = WebhookTarget{r.address, r.secret, settings_.webhook_timeout_ms},
                 body = digest ? digest_webhook_json(alarms, total)
                               : alarm_webhook_json(kind, alarms.front())](TimeMs at) -> Status {
      auto posted = post_webhook(target, body, at);
      if (!posted) return std::unexpected(posted.error());
      return {};
    };
  }
  {
    std::lock_guard lock(contexts_mutex_);
    contexts_[d.id] = context;
  }
  const std::string id = d.id;
  if (auto s = deliveries_->enqueue(std::move(d)); !s) {
    {
      std::lock_guard lock(contexts_mutex_);
      contexts_.erase(id);
    }
    record_refusal(context, r, s.error().message);
  }
}

void AlarmNotifier::on_attempt(const AttemptRecord& record) {
  Context context;
  {
    std::lock_guard lock(contexts_mutex_);
    const auto it = contexts_.find(record.delivery_id);
    if (it == contexts_.end()) return;
    context = it->second;
    if (record.outcome != AttemptOutcome::retrying) contexts_.erase(it);
  }
  NotificationAttempt a;
  a.tenant_id = context.tenant_id;
  a.alarm_id = context.alarm_id;
  a.building_id = context.building_id;
  a.recipient_id = context.recipient_id;
  a.channel = std::string(channel_name(record.channel));
  a.target = context.target;
  a.kind = std::string(notice_kind_name(context.kind));
  a.attempt_no = record.attempt_no;
  a.at = record.at;
  a.outcome = std::string(outcome_name(record.outcome));
  a.error = record.error;
  a.next_at = record.next_at;
  if (auto s = store_.alarms().add_notification_attempt(a); !s)
    spdlog::error("notifications: attempt not stored: {}", s.error().message);
}

}  // namespace citypulse::notify
