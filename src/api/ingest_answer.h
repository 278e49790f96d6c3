// How the HTTP ingest routes hand readings to the pipeline and answer: the
// response is pending until the readings are durable (no thread waits for
// the disk), and a request with a deduplication key is answered once and
// replayed after.
//
// Answers (docs/ingest.md):
// - carried out: 200 {"accepted", "suspect", "rejected", "problems": [...],
//   "created_points": [...]} (the last two only when not empty); each
//   problem {"index", "key"?, "pointer"?, "reason"? (absent: stored as
//   suspect), "detail"};
// - all-or-nothing refused: 422 problem+json with the same "problems";
// - overloaded or the store failing: 503 problem+json with Retry-After;
// - a key still being answered: 409; one answered before: that answer again,
//   with "Idempotent-Replayed: true".
#pragma once

#include <string>
#include <vector>

#include "api/ingest_routes.h"

namespace citypulse {

// On an I/O thread (ctx.may_block false) the pipeline is tried without
// blocking; HttpResponse::blocked() when it would have to.
// `dedup_key` empty: no deduplication. `pointer_prefix` "/readings": problems
// name "/readings/<index>"; empty: no pointer.
HttpResponse submit_readings(RequestContext& ctx, const IngestDeps& deps,
                             ingest::IngestRequest request, std::string dedup_key,
                             std::string pointer_prefix = {});

// For routes that answer without readings (attributes, non-uplink LoRaWAN
// events): nullopt when the key is fresh (claimed: call remember_answer()
// or forget it), else the response to give (a replay, or 409).
std::optional<HttpResponse> claim_dedup(RequestContext& ctx, ingest::DedupWindow& dedup,
                                        const std::string& key);
void remember_answer(ingest::DedupWindow& dedup, const std::string& key,
                     const HttpResponse& response);

// The deduplication key of a request's Idempotency-Key header, qualified by
// who sent it (so two devices' keys never collide); empty without the header.
// bad_request for a key over 255 bytes or with control characters.
Result<std::string> idempotency_key(const HttpRequest& request, std::string_view sender);

}  // namespace citypulse
