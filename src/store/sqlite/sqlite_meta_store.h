// The embedded MetaStore: one SQLite file in WAL mode.
#pragma once

#include <memory>
#include <string>

#include "store/meta_store.h"

namespace citypulse {

struct SqliteOptions {
  std::string path;     // the database file; created when missing
  bool migrate = true;  // apply pending migrations on open; false: fail if any are pending
};

// Opens (and migrates) the store. Fails with io when the file cannot be opened,
// and with unavailable when migrate is false and the schema is behind.
Result<std::unique_ptr<MetaStore>> open_sqlite_meta_store(const SqliteOptions& options);

}  // namespace citypulse
