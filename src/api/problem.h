// RFC 7807 problem details: the one shape of every error the API returns.
#pragma once

#include <string_view>

#include "api/http_message.h"
#include "core/result.h"

namespace citypulse {

// The HTTP status an error code maps to.
int http_status(ErrorCode code);

// application/problem+json for an Error: type "/problems/<code>", title from the
// status, detail from the message, and invalid_params when the error names a
// field. `instance` is the request path.
HttpResponse problem_response(const Error& error, std::string_view instance);

// The same, for errors made at the HTTP layer (404, 405, 413, 415...).
HttpResponse problem_response(int status, std::string_view type, std::string_view detail,
                              std::string_view instance);

}  // namespace citypulse
