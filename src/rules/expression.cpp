#include "rules/expression.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "rules/local_calendar.h"

namespace citypulse::rules {
namespace {

// Deep enough for any condition a person writes; bounds the stack.
constexpr std::size_t kMaxDepth = 64;
constexpr std::size_t kMaxLength = 4096;

enum class Type : std::uint8_t { number, truth };

std::string_view type_name(Type t) {
  return t == Type::number ? "a number" : "a truth";
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// A point "p12" or a building "b3": the id after the letter, > 0.
std::optional<std::int64_t> id_after(char letter, std::string_view name) {
  if (name.size() < 2 || name[0] != letter || !std::all_of(name.begin() + 1, name.end(), is_digit))
    return std::nullopt;
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(name.data() + 1, name.data() + name.size(), id);
  if (ec != std::errc() || end != name.data() + name.size() || id <= 0) return std::nullopt;
  return id;
}

// Longer windows than a month are reports, not alarms; the ring of
// readings a window keeps (expression_condition.h) is bounded anyway.
constexpr std::int64_t kMaxWindowMs = 31 * kDayMs;

template <class T, class Id>
std::uint32_t index_of(std::vector<T>& list, const Id& item) {
  auto it = std::find(list.begin(), list.end(), item);
  if (it == list.end()) it = list.insert(list.end(), item);
  return static_cast<std::uint32_t>(it - list.begin());
}

}  // namespace

// Recursive descent straight to the program: each rule of the grammar
// emits its steps after its operands' and returns the type it leaves on
// the stack, so types and depth are known as it goes.
class ExpressionCompiler {
 public:
  explicit ExpressionCompiler(std::string_view text) : text_(text) {}

  Result<Expression> run() {
    if (text_.size() > kMaxLength)
      return fail(ErrorCode::bad_request,
                  fmt::format("the expression is longer than {} characters", kMaxLength));
    auto type = parse_or();
    if (!type) return std::unexpected(type.error());
    skip_space();
    if (at_ < text_.size())
      return std::unexpected(error("expected an operator or the end").error());
    if (*type != Type::truth)
      return std::unexpected(
          error_at(0, "the expression must be a condition (true or false), not a number").error());
    return std::move(out_);
  }

 private:
  using Op = Expression::Op;
  struct WindowFunction {
    std::string_view name;
    Op op;
  };

  Result<Type> error(std::string what) { return error_at(at_, std::move(what)); }
  Result<Type> error_at(std::size_t at, std::string what) {
    return fail(ErrorCode::bad_request, fmt::format("at {}: {}", at, what),
                fmt::format("/expression/{}", at));
  }

  void skip_space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n'))
      ++at_;
  }
  // Consumes `token` (a word must not run on into a name).
  bool take(std::string_view token) {
    skip_space();
    if (text_.substr(at_, token.size()) != token) return false;
    const auto end = at_ + token.size();
    if (is_name_char(token.back()) && end < text_.size() && is_name_char(text_[end])) return false;
    at_ = end;
    return true;
  }

  void emit(Op op, std::uint32_t arg, int pushes) {
    out_.program_.push_back({op, arg});
    depth_ += pushes;
    out_.depth_ = std::max(out_.depth_, static_cast<std::size_t>(depth_));
  }

  Result<Type> expect(Type want, Result<Type> got, std::size_t at, std::string_view what) {
    if (!got) return got;
    if (*got != want)
      return error_at(at,
                      fmt::format("{} takes {}, not {}", what, type_name(want), type_name(*got)));
    return got;
  }

  Result<Type> binary_logic(Result<Type> (ExpressionCompiler::*operand)(), std::string_view word,
                            Op op) {
    const auto start = skip_and_mark();
    auto left = (this->*operand)();
    if (!left) return left;
    bool first = true;
    for (;;) {
      if (!take(word)) return left;
      if (first && *left != Type::truth)
        return error_at(start, fmt::format("'{}' takes a truth, not {}", word, type_name(*left)));
      first = false;
      const auto right_at = skip_and_mark();
      auto right = expect(Type::truth, (this->*operand)(), right_at, fmt::format("'{}'", word));
      if (!right) return right;
      emit(op, 0, -1);
    }
  }

  std::size_t skip_and_mark() {
    skip_space();
    return at_;
  }

  Result<Type> parse_or() {
    return binary_logic(&ExpressionCompiler::parse_and, "or", Op::logical_or);
  }
  Result<Type> parse_and() {
    return binary_logic(&ExpressionCompiler::parse_not, "and", Op::logical_and);
  }

