// The expression language: what compiles and how it evaluates (precedence,
// points read once each, the clock, NaN staying quiet), and what is refused
// with the position of the mistake.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "rules/expression.h"

namespace citypulse::rules {
namespace {

Expression compiled(const std::string& text) {
  auto e = Expression::compile(text);
  EXPECT_TRUE(e) << text << ": " << (e ? "" : e.error().message);
  return e ? std::move(*e) : *Expression::compile("false");
}

bool eval(const std::string& text, std::vector<double> values = {}, ExpressionClock clock = {}) {
  return compiled(text).evaluate(values, clock);
}

// The position a refusal names, from its field "/expression/<at>".
long refused_at(const std::string& text) {
  auto e = Expression::compile(text);
  EXPECT_FALSE(e) << text << " compiled";
  if (e) return -1;
  EXPECT_EQ(e.error().code, ErrorCode::bad_request) << text;
  EXPECT_FALSE(e.error().message.empty());
  return std::stol(e.error().field.substr(std::string("/expression/").size()));
}

TEST(Expression, PointsAreReadOnceEachInOrderOfAppearance) {
  const auto e = compiled("p12 - p13 > 2 and p12 < 30");
  EXPECT_EQ(e.points(), (std::vector<std::int64_t>{12, 13}));
  EXPECT_TRUE(e.evaluate(std::vector<double>{25, 22}, {}));
  EXPECT_FALSE(e.evaluate(std::vector<double>{25, 23}, {}));  // difference 2: not more
  EXPECT_FALSE(e.evaluate(std::vector<double>{31, 20}, {}));  // p12 not below 30
}

TEST(Expression, PrecedenceIsArithmeticThenComparisonThenNotAndOr) {
  EXPECT_TRUE(eval("1 + 2 * 3 == 7"));
  EXPECT_TRUE(eval("(1 + 2) * 3 == 9"));
  EXPECT_TRUE(eval("-2 * -3 == 6"));
  EXPECT_TRUE(eval("10 / 4 == 2.5"));
  EXPECT_TRUE(eval("true or false and false"));  // and binds tighter
  EXPECT_FALSE(eval("(true or false) and false"));
  EXPECT_TRUE(eval("not false and true"));
  EXPECT_TRUE(eval("not 1 > 2"));
  EXPECT_TRUE(eval("abs(p1 - p2) >= 3", {1, 4}));
}

TEST(Expression, TheClockIsTheCallersLocalTime) {
  const auto office_hours = compiled("hour() >= 7 and hour() < 18 and weekday() <= 5");
  EXPECT_TRUE(office_hours.evaluate({}, {9, 3}));
  EXPECT_FALSE(office_hours.evaluate({}, {18, 3}));
  EXPECT_FALSE(office_hours.evaluate({}, {9, 6}));
}

TEST(Expression, AMissingValueOrADivisionByZeroKeepsTheConditionQuiet) {
  const double nan = std::nan("");
  EXPECT_FALSE(eval("p1 > 20", {nan}));
  EXPECT_FALSE(eval("p1 <= 20", {nan}));
  EXPECT_FALSE(eval("p1 != 20", {nan}));
  EXPECT_FALSE(eval("p1 / p2 > 1", {5, 0}));
  EXPECT_FALSE(eval("p1 > 20", {}));  // no value given at all
}

TEST(Expression, MistakesAreRefusedWithTheirPosition) {
  EXPECT_EQ(refused_at(""), 0);
  EXPECT_EQ(refused_at("p1 > "), 5);            // a value expected at the end
  EXPECT_EQ(refused_at("p1 > 2 )"), 7);         // stray parenthesis
  EXPECT_EQ(refused_at("(p1 > 2"), 7);          // ')' expected
  EXPECT_EQ(refused_at("p1 + 2"), 0);           // a number, not a condition
  EXPECT_EQ(refused_at("p1 > 2 and 3"), 11);    // 'and' takes a truth
  EXPECT_EQ(refused_at("p1 > 2 + true"), 9);    // '+' takes numbers
  EXPECT_EQ(refused_at("(p1 > 2) > 1"), 0);     // comparing a truth
  EXPECT_EQ(refused_at("temperature > 2"), 0);  // unknown name
  EXPECT_EQ(refused_at("median(p1) > 2"), 0);   // unknown function
  EXPECT_EQ(refused_at("abs(p1, p2) > 2"), 0);  // wrong number of arguments
  EXPECT_EQ(refused_at("hour(1) > 2"), 0);
  EXPECT_EQ(refused_at("p0 > 2"), 0);          // ids start at 1
  EXPECT_EQ(refused_at("p1 > 2x"), 5);         // a number running into a name
  EXPECT_EQ(refused_at("p1 >= 2 # note"), 8);  // unexpected character
  EXPECT_EQ(refused_at("p1 = 2"), 3);          // '=' is no operator
}

TEST(Expression, WindowsArePointsAndDurationsWrittenOut) {
  const auto e = compiled(
      "avg(p12, 15m) > 20 and max(p12, 1h) < 30 or delta(p3, 1d) > 5 and "
      "min(p12, 900s) > 0 and p4 > avg(p12, 15m)");
  EXPECT_EQ(e.points(), (std::vector<std::int64_t>{12, 3, 4}));
  // Each (point, length) once: 15m and 900s are the same window.
  EXPECT_EQ(e.windows(), (std::vector<ExpressionWindow>{
                             {0, 12, 15 * 60'000}, {0, 12, 3'600'000}, {1, 3, 86'400'000}}));
  // avg, min, max, delta of the summaries; none given: no number, quiet.
  const auto w = compiled(
      "avg(p1, 10m) == 2 and min(p1, 10m) == 1 and max(p1, 10m) == 4 and "
      "delta(p1, 10m) == -1");
  const std::vector<WindowSummary> summary{{3, 6, 1, 4, 4, 3}};
  EXPECT_TRUE(w.evaluate(std::vector<double>{3}, summary, {}));
  EXPECT_FALSE(w.evaluate(std::vector<double>{3}, {}));
  EXPECT_FALSE(compiled("avg(p1, 10m) <= 1e9")
                   .evaluate(std::vector<double>{3}, std::vector<WindowSummary>{{}}, {}));
  EXPECT_TRUE(eval("max(p1, 1s) != 1 or true"));
}

TEST(Expression, WindowMistakesAreRefusedWithTheirPosition) {
  EXPECT_EQ(refused_at("avg(12, 15m) > 2"), 4);      // not a point
  EXPECT_EQ(refused_at("avg(p1 + 1, 15m) > 2"), 7);  // an expression is no point
  EXPECT_EQ(refused_at("avg(p0, 15m) > 2"), 4);      // ids start at 1
  EXPECT_EQ(refused_at("avg(p1) > 2"), 6);           // ',' and a duration expected
  EXPECT_EQ(refused_at("avg(p1, 15) > 2"), 8);       // no unit
  EXPECT_EQ(refused_at("avg(p1, 15w) > 2"), 8);      // no such unit
  EXPECT_EQ(refused_at("avg(p1, 15 m) > 2"), 8);     // the unit apart
  EXPECT_EQ(refused_at("avg(p1, 15mi) > 2"), 8);     // running on into a name
  EXPECT_EQ(refused_at("avg(p1, p2) > 2"), 8);       // a point is no duration
  EXPECT_EQ(refused_at("avg(p1, 0s) > 2"), 8);       // too short
  EXPECT_EQ(refused_at("avg(p1, 32d) > 2"), 8);      // too long
  EXPECT_EQ(refused_at("avg(p1, 99999999999999999999d) > 2"), 8);
  EXPECT_EQ(refused_at("avg(p1, 15m, 1) > 2"), 11);   // ')' expected
  EXPECT_EQ(refused_at("avg(p1, 15m)"), 0);           // a number, not a condition
  EXPECT_EQ(refused_at("avg(p1, 15m) and true"), 0);  // 'and' takes a truth
  EXPECT_EQ(refused_at("avg > 2"), 0);                // a function needs its arguments
  EXPECT_EQ(refused_at("1 + delta(p1, 1h) > 2 or delta(p1, 1h, 2) > 1"), 37);
}

TEST(Expression, OccupiedIsTheCallersAnswerForABuilding) {
  const auto e = compiled("occupied() and not occupied(b7) and p1 > 21");
  EXPECT_EQ(e.occupancy_buildings(), (std::vector<std::int64_t>{0, 7}));
  // The rule's own building (0) is occupied, building 7 is not.
  ExpressionClock clock;
  const std::int64_t occupied_building = 0;
  clock.occupancy_context = &occupied_building;
  clock.occupied = [](const void* context, std::int64_t building) {
    return building == *static_cast<const std::int64_t*>(context);
  };
  EXPECT_TRUE(e.evaluate(std::vector<double>{22}, clock));
  EXPECT_FALSE(e.evaluate(std::vector<double>{21}, clock));
  const std::int64_t other = 7;
  clock.occupancy_context = &other;
  EXPECT_FALSE(e.evaluate(std::vector<double>{22}, clock));
  // No answer: nobody is there.
  EXPECT_FALSE(e.evaluate(std::vector<double>{22}, {}));
  EXPECT_TRUE(eval("not occupied()"));
  EXPECT_EQ(refused_at("occupied() > 1"), 0);  // a truth, not a number
  EXPECT_EQ(refused_at("occupied(3)"), 9);     // a building is b and its id
  EXPECT_EQ(refused_at("occupied(p3)"), 9);
  EXPECT_EQ(refused_at("occupied(b0)"), 9);
  EXPECT_EQ(refused_at("occupied(b3, b4)"), 11);  // ')' expected
  EXPECT_EQ(refused_at("abs(occupied()) > 1"), 4);
}

TEST(Expression, NestingAndLengthAreBounded) {
  std::string deep(100, '(');
  deep += "true";
  deep += std::string(100, ')');
  EXPECT_GE(refused_at(deep), 0);
  std::string nested = "true";
  for (int i = 0; i < 20; ++i) nested = "(" + nested + " and true)";
  EXPECT_TRUE(eval(nested));
  std::string sum = "p1";
  for (int i = 0; i < 200; ++i) sum += " + 1";
  EXPECT_TRUE(eval(sum + " > 200", {1}));  // long, but shallow
  EXPECT_FALSE(Expression::compile(std::string(5000, ' ') + "true"));
}

}  // namespace
}  // namespace citypulse::rules
