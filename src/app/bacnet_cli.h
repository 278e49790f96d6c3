// `citypulse bacnet ...`: commissioning tools to poke at a BACnet/IP plant
// before it is wired to points.
//
//   bacnet whois [--target HOST:PORT[/NET:MAC]] [--low N --high N] [--wait-ms MS]
//       the devices that answer, one a line (default target: every network
//       through the local broadcast address, 255.255.255.255:47808)
//   bacnet read --target ... [--device N] --object TYPE:INSTANCE
//       [--property NAME] [--index I]
//       the property's value(s) in words; with --device, the device is first
//       looked for through the target (it may be routed behind it)
//   bacnet write --target ... [--device N] --object ... [--property NAME]
//       --value V|null [--priority 1-16]
//       writes (null relinquishes), then reads the value back
//
// Exit codes: 0 done; 1 the device refused, did not answer or none answered;
// 2 bad arguments. Errors go to stderr in words.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace citypulse {

class BacnetCommands {
 public:
  // Adds the `bacnet` subcommand and its three to `app`.
  explicit BacnetCommands(CLI::App& app);

  bool parsed() const;
  int run() const;  // the exit code

 private:
  CLI::App* bacnet_ = nullptr;
  CLI::App* whois_ = nullptr;
  CLI::App* read_ = nullptr;
  CLI::App* write_ = nullptr;
  std::string target_;
  std::string bind_ = "0.0.0.0";
  std::optional<std::uint32_t> device_, low_, high_, index_;
  std::string object_, property_ = "present-value", value_;
  std::optional<int> priority_;
  std::int64_t wait_ms_ = 3000, timeout_ms_ = 3000;
  int retries_ = 1;
};

}  // namespace citypulse
