#include "control/weekly_schedule_json.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <boost/json.hpp>
#include <string>

#include "control/day_text.h"
#include "model/json_fields.h"

namespace citypulse::control {
namespace {

std::unexpected<Error> invalid(std::string message, std::string field) {
  return fail(ErrorCode::invalid, std::move(message), std::move(field));
}

// A required or optional text member that must parse with `parse`; `what` says what it must be.
template <class T, class Parse>
Result<std::optional<T>> parsed_text(const JsonFields& fields, std::string_view name, bool required,
                                     std::string_view what, Parse parse) {
  auto text = fields.text(name, required, 100);
  if (!text) return fail(text.error());
  if (!*text) return std::optional<T>{};
  auto value = parse(**text);
  if (!value)
    return invalid(fmt::format("'{}' must be {}, not '{}'", name, what, **text),
                   fields.pointer(name));
  return std::optional<T>(*value);
}

constexpr std::string_view kModesText = "a mode: occupied, standby or unoccupied";
constexpr std::string_view kWeekdayText = "a weekday: mon, tue, wed, thu, fri, sat or sun";
constexpr std::string_view kDateText = "a date YYYY-MM-DD that exists";

Result<std::vector<TimeBlock>> blocks_from_json(const boost::json::value* json,
                                                const std::string& at) {
  if (!json->is_array()) return invalid("blocks must be an array", at);
  std::vector<TimeBlock> blocks;
  const auto& array = json->get_array();
  if (array.size() > kMaxBlocksPerDay)
    return invalid(fmt::format("at most {} blocks a day", kMaxBlocksPerDay), at);
  for (std::size_t i = 0; i < array.size(); ++i) {
    auto fields = JsonFields::of(array[i], {"start", "end", "mode"}, fmt::format("{}/{}", at, i));
    if (!fields) return fail(fields.error());
    auto start = parsed_text<int>(*fields, "start", true, "a time HH:MM from 00:00 to 23:59",
                                  [](std::string_view t) { return parse_time_of_day(t, false); });
    if (!start) return fail(start.error());
    auto end = parsed_text<int>(*fields, "end", true, "a time HH:MM from 00:01 to 24:00",
                                [](std::string_view t) { return parse_time_of_day(t, true); });
    if (!end) return fail(end.error());
    auto mode = parsed_text<Mode>(*fields, "mode", true, kModesText, parse_mode);
    if (!mode) return fail(mode.error());
    blocks.push_back({**start, **end, **mode});
  }
  return blocks;
}

// Exactly one of "mode", "blocks", "as" of an object already opened as `fields`.
Result<DayRule> day_rule_from_json(const JsonFields& fields, const std::string& at) {
  const int given = int{fields.has("mode")} + int{fields.has("blocks")} + int{fields.has("as")};
  if (given != 1)
    return invalid("give exactly one of 'mode' (all day), 'blocks' or 'as' (a weekday's blocks)",
                   at);
  DayRule rule;
  if (fields.has("blocks")) {
    auto blocks = blocks_from_json(fields.get("blocks"), fields.pointer("blocks"));
    if (!blocks) return fail(blocks.error());
    rule.kind = DayRule::Kind::blocks;
    rule.blocks = std::move(*blocks);
  } else if (fields.has("mode")) {
    auto mode = parsed_text<Mode>(fields, "mode", true, kModesText, parse_mode);
    if (!mode) return fail(mode.error());
    rule.kind = DayRule::Kind::mode;
    rule.mode = **mode;
  } else {
    auto weekday = parsed_text<int>(fields, "as", true, kWeekdayText, parse_weekday_key);
    if (!weekday) return fail(weekday.error());
    rule.kind = DayRule::Kind::as_weekday;
    rule.weekday = **weekday;
  }
  return rule;
}

Result<DayRule> day_rule_member(const JsonFields& parent, std::string_view name) {
  const std::string at = parent.pointer(name);
  auto fields = JsonFields::of(*parent.get(name), {"mode", "blocks", "as"}, at);
  if (!fields) return fail(fields.error());
  return day_rule_from_json(*fields, at);
}

Result<Setpoints> setpoints_from_json(const boost::json::value& json, const std::string& at) {
  auto fields = JsonFields::of(json, {"setpoint", "heating", "cooling"}, at);
  if (!fields) return fail(fields.error());
  auto setpoint = fields->number("setpoint", true, -1e6, 1e6);
  if (!setpoint) return fail(setpoint.error());
  auto heating = fields->number("heating", false, -50, 100);
  if (!heating) return fail(heating.error());
  auto cooling = fields->number("cooling", false, -50, 100);
  if (!cooling) return fail(cooling.error());
  return Setpoints{**setpoint, *heating, *cooling};
}

Status modes_from_json(const JsonFields& doc, ScheduleSpec& spec) {
  const std::string at = doc.pointer("modes");
  auto modes = JsonFields::of(*doc.get("modes"), {"occupied", "standby", "unoccupied"}, at);
  if (!modes) return fail(modes.error());
  for (int m = 0; m < kModes; ++m) {
    const auto name = mode_name(static_cast<Mode>(m));
    if (!modes->has(name))
      return invalid(fmt::format("missing the setpoints of mode '{}'", name), modes->pointer(name));
    auto setpoints = setpoints_from_json(*modes->get(name), modes->pointer(name));
    if (!setpoints) return fail(setpoints.error());
    spec.setpoints[static_cast<std::size_t>(m)] = *setpoints;
  }
  return {};
}

Status days_from_json(const JsonFields& doc, ScheduleSpec& spec) {
  auto days = JsonFields::of(*doc.get("days"), {"mon", "tue", "wed", "thu", "fri", "sat", "sun"},
                             doc.pointer("days"));
  if (!days) return fail(days.error());
  for (int d = 0; d < 7; ++d) {
    const auto key = weekday_key(d);
    if (!days->has(key)) continue;
    auto blocks = blocks_from_json(days->get(key), days->pointer(key));
    if (!blocks) return fail(blocks.error());
    spec.week[static_cast<std::size_t>(d)] = std::move(*blocks);
  }
  return {};
}

Result<ExceptionDays> exception_from_json(const boost::json::value& json, const std::string& at) {
  auto fields =
      JsonFields::of(json, {"name", "date", "first_day", "last_day", "mode", "blocks", "as"}, at);
  if (!fields) return fail(fields.error());
  ExceptionDays e;
  auto name = fields->text("name", false, 200);
  if (!name) return fail(name.error());
  e.name = name->value_or("");
  const auto day = [&](std::string_view member, bool required) {
    return parsed_text<std::int64_t>(*fields, member, required, kDateText, parse_day);
  };
  if (fields->has("date")) {
    if (fields->has("first_day") || fields->has("last_day"))
      return invalid("give 'date' or 'first_day' and 'last_day', not both",
                     fields->pointer("date"));
    auto date = day("date", true);
    if (!date) return fail(date.error());
    e.first_day = e.last_day = **date;
  } else {
    if (!fields->has("first_day") && !fields->has("last_day"))
      return invalid("an exception needs a 'date', or a 'first_day' and a 'last_day'", at);
    auto first = day("first_day", true);
    if (!first) return fail(first.error());
    auto last = day("last_day", true);
    if (!last) return fail(last.error());
    e.first_day = **first;
    e.last_day = **last;
  }
  auto rule = day_rule_from_json(*fields, at);
  if (!rule) return fail(rule.error());
  e.rule = std::move(*rule);
  return e;
}

Status exceptions_from_json(const JsonFields& doc, ScheduleSpec& spec) {
  const auto* json = doc.get("exceptions");
  const std::string at = doc.pointer("exceptions");
  if (!json->is_array()) return invalid("'exceptions' must be an array", at);
  if (json->get_array().size() > kMaxExceptions)
    return invalid(fmt::format("at most {} exceptions", kMaxExceptions), at);
  std::size_t i = 0;
  for (const auto& item : json->get_array()) {
    auto e = exception_from_json(item, fmt::format("{}/{}", at, i++));
    if (!e) return fail(e.error());
    spec.exceptions.push_back(std::move(*e));
  }
  return {};
}

Status holidays_from_json(const JsonFields& doc, ScheduleSpec& spec) {
  const std::string at = doc.pointer("holidays");
  auto fields = JsonFields::of(*doc.get("holidays"),
                               {"state", "omit", "public", "school", "school_holidays"}, at);
  if (!fields) return fail(fields.error());
  auto& rule = spec.holidays;
  auto state = parsed_text<GermanState>(
      *fields, "state", false,
      "a German state's code: BW, BY, BE, BB, HB, HH, HE, MV, NI, NW, RP, SL, SN, ST, SH or TH",
      parse_german_state);
  if (!state) return fail(state.error());
  rule.state = *state;
  if (fields->has("omit")) {
    const auto* omit = fields->get("omit");
    if (!rule.state) return invalid("'omit' needs a 'state'", fields->pointer("omit"));
    if (!omit->is_array()) return invalid("'omit' must be an array", fields->pointer("omit"));
    std::size_t i = 0;
    for (const auto& key : omit->get_array()) {
      const std::string item_at = fmt::format("{}/{}", fields->pointer("omit"), i++);
      const auto kind = key.is_string() ? parse_holiday_key(key.get_string()) : std::nullopt;
      if (!kind)
        return invalid(
            "unknown public holiday; holidays are named by keys such as "
            "'assumption_day' (docs/control.md)",
            item_at);
      rule.omit.push_back(*kind);
    }
  }
  if (fields->has("public")) {
    if (!rule.state)
      return invalid("'public' treats the public holidays of a 'state'; name the state",
                     fields->pointer("public"));
    auto r = day_rule_member(*fields, "public");
    if (!r) return fail(r.error());
    rule.public_holidays = std::move(*r);
  }
  if (fields->has("school")) {
    auto r = day_rule_member(*fields, "school");
    if (!r) return fail(r.error());
    rule.school_holidays = std::move(*r);
  }
  if (fields->has("school_holidays")) {
    auto periods = school_holidays_from_json(*fields->get("school_holidays"),
                                             fields->pointer("school_holidays"));
    if (!periods) return fail(periods.error());
    rule.school_holiday_periods = std::move(*periods);
  }
  return {};
}

boost::json::array blocks_to_json(const std::vector<TimeBlock>& blocks) {
  boost::json::array out;
  for (const auto& b : blocks)
    out.push_back(boost::json::object{{"start", format_time_of_day(b.start_minute)},
                                      {"end", format_time_of_day(b.end_minute)},
                                      {"mode", mode_name(b.mode)}});
  return out;
}

void put_rule(boost::json::object& out, const DayRule& rule) {
  switch (rule.kind) {
    case DayRule::Kind::blocks:
      out["blocks"] = blocks_to_json(rule.blocks);
      break;
    case DayRule::Kind::mode:
      out["mode"] = mode_name(rule.mode);
      break;
    case DayRule::Kind::as_weekday:
      out["as"] = weekday_key(rule.weekday);
      break;
  }
}

}  // namespace

Result<ScheduleSpec> schedule_spec_from_json(const boost::json::value& json) {
  auto doc =
      JsonFields::of(json, {"timezone", "default_mode", "modes", "days", "exceptions", "holidays"});
  if (!doc) return fail(doc.error());
  ScheduleSpec spec;
  auto zone = doc->text("timezone", true, 100);
  if (!zone) return fail(zone.error());
  spec.timezone = **zone;
  auto default_mode = parsed_text<Mode>(*doc, "default_mode", false, kModesText, parse_mode);
  if (!default_mode) return fail(default_mode.error());
  spec.default_mode = default_mode->value_or(Mode::unoccupied);
  if (!doc->has("modes"))
    return invalid("missing 'modes': the setpoints of occupied, standby and unoccupied",
                   doc->pointer("modes"));
  if (auto ok = modes_from_json(*doc, spec); !ok) return fail(ok.error());
  if (doc->has("days"))
    if (auto ok = days_from_json(*doc, spec); !ok) return fail(ok.error());
  if (doc->has("exceptions"))
    if (auto ok = exceptions_from_json(*doc, spec); !ok) return fail(ok.error());
  if (doc->has("holidays"))
    if (auto ok = holidays_from_json(*doc, spec); !ok) return fail(ok.error());
  return spec;
}

Result<WeeklySchedule> schedule_from_json(const boost::json::value& json) {
  auto spec = schedule_spec_from_json(json);
  if (!spec) return fail(spec.error());
  return WeeklySchedule::make(std::move(*spec));
}

boost::json::object to_json(const ScheduleSpec& spec) {
  boost::json::object out;
  out["timezone"] = spec.timezone;
  out["default_mode"] = mode_name(spec.default_mode);
  boost::json::object modes;
  for (int m = 0; m < kModes; ++m) {
    const auto& s = spec.setpoints[static_cast<std::size_t>(m)];
    boost::json::object o{{"setpoint", s.setpoint}};
    if (s.heating) o["heating"] = *s.heating;
    if (s.cooling) o["cooling"] = *s.cooling;
    modes[mode_name(static_cast<Mode>(m))] = std::move(o);
  }
  out["modes"] = std::move(modes);
  boost::json::object days;
  for (int d = 0; d < 7; ++d)
    days[weekday_key(d)] = blocks_to_json(spec.week[static_cast<std::size_t>(d)]);
  out["days"] = std::move(days);
  boost::json::array exceptions;
  for (const auto& e : spec.exceptions) {
    boost::json::object o;
    if (!e.name.empty()) o["name"] = e.name;
    if (e.first_day == e.last_day) {
      o["date"] = format_day(e.first_day);
    } else {
      o["first_day"] = format_day(e.first_day);
      o["last_day"] = format_day(e.last_day);
    }
    put_rule(o, e.rule);
    exceptions.push_back(std::move(o));
  }
  out["exceptions"] = std::move(exceptions);
  const auto& h = spec.holidays;
  boost::json::object holidays;
  if (h.state) {
    holidays["state"] = state_code(*h.state);
    boost::json::array omit;
    for (auto kind : h.omit) omit.push_back(boost::json::string(holiday_key(kind)));
    holidays["omit"] = std::move(omit);
    boost::json::object rule;
    put_rule(rule, h.public_holidays);
    holidays["public"] = std::move(rule);
  }
  if (h.school_holidays) {
    boost::json::object rule;
    put_rule(rule, *h.school_holidays);
    holidays["school"] = std::move(rule);
  }
  holidays["school_holidays"] = to_json(h.school_holiday_periods);
  out["holidays"] = std::move(holidays);
  return out;
}

}  // namespace citypulse::control
