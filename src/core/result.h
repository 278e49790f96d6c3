// Result<T>: the return type of everything that can fail.
//
// An Error carries a closed code (what kind of failure, which decides the HTTP
// status at the API edge), a message for people, and optionally the field the
// failure is about (a JSON pointer such as "/latitude" or a config key such as
// "http.port"). Exceptions never cross a module boundary; code that calls a
// throwing library converts at the call site.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace citypulse {

enum class ErrorCode {
  bad_request,          // malformed input: syntax, unparsable query parameter
  invalid,              // well-formed input that breaks a rule of the schema or the domain
  not_found,            // the addressed thing does not exist (in the caller's scope)
  unauthenticated,      // no credentials, or credentials that prove nothing (bad, expired)
  forbidden,            // a known caller without the permission for this
  too_many_requests,    // over a rate or attempt limit; retry later
  conflict,             // the change contradicts the current state (duplicate, has children)
  precondition_failed,  // If-Match did not match the current version
  too_large,            // input over a configured size limit
  unsupported_media,    // a body in a format the endpoint does not read
  not_acceptable,       // the client accepts no format the endpoint answers in
  method_not_allowed,   // the path exists, the method does not
  unavailable,          // temporarily unable (starting, stopping, overloaded)
  timed_out,            // a peer the request waited on (a device) did not answer in time
  io,                   // the operating system or a store failed
  internal,             // a bug: an invariant did not hold
};

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
  std::string field;  // empty when the failure is not about one field
};

template <class T>
using Result = std::expected<T, Error>;

using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(ErrorCode code, std::string message, std::string field = {}) {
  return std::unexpected<Error>(Error{code, std::move(message), std::move(field)});
}

inline std::unexpected<Error> fail(Error error) {
  return std::unexpected<Error>(std::move(error));
}

// Short name of a code, stable: used in logs and in problem "type" URIs.
const char* to_string(ErrorCode code);

}  // namespace citypulse
