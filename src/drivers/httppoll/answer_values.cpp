#include "drivers/httppoll/answer_values.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "core/text.h"

namespace citypulse::httppoll {
namespace {

namespace json = boost::json;

// A string that is one number and nothing else (surrounding blanks aside).
std::optional<double> number_in(std::string_view text) {
  text = trim(text);
  if (text.starts_with('+')) text.remove_prefix(1);
  double x = 0;
  const char* end = text.data() + text.size();
  auto [stop, ec] = std::from_chars(text.data(), end, x);
  if (text.empty() || ec != std::errc() || stop != end || !std::isfinite(x)) return std::nullopt;
  return x;
}

Error not_a_number(std::string_view pointer, std::string_view what) {
  return Error{
      ErrorCode::invalid,
      fmt::format("the answer's {} is {}, not a number", pointer.empty() ? "/" : pointer, what),
      {}};
}

// The first bytes of a text, for messages.
std::string quoted_start(std::string_view text) {
  constexpr std::size_t kShown = 40;
  std::string out(text.substr(0, kShown));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return fmt::format("\"{}{}\"", out, text.size() > kShown ? "..." : "");
}

}  // namespace

Result<double> number_at(const json::value& document, std::string_view pointer) {
  boost::system::error_code ec;
  const json::value* found = document.find_pointer(pointer, ec);
  if (found == nullptr)
    return fail(ErrorCode::invalid, fmt::format("the answer has nothing at {}", pointer));
  switch (found->kind()) {
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: {
      const double x = found->to_number<double>();
      if (!std::isfinite(x)) return fail(not_a_number(pointer, "not finite"));
      return x;
    }
    case json::kind::bool_:
      return found->get_bool() ? 1.0 : 0.0;
    case json::kind::string:
      if (auto x = number_in(found->get_string())) return *x;
      return fail(not_a_number(pointer, "the text " + quoted_start(found->get_string())));
    case json::kind::null:
      return fail(not_a_number(pointer, "null"));
    case json::kind::object:
      return fail(not_a_number(pointer, "an object"));
    case json::kind::array:
      return fail(not_a_number(pointer, "an array"));
  }
  return fail(ErrorCode::internal, "a JSON value of no known kind");
}

std::vector<ChannelRead> read_values(const PollRequest& request, std::string_view body) {
  std::vector<ChannelRead> out;
  boost::system::error_code ec;
  const json::value document = json::parse(body, ec);
  for (const auto& p : request.points) {
    if (ec) {
      out.push_back({p.channel, fail(ErrorCode::invalid,
                                     fmt::format("the answer to '{}' is not JSON ({}): {}",
                                                 request.name, ec.message(), quoted_start(body)))});
      continue;
    }
    Result<double> raw = number_at(document, p.pointer);
    if (raw) *raw = *raw * p.scale + p.offset;
    out.push_back({p.channel, std::move(raw)});
  }
  return out;
}

}  // namespace citypulse::httppoll
