// Reading the fields of a closed JSON object by hand, for request bodies that
// are not asset records (sign-in, users, API keys), with the same precise
// errors as the schema-driven decoder: invalid (422) naming the field as a
// JSON pointer.
#pragma once

#include <boost/json/value.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/asset.h"

namespace citypulse {

class JsonFields {
 public:
  // invalid when `body` is not an object or has a member not in `known`.
  static Result<JsonFields> of(const boost::json::value& body,
                               std::initializer_list<std::string_view> known);

  bool has(std::string_view name) const { return object_->contains(name); }
  // A string of 1..max_length bytes; nullopt when absent (missing-field error
  // when required).
  Result<std::optional<std::string>> text(std::string_view name, bool required,
                                          std::size_t max_length = 200) const;
  Result<std::optional<bool>> boolean(std::string_view name) const;
  Result<std::optional<Id>> id(std::string_view name) const;
  // An RFC 3339 instant.
  Result<std::optional<TimeMs>> instant(std::string_view name) const;
  // An array of positive ids (at most 10,000); null counts as absent.
  Result<std::optional<std::vector<Id>>> ids(std::string_view name) const;
  // An array of strings of 1..100 bytes (at most 100).
  Result<std::optional<std::vector<std::string>>> texts(std::string_view name) const;
  // True when the member is present and null.
  bool is_null(std::string_view name) const;

 private:
  explicit JsonFields(const boost::json::object& o) : object_(&o) {}
  const boost::json::object* object_;
};

}  // namespace citypulse
