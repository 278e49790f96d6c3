// The page of a list read with LIMIT limit + 1, as every SQLite list does:
// one row more than asked for is how a list knows that more follow, without
// a COUNT.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "store/meta_store.h"

namespace citypulse::sqlite {

// The row past `limit`, when there is one, is dropped, and the last kept
// row's id is the cursor of the next page.
template <class T>
Page<T> page_of(std::vector<T> rows, std::size_t limit) {
  Page<T> page{std::move(rows), std::nullopt};
  if (page.records.size() > limit) {
    page.records.pop_back();
    page.next_after = page.records.back().id;
  }
  return page;
}

}  // namespace citypulse::sqlite
