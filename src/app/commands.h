// The subcommands' work, kept out of main() so each step is testable.
#pragma once

#include <optional>
#include <string>

#include "app/demo.h"
#include "app/identity_setup.h"
#include "core/config.h"

namespace citypulse {

// Options shared by serve, demo, migrate and config show; they override the
// file and the environment.
struct CommonOptions {
  std::optional<std::string> config_file;
  std::optional<std::string> data_dir;
  std::optional<std::string> http_port;
  std::optional<std::string> mqtt_port;
  std::optional<std::string> log_level;
};

Result<Config> effective_config(const CommonOptions& options);

// Opens the stores, starts the server (with the demo town, its history and
// its live simulation when `demo` is set), serves until SIGINT/SIGTERM,
// shuts down gracefully. Returns the exit code.
int run_server(const Config& config, const DemoOptions* demo);

int run_migrate(const Config& config);

// `citypulse user add`: 0 when created, 2 for a bad password, role, tenant or
// a taken email, 1 when the store fails.
int run_user_add(const Config& config, const NewUser& user);

// `citypulse keys rotate`: adds a fresh key to <data>/signing-keys, which
// signs from the next start while the older keys keep verifying. 2 when the
// keys come from auth.jwt_secret (nothing to rotate there), 1 on failure.
int run_keys_rotate(const Config& config);

}  // namespace citypulse
