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
  EXPECT_EQ(refused_at("avg(p1) > 2"), 0);      // unknown function
  EXPECT_EQ(refused_at("abs(p1, p2) > 2"), 0);  // wrong number of arguments
  EXPECT_EQ(refused_at("hour(1) > 2"), 0);
  EXPECT_EQ(refused_at("p0 > 2"), 0);          // ids start at 1
  EXPECT_EQ(refused_at("p1 > 2x"), 5);         // a number running into a name
  EXPECT_EQ(refused_at("p1 >= 2 # note"), 8);  // unexpected character
  EXPECT_EQ(refused_at("p1 = 2"), 3);          // '=' is no operator
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
