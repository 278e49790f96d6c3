#include "model/recipient_schema.h"

#include <cctype>

#include "model/alarm.h"
#include "model/schema_impl.h"

namespace citypulse {
namespace {

using F = FieldType;

constexpr std::string_view kChannels[] = {"email", "sms", "webhook"};
constexpr std::string_view kStatuses[] = {"enabled", "disabled"};

bool plain_email(std::string_view a) {
  const auto at = a.find('@');
  if (at == a.npos || at == 0 || at + 1 >= a.size() || a.find('@', at + 1) != a.npos ||
      a.size() > 254)
    return false;
  for (char c : a)
    if (std::isspace(static_cast<unsigned char>(c)) || c == '<' || c == '>' || c == '"' ||
        c == ',' || static_cast<unsigned char>(c) >= 0x80)
      return false;
  return a.find('.', at) != a.npos;
}

// +, then 6 to 15 digits (E.164).
bool phone_number(std::string_view a) {
  if (a.size() < 7 || a.size() > 16 || a.front() != '+') return false;
  for (char c : a.substr(1))
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool clock_time(std::string_view t) {
  if (t.size() != 5 || t[2] != ':') return false;
  for (std::size_t i : {0, 1, 3, 4})
    if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
  const int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[3] - '0') * 10 + (t[4] - '0');
  return h < 24 && m < 60;
}

Status check_recipient(const Recipient& r) {
  if (r.channel == "email" && !plain_email(r.address))
    return fail(ErrorCode::invalid,
                "'address' must be a plain email address (name@example.org) for an email "
                "recipient",
                "/address");
  if (r.channel == "sms" && !phone_number(r.address))
    return fail(ErrorCode::invalid,
                "'address' must be a phone number in international form (+ and 6 to 15 digits) "
                "for an sms recipient",
                "/address");
  if (r.channel == "webhook") {
    if (!r.address.starts_with("http://") && !r.address.starts_with("https://"))
      return fail(ErrorCode::invalid, "'address' must be an http:// or https:// URL for a webhook",
                  "/address");
    if (r.secret.size() < 16)
      return fail(ErrorCode::invalid,
                  "a webhook needs a 'secret' of at least 16 characters to sign its requests with",
                  "/secret");
  } else if (!r.secret.empty()) {
    return fail(ErrorCode::invalid, "'secret' applies to webhooks only", "/secret");
  }
  if (r.quiet_from.empty() != r.quiet_to.empty())
    return fail(ErrorCode::invalid, "'quiet_from' and 'quiet_to' must be given together",
                r.quiet_from.empty() ? "/quiet_from" : "/quiet_to");
  for (auto [name, value] :
       {std::pair{"quiet_from", &r.quiet_from}, std::pair{"quiet_to", &r.quiet_to}})
    if (!value->empty() && !clock_time(*value))
      return fail(ErrorCode::invalid, fmt::format("'{}' must be a time of day as HH:MM", name),
                  fmt::format("/{}", name));
  return {};
}

const FieldSpec<Recipient> kRecipientFields[] = {
    {.name = "name",
     .type = F::text,
     .member = &Recipient::name,
     .required = true,
     .min = 1,
     .max = 200},
    {.name = "channel",
     .type = F::choice,
     .member = &Recipient::channel,
     .required = true,
     .choices = kChannels},
    {.name = "address",
     .type = F::text,
     .member = &Recipient::address,
     .required = true,
     .min = 1,
     .max = 500,
     .description = "An email address, a phone number (+4974...) or an http(s) URL."},
    {.name = "secret",
     .type = F::text,
     .member = &Recipient::secret,
     .access = Access::write_only,
     .max = 200,
     .description = "webhook: the key its requests are signed with (docs/notifications.md); "
                    "stored, never shown."},
    {.name = "user_id",
     .type = F::integer,
     .member = &Recipient::user_id,
     .min = 1,
     .description = "The user this recipient is, if one (a user of the tenant)."},
    {.name = "building_id",
     .type = F::ref,
     .member = &Recipient::building_id,
     .ref = "buildings",
     .description = "Only this building's alarms; absent: every building's."},
    {.name = "min_severity",
     .type = F::choice,
     .member = &Recipient::min_severity,
     .choices = severity_names(),
     .description = "Alarms of this severity or worse."},
    {.name = "quiet_from",
     .type = F::text,
     .member = &Recipient::quiet_from,
     .max = 5,
     .description = "HH:MM in the tenant's time zone from which only critical alarms are sent."},
    {.name = "quiet_to",
     .type = F::text,
     .member = &Recipient::quiet_to,
     .max = 5,
     .description = "HH:MM at which quiet hours end."},
    {.name = "escalate_after_s",
     .type = F::integer,
     .member = &Recipient::escalate_after_s,
     .min = 0,
     .max = 7 * 86'400,
     .description = "0: told when an alarm is raised; N: only when it is still unacknowledged "
                    "N seconds later."},
    {.name = "status", .type = F::choice, .member = &Recipient::status, .choices = kStatuses},
    {.name = "tags", .type = F::tags, .member = &Recipient::tags},
};

}  // namespace

const Schema<Recipient>& recipient_schema() {
  static const Schema<Recipient> s{"recipient",
                                   "recipients",
                                   "Where alarm notifications go: an email address, a phone "
                                   "number or a webhook (docs/notifications.md).",
                                   TenantField::explicit_,
                                   kRecipientFields,
                                   check_recipient};
  return s;
}

template Result<Recipient> decode(const boost::json::value&, const Schema<Recipient>&, DecodeMode,
                                  const Recipient*);
template boost::json::object encode(const Recipient&, const Schema<Recipient>&);
template boost::json::object json_schema(const Schema<Recipient>&);
template std::vector<std::string_view> filter_names(const Schema<Recipient>&);

}  // namespace citypulse
