// Agencies' batches over HTTP (POST /v1/samples), figures typed by hand
// (POST /v1/entry, audited), and where a source stands (GET /v1/sources/{id}).
#include "gateway/access/auth.hpp"
#include "gateway/codec/batch_codec.hpp"
#include "gateway/http/routes.hpp"
#include "gateway/ops/log.hpp"
#include "gateway/ops/metrics.hpp"

namespace ioc::gateway {

namespace http = boost::beast::http;

namespace {

http::status status_for(const ioc::v1::Ack& ack) {
  switch (ack.batch_reason()) {
    case ioc::v1::REASON_UNSPECIFIED:
    case ioc::v1::DUPLICATE: return http::status::ok;
    case ioc::v1::STORAGE_UNAVAILABLE:
    case ioc::v1::IN_FLIGHT: return http::status::service_unavailable;
    case ioc::v1::RATE_LIMITED: return http::status::too_many_requests;
    case ioc::v1::BATCH_TOO_LARGE: return http::status::payload_too_large;
    case ioc::v1::SEQUENCE_TOO_OLD:
    case ioc::v1::SEQUENCE_REUSED: return http::status::conflict;
    case ioc::v1::NOT_ALLOWED: return http::status::forbidden;
    default: return http::status::bad_request;
  }
}

// The agency whose token the request carries; -1 after answering 401. With
// `person`, a person's token of an agency's entry_users counts too (/v1/entry).
int authenticated_agency(http_exchange& ex, const char* path, std::string* person = nullptr) {
  const std::string_view token = bearer_token(ex.req[http::field::authorization]);
  int agency = -1;
  if (person) {
    entry_identity id = authenticate_entry(*ex.ctx->cat, token);
    agency = id.agency;
    *person = std::move(id.person);
  } else {
    agency = authenticate_agency(*ex.ctx->cat, token);
  }
  if (agency >= 0) return agency;
  global_metrics().auth_failures.fetch_add(1);
  if (ex.ctx->auth_log.allow()) {
    IOC_LOG(log_level::warn, "http.auth_refused", "remote=" + ex.reply->remote() + " path=" + path);
  }
  auto res = make_response(http::status::unauthorized,
                           error_body("unauthenticated", token.empty() ? "missing Authorization: Bearer <agency token>"
                                                                       : "agency token not recognised"));
  res.set(http::field::www_authenticate, "Bearer");
  ex.reply->send(std::move(res));
  return -1;
}

// Who typed a figure, and from where: the audit record's origin.
struct entry_origin {
  std::string person, user_agent, forwarded_for, remote;
};
entry_origin origin_of(const http_exchange& ex, std::string person) {
  return {std::move(person), std::string(ex.req[http::field::user_agent].substr(0, 256)),
          std::string(ex.req["X-Forwarded-For"].substr(0, 256)), ex.reply->remote()};
}

// One audit record: who (agency, person), when (server time), what (the batch
// and its answer) and from where (remote address, User-Agent).
void audit_entry(gateway_context& ctx, const entry_origin& origin, int agency, const ioc::v1::IngestBatch* batch,
                 const ioc::v1::Ack* ack, const std::string& malformed) {
  std::string result = "refused";
  if (ack && ack->batch_reason() == ioc::v1::DUPLICATE) {
    result = "duplicate";
  } else if (ack && ack->batch_reason() == ioc::v1::REASON_UNSPECIFIED) {
    result = ack->refused_size() == 0 ? "accepted" : ack->accepted() > 0 ? "partly_refused" : "refused";
  }
  std::string rec = "{\"atMs\":" + std::to_string(wall_clock_ms()) + ",\"agency\":\"" +
                    json_escape(ctx.cat->agencies[agency].id) + "\",\"person\":\"" + json_escape(origin.person) +
                    "\",\"result\":\"" + result + "\",\"remote\":\"" + json_escape(origin.remote) +
                    "\",\"forwardedFor\":\"" + json_escape(origin.forwarded_for) + "\",\"userAgent\":\"" +
                    json_escape(origin.user_agent) + "\"";
  if (batch) rec += ",\"batch\":" + message_to_json(*batch);
  if (ack) rec += ",\"ack\":" + ack_to_json(*ack);
  if (!malformed.empty()) rec += ",\"error\":\"" + json_escape(malformed) + "\"";
  rec += "}";
  ctx.live_hub->audit(std::move(rec));
}

}  // namespace

// POST /v1/samples, and POST /v1/entry (the same JSON batch, validation and
// deduplication, then an audit record).
void serve_samples(http_exchange& ex, bool entry) {
  std::string person;
  const int agency = authenticated_agency(ex, entry ? "/v1/entry" : "/v1/samples", entry ? &person : nullptr);
  if (agency < 0) return;
  gateway_context& ctx = *ex.ctx;
  const auto& limits = ctx.cat->agencies[agency].limits;
  if (ex.req.body().size() > limits.max_message_bytes) {
    global_metrics().limit_hits.fetch_add(1);
    return send_error(ex.reply, http::status::payload_too_large, "too_large",
                      "batch exceeds this agency's " + std::to_string(limits.max_message_bytes) + " bytes; split it");
  }
  const std::string_view type = ex.req[http::field::content_type];
  const bool json = type.rfind("application/json", 0) == 0;
  const bool binary =
      !entry && (type.rfind("application/x-protobuf", 0) == 0 || type.rfind("application/octet-stream", 0) == 0);
  if (!json && !binary) {
    return send_error(ex.reply, http::status::unsupported_media_type, "unsupported_media_type",
                      entry ? "send application/json" : "send application/x-protobuf or application/json");
  }
  decode_result d = json ? decode_batch_json(ex.req.body()) : decode_batch_binary(ex.req.body());
  if (!d.batch) {
    global_metrics().batches_refused[ioc::v1::MALFORMED].fetch_add(1);
    if (entry) audit_entry(ctx, origin_of(ex, person), agency, nullptr, nullptr, d.error);
    return send_error(ex.reply, http::status::bad_request, "malformed", d.error);
  }
  core::validation_result v = core::validate_batch(*ctx.cat, agency, *d.batch, wall_clock_ms(), ctx.validation);
  std::string raw = json ? d.batch->SerializeAsString() : std::move(ex.req.body());
  std::shared_ptr<const ioc::v1::IngestBatch> batch;
  entry_origin origin;
  if (entry) {
    batch = std::make_shared<ioc::v1::IngestBatch>(*d.batch);
    origin = origin_of(ex, person);
  }
  ctx.live_hub->submit(agency, d.batch->source_id(), std::move(v), std::move(raw),
                       [reply = ex.reply, ctx = ex.ctx, json, agency, batch, origin](ioc::v1::Ack ack) {
    const http::status status = status_for(ack);
    // The ack goes out first: an audit write that fails costs the record, never the answer.
    if (json) {
      reply->send(make_response(status, ack_to_json(ack)));
    } else {
      reply->send(make_response(status, ack.SerializeAsString(), "application/x-protobuf"));
    }
    if (batch) audit_entry(*ctx, origin, agency, batch.get(), &ack, {});
  });
}

// GET /v1/sources/{id}: where one of the agency's sources stands, so a publisher can resume.
void serve_source(http_exchange& ex, const std::string& source_id) {
  const int agency = authenticated_agency(ex, "/v1/sources");
  if (agency < 0) return;
  ex.ctx->live_hub->source_json(agency, source_id, [reply = ex.reply, source_id](std::optional<std::string> body) {
    if (!body) {
      return send_error(reply, http::status::not_found, "unknown_source",
                        "this agency has no batch applied from source '" + source_id + "'; start at sequence 1");
    }
    reply->send(make_response(http::status::ok, std::move(*body)));
  });
}

}  // namespace ioc::gateway
