// EnergyStore: what energy accounting keeps beside the asset model, in the
// same relational store (MetaStore::energy()):
//  - settings: one JSON document per meter point (its kind, medium, wrap
//    value, replacements...) and one per building (gas conversion, tariffs,
//    carbon, budgets, weather). The store keeps the text; what it may say is
//    the energy module's business (docs/analytics.md, "Settings").
//  - the ledger: each meter's energy per UTC hour, in blocks of 720 hours,
//    as opaque bytes the energy module encodes (energy/meter_ledger.h).
//
// Contract:
// - Settings calls are scoped: the point or building must exist and be
//   visible to the scope (not_found otherwise, as if it did not exist).
//   put_settings() creates version 1 or replaces with version + 1; given an
//   expected version (If-Match) it writes only while the stored one is that
//   (0: only when none is stored), precondition_failed otherwise.
// - Settings and ledger go with their point or building (deleted with it);
//   removing a meter's settings removes its ledger.
// - Ledger calls are not scoped: only the energy service makes them, for
//   points whose settings it read through a scope.
// - Each call is atomic. Calls are safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "model/asset.h"
#include "store/scope.h"

namespace citypulse {

enum class EnergySubject { meter, building };  // a point's settings, a building's

struct EnergySettings {
  EnergySubject subject = EnergySubject::meter;
  Id id = 0;  // the point or the building
  Id tenant_id = 0;
  Id building_id = 0;
  std::string document;  // JSON
  std::int64_t version = 0;
  TimeMs updated_at = 0;
};

// One block of a meter's hourly ledger: hours [index × 720, index × 720 + 720)
// counted from the epoch. The byte strings are the energy module's.
struct EnergyBlock {
  std::int64_t index = 0;
  std::int64_t settings_version = 0;  // the meter settings it was computed with
  std::string energy, quality, source;
};

class EnergyStore {
 public:
  virtual ~EnergyStore() = default;

  virtual Result<EnergySettings> settings(const Scope& scope, EnergySubject subject, Id id) = 0;
  // Every stored document of the subject the scope sees, by ascending id.
  virtual Result<std::vector<EnergySettings>> list_settings(const Scope& scope,
                                                            EnergySubject subject) = 0;
  virtual Result<EnergySettings> put_settings(const Scope& scope, EnergySubject subject, Id id,
                                              std::string document,
                                              std::optional<std::int64_t> expected_version,
                                              TimeMs now) = 0;
  virtual Status remove_settings(const Scope& scope, EnergySubject subject, Id id) = 0;

  // The stored blocks of `point` with first <= index <= last, ascending.
  virtual Result<std::vector<EnergyBlock>> blocks(Id point, std::int64_t first,
                                                  std::int64_t last) = 0;
  // Creates or replaces the blocks, all or none. not_found when the point
  // has no meter settings (any more).
  virtual Status put_blocks(Id point, std::span<const EnergyBlock> blocks) = 0;
};

}  // namespace citypulse
