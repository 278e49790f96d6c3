// The schedule document: a full one read and written back equal, and each kind of mistake refused
// with the JSON pointer of the member at fault.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "control/weekly_schedule_json.h"
#include "core/calendar.h"

namespace citypulse::control {
namespace {

const char* kSchool = R"({
  "timezone": "Europe/Berlin",
  "default_mode": "unoccupied",
  "modes": {"occupied": {"setpoint": 21, "heating": 20.5, "cooling": 24},
            "standby": {"setpoint": 18},
            "unoccupied": {"setpoint": 15, "heating": 15, "cooling": 30}},
  "days": {"mon": [{"start": "12:00", "end": "16:00", "mode": "occupied"},
                   {"start": "07:00", "end": "12:00", "mode": "occupied"},
                   {"start": "16:00", "end": "24:00", "mode": "standby"}],
           "tue": [{"start": "07:00", "end": "16:00", "mode": "occupied"}],
           "sat": [{"start": "09:00", "end": "13:00", "mode": "standby"}]},
  "exceptions": [{"name": "Christmas closure", "first_day": "2026-12-24", "last_day": "2026-12-31",
                  "mode": "unoccupied"},
                 {"name": "Open day", "date": "2026-11-21",
                  "blocks": [{"start": "10:00", "end": "15:00", "mode": "occupied"}]},
                 {"date": "2026-11-23", "as": "sat"}],
  "holidays": {"state": "BY", "omit": ["assumption_day"], "public": {"as": "sun"},
               "school": {"mode": "standby"},
               "school_holidays": [{"name": "Herbstferien", "first_day": "2026-11-02",
                                    "last_day": "2026-11-06"}]}
})";

// kSchool with `path` (a JSON pointer) set to `value` (JSON text); a null value removes it.
boost::json::value with(const std::string& path, const char* value) {
  auto doc = boost::json::parse(kSchool);
  boost::json::error_code ec;
  const auto replacement = boost::json::parse(value);
  const auto cut = path.rfind('/');
  auto* parent = doc.find_pointer(path.substr(0, cut), ec);
  EXPECT_TRUE(parent) << path;
  const auto last = path.substr(cut + 1);
  if (parent->is_object()) {
    if (replacement.is_null())
      parent->get_object().erase(last);
    else
      parent->get_object()[last] = replacement;
  } else {
    parent->get_array()[std::stoul(last)] = replacement;
  }
  return doc;
}

Error error_of(const boost::json::value& doc) {
  auto s = schedule_from_json(doc);
  EXPECT_FALSE(s) << boost::json::serialize(doc);
  return s ? Error{} : s.error();
}

void expect_error(const std::string& path, const char* value, const std::string& field,
                  const std::string& words = {}) {
  const auto e = error_of(with(path, value));
  EXPECT_EQ(e.field, field) << path << " = " << value << ": " << e.message;
  EXPECT_EQ(e.code, ErrorCode::invalid) << e.message;
  if (!words.empty()) {
    EXPECT_NE(e.message.find(words), std::string::npos) << e.message;
  }
}

TEST(ControlScheduleJson, ReadsAFullDocument) {
  auto s = schedule_from_json(boost::json::parse(kSchool));
  ASSERT_TRUE(s) << s.error().message << " at " << s.error().field;
  const auto& spec = s->spec();
  EXPECT_EQ(spec.timezone, "Europe/Berlin");
  ASSERT_EQ(spec.week[0].size(), 3u);
  EXPECT_EQ(spec.week[0][0], (TimeBlock{420, 720, Mode::occupied}));  // sorted
  EXPECT_EQ(spec.week[0][2], (TimeBlock{960, 1440, Mode::standby}));
  EXPECT_TRUE(spec.week[3].empty());
  EXPECT_EQ(spec.setpoints[0], (Setpoints{21, 20.5, 24}));
  EXPECT_EQ(spec.setpoints[1], (Setpoints{18, std::nullopt, std::nullopt}));
  ASSERT_EQ(spec.exceptions.size(), 3u);
  EXPECT_EQ(spec.exceptions[0].name, "Open day");  // sorted by first day
  EXPECT_EQ(spec.exceptions[1].rule.kind, DayRule::Kind::as_weekday);
  EXPECT_EQ(spec.exceptions[1].rule.weekday, 5);
  EXPECT_EQ(spec.exceptions[2].last_day - spec.exceptions[2].first_day, 7);
  EXPECT_EQ(spec.holidays.state, GermanState::BY);
  EXPECT_EQ(spec.holidays.omit, std::vector<HolidayKind>{HolidayKind::assumption_day});
  ASSERT_TRUE(spec.holidays.school_holidays);
  EXPECT_EQ(spec.holidays.school_holidays->mode, Mode::standby);
  EXPECT_EQ(spec.holidays.school_holiday_periods.periods().size(), 1u);
}

TEST(ControlScheduleJson, WritesWhatItReads) {
  auto s = schedule_from_json(boost::json::parse(kSchool));
  ASSERT_TRUE(s);
  const auto json = to_json(s->spec());
  auto again = schedule_from_json(json);
  ASSERT_TRUE(again) << again.error().message << " at " << again.error().field;
  EXPECT_EQ(again->spec(), s->spec());
  EXPECT_EQ(to_json(again->spec()), json);
  EXPECT_EQ(json.at("days").at("mon").at(2).at("end"), "24:00");
  EXPECT_EQ(json.at("exceptions").at(0).at("date"), "2026-11-21");
}