  Result<Type> parse_not() {
    if (take("not")) {
      const auto at = skip_and_mark();
      auto operand = expect(Type::truth, parse_not(), at, "'not'");
      if (!operand) return operand;
      emit(Op::logical_not, 0, 0);
      return Type::truth;
    }
    return parse_comparison();
  }

  Result<Type> parse_comparison() {
    const auto left_at = skip_and_mark();
    auto left = parse_sum();
    if (!left) return left;
    static constexpr std::array<std::pair<std::string_view, Op>, 6> kComparisons{{
        {"<=", Op::less_equal},
        {">=", Op::greater_equal},
        {"==", Op::equal},
        {"!=", Op::not_equal},
        {"<", Op::less},
        {">", Op::greater},
    }};
    for (const auto& [token, op] : kComparisons) {
      if (!take(token)) continue;
      if (*left != Type::number)
        return error_at(left_at,
                        fmt::format("'{}' compares numbers, not {}", token, type_name(*left)));
      const auto right_at = skip_and_mark();
      auto right = expect(Type::number, parse_sum(), right_at, fmt::format("'{}'", token));
      if (!right) return right;
      emit(op, 0, -1);
      return Type::truth;
    }
    return left;
  }

  Result<Type> arithmetic(Result<Type> (ExpressionCompiler::*operand)(), char a, Op op_a, char b,
                          Op op_b) {
    const auto left_at = skip_and_mark();
    auto left = (this->*operand)();
    if (!left) return left;
    for (;;) {
      skip_space();
      if (at_ >= text_.size() || (text_[at_] != a && text_[at_] != b)) return left;
      const char sign = text_[at_];
      ++at_;
      if (*left != Type::number)
        return error_at(left_at, fmt::format("'{}' takes numbers, not {}", sign, type_name(*left)));
      const auto right_at = skip_and_mark();
      auto right = expect(Type::number, (this->*operand)(), right_at, fmt::format("'{}'", sign));
      if (!right) return right;
      emit(sign == a ? op_a : op_b, 0, -1);
    }
  }

  Result<Type> parse_sum() {
    return arithmetic(&ExpressionCompiler::parse_product, '+', Op::add, '-', Op::subtract);
  }
  Result<Type> parse_product() {
    return arithmetic(&ExpressionCompiler::parse_unary, '*', Op::multiply, '/', Op::divide);
  }

  Result<Type> parse_unary() {
    skip_space();
    if (at_ < text_.size() && text_[at_] == '-') {
      ++at_;
      const auto at = skip_and_mark();
      auto operand = expect(Type::number, parse_unary(), at, "'-'");
      if (!operand) return operand;
      emit(Op::negate, 0, 0);
      return Type::number;
    }
    return parse_primary();
  }

  Result<Type> parse_primary() {
    skip_space();
    if (++nesting_ > kMaxDepth) return error("the expression nests too deeply");
    auto type = primary();
    --nesting_;
    if (type && static_cast<std::size_t>(depth_) > kMaxDepth)
      return error("the expression nests too deeply");
    return type;
  }

  Result<Type> primary() {
    if (at_ >= text_.size()) return error("expected a value, found the end");
    const char c = text_[at_];
    if (c == '(') {
      ++at_;
      auto inner = parse_or();
      if (!inner) return inner;
      if (!take(")")) return error("expected ')'");
      return inner;
    }
    if ((c >= '0' && c <= '9') || c == '.') return number();
    if (!is_name_char(c)) return error(fmt::format("unexpected '{}'", c));
    const auto start = at_;
    while (at_ < text_.size() && is_name_char(text_[at_])) ++at_;
    const std::string_view name = text_.substr(start, at_ - start);
    if (name == "true" || name == "false") {
      out_.constants_.push_back(name == "true" ? 1.0 : 0.0);
      emit(Op::number, static_cast<std::uint32_t>(out_.constants_.size() - 1), 1);
      return Type::truth;
    }
    if (name.size() > 1 && name[0] == 'p' && std::all_of(name.begin() + 1, name.end(), is_digit))
      return point(name, start);
    return call(name, start);
  }

  // A name as written, from the current position (empty when none is).
  std::string_view name_here() {
    skip_space();
    const auto start = at_;
    while (at_ < text_.size() && is_name_char(text_[at_])) ++at_;
    return text_.substr(start, at_ - start);
  }

