// AlarmNotifier: tells people and systems of alarms. It listens to the
// event bus for alarms being raised and sends each to the tenant's
// recipients (/api/v1/recipients) that want it — by severity and building,
// holding back all but critical alarms in a recipient's quiet hours — by
// email, SMS or signed webhook, through a DeliveryQueue that retries and
// dead-letters. Every attempt is stored with its alarm
// (AlarmStore::add_notification_attempt), so it is visible at the API.
//
// Escalation: a recipient with escalate_after_s N hears of an alarm only
// if it is still unacknowledged (active or returned unacknowledged, not
// shelved or suppressed) N seconds after it was raised. The escalations
// due are kept in memory; at start they are found again from the open
// alarms, leaving out those already sent (their attempts are stored).
//
// Flood protection (ISA-18.2: more than 10 alarms in 10 minutes is a
// flood): while more than `flood_alarms` alarms of a tenant were raised
// within `flood_window_ms`, its further alarms are not sent one by one but
// collected per recipient and sent as one digest every
// `digest_interval_ms`.
//
// Threads: the bus handler only queues; a thread of its own reads the
// store, decides and enqueues; the delivery queue's worker sends. Memory
// is bounded: the event queue, digests and pending escalations are capped
// (what does not fit is logged and dropped; the alarm console still has
// every alarm).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "bus/event_bus.h"
#include "core/timezone.h"
#include "model/recipient.h"
#include "notify/alarm_notice.h"
#include "notify/delivery_queue.h"
#include "notify/email.h"
#include "notify/sms.h"
#include "store/meta_store.h"

namespace citypulse::notify {

struct NotifierSettings {
  SmtpSettings smtp;  // url empty: email recipients are not sent to (recorded as failed)
  SmsGateway sms;     // url_template empty: likewise for SMS
  int webhook_timeout_ms = 10'000;
  int flood_alarms = 10;
  std::int64_t flood_window_ms = 600'000;
  std::int64_t digest_interval_ms = 600'000;
  std::string public_url;         // links in messages: <public_url>/alarms/<id>; empty: none
  std::function<TimeMs()> clock;  // now_ms when empty
};

class AlarmNotifier final : public DeliveryRecorder {
 public:
  // `store` and `bus` must outlive the notifier.
  AlarmNotifier(MetaStore& store, bus::EventBus& bus, NotifierSettings settings,
                DeliveryOptions delivery);
  ~AlarmNotifier() override;  // stops listening, then the thread, then the deliveries
  AlarmNotifier(const AlarmNotifier&) = delete;
  AlarmNotifier& operator=(const AlarmNotifier&) = delete;

  // Subscribes to the bus and starts the thread.
  void start();

  void on_attempt(const AttemptRecord& record) override;

 private:
  struct Escalation {
    TimeMs due;
    Id alarm_id;
    Id recipient_id;
    bool operator<(const Escalation& o) const {
      return std::tie(due, alarm_id, recipient_id) < std::tie(o.due, o.alarm_id, o.recipient_id);
    }
  };
  struct Digest {
    std::vector<AlarmFacts> alarms;  // the first kMaxDigest
    std::size_t total = 0;
  };
  struct Tenant {
    std::deque<TimeMs> raised;     // within the flood window
    std::map<Id, Digest> digests;  // by recipient
    std::optional<TimeMs> digest_due;
  };
  struct Context {  // what an attempt is about, for its record
    Id tenant_id = 0;
    std::optional<Id> alarm_id;
    std::optional<Id> building_id;
    Id recipient_id = 0;
    NoticeKind kind = NoticeKind::raised;
    std::string target;  // the address as records show it
  };

  TimeMs now() const { return settings_.clock(); }
  void run();
  // At start: the escalations of open, unacknowledged alarms not yet sent.
  void recover_escalations();
  void on_raised(Id alarm_id);
  void escalate(const Escalation& e);
  void flush_digests(Id tenant_id, Tenant& tenant);
  Result<AlarmFacts> facts_of(const Alarm& alarm);
  bool wants(const Recipient& r, const Alarm& alarm) const;
  bool quiet(const Recipient& r, Id tenant_id, TimeMs at);
  void send(const Recipient& r, NoticeKind kind, std::span<const AlarmFacts> alarms,
            std::size_t total);
  void record_refusal(const Context& context, const Recipient& r, const std::string& why);

  MetaStore& store_;
  bus::EventBus& bus_;
  NotifierSettings settings_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Id> raised_;  // alarm ids from the bus, for the thread
  bool stop_ = false;

  // The thread's own.
  std::set<Escalation> escalations_;
  std::unordered_map<Id, Tenant> tenants_;
  std::unordered_map<Id, Timezone> zones_;  // by tenant
  std::uint64_t sequence_ = 0;

  std::mutex contexts_mutex_;
  std::unordered_map<std::string, Context> contexts_;  // by delivery id

  bus::Subscription subscription_;
  std::thread thread_;
  std::unique_ptr<DeliveryQueue> deliveries_;  // its worker calls on_attempt
};

}  // namespace citypulse::notify
