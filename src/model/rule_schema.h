// The schema of rules (see schema.h for what a schema drives) and the
// vocabulary of their fields. What the schema cannot check — an
// expression's syntax and types, the points it names — the rules module
// checks when a rule is saved.
#pragma once

#include <span>
#include <string_view>

#include "model/rule.h"
#include "model/schema.h"

namespace citypulse {

const Schema<Rule>& rule_schema();

// threshold_high, threshold_low, bounds, rate_of_change, flatline, stale, expression,
// anomaly.
std::span<const std::string_view> rule_types();
// The parameters (field names) a type takes; the others must be absent.
std::span<const std::string_view> rule_parameters(std::string_view type);

extern template Result<Rule> decode(const boost::json::value&, const Schema<Rule>&, DecodeMode,
                                    const Rule*);
extern template boost::json::object encode(const Rule&, const Schema<Rule>&);
extern template boost::json::object json_schema(const Schema<Rule>&);
extern template std::vector<std::string_view> filter_names(const Schema<Rule>&);

}  // namespace citypulse