  Result<Type> number() {
    const auto start = at_;
    double value = 0;
    const auto [end, ec] = std::from_chars(text_.data() + at_, text_.data() + text_.size(), value);
    if (ec != std::errc() || !std::isfinite(value)) return error_at(start, "not a number");
    at_ = static_cast<std::size_t>(end - text_.data());
    if (at_ < text_.size() && is_name_char(text_[at_]))
      return error_at(start, "a number runs on into a name");
    out_.constants_.push_back(value);
    emit(Op::number, static_cast<std::uint32_t>(out_.constants_.size() - 1), 1);
    return Type::number;
  }

  Result<Type> point(std::string_view name, std::size_t start) {
    const auto id = id_after('p', name);
    if (!id) return error_at(start, "a point is p and its id, e.g. p12");
    emit(Op::point, index_of(out_.points_, *id), 1);
    return Type::number;
  }

  // avg(p12, 15m) and its kin: a point and a duration, both written out.
  Result<Type> window(const WindowFunction& f) {
    const auto point_at = skip_and_mark();
    const auto id = id_after('p', name_here());
    if (!id)
      return error_at(point_at,
                      fmt::format("{}() takes a point first, e.g. {}(p12, 15m)", f.name, f.name));
    if (!take(","))
      return error(fmt::format("expected ',' and a duration, e.g. {}(p12, 15m)", f.name));
    const auto length_at = skip_and_mark();
    const auto length = duration();
    if (!length)
      return error_at(length_at, "a window is a whole number and a unit (s, m, h or d), e.g. 15m");
    if (*length < 1000 || *length > kMaxWindowMs)
      return error_at(length_at, "a window is 1s to 31d long");
    if (!take(")")) return error("expected ')'");
    const auto slot = index_of(out_.points_, *id);
    const auto window = index_of(out_.windows_, ExpressionWindow{slot, *id, *length});
    emit(f.op, window, 1);
    return Type::number;
  }

  // "15m": digits and a unit, in ms; none when that is not what is here.
  std::optional<std::int64_t> duration() {
    const auto start = at_;
    while (at_ < text_.size() && is_digit(text_[at_])) ++at_;
    if (at_ == start || at_ >= text_.size()) return std::nullopt;
    std::int64_t count = 0;
    const auto [end, ec] = std::from_chars(text_.data() + start, text_.data() + at_, count);
    if (ec != std::errc() || count > kMaxWindowMs) return std::nullopt;
    std::int64_t unit = 0;
    switch (text_[at_]) {
      case 's':
        unit = 1000;
        break;
      case 'm':
        unit = kMinuteMs;
        break;
      case 'h':
        unit = kHourMs;
        break;
      case 'd':
        unit = kDayMs;
        break;
      default:
        return std::nullopt;
    }
    ++at_;
    if (at_ < text_.size() && is_name_char(text_[at_])) return std::nullopt;
    // Capped before multiplying, so no overflow; the caller checks the range.
    return std::min(count * unit, kMaxWindowMs + 1);
  }

  // occupied() or occupied(b3).
  Result<Type> occupancy() {
    std::int64_t building = 0;  // the rule's own
    if (!take(")")) {
      const auto building_at = skip_and_mark();
      const auto id = id_after('b', name_here());
      if (!id)
        return error_at(building_at,
                        "occupied() takes a building, e.g. occupied(b3), or nothing for the "
                        "rule's own");
      building = *id;
      if (!take(")")) return error("expected ')'");
    }
    emit(Op::occupied, index_of(out_.buildings_, building), 1);
    return Type::truth;
  }

  Result<Type> call(std::string_view name, std::size_t start) {
    if (!take("("))
      return error_at(start,
                      fmt::format("unknown name '{}' (a point is p and its id, e.g. p12)", name));
    static constexpr std::array<WindowFunction, 4> kWindowFunctions{{
        {"avg", Op::window_avg},
        {"min", Op::window_min},
        {"max", Op::window_max},
        {"delta", Op::window_delta},
    }};
    for (const auto& f : kWindowFunctions)
      if (name == f.name) return window(f);
    if (name == "occupied") return occupancy();
    std::vector<std::size_t> args_at;
    std::size_t args = 0;
    if (!take(")")) {
      for (;;) {
        args_at.push_back(skip_and_mark());
        auto arg = expect(Type::number, parse_or(), args_at.back(), fmt::format("{}()", name));
        if (!arg) return arg;
        ++args;
        if (take(")")) break;
        if (!take(",")) return error("expected ',' or ')'");
      }
    }
    auto arity = [&](std::size_t want) -> Result<Type> {
      if (args == want) return Type::number;
      return error_at(start, fmt::format("{}() takes {} argument{}, not {}", name, want,
                                         want == 1 ? "" : "s", args));
    };
    if (name == "abs") {
      auto ok = arity(1);
      if (ok) emit(Op::abs, 0, 0);
      return ok;
    }
    if (name == "hour" || name == "weekday") {
      auto ok = arity(0);
      if (ok) emit(name == "hour" ? Op::hour : Op::weekday, 0, 1);
      return ok;
    }
    return error_at(start,
                    fmt::format("unknown function '{}' (known: abs, hour, weekday, avg, min, "
                                "max, delta, occupied)",
                                name));
  }

