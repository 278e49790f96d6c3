// The ways readings come in over HTTP, and the device access they need:
//
// - ingest_device_routes.cpp: the ThingsBoard-compatible device API,
//   POST /api/v1/{device_token}/telemetry and .../attributes;
// - ingest_batch_routes.cpp: the native batch API POST /api/v1/readings and
//   history imports POST /api/v1/points/{id}/import;
// - lorawan_routes.cpp: ChirpStack and The Things Stack webhooks;
// - device_access_routes.cpp: device credentials, integrations, device
//   activity and attributes.
//
// Readings go through the ingest pipeline and are answered once durable;
// docs/ingest.md describes formats, semantics and answers.
#pragma once

#include "api/router.h"
#include "core/config.h"
#include "ingest/dedup_window.h"
#include "ingest/directory.h"
#include "ingest/pipeline.h"
#include "ingest/reading_sink.h"
#include "store/meta_store.h"
#include "store/series_store.h"

namespace citypulse {

// All must outlive the router.
struct IngestDeps {
  MetaStore& store;
  SeriesStore& series;
  ingest::Directory& directory;
  ingest::Pipeline& pipeline;
  ingest::DedupWindow& dedup;
  IngestConfig config;
  // Told of every history import once it is stored (the energy ledger);
  // null: nobody listens.
  ingest::ReadingSink* imported = nullptr;
};

void add_ingest_device_routes(Router& router, const IngestDeps& deps);
void add_ingest_batch_routes(Router& router, const IngestDeps& deps);
void add_lorawan_routes(Router& router, const IngestDeps& deps);
void add_device_access_routes(Router& router, const IngestDeps& deps);

}  // namespace citypulse
