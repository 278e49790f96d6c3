#include "drivers/httppoll/text_template.h"

#include <fmt/format.h>

#include <algorithm>

namespace citypulse::httppoll {
namespace {

bool name_start(char c) {
  return c >= 'a' && c <= 'z';
}
bool name_char(char c) {
  return name_start(c) || (c >= '0' && c <= '9') || c == '_';
}

// The length of the placeholder name that starts after the '{' at `open`,
// or 0 when what follows is not `name}`.
std::size_t name_length(std::string_view text, std::size_t open) {
  std::size_t end = open + 1;
  if (end >= text.size() || !name_start(text[end])) return 0;
  while (end < text.size() && name_char(text[end])) ++end;
  if (end >= text.size() || text[end] != '}') return 0;
  return end - open - 1;
}

std::string listed(std::initializer_list<std::string_view> names) {
  std::string out;
  for (auto name : names) out += fmt::format("{}{{{}}}", out.empty() ? "" : ", ", name);
  return out.empty() ? "none" : out;
}

}  // namespace

Result<TextTemplate> TextTemplate::parse(std::string_view text,
                                         std::initializer_list<std::string_view> allowed) {
  TextTemplate t;
  t.text_ = std::string(text);
  std::size_t literal_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') continue;
    const std::size_t n = name_length(text, i);
    if (n == 0) continue;
    const std::string_view name = text.substr(i + 1, n);
    if (std::ranges::find(allowed, name) == allowed.end())
      return fail(ErrorCode::invalid,
                  fmt::format("unknown placeholder {{{}}} at character {}; here one may use {}",
                              name, i + 1, listed(allowed)));
    if (i > literal_start)
      t.parts_.push_back({std::string(text.substr(literal_start, i - literal_start)), false});
    t.parts_.push_back({std::string(name), true});
    i += n + 1;
    literal_start = i + 1;
  }
  if (literal_start < text.size())
    t.parts_.push_back({std::string(text.substr(literal_start)), false});
  return t;
}

bool TextTemplate::uses(std::string_view name) const {
  return std::ranges::any_of(parts_,
                             [&](const Part& p) { return p.placeholder && p.text == name; });
}

bool TextTemplate::starts_with(std::string_view name) const {
  return !parts_.empty() && parts_.front().placeholder && parts_.front().text == name;
}

std::string TextTemplate::render(const std::vector<Substitution>& values, Context context) const {
  std::string out;
  for (const Part& p : parts_) {
    if (!p.placeholder) {
      out += p.text;
      continue;
    }
    auto v = std::ranges::find_if(values, [&](const Substitution& s) { return s.name == p.text; });
    if (v == values.end())
      out += fmt::format("{{{}}}", p.text);
    else if (context == Context::url && !v->raw)
      out += percent_encode(v->value);
    else
      out += v->value;
  }
  return out;
}

std::string percent_encode(std::string_view value) {
  std::string out;
  for (char c : value) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved)
      out += c;
    else
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
  }
  return out;
}

}  // namespace citypulse::httppoll
