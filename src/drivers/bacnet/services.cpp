#include "drivers/bacnet/services.h"

#include <fmt/format.h>

#include "drivers/bacnet/apdu.h"

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
    std::optional<double> operator()(const BitString&) const { return std::nullopt; }
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
    void operator()(const BitString& b) const { e.bit_string(b); }
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
    case ApplicationTag::bit_string:
      return wrap(r.bit_string());
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

bool next_is_context(const Reader& r, std::uint8_t number) {
  auto t = r.peek();
  return t && t->context && !t->opening && !t->closing && t->number == number;
}

// A property identifier under tag `property_tag` and its optional array
// index under the next tag.
Status decode_property(Reader& r, std::uint8_t property_tag, std::uint32_t& property,
                       std::optional<std::uint32_t>& array_index) {
  auto id = r.context_enumerated(property_tag);
  if (!id) return std::unexpected(id.error());
  property = *id;
  if (next_is_context(r, property_tag + 1)) {
    auto index = r.context_unsigned(property_tag + 1);
    if (!index) return std::unexpected(index.error());
    array_index = *index;
  }
  return {};
}

Result<PropertyReference> decode_reference(Reader& r) {
  PropertyReference ref;
  auto object = r.context_object_identifier(0);
  if (!object) return std::unexpected(object.error());
  ref.object = *object;
  if (auto s = decode_property(r, 1, ref.property, ref.array_index); !s)
    return std::unexpected(s.error());
  return ref;
}

// Primitive values up to and including the closing tag `number`.
Result<std::vector<PropertyValue>> decode_values(Reader& r, std::uint8_t number) {
  std::vector<PropertyValue> values;
  while (!r.next_is_closing(number)) {
    if (r.at_end())
      return fail(ErrorCode::bad_request,
                  fmt::format("BACnet values: closing tag {} missing", number));
    auto value = decode_value(r);
    if (!value) return std::unexpected(value.error());
    values.push_back(std::move(*value));
  }
  if (auto s = r.closing(number); !s) return std::unexpected(s.error());
  return values;
}

void encode_values(Encoder& e, std::uint8_t number, const std::vector<PropertyValue>& values) {
  e.opening(number);
  for (const auto& v : values) encode_value(e, v);
  e.closing(number);
}

std::unexpected<Error> trailing(const Reader& r, std::string_view what) {
  return fail(ErrorCode::bad_request,
              fmt::format("BACnet {}: unexpected octets from octet {}", what, r.offset()));
}

