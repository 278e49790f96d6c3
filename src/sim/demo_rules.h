// The demo town's rules and alarm recipients: what a town's energy manager
// would set up first, and enough to catch every fault the simulator
// injects (docs/demo.md lists which rule sees which fault):
//
//   stuck sensor      flatline on every temperature sensor (3 h)
//   heating at night  per building: its main room's setpoint above setback at night
//   window open       per building: any window contact open
//   leaking valve     per building: unusual heat output for the hour of the week (anomaly)
//   meter drop-out    stale energy meters (10 × their interval)
//   meter exchange    energy or volume registers running backwards
//   water leak        water flowing at night
//
// plus CO2 above 1,600 ppm. Recipients: the caretakers (email), the energy
// management (email, all severities) and the on-call technician (SMS,
// critical only, escalating after 15 minutes). Without SMTP or an SMS
// gateway configured their notifications are recorded as not sent.
//
// Idempotent: a rule or recipient of the same name is left as it is.
#pragma once

#include "sim/demo_town.h"

namespace citypulse::sim {

struct DemoRulesMade {
  int rules = 0, recipients = 0;
};

Result<DemoRulesMade> seed_demo_rules(MetaStore& store, const TownLayout& town,
                                      const DemoTown& stored);

}  // namespace citypulse::sim
