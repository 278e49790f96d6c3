#include "api/json_io.h"

#include "core/text.h"

#include <fmt/format.h>
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <iterator>

namespace citypulse {

namespace {

// The media type of a Content-Type value: before any parameters, without
// surrounding blanks, lower-cased (media types are case-insensitive).
std::string media_type(std::string_view content_type) {
  return lower_ascii(trim(content_type.substr(0, content_type.find(';'))));
}

bool is_json_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

Result<boost::json::value> read_json_body(const HttpRequest& request) {
  const auto media = media_type(request.header("Content-Type").value_or(""));
  if (media != "application/json" &&
      !(media.starts_with("application/") && media.ends_with("+json")))
    return fail(
        ErrorCode::unsupported_media,
        fmt::format("the request body must be JSON (Content-Type: application/json), not '{}'",
                    media));
  const std::string_view body = request.body;
  if (std::all_of(body.begin(), body.end(), is_json_blank))
    return fail(ErrorCode::bad_request, "the request body is empty; a JSON object is expected");
  boost::json::stream_parser parser;
  boost::system::error_code ec;
  // write_some stops at the end of the first value; anything after it but
  // blanks is a second value or garbage, which is an error of its own.
  const auto consumed = parser.write_some(body.data(), body.size(), ec);
  if (ec)
    return fail(ErrorCode::bad_request,
                fmt::format("malformed JSON at byte {}: {}", consumed, ec.message()));
  const auto rest = body.substr(consumed);
  if (auto extra = std::find_if_not(rest.begin(), rest.end(), is_json_blank); extra != rest.end())
    return fail(ErrorCode::bad_request,
                fmt::format("malformed JSON at byte {}: unexpected data after the JSON value",
                            consumed + static_cast<std::size_t>(extra - rest.begin())));
  parser.finish(ec);
  if (ec)
    return fail(ErrorCode::bad_request,
                fmt::format("malformed JSON at byte {}: {}", body.size(), ec.message()));
  return parser.release();
}

namespace {

void append_json(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::double_:
      // JSON has no NaN or infinity; the model never holds them, but be safe.
      if (std::isfinite(v.get_double()))
        fmt::format_to(std::back_inserter(out), "{}", v.get_double());
      else
        out += "null";
      return;
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, c] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::string_view(k));
        out += ':';
        append_json(out, c);
      }
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& c : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append_json(out, c);
      }
      out += ']';
      return;
    }
    default:
      out += boost::json::serialize(v);
  }
}

}  // namespace

std::string to_json_text(const boost::json::value& value) {
  std::string out;
  append_json(out, value);
  return out;
}

HttpResponse json_response(int status, const boost::json::value& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = to_json_text(body);
  return r;
}

}  // namespace citypulse
