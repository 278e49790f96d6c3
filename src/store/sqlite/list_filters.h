// A list's ?name=value filters as SQL conditions. Only names from
// filter_names(schema) pass, so every column named in the SQL comes from a
// schema, never from a request; the values are bound as parameters.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/asset_schema.h"
#include "store/meta_store.h"

namespace citypulse::sqlite {

// A value to bind, in the order of the ? in the SQL.
using SqlValue = std::variant<std::int64_t, std::string>;

// A positive id from a query parameter; nullopt for anything else ("", "0",
// "-1", "1.5", " 1", "99999999999999999999").
inline std::optional<Id> parse_id(std::string_view text) {
  Id id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id < 1) return std::nullopt;
  return id;
}

// The condition for one filter on `table`, appending its value to `params`.
// Fails with bad_request, Error::field naming the parameter, for a name that
// is no filter of the resource, an id that is no positive integer, or a value
// outside a choice field's choices (which could never match).
template <class T>
Result<std::string> filter_condition(const Schema<T>& schema, std::string_view table,
                                     const ListFilter& filter, std::vector<SqlValue>& params) {
  const auto names = filter_names(schema);
  if (std::find(names.begin(), names.end(), filter.field) == names.end())
    return fail(ErrorCode::bad_request,
                names.empty()
                    ? fmt::format("{} cannot be filtered; '{}' is not a filter", schema.collection,
                                  filter.field)
                    : fmt::format("'{}' is not a filter of {}; use one of: {}", filter.field,
                                  schema.collection, fmt::join(names, ", ")),
                filter.field);
  if (filter.field == "tag") {
    params.emplace_back(filter.value);
    return fmt::format("EXISTS (SELECT 1 FROM json_each({}.tags) WHERE value = ?)", table);
  }
  const FieldSpec<T>* f = find_field(schema, filter.field);  // null for tenant_id
  if (!f || f->type == FieldType::ref) {
    const auto id = parse_id(filter.value);
    if (!id)
      return fail(ErrorCode::bad_request,
                  fmt::format("filter '{}' must be a positive integer id, got '{}'", filter.field,
                              filter.value),
                  filter.field);
    params.emplace_back(*id);
  } else {
    const bool known =
        std::find(f->choices.begin(), f->choices.end(), filter.value) != f->choices.end();
    if (!known)
      return fail(ErrorCode::bad_request,
                  fmt::format("filter '{}' must be one of: {}; got '{}'", filter.field,
                              fmt::join(f->choices, ", "), filter.value),
                  filter.field);
    params.emplace_back(filter.value);
  }
  return fmt::format("{} = ?", filter.field);
}

}  // namespace citypulse::sqlite
