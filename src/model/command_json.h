// A command as the API and the command_result events show it
// (docs/control.md): names for status and origin, RFC 3339 times, null for
// what is not set.
#pragma once

#include <boost/json/fwd.hpp>

#include "model/command.h"

namespace citypulse {

boost::json::object command_json(const Command& command);

}  // namespace citypulse
