#include "api/http_message.h"

#include "core/text.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace citypulse {
std::optional<std::string_view> HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals_ascii(k, name)) return std::string_view(v);
  return std::nullopt;
}

std::optional<std::string_view> HttpRequest::query_param(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

void HttpResponse::set_header(std::string name, std::string value) {
  for (auto& [k, v] : headers)
    if (iequals_ascii(k, name)) {
      v = std::move(value);
      return;
    }
  headers.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals_ascii(k, name)) return std::string_view(v);
  return std::nullopt;
}

void PendingResponse::complete(HttpResponse response) {
  std::move_only_function<void(HttpResponse)> callback;
  {
    std::lock_guard lock(mutex_);
    if (!callback_) {
      response_ = std::make_unique<HttpResponse>(std::move(response));
      return;
    }
    callback = std::move(callback_);
  }
  callback(std::move(response));
}

void PendingResponse::on_complete(std::move_only_function<void(HttpResponse)> callback) {
  std::unique_ptr<HttpResponse> ready;
  {
    std::lock_guard lock(mutex_);
    if (!response_) {
      callback_ = std::move(callback);
      return;
    }
    ready = std::move(response_);
  }
  callback(std::move(*ready));
}

bool parse_target(std::string_view target, std::string& path,
                  std::vector<std::pair<std::string, std::string>>& query) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return false;
  const boost::urls::url_view& url = *parsed;
  path.clear();
  query.clear();
  for (auto segment : url.segments()) {
    path += '/';
    path += segment;
  }
  // A trailing slash comes through as a last, empty segment, so
  // "/api/v1/buildings/" stays distinct from the collection.
  if (path.empty()) path = "/";
  for (auto param : url.params()) query.emplace_back(param.key, param.value);
  return true;
}

}  // namespace citypulse
