#include "store/sqlite/tags_json.h"

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace citypulse::sqlite {

std::string tags_to_json(const std::vector<std::string>& tags) {
  boost::json::array a;
  a.reserve(tags.size());
  for (const auto& t : tags) a.emplace_back(t);
  return boost::json::serialize(a);
}

Result<std::vector<std::string>> tags_from_json(std::string_view json) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(json, ec);
  auto corrupt = [&] {
    return fail(ErrorCode::io,
                fmt::format("stored tags are not a JSON array of strings: {}", json.substr(0, 80)));
  };
  if (ec || !v.is_array()) return corrupt();
  std::vector<std::string> tags;
  tags.reserve(v.get_array().size());
  for (const auto& t : v.get_array()) {
    if (!t.is_string()) return corrupt();
    tags.emplace_back(t.get_string());
  }
  return tags;
}

}  // namespace citypulse::sqlite
