// Schemas: one table per resource that says, field by field, what the API
// accepts and returns. The same table drives JSON decoding with precise errors,
// JSON encoding, the OpenAPI component schema, list filters and the SQL columns
// of the store, so these can never disagree with each other.
//
// The record meta (id, tenant_id, version, created_at, updated_at) is common to
// all resources and handled by the functions here, not listed in the tables.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "model/asset.h"

namespace citypulse {

enum class FieldType {
  ref,       // id of another record (`ref` names its collection); positive integer
  integer,   // whole number within [min, max]
  number,    // finite double within [min, max]
  text,      // string of min..max bytes, no control characters
  choice,    // one of `choices`
  tags,      // array of distinct short strings
  channels,  // a device's channel → point mapping
};

enum class Access {
  writable,    // set on create, changeable later
  immutable,   // set on create; a later different value is an error
  derived,     // set by the server (e.g. a space's building from its floor); ignored on input
  write_only,  // set on create, changeable; stored but never shown (a webhook's secret); a
               // replacement that leaves it out keeps it
};

// How a reference constrains the record that holds it (checked by the store).
enum class RefRule {
  same_tenant,    // the referenced record belongs to the same tenant
  owner,          // the parent: the record's tenant (and building, if derived) come from it
  same_building,  // the referenced record is in the same building as this record
};

template <class T>
using Member = std::variant<std::int64_t T::*, std::optional<std::int64_t> T::*, std::string T::*,
                            std::optional<double> T::*, std::vector<std::string> T::*,
                            std::vector<DeviceChannel> T::*>;

template <class T>
struct FieldSpec {
  std::string_view name;
  FieldType type;
  Member<T> member;
  Access access = Access::writable;
  bool required = false;
  double min = -std::numeric_limits<double>::infinity();  // value, or text length
  double max = std::numeric_limits<double>::infinity();
  std::span<const std::string_view> choices = {};
  std::string_view ref = {};  // collection of a ref field
  RefRule rule = RefRule::same_tenant;
  std::string_view description = {};
};

// How the tenant_id of a resource is set.
enum class TenantField {
  none,       // the resource is a tenant itself
  explicit_,  // given on create (by a superadmin) or taken from the caller's scope
  derived,    // taken from the owner reference
};

template <class T>
struct Schema {
  std::string_view name;        // singular, for messages: "building"
  std::string_view collection;  // path segment and table name: "buildings"
  std::string_view description;
  TenantField tenant;
  std::span<const FieldSpec<T>> fields;
  Status (*check)(const T&) = nullptr;  // rules across fields, after decoding
};

enum class DecodeMode {
  create,   // POST: defaults for what is absent, required fields enforced
  replace,  // PUT: like create, but immutable fields must keep the current value
  patch,    // PATCH: start from the current record, change only what is present
};

// Decodes a request body into a record. `current` is required for replace and
// patch (its meta is kept). On failure nothing is returned; Error::field is a
// JSON pointer to the offending member. Meta members and derived fields in the
// body are ignored, so a client may send back what it read.
template <class T>
Result<T> decode(const boost::json::value& body, const Schema<T>& schema, DecodeMode mode,
                 const T* current);

template <class T>
boost::json::object encode(const T& record, const Schema<T>& schema);

// A JSON Schema (OpenAPI 3.1 dialect) of the resource as the API returns it.
template <class T>
boost::json::object json_schema(const Schema<T>& schema);

// Fields a list may be filtered by with ?name=value: references, choices, and
// "tag" when the resource has tags. tenant_id too, except for tenants.
template <class T>
std::vector<std::string_view> filter_names(const Schema<T>& schema);

template <class T>
const FieldSpec<T>* find_field(const Schema<T>& schema, std::string_view name) {
  for (const auto& f : schema.fields)
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace citypulse
