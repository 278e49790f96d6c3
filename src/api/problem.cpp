#include "api/problem.h"

#include <fmt/format.h>
#include <boost/json.hpp>

namespace citypulse {
namespace {

std::string_view status_title(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Error";
  }
}

HttpResponse render(boost::json::object body, int status) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = boost::json::serialize(body);
  return r;
}

}  // namespace

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request:
      return 400;
    case ErrorCode::invalid:
      return 422;
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::unauthenticated:
      return 401;
    case ErrorCode::forbidden:
      return 403;
    case ErrorCode::too_many_requests:
      return 429;
    case ErrorCode::conflict:
      return 409;
    case ErrorCode::precondition_failed:
      return 412;
    case ErrorCode::too_large:
      return 413;
    case ErrorCode::unsupported_media:
      return 415;
    case ErrorCode::not_acceptable:
      return 406;
    case ErrorCode::method_not_allowed:
      return 405;
    case ErrorCode::unavailable:
      return 503;
    case ErrorCode::timed_out:
      return 504;
    case ErrorCode::io:
    case ErrorCode::internal:
      return 500;
  }
  return 500;
}

HttpResponse problem_response(const Error& error, std::string_view instance) {
  const int status = http_status(error.code);
  boost::json::object body{{"type", fmt::format("/problems/{}", to_string(error.code))},
                           {"title", status_title(status)},
                           {"status", status},
                           {"detail", error.message},
                           {"instance", instance}};
  if (!error.field.empty())
    body["invalid_params"] =
        boost::json::array{boost::json::object{{"name", error.field}, {"reason", error.message}}};
  return render(std::move(body), status);
}

HttpResponse problem_response(int status, std::string_view type, std::string_view detail,
                              std::string_view instance) {
  return render(boost::json::object{{"type", fmt::format("/problems/{}", type)},
                                    {"title", status_title(status)},
                                    {"status", status},
                                    {"detail", detail},
                                    {"instance", instance}},
                status);
}

}  // namespace citypulse
