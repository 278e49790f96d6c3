// What a one-off read of a device's channels brought back ("read now": the
// editor of a driver document asking the plant, outside the schedule).
//
// Every channel asked appears exactly once, with its value or its error;
// `raw` is what the device sent for it as the protocol shows it (Modbus: the
// registers in hex, "0x41AC 0x0000", or the bit, "1"), empty when nothing
// came back for it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace citypulse::drivers {

struct ChannelRead {
  std::string channel;
  std::optional<double> value;  // none when `error` says why
  std::string raw;
  std::optional<Error> error;
};

struct ReadReport {
  std::vector<ChannelRead> channels;  // in the document's order
  TimeMs read_at = 0;                 // wall time the last answer came
  std::int64_t elapsed_ms = 0;        // from the first request to the last answer
  int requests = 0;                   // requests sent to the device
};

}  // namespace citypulse::drivers
