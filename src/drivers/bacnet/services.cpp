#include "drivers/bacnet/services.h"

#include <fmt/format.h>

namespace citypulse::bacnet {

std::optional<double> as_number(const PropertyValue& value) {
  struct Number {
    std::optional<double> operator()(std::monostate) const { return std::nullopt; }
    std::optional<double> operator()(bool b) const { return b ? 1.0 : 0.0; }
    std::optional<double> operator()(std::uint32_t v) const { return static_cast<double>(v); }
    std::optional<double> operator()(std::int32_t v) const { return static_cast<double>(v); }
    std::optional<double> operator()(float v) const { return static_cast<double>(v); }
    std::optional<double> operator()(double v) const { return v; }
    std::optional<double> operator()(const std::string&) const { return std::nullopt; }
    std::optional<double> operator()(Enumerated e) const { return static_cast<double>(e.value); }
    std::optional<double> operator()(ObjectId) const { return std::nullopt; }
  };
  return std::visit(Number{}, value);
}

void encode_value(Encoder& e, const PropertyValue& value) {
  struct Write {
    Encoder& e;
    void operator()(std::monostate) const { e.null(); }
    void operator()(bool b) const { e.boolean(b); }
    void operator()(std::uint32_t v) const { e.unsigned_integer(v); }
    void operator()(std::int32_t v) const { e.signed_integer(v); }
    void operator()(float v) const { e.real(v); }
    void operator()(double v) const { e.double_real(v); }
    void operator()(const std::string& s) const { e.character_string(s); }
    void operator()(Enumerated v) const { e.enumerated(v.value); }
    void operator()(ObjectId id) const { e.object_identifier(id); }
  };
  std::visit(Write{e}, value);
}

Result<PropertyValue> decode_value(Reader& r) {
  auto tag = r.peek();
  if (!tag) return std::unexpected(tag.error());
  if (tag->context)
    return fail(ErrorCode::bad_request,
                fmt::format("BACnet value at octet {}: a constructed or context-tagged value "
                            "(tag {}) where one primitive was expected",
                            r.offset(), tag->number));
  const auto wrap = [](auto result) -> Result<PropertyValue> {
    if (!result) return std::unexpected(result.error());
    return PropertyValue(*result);
  };
  switch (static_cast<ApplicationTag>(tag->number)) {
    case ApplicationTag::null:
      if (auto s = r.null(); !s) return std::unexpected(s.error());
      return Result<PropertyValue>(std::in_place);  // std::monostate: Null
    case ApplicationTag::boolean:
      return wrap(r.boolean());
    case ApplicationTag::unsigned_integer:
      return wrap(r.unsigned_integer());
    case ApplicationTag::signed_integer:
      return wrap(r.signed_integer());
    case ApplicationTag::real:
      return wrap(r.real());
    case ApplicationTag::double_real:
      return wrap(r.double_real());
    case ApplicationTag::character_string:
      return wrap(r.character_string());
    case ApplicationTag::enumerated: {
      auto v = r.enumerated();
      if (!v) return std::unexpected(v.error());
      return PropertyValue(Enumerated{*v});
    }
    case ApplicationTag::object_identifier:
      return wrap(r.object_identifier());
    default:
      return fail(ErrorCode::bad_request,
                  fmt::format("BACnet value at octet {}: application tag {} is not read here",
                              r.offset(), tag->number));
  }
}

namespace {

void encode_reference(Encoder& e, const PropertyReference& ref) {
  e.context_object_identifier(0, ref.object);
  e.context_enumerated(1, ref.property);
  if (ref.array_index) e.context_unsigned(2, *ref.array_index);
}

Result<PropertyReference> decode_reference(Reader& r) {
  PropertyReference ref;
  auto object = r.context_object_identifier(0);
  if (!object) return std::unexpected(object.error());
  ref.object = *object;
  auto id = r.context_enumerated(1);
  if (!id) return std::unexpected(id.error());
  ref.property = *id;
  if (auto t = r.peek(); t && t->context && !t->opening && t->number == 2) {
    auto index = r.context_unsigned(2);
    if (!index) return std::unexpected(index.error());
    ref.array_index = *index;
  }
  return ref;
}

}  // namespace

std::vector<std::uint8_t> encode_who_is(const WhoIs& request) {
  std::vector<std::uint8_t> out;
  Encoder e(out);
  if (request.low && request.high) {
    e.context_unsigned(0, *request.low);
    e.context_unsigned(1, *request.high);
  }
  return out;
}

Result<IAm> decode_i_am(std::span<const std::uint8_t> parameters) {
  Reader r(parameters);
  IAm out;
  auto device = r.object_identifier();
  if (!device) return std::unexpected(device.error());
  out.device = *device;
  auto max_apdu = r.unsigned_integer();
  if (!max_apdu) return std::unexpected(max_apdu.error());
  out.max_apdu = *max_apdu;
  auto segmentation = r.enumerated();
  if (!segmentation) return std::unexpected(segmentation.error());
  out.segmentation = *segmentation;
  auto vendor = r.unsigned_integer();
  if (!vendor) return std::unexpected(vendor.error());
  out.vendor = *vendor;
  return out;
}

std::vector<std::uint8_t> encode_read_property(const PropertyReference& ref) {
  std::vector<std::uint8_t> out;
  Encoder e(out);
  encode_reference(e, ref);
  return out;
}

Result<ReadPropertyAck> decode_read_property_ack(std::span<const std::uint8_t> parameters) {
  Reader r(parameters);
  ReadPropertyAck ack;
  auto ref = decode_reference(r);
  if (!ref) return std::unexpected(ref.error());
  ack.ref = *ref;
  if (auto s = r.opening(3); !s) return std::unexpected(s.error());
  auto value = decode_value(r);
  if (!value) return std::unexpected(value.error());
  ack.value = std::move(*value);
  if (auto s = r.closing(3); !s) return std::unexpected(s.error());
  return ack;
}

std::vector<std::uint8_t> encode_write_property(const WriteProperty& request) {
  std::vector<std::uint8_t> out;
  Encoder e(out);
  encode_reference(e, request.ref);
  e.opening(3);
  encode_value(e, request.value);
  e.closing(3);
  if (request.priority) e.context_unsigned(4, *request.priority);
  return out;
}

}  // namespace citypulse::bacnet
