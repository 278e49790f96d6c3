// Files that hold secrets (the access-token signing keys, the demo's device
// secret): written so that no one else can read them even briefly and a
// crash leaves the old file or the new one, never half of one.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"

namespace citypulse::auth {

enum class SecretWritten { yes, file_existed };

// Writes `text` to a temporary file beside `file` (mode 0600 from the
// start), syncs it, then moves it into place. With `replace` an existing
// file is replaced; without, an existing file is kept (another process made
// it first) and file_existed is returned. io naming `what` (e.g. "the
// signing key file") and the file on failure.
Result<SecretWritten> write_secret_file(const std::filesystem::path& file, std::string_view text,
                                        bool replace, std::string_view what);

// The whole file; io naming `what` and the file on failure.
Result<std::string> read_secret_file(const std::filesystem::path& file, std::string_view what);

}  // namespace citypulse::auth
