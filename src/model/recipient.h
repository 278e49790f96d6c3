// A recipient of alarm notifications (/api/v1/recipients): where a
// tenant's alarms are sent — an email address, a phone number for SMS, or
// a webhook URL — and which of them: from a severity up, of one building or
// all, held back in quiet hours, or only once an alarm has waited
// unacknowledged for a while (escalation). Plain values; recipient_schema.h
// says what is valid.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/asset.h"

namespace citypulse {

struct Recipient : RecordMeta {
  std::string name;
  std::string channel;  // email | sms | webhook
  std::string address;  // an email address, a phone number (+4974...), an http(s) URL
  std::string secret;   // webhook: the key its requests are signed with; never shown
  std::optional<std::int64_t> user_id;  // the user this recipient is, if one
  std::optional<Id> building_id;        // only this building's alarms; none: all
  std::string min_severity = "warning";
  // Local "HH:MM" (the tenant's time zone) between which only critical
  // alarms are sent; both or neither. from > to spans midnight.
  std::string quiet_from, quiet_to;
  // 0: when an alarm is raised; N: only if it is still unacknowledged N
  // seconds after it was raised (escalation).
  std::int64_t escalate_after_s = 0;
  std::string status = "enabled";  // enabled | disabled
  std::vector<std::string> tags;
};

}  // namespace citypulse
