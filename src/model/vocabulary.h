// The closed vocabularies of the asset model. Values are snake_case English
// words, stable in the API (the UI translates them).
#pragma once

#include <span>
#include <string_view>

namespace citypulse {

std::span<const std::string_view> building_types();
std::span<const std::string_view> space_usages();
std::span<const std::string_view> equipment_kinds();
std::span<const std::string_view> point_kinds();
std::span<const std::string_view> quantities();
std::span<const std::string_view> device_protocols();
std::span<const std::string_view> device_statuses();
std::span<const std::string_view> device_roles();

// The units a quantity may be declared in; the first is the SI unit used inside.
std::span<const std::string_view> units_of(std::string_view quantity);

}  // namespace citypulse