// Passes over everything up to and including the closing tag `number`.
Status skip_to_closing(Reader& r, std::uint8_t number) {
  while (!r.next_is_closing(number)) {
    if (r.at_end())
      return fail(ErrorCode::bad_request,
                  fmt::format("BACnet values: closing tag {} missing", number));
    if (auto s = r.skip(); !s) return s;
  }
  return r.closing(number);
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

Result<WhoIs> decode_who_is(std::span<const std::uint8_t> parameters) {
  WhoIs out;
  if (parameters.empty()) return out;
  Reader r(parameters);
  auto low = r.context_unsigned(0);
  if (!low) return std::unexpected(low.error());
  auto high = r.context_unsigned(1);
  if (!high) return std::unexpected(high.error());
  if (*low > kMaxInstance || *high > kMaxInstance)
    return fail(ErrorCode::bad_request, "BACnet Who-Is: a limit above 4194303");
  if (!r.at_end()) return trailing(r, "Who-Is");
  out.low = *low;
  out.high = *high;
  return out;
}

std::vector<std::uint8_t> encode_i_am(const IAm& announcement) {
  std::vector<std::uint8_t> out;
  Encoder e(out);
  e.object_identifier(announcement.device);
  e.unsigned_integer(announcement.max_apdu);
  e.enumerated(announcement.segmentation);
  e.unsigned_integer(announcement.vendor);
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

Result<PropertyReference> decode_read_property(std::span<const std::uint8_t> parameters) {
  Reader r(parameters);
  auto ref = decode_reference(r);
  if (!ref) return ref;
  if (!r.at_end()) return trailing(r, "ReadProperty");
  return ref;
}

std::vector<std::uint8_t> encode_read_property_ack(const ReadPropertyAck& ack) {
  std::vector<std::uint8_t> out;
  Encoder e(out);
  encode_reference(e, ack.ref);
  encode_values(e, 3, ack.values);
  return out;
}

Result<ReadPropertyAck> decode_read_property_ack(std::span<const std::uint8_t> parameters) {
  Reader r(parameters);
  ReadPropertyAck ack;
  auto ref = decode_reference(r);
  if (!ref) return std::unexpected(ref.error());
  ack.ref = *ref;
  if (auto s = r.opening(3); !s) return std::unexpected(s.error());
  auto values = decode_values(r, 3);
  if (!values) return std::unexpected(values.error());
  ack.values = std::move(*values);
  return ack;
}

std::vector<std::uint8_t> encode_read_property_multiple(std::span<const PropertyReference> refs) {
  std::vector<std::uint8_t> out;
  Encoder e(out);
  for (std::size_t i = 0; i < refs.size();) {
    const auto object = refs[i].object;
    e.context_object_identifier(0, object);
    e.opening(1);
    for (; i < refs.size() && refs[i].object == object; ++i) {
      e.context_enumerated(0, refs[i].property);
      if (refs[i].array_index) e.context_unsigned(1, *refs[i].array_index);
    }
    e.closing(1);
  }
  return out;
}

Result<std::vector<PropertyReference>> decode_read_property_multiple(
    std::span<const std::uint8_t> parameters) {
  Reader r(parameters);
  std::vector<PropertyReference> refs;
  while (!r.at_end()) {
    auto object = r.context_object_identifier(0);
    if (!object) return std::unexpected(object.error());
    if (auto s = r.opening(1); !s) return std::unexpected(s.error());
    const auto first = refs.size();
    while (!r.next_is_closing(1)) {
      PropertyReference ref{*object, 0, std::nullopt};
      if (auto s = decode_property(r, 0, ref.property, ref.array_index); !s)
        return std::unexpected(s.error());
      refs.push_back(ref);
    }
    if (refs.size() == first)
      return fail(ErrorCode::bad_request,
                  "BACnet ReadPropertyMultiple: an object without properties");
    if (auto s = r.closing(1); !s) return std::unexpected(s.error());
  }
  if (refs.empty())
    return fail(ErrorCode::bad_request, "BACnet ReadPropertyMultiple: nothing asked");
  return refs;
}

std::vector<std::uint8_t> encode_read_property_multiple_ack(
    std::span<const PropertyResult> results) {
  std::vector<std::uint8_t> out;
  Encoder e(out);
  for (std::size_t i = 0; i < results.size();) {
    const auto object = results[i].ref.object;
    e.context_object_identifier(0, object);
    e.opening(1);
    for (; i < results.size() && results[i].ref.object == object; ++i) {
      const auto& result = results[i];
      e.context_enumerated(2, result.ref.property);
      if (result.ref.array_index) e.context_unsigned(3, *result.ref.array_index);
      if (result.error) {
        e.opening(5);
        e.enumerated(result.error->error_class);
        e.enumerated(result.error->error_code);
        e.closing(5);
      } else {
        encode_values(e, 4, result.values);
      }
    }
    e.closing(1);
  }
  return out;
}

Result<std::vector<PropertyResult>> decode_read_property_multiple_ack(
    std::span<const std::uint8_t> parameters) {
  Reader r(parameters);
  std::vector<PropertyResult> results;
  while (!r.at_end()) {
    auto object = r.context_object_identifier(0);
    if (!object) return std::unexpected(object.error());
    if (auto s = r.opening(1); !s) return std::unexpected(s.error());
    while (!r.next_is_closing(1)) {
      PropertyResult result;
      result.ref.object = *object;
      if (auto s = decode_property(r, 2, result.ref.property, result.ref.array_index); !s)
        return std::unexpected(s.error());
      if (r.next_is_opening(4)) {
        (void)r.opening(4);
        const Reader mark = r;
        auto values = decode_values(r, 4);
        if (values) {
          result.values = std::move(*values);
        } else {
          // A value this reader does not take: that property's failure only.
          r = mark;
          if (auto s = skip_to_closing(r, 4); !s) return std::unexpected(s.error());
          result.error = PropertyError{error_class::property, error_code::invalid_data_type};
        }
      } else {
        if (auto s = r.opening(5); !s) return std::unexpected(s.error());
        auto cls = r.enumerated();
        if (!cls) return std::unexpected(cls.error());
        auto code = r.enumerated();
        if (!code) return std::unexpected(code.error());
        if (auto s = r.closing(5); !s) return std::unexpected(s.error());
        result.error = PropertyError{*cls, *code};
      }
      results.push_back(std::move(result));
    }
    if (auto s = r.closing(1); !s) return std::unexpected(s.error());
  }
  return results;
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

Result<WriteProperty> decode_write_property(std::span<const std::uint8_t> parameters) {
  Reader r(parameters);
  WriteProperty out;
  auto ref = decode_reference(r);
  if (!ref) return std::unexpected(ref.error());
  out.ref = *ref;
  if (auto s = r.opening(3); !s) return std::unexpected(s.error());
  auto value = decode_value(r);
  if (!value) return std::unexpected(value.error());
  out.value = std::move(*value);
  if (auto s = r.closing(3); !s) return std::unexpected(s.error());
  if (next_is_context(r, 4)) {
    auto priority = r.context_unsigned(4);
    if (!priority) return std::unexpected(priority.error());
    if (*priority < 1 || *priority > 16)
      return fail(ErrorCode::bad_request,
                  fmt::format("BACnet WriteProperty: priority {} is not 1–16", *priority));
    out.priority = static_cast<std::uint8_t>(*priority);
  }
  if (!r.at_end()) return trailing(r, "WriteProperty");
  return out;
}

std::vector<std::uint8_t> encode_subscribe_cov(const SubscribeCov& request) {
  std::vector<std::uint8_t> out;
  Encoder e(out);
  e.context_unsigned(0, request.process_id);
  e.context_object_identifier(1, request.object);
  if (request.confirmed) e.context_boolean(2, *request.confirmed);
  if (request.lifetime_s) e.context_unsigned(3, *request.lifetime_s);
  return out;
}

Result<SubscribeCov> decode_subscribe_cov(std::span<const std::uint8_t> parameters) {
  Reader r(parameters);
  SubscribeCov out;
  auto process = r.context_unsigned(0);
  if (!process) return std::unexpected(process.error());
  out.process_id = *process;
  auto object = r.context_object_identifier(1);
  if (!object) return std::unexpected(object.error());
  out.object = *object;
  if (next_is_context(r, 2)) {
    auto confirmed = r.context_boolean(2);
    if (!confirmed) return std::unexpected(confirmed.error());
    out.confirmed = *confirmed;
  }
  if (next_is_context(r, 3)) {
    auto lifetime = r.context_unsigned(3);
    if (!lifetime) return std::unexpected(lifetime.error());
    out.lifetime_s = *lifetime;
  }
  if (!r.at_end()) return trailing(r, "SubscribeCOV");
  return out;
}

std::vector<std::uint8_t> encode_cov_notification(const CovNotification& notice) {
  std::vector<std::uint8_t> out;
  Encoder e(out);
  e.context_unsigned(0, notice.process_id);
  e.context_object_identifier(1, notice.device);
  e.context_object_identifier(2, notice.object);
  e.context_unsigned(3, notice.time_remaining_s);
  e.opening(4);
  for (const auto& v : notice.values) {
    e.context_enumerated(0, v.property);
    if (v.array_index) e.context_unsigned(1, *v.array_index);
    encode_values(e, 2, v.values);
  }
  e.closing(4);
  return out;
}

Result<CovNotification> decode_cov_notification(std::span<const std::uint8_t> parameters) {
  Reader r(parameters);
  CovNotification out;
  auto process = r.context_unsigned(0);
  if (!process) return std::unexpected(process.error());
  out.process_id = *process;
  auto device = r.context_object_identifier(1);
  if (!device) return std::unexpected(device.error());
  out.device = *device;
  auto object = r.context_object_identifier(2);
  if (!object) return std::unexpected(object.error());
  out.object = *object;
  auto remaining = r.context_unsigned(3);
  if (!remaining) return std::unexpected(remaining.error());
  out.time_remaining_s = *remaining;
  if (auto s = r.opening(4); !s) return std::unexpected(s.error());
  while (!r.next_is_closing(4)) {
    CovValue v;
    if (auto s = decode_property(r, 0, v.property, v.array_index); !s)
      return std::unexpected(s.error());
    if (auto s = r.opening(2); !s) return std::unexpected(s.error());
    auto values = decode_values(r, 2);
    if (!values) return std::unexpected(values.error());
    v.values = std::move(*values);
    if (next_is_context(r, 3)) {
      if (auto p = r.context_unsigned(3); !p) return std::unexpected(p.error());
    }
    out.values.push_back(std::move(v));
  }
  if (auto s = r.closing(4); !s) return std::unexpected(s.error());
  return out;
}

}  // namespace citypulse::bacnet
