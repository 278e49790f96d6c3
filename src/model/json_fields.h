// Reading the fields of a closed JSON object by hand, for request bodies that
// are not asset records (sign-in, users, API keys, energy settings), with the
// same precise errors as the schema-driven decoder: invalid (422) naming the
// field as a JSON pointer. An object nested in a body is read with the
// pointer of where it sits as prefix, so its errors name the full path
// ("/tariffs/electricity/0/price_per_kwh").
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
                               std::initializer_list<std::string_view> known,
                               std::string prefix = {});

  // The JSON pointer of a member of this object.
  std::string pointer(std::string_view name) const;
  // The member, or null when absent.
  const boost::json::value* get(std::string_view name) const { return object_->if_contains(name); }

  bool has(std::string_view name) const { return object_->contains(name); }
  // A string of 1..max_length bytes; nullopt when absent (missing-field error
  // when required).
  Result<std::optional<std::string>> text(std::string_view name, bool required,
                                          std::size_t max_length = 200) const;
  Result<std::optional<bool>> boolean(std::string_view name) const;
  // A finite number within [min, max]; null counts as absent.
  Result<std::optional<double>> number(std::string_view name, bool required, double min = -1e300,
                                       double max = 1e300) const;
  // A whole number within [min, max]; null counts as absent.
  Result<std::optional<std::int64_t>> integer(std::string_view name, bool required,
                                              std::int64_t min, std::int64_t max) const;
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
  JsonFields(const boost::json::object& o, std::string prefix)
      : object_(&o), prefix_(std::move(prefix)) {}
  Error wrong_type(std::string_view name, std::string_view expected) const;
  Result<const boost::json::value*> required_member(std::string_view name, bool required) const;

  const boost::json::object* object_;
  std::string prefix_;
};

}  // namespace citypulse
