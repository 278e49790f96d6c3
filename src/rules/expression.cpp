#include "rules/expression.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>

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
    if (name.size() > 1 && name[0] == 'p' &&
        std::all_of(name.begin() + 1, name.end(), [](char d) { return d >= '0' && d <= '9'; }))
      return point(name.substr(1), start);
    return call(name, start);
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

  Result<Type> point(std::string_view digits, std::size_t start) {
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (ec != std::errc() || end != digits.data() + digits.size() || id <= 0)
      return error_at(start, "a point is p and its id, e.g. p12");
    auto& points = out_.points_;
    auto it = std::find(points.begin(), points.end(), id);
    if (it == points.end()) it = points.insert(points.end(), id);
    emit(Op::point, static_cast<std::uint32_t>(it - points.begin()), 1);
    return Type::number;
  }

  Result<Type> call(std::string_view name, std::size_t start) {
    if (!take("("))
      return error_at(start,
                      fmt::format("unknown name '{}' (a point is p and its id, e.g. p12)", name));
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
    return error_at(start, fmt::format("unknown function '{}' (known: abs, hour, weekday)", name));
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

bool Expression::evaluate(std::span<const double> values, const ExpressionClock& clock) const {
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
    }
  }
  return top == 1 && stack[0] != 0;
}

ExpressionClock ExpressionClock::at(std::int64_t wall) {
  constexpr std::int64_t kDay = 86'400'000;
  const std::int64_t days = wall >= 0 ? wall / kDay : (wall - kDay + 1) / kDay;
  const std::int64_t in_day = wall - days * kDay;
  // 1970-01-01 was a Thursday (4 in ISO numbering).
  const auto weekday = static_cast<int>(((days + 3) % 7 + 7) % 7) + 1;
  return ExpressionClock{static_cast<int>(in_day / 3'600'000), weekday};
}

}  // namespace citypulse::rules
