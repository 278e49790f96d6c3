// JSON views of identity records for the API: what a client may see of a
// user (never the password hash) or an API key (never the secret).
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/identity.h"

namespace citypulse {

boost::json::value optional_id(const std::optional<Id>& id);
boost::json::value building_list(const std::optional<std::vector<Id>>& buildings);
boost::json::array name_list(const std::vector<std::string>& names);
boost::json::object user_json(const User& user);
boost::json::object api_key_json(const ApiKey& key);

}  // namespace citypulse