  std::string_view text_;
  std::size_t at_ = 0;
  Expression out_;
  int depth_ = 0;  // values on the stack after the steps so far
  std::size_t nesting_ = 0;
};

Result<Expression> Expression::compile(std::string_view text) {
  return ExpressionCompiler(text).run();
}

bool Expression::evaluate(std::span<const double> values, std::span<const WindowSummary> windows,
                          const ExpressionClock& clock) const {
  constexpr double kNoNumber = std::numeric_limits<double>::quiet_NaN();
  // A window with no reading, or none given, has no number.
  auto summary = [&](std::uint32_t w) -> const WindowSummary* {
    return w < windows.size() && windows[w].count > 0 ? &windows[w] : nullptr;
  };
  std::array<double, kMaxDepth + 1> stack;
  std::size_t top = 0;  // values on the stack
  auto binary = [&](auto f) {
    const double b = stack[--top];
    stack[top - 1] = f(stack[top - 1], b);
  };
  for (const auto& step : program_) {
    switch (step.op) {
      case Op::number:
        stack[top++] = constants_[step.arg];
        break;
      case Op::point:
        stack[top++] = step.arg < values.size() ? values[step.arg] : std::nan("");
        break;
      case Op::add:
        binary([](double a, double b) { return a + b; });
        break;
      case Op::subtract:
        binary([](double a, double b) { return a - b; });
        break;
      case Op::multiply:
        binary([](double a, double b) { return a * b; });
        break;
      case Op::divide:
        binary([](double a, double b) { return b == 0 ? std::nan("") : a / b; });
        break;
      case Op::negate:
        stack[top - 1] = -stack[top - 1];
        break;
      case Op::less:
        binary([](double a, double b) { return a < b ? 1.0 : 0.0; });
        break;
      case Op::less_equal:
        binary([](double a, double b) { return a <= b ? 1.0 : 0.0; });
        break;
      case Op::greater:
        binary([](double a, double b) { return a > b ? 1.0 : 0.0; });
        break;
      case Op::greater_equal:
        binary([](double a, double b) { return a >= b ? 1.0 : 0.0; });
        break;
      case Op::equal:
        binary([](double a, double b) { return a == b ? 1.0 : 0.0; });
        break;
      case Op::not_equal:
        // NaN is no value: not unequal to anything either.
        binary([](double a, double b) { return !std::isnan(a) && !std::isnan(b) && a != b; });
        break;
      case Op::logical_and:
        binary([](double a, double b) { return a != 0 && b != 0 ? 1.0 : 0.0; });
        break;
      case Op::logical_or:
        binary([](double a, double b) { return a != 0 || b != 0 ? 1.0 : 0.0; });
        break;
      case Op::logical_not:
        stack[top - 1] = stack[top - 1] != 0 ? 0.0 : 1.0;
        break;
      case Op::abs:
        stack[top - 1] = std::abs(stack[top - 1]);
        break;
      case Op::hour:
        stack[top++] = clock.hour;
        break;
      case Op::weekday:
        stack[top++] = clock.weekday;
        break;
      case Op::window_avg: {
        const auto* w = summary(step.arg);
        stack[top++] = w ? w->sum / static_cast<double>(w->count) : kNoNumber;
        break;
      }
      case Op::window_min:
        stack[top++] = summary(step.arg) ? summary(step.arg)->min : kNoNumber;
        break;
      case Op::window_max:
        stack[top++] = summary(step.arg) ? summary(step.arg)->max : kNoNumber;
        break;
      case Op::window_delta: {
        const auto* w = summary(step.arg);
        stack[top++] = w ? w->last - w->first : kNoNumber;
        break;
      }
      case Op::occupied:
        stack[top++] =
            clock.occupied && clock.occupied(clock.occupancy_context, buildings_[step.arg]) ? 1.0
                                                                                            : 0.0;
        break;
    }
  }
  return top == 1 && stack[0] != 0;
}

ExpressionClock ExpressionClock::at(std::int64_t wall) {
  const auto day = local_day(wall);
  return ExpressionClock{static_cast<int>(day.in_day_ms / kHourMs), day.weekday + 1, wall};
}

}  // namespace citypulse::rules
