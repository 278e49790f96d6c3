// How the fields of a schema map to SQL columns: the column list, binding a
// record's values, reading them back. Every schema field is a column of the
// same name, except a device's channels (a table of their own). Column names
// come from the schemas only, never from a request.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "model/schema.h"
#include "sqlite/connection.h"
#include "store/sqlite/tags_json.h"

namespace citypulse::sqlite {

template <class T>
bool is_column(const FieldSpec<T>& f) {
  return f.type != FieldType::channels;
}

// The fields stored as columns, in schema order.
template <class T>
std::vector<const FieldSpec<T>*> column_fields(const Schema<T>& schema) {
  std::vector<const FieldSpec<T>*> out;
  for (const auto& f : schema.fields)
    if (is_column(f)) out.push_back(&f);
  return out;
}

template <class T>
void bind_field(Statement& st, const FieldSpec<T>& f, const T& record) {
  std::visit(
      [&](auto p) {
        const auto& v = record.*p;
        using M = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<M, std::vector<std::string>>) {
          st.bind(std::string_view(tags_to_json(v)));
        } else if constexpr (std::is_same_v<M, std::string>) {
          st.bind(std::string_view(v));
        } else if constexpr (std::is_same_v<M, std::vector<DeviceChannel>>) {
          st.bind_null();  // not a column; is_column() keeps it out of every statement
        } else {
          st.bind(v);
        }
      },
      f.member);
}

template <class T>
Status read_field(const Statement& st, int column, const FieldSpec<T>& f, T& record) {
  return std::visit(
      [&](auto p) -> Status {
        auto& v = record.*p;
        using M = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<M, std::int64_t>) {
          v = st.int64(column);
        } else if constexpr (std::is_same_v<M, std::optional<std::int64_t>>) {
          v = st.is_null(column) ? std::nullopt : std::optional(st.int64(column));
        } else if constexpr (std::is_same_v<M, std::optional<double>>) {
          v = st.is_null(column) ? std::nullopt : std::optional(st.real(column));
        } else if constexpr (std::is_same_v<M, std::string>) {
          v = st.text(column);
        } else if constexpr (std::is_same_v<M, std::vector<std::string>>) {
          auto tags = tags_from_json(st.text(column));
          if (!tags) return std::unexpected(tags.error());
          v = std::move(*tags);
        }
        return {};
      },
      f.member);
}

// The id a ref field holds; nullopt when unset (null, or 0 in a required one).
template <class T>
std::optional<Id> ref_value(const T& record, const FieldSpec<T>& f) {
  return std::visit(
      [&](auto p) -> std::optional<Id> {
        const auto& v = record.*p;
        using M = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<M, std::int64_t>)
          return v != 0 ? std::optional<Id>(v) : std::nullopt;
        else if constexpr (std::is_same_v<M, std::optional<std::int64_t>>)
          return v;
        else
          return std::nullopt;
      },
      f.member);
}

template <class T>
void set_ref(T& record, const FieldSpec<T>& f, Id id) {
  std::visit(
      [&](auto p) {
        using M = std::decay_t<decltype(record.*p)>;
        if constexpr (std::is_same_v<M, std::int64_t> ||
                      std::is_same_v<M, std::optional<std::int64_t>>)
          record.*p = id;
      },
      f.member);
}

// The value of a text field; empty for fields of other types.
template <class T>
std::string_view text_value(const T& record, const FieldSpec<T>& f) {
  return std::visit(
      [&](auto p) -> std::string_view {
        if constexpr (std::is_same_v<std::decay_t<decltype(record.*p)>, std::string>)
          return record.*p;
        else
          return {};
      },
      f.member);
}

template <class T>
bool same_field_value(const T& a, const T& b, const FieldSpec<T>& f) {
  return std::visit([&](auto p) { return a.*p == b.*p; }, f.member);
}

}  // namespace citypulse::sqlite
