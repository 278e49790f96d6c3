#include "drivers/httppoll/device_io.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/text.h"
#include "webclient/http_call.h"

namespace citypulse::httppoll {
namespace {

// RFC 9110 9.2.2: repeating these has the effect of sending them once.
bool idempotent(std::string_view method) {
  return method == "GET" || method == "PUT";
}

// A transfer that got no answer at all (as opposed to an answer saying no).
bool unanswered(const Error& e) {
  return e.code == ErrorCode::timed_out || e.code == ErrorCode::unavailable;
}

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

}  // namespace

struct DeviceIo::Call {
  std::string_view method;
  std::string url;
  std::vector<std::string> headers;
  std::string body;
};

DeviceIo::DeviceIo(DeviceConfig config, std::string serial)
    : config_(std::move(config)),
      serial_(std::move(serial)),
      caller_(std::make_unique<webclient::HttpCaller>()) {}

DeviceIo::~DeviceIo() = default;

std::string value_text(double value) {
  return fmt::format("{}", value);  // fmt's shortest round-trip form
}

// Runs one call with the document's patience; the body of a 2xx answer.
// `answered` tells whether the device answered at all, whatever it said.
Result<std::string> DeviceIo::exchange(const Call& call, std::string_view what, bool& answered) {
  const std::string peer = fmt::format("{} {}", call.method, call.url);
  const int attempts = idempotent(call.method) ? config_.retries + 1 : 1;
  Result<webclient::HttpAnswer> answer = fail(ErrorCode::internal, "not sent");
  for (int attempt = 0; attempt < attempts; ++attempt) {
    answer = caller_->call({.method = call.method,
                            .url = call.url,
                            .headers = call.headers,
                            .body = call.body,
                            .timeout_ms = config_.timeout_ms,
                            .max_answer_bytes = kMaxAnswerBytes,
                            .overflow = webclient::Overflow::refuse,
                            .peer = peer});
    if (answer || !unanswered(answer.error())) break;
  }
  answered = answer.has_value() || !unanswered(answer.error());
  if (!answer) {
    Error e = answer.error();
    if (unanswered(e))
      e.message = fmt::format("{}: {} ({} attempt{} of {} ms)", what, e.message, attempts,
                              attempts == 1 ? "" : "s", config_.timeout_ms);
    else
      e.message = fmt::format("{}: {}", what, e.message);
    return fail(std::move(e));
  }
  if (answer->status >= 200 && answer->status < 300) return std::move(answer->body);
  Error refused = webclient::status_error(*answer, peer);
  refused.message = fmt::format("{}: {}", what, refused.message);
  return fail(std::move(refused));
}

namespace {

// The header lines of a request: the document's, then its own (replacing
// the document's of the same name), then a JSON Content-Type for a body
// unless one is named.
Result<std::vector<std::string>> header_lines(const std::vector<Header>& common,
                                              const std::vector<Header>& own,
                                              const std::vector<Substitution>& values,
                                              bool has_body) {
  std::vector<std::pair<std::string, std::string>> fields;
  for (const auto* list : {&common, &own})
    for (const auto& h : *list) {
      auto same = std::ranges::find_if(
          fields, [&](const auto& f) { return iequals_ascii(f.first, h.name); });
      std::string value = h.value.render(values, Context::text);
      if (has_line_break(value))
        return fail(
            ErrorCode::invalid,
            fmt::format("header {} would hold a line break (from the device's serial)", h.name));
      if (same != fields.end())
        same->second = std::move(value);
      else
        fields.emplace_back(h.name, std::move(value));
    }
  if (has_body && std::ranges::none_of(
                      fields, [](const auto& f) { return iequals_ascii(f.first, "Content-Type"); }))
    fields.emplace_back("Content-Type", "application/json");
  std::vector<std::string> lines;
  for (const auto& [name, value] : fields) lines.push_back(name + ": " + value);
  return lines;
}

}  // namespace

Result<std::vector<ChannelRead>> DeviceIo::read_request(const PollRequest& request,
                                                        bool& answered) {
  const std::vector<Substitution> values = {{"base_url", config_.base_url, true},
                                            {"serial", serial_, false}};
  auto headers = header_lines(config_.headers, request.headers, values, request.body.has_value());
  if (!headers) return fail(headers.error());
  Call call{.method = request.method,
            .url = request.url.render(values, Context::url),
            .headers = std::move(*headers),
            .body = request.body ? request.body->render(values, Context::text) : std::string()};
  auto body = exchange(call, request.name, answered);
  if (!body) return fail(body.error());
  return read_values(request, *body);
}

GroupPoll DeviceIo::poll_group(std::string_view group) {
  GroupPoll out;
  bool answered = false;
  std::optional<Error> silence;  // once the device did not answer, why
  for (const auto& request : config_.requests) {
    if (request.group != group) continue;
    bool this_answered = false;
    auto read = silence ? Result<std::vector<ChannelRead>>(fail(*silence))
                        : read_request(request, this_answered);
    answered = answered || this_answered;
    if (!read) {
      if (!silence && !this_answered) silence = read.error();
      for (const auto& p : request.points) out.channels.push_back({p.channel, fail(read.error())});
      continue;
    }
    for (auto& c : *read) out.channels.push_back(std::move(c));
  }
  out.unanswered = !answered && !out.channels.empty();
  return out;
}

Result<std::optional<double>> DeviceIo::write(std::string_view channel, double value) {
  auto w = std::ranges::find_if(config_.writes,
                                [&](const WriteAction& a) { return a.channel == channel; });
  if (w == config_.writes.end())
    return fail(ErrorCode::not_found,
                fmt::format("channel '{}' has no write in the device's driver document", channel),
                "/channel");
  if (!std::isfinite(value))
    return fail(ErrorCode::invalid, "the value must be a finite number", "/value");
  const std::vector<Substitution> values = {{"base_url", config_.base_url, true},
                                            {"serial", serial_, false},
                                            {"channel", std::string(channel), false},
                                            {"value", value_text(value), false}};
  auto headers = header_lines(config_.headers, w->headers, values, w->body.has_value());
  if (!headers) return fail(headers.error());
  Call call{.method = w->method,
            .url = w->url.render(values, Context::url),
            .headers = std::move(*headers),
            .body = w->body ? w->body->render(values, Context::text) : std::string()};
  bool answered = false;
  if (auto sent = exchange(call, fmt::format("write {}", channel), answered); !sent)
    return fail(sent.error());
  if (!w->read_back) return std::optional<double>();
  const PollRequest& request = config_.requests[w->read_back->request];
  auto read = read_request(request, answered);
  if (!read) {
    Error e = read.error();
    e.message = "written, but not read back: " + e.message;
    return fail(std::move(e));
  }
  for (const auto& c : *read) {
    if (c.channel != w->read_back->channel) continue;
    if (c.value) return std::optional<double>(*c.value);
    return fail(c.value.error().code, "written, but not read back: " + c.value.error().message);
  }
  return fail(ErrorCode::internal,
              fmt::format("request '{}' has no channel '{}'", request.name, w->read_back->channel));
}

}  // namespace citypulse::httppoll
