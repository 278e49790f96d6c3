#include "drivers/bacnet/names.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <utility>

namespace citypulse::bacnet {
namespace {

using namespace std::string_view_literals;

struct Named {
  std::uint32_t number;
  std::string_view name;
};

constexpr std::array kObjectTypes = {
    Named{0, "analog-input"},
    Named{1, "analog-output"},
    Named{2, "analog-value"},
    Named{3, "binary-input"},
    Named{4, "binary-output"},
    Named{5, "binary-value"},
    Named{8, "device"},
    Named{13, "multi-state-input"},
    Named{14, "multi-state-output"},
    Named{19, "multi-state-value"},
    Named{10, "file"},
    Named{17, "schedule"},
    Named{6, "calendar"},
    Named{12, "loop"},
    Named{20, "trend-log"},
    Named{15, "notification-class"},
};
constexpr std::array kShortTypes = {
    Named{0, "ai"}, Named{1, "ao"},   Named{2, "av"},   Named{3, "bi"},   Named{4, "bo"},
    Named{5, "bv"}, Named{13, "msi"}, Named{14, "mso"}, Named{19, "msv"}, Named{8, "dev"},
};
constexpr std::array kProperties = {
    Named{28, "description"},
    Named{36, "event-state"},
    Named{62, "max-apdu-length-accepted"},
    Named{65, "max-pres-value"},
    Named{69, "min-pres-value"},
    Named{70, "model-name"},
    Named{74, "number-of-states"},
    Named{75, "object-identifier"},
    Named{76, "object-list"},
    Named{77, "object-name"},
    Named{79, "object-type"},
    Named{81, "out-of-service"},
    Named{85, "present-value"},
    Named{87, "priority-array"},
    Named{103, "reliability"},
    Named{104, "relinquish-default"},
    Named{107, "segmentation-supported"},
    Named{110, "state-text"},
    Named{111, "status-flags"},
    Named{112, "system-status"},
    Named{117, "units"},
    Named{120, "vendor-identifier"},
    Named{121, "vendor-name"},
    Named{22, "cov-increment"},
};

// Engineering units (clause 21, BACnetEngineeringUnits) that the unit
// vocabulary has.
constexpr std::array<std::pair<std::uint32_t, std::string_view>, 31> kUnits = {{
    {62, "°C"},  {63, "K"},     {64, "°F"},    {98, "%"},    {29, "%"},     {47, "W"},  {48, "kW"},
    {49, "MW"},  {18, "Wh"},    {19, "kWh"},   {146, "MWh"}, {16, "J"},     {17, "kJ"}, {126, "MJ"},
    {80, "m³"},  {82, "l"},     {135, "m³/h"}, {87, "l/s"},  {88, "l/min"}, {53, "Pa"}, {54, "kPa"},
    {55, "bar"}, {134, "mbar"}, {133, "mbar"}, {96, "ppm"},  {97, "ppb"},   {37, "lx"}, {5, "V"},
    {3, "A"},    {27, "Hz"},    {74, "m/s"},
}};

template <std::size_t N>
std::optional<std::uint32_t> number_of(const std::array<Named, N>& names, std::string_view text) {
  for (const auto& n : names)
    if (n.name == text) return n.number;
  return std::nullopt;
}

template <std::size_t N>
std::optional<std::string_view> name_of(const std::array<Named, N>& names, std::uint32_t number) {
  for (const auto& n : names)
    if (n.number == number) return n.name;
  return std::nullopt;
}

std::optional<std::uint32_t> plain_number(std::string_view text) {
  std::uint32_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string object_type_name(std::uint16_t type) {
  if (auto n = name_of(kObjectTypes, type)) return std::string(*n);
  return std::to_string(type);
}

Result<std::uint16_t> parse_object_type(std::string_view text) {
  auto n = number_of(kObjectTypes, text);
  if (!n) n = number_of(kShortTypes, text);
  if (!n) n = plain_number(text);
  if (!n || *n > 1023)
    return fail(ErrorCode::invalid,
                fmt::format("'{}' is not a BACnet object type (analog-input, binary-output, "
                            "multi-state-value, device, ... or a number 0–1023)",
                            text));
  return static_cast<std::uint16_t>(*n);
}

std::string to_string(ObjectId id) {
  return fmt::format("{}:{}", object_type_name(id.type), id.instance);
}

Result<ObjectId> parse_object_id(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == text.npos)
    return fail(
        ErrorCode::invalid,
        fmt::format("'{}' is not a BACnet object (TYPE:INSTANCE, e.g. analog-input:1)", text));
  auto type = parse_object_type(text.substr(0, colon));
  if (!type) return std::unexpected(type.error());
  auto instance = plain_number(text.substr(colon + 1));
  if (!instance || *instance > kMaxInstance)
    return fail(ErrorCode::invalid,
                fmt::format("'{}': the instance is not a number 0–4194303", text));
  return ObjectId{*type, *instance};
}

std::string property_name(std::uint32_t property) {
  if (auto n = name_of(kProperties, property)) return std::string(*n);
  return std::to_string(property);
}

Result<std::uint32_t> parse_property(std::string_view text) {
  auto n = number_of(kProperties, text);
  if (!n) n = plain_number(text);
  if (!n || *n > 4194303)
    return fail(ErrorCode::invalid,
                fmt::format("'{}' is not a BACnet property (present-value, object-name, "
                            "object-list, units, status-flags, ... or a number)",
                            text));
  return *n;
}

std::optional<std::string_view> vocabulary_unit(std::uint32_t engineering_unit) {
  if (engineering_unit == 95) return ""sv;
  for (const auto& [number, unit] : kUnits)
    if (number == engineering_unit) return unit;
  return std::nullopt;
}

bool is_point_object(std::uint16_t type) {
  return type <= 5 || type == 13 || type == 14 || type == 19;
}

bool is_writable_object(std::uint16_t type) {
  return type == 1 || type == 2 || type == 4 || type == 5 || type == 14 || type == 19;
}

std::string describe(const PropertyValue& value, const PropertyReference& ref) {
  struct Text {
    const PropertyReference& ref;
    std::string operator()(std::monostate) const { return "null"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::uint32_t v) const { return std::to_string(v); }
    std::string operator()(std::int32_t v) const { return std::to_string(v); }
    std::string operator()(float v) const { return fmt::format("{}", v); }
    std::string operator()(double v) const { return fmt::format("{}", v); }
    std::string operator()(const std::string& s) const { return fmt::format("\"{}\"", s); }
    std::string operator()(ObjectId id) const { return to_string(id); }
    std::string operator()(const BitString& b) const {
      static constexpr std::array<std::string_view, 4> kFlags = {"in-alarm", "fault", "overridden",
                                                                 "out-of-service"};
      std::string out = "{";
      for (std::size_t i = 0; i < b.bits.size(); ++i) {
        if (i) out += ", ";
        if (ref.property == property::status_flags && i < kFlags.size())
          out += fmt::format("{}: {}", kFlags[i], b.bits[i] ? "true" : "false");
        else
          out += b.bits[i] ? '1' : '0';
      }
      return out + "}";
    }
    std::string operator()(Enumerated e) const {
      const auto type = ref.object.type;
      const bool binary = type == object_type::binary_input || type == object_type::binary_output ||
                          type == object_type::binary_value;
      if (binary &&
          (ref.property == property::present_value ||
           ref.property == property::relinquish_default) &&
          e.value <= 1)
        return e.value ? "active" : "inactive";
      if (ref.property == property::object_type)
        return object_type_name(static_cast<std::uint16_t>(e.value));
      if (ref.property == property::units) {
        if (auto unit = vocabulary_unit(e.value))
          return unit->empty() ? fmt::format("{} (no units)", e.value)
                               : fmt::format("{} ({})", e.value, *unit);
      }
      return std::to_string(e.value);
    }
  };
  return std::visit(Text{ref}, value);
}

}  // namespace citypulse::bacnet
