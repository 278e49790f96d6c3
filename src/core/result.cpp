#include "core/result.h"

namespace citypulse {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request:
      return "bad-request";
    case ErrorCode::invalid:
      return "validation-failed";
    case ErrorCode::not_found:
      return "not-found";
    case ErrorCode::unauthenticated:
      return "unauthenticated";
    case ErrorCode::forbidden:
      return "forbidden";
    case ErrorCode::too_many_requests:
      return "too-many-requests";
    case ErrorCode::conflict:
      return "conflict";
    case ErrorCode::precondition_failed:
      return "precondition-failed";
    case ErrorCode::too_large:
      return "payload-too-large";
    case ErrorCode::unsupported_media:
      return "unsupported-media-type";
    case ErrorCode::not_acceptable:
      return "not-acceptable";
    case ErrorCode::method_not_allowed:
      return "method-not-allowed";
    case ErrorCode::unavailable:
      return "unavailable";
    case ErrorCode::timed_out:
      return "timed-out";
    case ErrorCode::io:
      return "io-error";
    case ErrorCode::internal:
      return "internal-error";
  }
  return "internal-error";
}

}  // namespace citypulse
