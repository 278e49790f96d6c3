// Internal to cp_lorawan: typed reads of JSON members that name the member
// (as a JSON pointer) when it is wrong, so that whoever runs the network
// server sees which field of which body to fix.
//
// The reader keeps the first failure and from then on every read returns
// nothing: a parser reads all it needs straight through and checks failed()
// once at the end, instead of returning after each of ~20 reads. Reads after
// a failure are harmless because each one checks the type it reads.
//
// Absent and null members read as nullopt (see uplink.h for why null is
// absence); a member of another type is a failure.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace citypulse::lorawan {

// One JSON object and its place in the body. `json` points into the parsed
// body, which must outlive this.
struct ObjectAt {
  const boost::json::object* json;
  std::string pointer;  // "" for the body itself, else "/deviceInfo", "/rxInfo/0", ...
};

// The body as a JSON object; bad_request (field "") when it is not JSON or
// not an object.
Result<boost::json::object> parse_json_object(std::string_view body);

class MemberReader {
 public:
  std::optional<ObjectAt> object(const ObjectAt& in, std::string_view name);
  // The elements of an array of objects; empty when absent.
  std::vector<ObjectAt> objects(const ObjectAt& in, std::string_view name);
  // A view into the body.
  std::optional<std::string_view> text(const ObjectAt& in, std::string_view name);
  // The elements of an array of strings, as views into the body; empty when absent.
  std::vector<std::string_view> texts(const ObjectAt& in, std::string_view name);
  std::optional<bool> boolean(const ObjectAt& in, std::string_view name);
  // A finite number (integer or not).
  std::optional<double> number(const ObjectAt& in, std::string_view name);
  // An integer in [min, max]; 3.0 is one, 3.5 is not.
  std::optional<std::int64_t> integer(const ObjectAt& in, std::string_view name, std::int64_t min,
                                      std::int64_t max);
  // RFC 3339 with up to nanoseconds, truncated to milliseconds.
  std::optional<TimeMs> instant(const ObjectAt& in, std::string_view name);

  // Records a failure unless one is already recorded.
  void fail(std::string message, std::string field);
  bool failed() const { return error_.has_value(); }
  const Error& error() const { return *error_; }

 private:
  // The member, or nullptr when absent, null, or after a failure.
  const boost::json::value* member(const ObjectAt& in, std::string_view name) const;
  void wrong_type(const ObjectAt& in, std::string_view name, std::string_view expected);

  std::optional<Error> error_;
};

// "/a/b" for member "b" of the object at "/a". Member names here are fixed
// ASCII names, which need no RFC 6901 escaping.
std::string pointer_to(const ObjectAt& in, std::string_view name);

}  // namespace citypulse::lorawan
