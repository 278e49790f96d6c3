// What a resource keeps outside its own table, as hooks of the generic
// repository (repository.h). Only a device has any: its channel → point
// mapping, one row per channel in device_channels. The hooks run inside the
// repository's transaction, after the record's tenant is known.
#pragma once

#include <map>
#include <span>

#include "core/result.h"
#include "model/asset.h"
#include "sqlite/connection.h"

namespace citypulse::sqlite {

template <class T>
struct RecordExtras {
  // Fails (invalid, naming the field) when the extras refer to what the
  // record's tenant does not have.
  static Status check(Connection&, const T&) { return {}; }
  // Replaces the stored extras of record.id with the record's.
  static Status save(Connection&, const T&) { return {}; }
  // Fills in the extras of records read from the table.
  static Status load(Connection&, std::span<T>) { return {}; }
};

template <>
struct RecordExtras<Device> {
  // Every channel's point must be a point of the device's tenant; channel
  // names must be distinct.
  static Status check(Connection& db, const Device& device);
  static Status save(Connection& db, const Device& device);
  // Channels come back ordered by channel name.
  static Status load(Connection& db, std::span<Device> devices);
};

// A cascading delete of a point (or of what holds points) removes the
// channels that map to it from devices that stay. Those devices changed, so
// their version and updated_at move on like any other change: an ETag a
// client holds for them no longer matches, and a client syncing by
// updated_at sees them. The caller snapshots the tenant's channel counts
// before the delete and passes them to touch_devices_that_lost_channels after.
using ChannelCounts = std::map<Id, std::int64_t>;
Result<ChannelCounts> channel_counts(Connection& db, Id tenant);
Status touch_devices_that_lost_channels(Connection& db, Id tenant, const ChannelCounts& before);

}  // namespace citypulse::sqlite