TEST(ControlScheduleJson, AMinimalDocumentHasDefaults) {
  auto s = schedule_from_json(boost::json::parse(R"({"timezone": "UTC",
    "modes": {"occupied": {"setpoint": 21}, "standby": {"setpoint": 18},
              "unoccupied": {"setpoint": 16}}})"));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->spec().default_mode, Mode::unoccupied);
  EXPECT_FALSE(s->spec().holidays.state);
  EXPECT_EQ(s->mode_at(0), Mode::unoccupied);
}

TEST(ControlScheduleJson, BlockMistakesNameTheBlock) {
  // Unknown mode, bad time text, end before start, overlaps, 24:00 as a start.
  expect_error("/days/mon/2/mode", R"("comfort")", "/days/mon/2/mode", "occupied, standby");
  expect_error("/days/mon/2/start", R"("7:00")", "/days/mon/2/start", "HH:MM");
  expect_error("/days/mon/2/start", R"("16:60")", "/days/mon/2/start");
  expect_error("/days/mon/2/start", R"("24:00")", "/days/mon/2/start");
  expect_error("/days/mon/2/end", R"("24:01")", "/days/mon/2/end");
  expect_error("/days/mon/2/start", "1600", "/days/mon/2/start", "string");
  expect_error("/days/tue/0/end", R"("06:00")", "/days/tue/0/end", "not after the start");
  expect_error("/days/tue/0/end", R"("07:00")", "/days/tue/0/end");
  expect_error("/days/mon/2/start", R"("15:59")", "/days/mon/2", "overlaps block 0");
  expect_error("/days/mon/1/end", R"("12:01")", "/days/mon/1", "overlaps");
  expect_error("/days/mon/0", R"({"start": "12:00", "end": "16:00"})", "/days/mon/0/mode");
  expect_error("/days/mon/0/until", R"("16:00")", "/days/mon/0/until", "unknown field");
  expect_error("/days/monday", "[]", "/days/monday");
  expect_error("/days/sat", R"({"start": "09:00"})", "/days/sat", "array");
}

TEST(ControlScheduleJson, ModeMistakesNameTheMode) {
  expect_error("/modes/standby", "null", "/modes/standby", "missing");
  expect_error("/modes/occupied/cooling", "20", "/modes/occupied/cooling", "above the heating");
  expect_error("/modes/occupied/setpoint", "25", "/modes/occupied/setpoint", "above the cooling");
  expect_error("/modes/unoccupied/setpoint", "\"15\"", "/modes/unoccupied/setpoint");
  expect_error("/modes/occupied/heating", "500", "/modes/occupied/heating");
  expect_error("/modes/comfort", R"({"setpoint": 22})", "/modes/comfort");
  expect_error("/default_mode", R"("off")", "/default_mode");
  expect_error("/modes", "null", "/modes");
}

TEST(ControlScheduleJson, ExceptionMistakesNameTheException) {
  expect_error("/exceptions/1/date", R"("2026-11-31")", "/exceptions/1/date", "exists");
  expect_error("/exceptions/0/last_day", R"("2026-12-20")", "/exceptions/0/last_day", "before");
  expect_error("/exceptions/2/date", R"("2026-12-27")", "/exceptions/2", "overlaps exception 0");
  expect_error("/exceptions/0/mode", "null", "/exceptions/0", "exactly one");
  expect_error("/exceptions/2/mode", R"("occupied")", "/exceptions/2", "exactly one");
  expect_error("/exceptions/2/as", R"("saturday")", "/exceptions/2/as", "weekday");
  expect_error("/exceptions/1/blocks/0/end", R"("09:00")", "/exceptions/1/blocks/0/end");
  expect_error("/exceptions/0/last_day", R"("2028-01-01")", "/exceptions/0/last_day", "366");
  expect_error("/exceptions/1/first_day", R"("2026-11-21")", "/exceptions/1/date", "not both");
}

TEST(ControlScheduleJson, HolidayMistakesNameTheMember) {
  expect_error("/holidays/state", R"("XX")", "/holidays/state", "BW, BY");
  expect_error("/holidays/state", R"("Bayern")", "/holidays/state");
  expect_error("/holidays/omit/0", R"("assumption")", "/holidays/omit/0", "unknown");
  expect_error("/holidays/public", R"({"mode": "weekend"})", "/holidays/public/mode");
  expect_error("/holidays/public", R"({"as": "sun", "mode": "standby"})", "/holidays/public");
  expect_error("/holidays/school", R"({"blocks": [{"start": "08:00", "end": "07:00",
      "mode": "standby"}]})",
               "/holidays/school/blocks/0/end");
  expect_error("/holidays/school_holidays/0/first_day", R"("2026-13-01")",
               "/holidays/school_holidays/0/first_day");
  // "public" and "omit" treat a state's holidays: without the state they mean nothing.
  auto doc = with("/holidays/state", "null");
  EXPECT_EQ(error_of(doc).field, "/holidays/omit");
  doc.at("holidays").as_object().erase("omit");
  EXPECT_EQ(error_of(doc).field, "/holidays/public");
}

TEST(ControlScheduleJson, DocumentMistakes) {
  expect_error("/timezone", R"("Europe/Atlantis")", "/timezone");
  expect_error("/timezone", R"("../etc/passwd")", "/timezone");
  expect_error("/timezone", "null", "/timezone", "missing");
  expect_error("/week", "{}", "/week", "unknown field");
  EXPECT_EQ(error_of(boost::json::parse("[]")).code, ErrorCode::invalid);
}

}  // namespace
}  // namespace citypulse::control
