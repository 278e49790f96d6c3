// JSON at the API edge: reading request bodies with precise errors, and
// writing JSON responses.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>

#include "api/http_message.h"
#include "core/result.h"

namespace citypulse {

// Parses the body of a request that must carry JSON. Fails with bad_request
// for a missing body or malformed JSON (naming the byte offset), and with
// unsupported_media when the Content-Type is neither application/json nor a
// +json type (application/merge-patch+json among them).
Result<boost::json::value> read_json_body(const HttpRequest& request);

// JSON text with numbers as people write them: doubles in their shortest
// round-trip form ("48.35185", not Boost's "4.835185E1").
std::string to_json_text(const boost::json::value& value);

HttpResponse json_response(int status, const boost::json::value& body);

}  // namespace citypulse
