#include "api/ingest_answer.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <memory>

#include "api/json_io.h"
#include "api/problem.h"
#include "core/time.h"

namespace citypulse {
namespace json = boost::json;
namespace {

json::array problems_json(const ingest::IngestOutcome& outcome, std::string_view pointer_prefix) {
  json::array out;
  for (const auto& p : outcome.problems) {
    json::object o{{"index", p.index}};
    if (!p.key.empty()) o["key"] = p.key;
    if (!pointer_prefix.empty()) o["pointer"] = fmt::format("{}/{}", pointer_prefix, p.index);
    if (p.rejected) o["reason"] = ingest::rejection_name(*p.rejected);
    o["detail"] = p.message;
    out.push_back(std::move(o));
  }
  return out;
}

HttpResponse answer(const std::string& path, const Result<ingest::IngestOutcome>& result,
                    std::string_view pointer_prefix) {
  if (!result) {
    auto r = problem_response(result.error(), path);
    if (result.error().code == ErrorCode::unavailable) r.set_header("Retry-After", "1");
    return r;
  }
  const auto& o = *result;
  if (!o.written) {
    auto r = problem_response(
        Error{ErrorCode::invalid,
              fmt::format("{} of the {} readings were refused, so none was stored (add "
                          "?partial=true to store the others)",
                          o.rejected, o.rejected + o.accepted),
              {}},
        path);
    json::object body = json::parse(r.body).as_object();
    body["problems"] = problems_json(o, pointer_prefix);
    r.body = json::serialize(body);
    return r;
  }
  // The common answer, built without a JSON tree: this runs on the store's
  // completion thread for every request.
  if (o.problems.empty() && o.created_points.empty()) {
    HttpResponse r;
    r.content_type = "application/json";
    r.body = fmt::format(R"({{"accepted":{},"suspect":0,"rejected":0}})", o.accepted);
    return r;
  }
  json::object body{{"accepted", o.accepted}, {"suspect", o.suspect}, {"rejected", o.rejected}};
  if (!o.problems.empty()) body["problems"] = problems_json(o, pointer_prefix);
  if (!o.created_points.empty()) {
    json::array ids;
    for (Id id : o.created_points) ids.push_back(id);
    body["created_points"] = std::move(ids);
  }
  return json_response(200, body);
}

}  // namespace

Result<std::string> idempotency_key(const HttpRequest& request, std::string_view sender) {
  auto key = request.header("Idempotency-Key");
  if (!key) return std::string();
  if (key->empty() || key->size() > 255)
    return fail(ErrorCode::bad_request, "Idempotency-Key must be 1 to 255 characters",
                "Idempotency-Key");
  for (unsigned char c : *key)
    if (c < 0x20 || c == 0x7f)
      return fail(ErrorCode::bad_request, "Idempotency-Key must not hold control characters",
                  "Idempotency-Key");
  return fmt::format("{}|{}", sender, *key);
}

std::optional<HttpResponse> claim_dedup(RequestContext& ctx, ingest::DedupWindow& dedup,
                                        const std::string& key) {
  if (key.empty()) return std::nullopt;
  auto claim = dedup.claim(key, now_ms());
  if (std::holds_alternative<ingest::DedupWindow::Fresh>(claim)) return std::nullopt;
  if (std::holds_alternative<ingest::DedupWindow::Busy>(claim))
    return problem_response(
        Error{ErrorCode::conflict,
              "a request with this key is still being answered; retry when it is done",
              {}},
        ctx.request.path);
  const auto& remembered = std::get<ingest::RememberedAnswer>(claim);
  HttpResponse r;
  r.status = remembered.status;
  r.content_type = remembered.content_type;
  r.body = remembered.body;
  r.set_header("Idempotent-Replayed", "true");
  return r;
}

void remember_answer(ingest::DedupWindow& dedup, const std::string& key,
                     const HttpResponse& response) {
  if (key.empty()) return;
  // Only what was carried out is final; a refusal or an overload may be
  // retried with the same key and succeed.
  if (response.status >= 200 && response.status < 300)
    dedup.remember(key, {response.status, response.content_type, response.body});
  else
    dedup.forget(key);
}

HttpResponse submit_readings(RequestContext& ctx, const IngestDeps& deps,
                             ingest::IngestRequest request, std::string dedup_key,
                             std::string pointer_prefix) {
  if (auto replay = claim_dedup(ctx, deps.dedup, dedup_key)) return std::move(*replay);
  auto pending = std::make_shared<PendingResponse>();
  auto* dedup = &deps.dedup;
  const std::string key = ctx.may_block ? std::string() : dedup_key;
  ingest::IngestDone done =
      [pending, dedup, path = ctx.request.path, dedup_key = std::move(dedup_key),
       pointer_prefix = std::move(pointer_prefix)](Result<ingest::IngestOutcome> result) mutable {
        auto r = answer(path, result, pointer_prefix);
        remember_answer(*dedup, dedup_key, r);
        pending->complete(std::move(r));
      };
  if (ctx.may_block) {
    deps.pipeline.submit(std::move(request), std::move(done));
  } else if (!deps.pipeline.try_submit(request, done)) {
    // Handled again on a worker, which claims the key afresh.
    if (!key.empty()) deps.dedup.forget(key);
    return HttpResponse::blocked();
  }
  HttpResponse placeholder;
  placeholder.pending = std::move(pending);
  return placeholder;
}

}  // namespace citypulse
