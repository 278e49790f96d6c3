#include "api/json_io.h"

#include <fmt/format.h>
#include <boost/json.hpp>
#include <cmath>
#include <iterator>

namespace citypulse {

Result<boost::json::value> read_json_body(const HttpRequest& request) {
  const auto type = request.header("Content-Type").value_or("");
  const auto media = type.substr(0, type.find(';'));
  if (media != "application/json" &&
      !(media.starts_with("application/") && media.ends_with("+json")))
    return fail(
        ErrorCode::unsupported_media,
        fmt::format("the request body must be JSON (Content-Type: application/json), not '{}'",
                    media));
  if (request.body.empty())
    return fail(ErrorCode::bad_request, "the request body is empty; a JSON object is expected");
  boost::json::stream_parser parser;
  boost::system::error_code ec;
  const auto consumed = parser.write_some(request.body.data(), request.body.size(), ec);
  if (!ec) parser.finish(ec);
  if (!ec && consumed != request.body.size()) ec = boost::json::error::extra_data;
  if (ec)
    return fail(ErrorCode::bad_request,
                fmt::format("malformed JSON at byte {}: {}", consumed, ec.message()));
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
