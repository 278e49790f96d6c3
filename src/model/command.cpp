#include "model/command.h"

#include <array>

namespace citypulse {
namespace {

using namespace std::string_view_literals;

constexpr std::array kStatuses = {"pending"sv, "confirmed"sv, "failed"sv, "timed_out"sv};
constexpr std::array kOrigins = {"operator"sv, "schedule"sv, "override_end"sv};

template <class E, std::size_t N>
std::optional<E> parse_name(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == name) return static_cast<E>(i);
  return std::nullopt;
}

}  // namespace

std::string_view command_status_name(CommandStatus status) {
  return kStatuses[static_cast<std::size_t>(status)];
}

std::optional<CommandStatus> parse_command_status(std::string_view name) {
  return parse_name<CommandStatus>(kStatuses, name);
}

std::string_view command_origin_name(CommandOrigin origin) {
  return kOrigins[static_cast<std::size_t>(origin)];
}

std::optional<CommandOrigin> parse_command_origin(std::string_view name) {
  return parse_name<CommandOrigin>(kOrigins, name);
}

}  // namespace citypulse
