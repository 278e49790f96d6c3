// The values of a poll request's points, taken out of the device's answer.
//
// - The answer must be JSON (one document; at most kMaxAnswerBytes, which
//   the transfer already bounds); otherwise every point fails with the same
//   error.
// - Each point's value is the number at its JSON pointer (RFC 6901), as a
//   double: a JSON number as it is, true/false as 1/0, a string that holds
//   one number ("21.5", " 7 ") as that number. Then value × scale + offset.
// - A pointer that names nothing, null, text that is not a number, an
//   object or an array fails that point only (invalid, saying what is
//   there), so one changed field of a device's API costs one channel.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "drivers/httppoll/device_config.h"

namespace citypulse::httppoll {

// One channel as a poll read it: its value, or why it has none.
struct ChannelRead {
  std::string channel;
  Result<double> value;
};

// The points of `request` out of the answer's body, in the request's order.
std::vector<ChannelRead> read_values(const PollRequest& request, std::string_view body);

// The number at `pointer` in `document` (the rules above, before scaling).
Result<double> number_at(const boost::json::value& document, std::string_view pointer);

}  // namespace citypulse::httppoll
