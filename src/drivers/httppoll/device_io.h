// One HTTP-polled device's requests, made blocking on the calling thread
// (the driver host's session runs them on a worker, one at a time per
// device: drivers/httppoll/device_session.h).
//
// - Every request carries the document's headers, then its own (a header
//   of the same name replaces the document's); a write's body goes as
//   application/json unless its headers name another Content-Type.
// - An attempt waits at most timeout_ms. An idempotent request (GET, PUT:
//   RFC 9110 9.2.2) that got no answer (timed out, refused, broken off) is
//   tried `retries` more times; POST and PATCH are sent once, since the
//   device may have acted on a request whose answer was lost. So a dead
//   device holds the thread for at most timeout_ms × (retries + 1) per
//   request.
// - A poll asks the group's requests in document order; each 2xx answer
//   gives its points' values (answer_values.h). A request answered with
//   another status fails its own channels with that status and the first
//   bytes of the body (even a 5xx: the device is there); once the device
//   does not answer at all, the rest of the group is not asked (they fail
//   the same way), so a dead device costs one request's patience per poll,
//   not one per request.
// - A write sends the write's template with {value} (the shortest text
//   that reads back as the same double), then, when the document says so,
//   runs the read-back request: the result is the value read back, or none.
//   A non-2xx answer is the device's refusal: invalid (4xx; forbidden for
//   401 and 403), unavailable (5xx), timed_out (408), with the status and
//   the first bytes of the body in the message.
// - The device's serial fills {serial}; values put into a header must not
//   hold CR or LF (invalid, nothing is sent).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "drivers/httppoll/answer_values.h"
#include "drivers/httppoll/device_config.h"

namespace citypulse::webclient {
class HttpCaller;
}

namespace citypulse::httppoll {

struct GroupPoll {
  std::vector<ChannelRead> channels;  // the group's, in document order
  bool unanswered = false;            // no request of the group got any answer
};

class DeviceIo {
 public:
  DeviceIo(DeviceConfig config, std::string serial);
  ~DeviceIo();
  DeviceIo(const DeviceIo&) = delete;
  DeviceIo& operator=(const DeviceIo&) = delete;

  const DeviceConfig& config() const { return config_; }

  GroupPoll poll_group(std::string_view group);
  // not_found when no write is configured for `channel`.
  Result<std::optional<double>> write(std::string_view channel, double value);

 private:
  struct Call;
  Result<std::string> exchange(const Call& call, std::string_view what, bool& answered);
  // The request's channels, or why there was no 2xx answer; `answered`:
  // whether the device answered at all.
  Result<std::vector<ChannelRead>> read_request(const PollRequest& request, bool& answered);

  DeviceConfig config_;
  std::string serial_;
  std::unique_ptr<webclient::HttpCaller> caller_;
};

// `value` as {value} puts it: the shortest decimal text that reads back as
// the same double ("22.5", "21", "-0.1", "1e+21").
std::string value_text(double value);

}  // namespace citypulse::httppoll
