// The schema of notification recipients (see schema.h for what a schema
// drives). The address must suit the channel: an email address, a phone
// number in international form, or an http(s) URL; a webhook needs a
// secret of at least 16 characters, which is stored but never shown.
#pragma once

#include "model/recipient.h"
#include "model/schema.h"

namespace citypulse {

const Schema<Recipient>& recipient_schema();

extern template Result<Recipient> decode(const boost::json::value&, const Schema<Recipient>&,
                                         DecodeMode, const Recipient*);
extern template boost::json::object encode(const Recipient&, const Schema<Recipient>&);
extern template boost::json::object json_schema(const Schema<Recipient>&);
extern template std::vector<std::string_view> filter_names(const Schema<Recipient>&);

}  // namespace citypulse
