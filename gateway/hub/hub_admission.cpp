// The hub's admission of batches: rate limit, deduplication by
// (source, epoch, sequence), storing, applying, and the answer to every
// batch, including the ones it does not apply. Runs on the hub's strand.
#include <boost/asio/post.hpp>
#include <chrono>

#include "core/source_ledger.hpp"
#include "gateway/codec/batch_codec.hpp"
#include "gateway/hub/hub.hpp"
#include "gateway/ops/feed_metrics.hpp"
#include "gateway/ops/log.hpp"
#include "gateway/ops/metrics.hpp"
#include "ioc/v1/storage.pb.h"

namespace ioc::gateway {

namespace asio = boost::asio;

namespace {

// Turns `ack` into a refusal of the whole batch (nothing applied now) and
// counts it in /metrics.
ioc::v1::Ack refused_whole(ioc::v1::Ack ack, ioc::v1::Reason reason, std::string message) {
  ack.clear_refused();
  ack.set_accepted(0);
  ack.set_batch_reason(reason);
  ack.set_batch_message(std::move(message));
  global_metrics().batches_refused[reason % metrics::reason_slots].fetch_add(1, std::memory_order_relaxed);
  return ack;
}

std::string source_label(const std::string& key, std::uint64_t epoch) {
  return "source " + key + (epoch ? " epoch " + std::to_string(epoch) : std::string());
}

}  // namespace

void hub::replay(const ioc::v1::StoredBatch& b) {
  // A batch from the log (at start-up, or accepted by another gateway).
  // Deduplication makes a batch already applied here a no-op.
  const int agency = cat_->find_agency(b.agency());
  note_source_batch(b.source_key(), b.arrival_ms());
  if (!b.raw_batch().empty()) {
    ioc::v1::IngestBatch batch;
    if (agency < 0 || !batch.ParseFromString(b.raw_batch())) return;
    const core::validation_result v = core::validate_batch(*cat_, agency, batch, b.validated_at_ms());
    const core::batch_answer answer{core::content_digest(b.raw_batch()), b.validated_at_ms()};
    engine_.apply(agency, b.source_key(), batch.source_epoch(), b.sequence(), answer, v.accepted, b.arrival_ms(),
                  batch.publisher_cursor());
    newest_arrival_ms_ = std::max(newest_arrival_ms_, b.arrival_ms());
    return;
  }
  // Written before the log kept the batch as received: no epoch, no digest.
  std::vector<core::resolved_sample> samples;
  samples.reserve(b.samples_size());
  for (const auto& s : b.samples()) {
    const int ind = cat_->find_indicator(s.indicator());
    const int area = cat_->find_area(s.area());
    if (ind < 0 || area < 0) continue;  // no longer configured
    samples.push_back({ind, area, s.event_ms(), s.sum(), s.denominator()});
  }
  engine_.apply(agency, b.source_key(), 0, b.sequence(), {}, samples, b.arrival_ms());
  newest_arrival_ms_ = std::max(newest_arrival_ms_, b.arrival_ms());
}

void hub::submit(int agency, std::string source_id, core::validation_result validated, std::string raw,
                 ack_handler done) {
  const auto received = std::chrono::steady_clock::now();
  // Hashed here, on the caller's strand, so the hub's strand does not.
  const std::uint64_t digest = core::content_digest(raw);
  asio::post(strand_, [self = shared_from_this(), agency, source_id = std::move(source_id), v = std::move(validated),
                       raw = std::move(raw), done = std::move(done), received, digest]() mutable {
    self->admit(agency, source_id, std::move(v), std::move(raw), digest, std::move(done), received);
  });
}

void hub::admit(int agency, const std::string& source_id, core::validation_result v, std::string raw,
                std::uint64_t digest, ack_handler done, std::chrono::steady_clock::time_point received) {
  metrics& m = global_metrics();
  ioc::v1::Ack ack = std::move(v.ack);
  auto refuse_batch = [&](ioc::v1::Reason reason, std::string message) {
    done(refused_whole(std::move(ack), reason, std::move(message)));
  };
  if (ack.batch_reason() != ioc::v1::REASON_UNSPECIFIED) {  // refused by validation
    m.batches_refused[ack.batch_reason() % metrics::reason_slots].fetch_add(1, std::memory_order_relaxed);
    done(std::move(ack));
    return;
  }
  const core::millis now = wall_clock_ms();
  if (!buckets_[agency].take(now)) {
    m.limit_hits.fetch_add(1, std::memory_order_relaxed);
    refuse_batch(ioc::v1::RATE_LIMITED, "more batches per second than this agency's limit; slow down and retry");
    return;
  }
  if (!store_->available()) {
    refuse_batch(ioc::v1::STORAGE_UNAVAILABLE, "storage unavailable; retry later");
    return;
  }
  // A batch whose samples were all refused is stored and remembered too, so
  // a resend under the same number gets the same answer, never an apply.
  std::string key = cat_->agencies[agency].id + "/" + source_id;
  const std::uint64_t epoch = ack.source_epoch();
  const std::uint64_t seq = ack.sequence();
  const core::claim_outcome claim = engine_.claim(key, epoch, seq, digest);
  switch (claim.result) {
    case core::claim_result::duplicate:
      // Its first delivery may have been stored but never acknowledged (a
      // replica did not confirm it): answer only once it is as durable as an ack.
      store_->confirm_durable([self = shared_from_this(), agency, raw = std::move(raw), first = claim.first,
                               ack = std::move(ack), done = std::move(done)](bool durable) mutable {
        if (!durable) {
          done(refused_whole(std::move(ack), ioc::v1::STORAGE_UNAVAILABLE,
                             "this batch is stored but not yet confirmed by a replica; retry later"));
          return;
        }
        global_metrics().batches_refused[ioc::v1::DUPLICATE].fetch_add(1, std::memory_order_relaxed);
        done(self->answer_again(agency, raw, first, std::move(ack)));
      });
      return;
    case core::claim_result::in_flight:
      refuse_batch(ioc::v1::IN_FLIGHT, "the same batch is being stored now; retry shortly");
      return;
    case core::claim_result::below_window:
      refuse_batch(ioc::v1::SEQUENCE_TOO_OLD,
                   "sequence " + std::to_string(seq) + " is more than " + std::to_string(core::dedup_window::width) +
                       " below the highest applied (" + std::to_string(claim.highest) + ") of " +
                       source_label(key, epoch) +
                       ": the server cannot tell whether it was applied, so nothing was applied. A publisher that "
                       "lost its numbering starts a new source_epoch; GET /v1/sources/" + source_id +
                       " shows where the source stands");
      return;
    case core::claim_result::reused:
      refuse_batch(ioc::v1::SEQUENCE_REUSED,
                   "sequence " + std::to_string(seq) + " of " + source_label(key, epoch) +
                       " was already used for a batch with other content: nothing was applied. Two publishers "
                       "share this source id, or one restarted its numbering without a new source_epoch");
      return;
    case core::claim_result::fresh:
      break;
  }
  auto b = std::make_shared<stored_batch>();
  b->agency = agency;
  b->source_key = std::move(key);
  b->source_epoch = epoch;
  b->sequence = seq;
  b->digest = digest;
  b->arrival_ms = now;
  b->samples = std::move(v.accepted);
  b->raw = std::move(raw);
  b->validated_at_ms = v.now;
  b->cursor = std::move(v.cursor);
  store_->append(b, [self = shared_from_this(), agency, b, ack = std::move(ack), done = std::move(done),
                     received](bool ok) mutable {
    self->on_stored(agency, b, std::move(ack), std::move(done), received, ok);
  });
}

ioc::v1::Ack hub::answer_again(int agency, const std::string& raw, const core::batch_answer& first,
                               ioc::v1::Ack ack) const {
  // The same content judged at the same time gives the same answer: the
  // publisher that lost the first ack learns what became of its samples.
  ack.clear_refused();
  ack.set_batch_reason(ioc::v1::DUPLICATE);
  ioc::v1::IngestBatch batch;
  if (first.validated_at_ms == 0 || !batch.ParseFromString(raw)) {
    ack.set_accepted(0);
    ack.set_batch_message("batch already applied; nothing changed (its first answer is no longer kept)");
    return ack;
  }
  core::validation_result again = core::validate_batch(*cat_, agency, batch, first.validated_at_ms);
  ack.set_accepted(static_cast<std::uint32_t>(again.accepted.size()));
  *ack.mutable_refused() = std::move(*again.ack.mutable_refused());
  ack.set_first_answered_ms(first.validated_at_ms);
  ack.set_batch_message("batch already applied; nothing changed now. This is its first answer: " +
                        std::to_string(ack.accepted()) + " accepted, " + std::to_string(ack.refused_size()) +
                        " refused");
  return ack;
}

void hub::on_stored(int agency, std::shared_ptr<const stored_batch> b, ioc::v1::Ack ack, ack_handler done,
                    std::chrono::steady_clock::time_point received, bool ok) {
  metrics& m = global_metrics();
  if (!ok) {
    engine_.release(b->source_key, b->source_epoch, b->sequence);
    m.storage_errors.fetch_add(1, std::memory_order_relaxed);
    done(refused_whole(std::move(ack), ioc::v1::STORAGE_UNAVAILABLE, "storage unavailable; retry later"));
    return;
  }
  engine_.apply(agency, b->source_key, b->source_epoch, b->sequence, {b->digest, b->validated_at_ms}, b->samples,
                b->arrival_ms, b->cursor);
  for (const auto& r : ack.refused()) {
    m.samples_refused[r.reason() % metrics::reason_slots].fetch_add(1, std::memory_order_relaxed);
  }
  newest_arrival_ms_ = std::max(newest_arrival_ms_, b->arrival_ms);
  note_source_batch(b->source_key, b->arrival_ms);
  if (oldest_unpublished_ms_ == 0) oldest_unpublished_ms_ = b->arrival_ms;
  ack.set_accepted(static_cast<std::uint32_t>(b->samples.size()));
  m.batches_accepted.fetch_add(1, std::memory_order_relaxed);
  m.samples_accepted.fetch_add(b->samples.size(), std::memory_order_relaxed);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - received).count();
  m.observe_ack_latency(ms);
  done(std::move(ack));
  if (server_.push_rate_hz() == 0 && !b->samples.empty()) {
    publish(false);  // coalescing off: every update goes out on its own
  }
}

void hub::source_json(int agency, std::string source_id, std::function<void(std::optional<std::string>)> done) {
  asio::post(strand_, [self = shared_from_this(), agency, source_id = std::move(source_id), done = std::move(done)] {
    const std::string key = self->cat_->agencies[agency].id + "/" + source_id;
    const core::source_ledger* ledger = self->engine_.source(key);
    if (!ledger) {
      done(std::nullopt);
      return;
    }
    ioc::v1::SourceStatus s;
    s.set_source_id(source_id);
    s.set_agency(self->cat_->agencies[agency].id);
    s.set_last_epoch(ledger->last_epoch());
    s.set_last_sequence(ledger->last_sequence());
    s.set_window(core::dedup_window::width);
    s.set_last_cursor(ledger->last_cursor());
    for (const auto& e : ledger->view(100)) {
      auto* o = s.add_epochs();
      o->set_source_epoch(e.epoch);
      o->set_highest_sequence(e.highest);
      o->set_applied_in_window(e.applied_in_window);
      for (std::uint64_t miss : e.missing) o->add_missing(miss);
      o->set_last_applied_ms(e.last_applied_ms);
    }
    done(message_to_json(s));
  });
}

void hub::audit(std::string json) {
  asio::post(strand_, [self = shared_from_this(), json = std::move(json)]() mutable {
    self->store_->append_audit(std::move(json), [](bool ok) {
      if (ok) {
        global_metrics().audit_records.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      global_metrics().audit_write_failures.fetch_add(1, std::memory_order_relaxed);
      IOC_LOG(log_level::error, "audit.write_failed", "an entry was applied but its audit record was not stored");
    });
  });
}

void hub::audit_json(std::size_t limit, std::function<void(std::optional<std::string>)> done) {
  asio::post(strand_, [self = shared_from_this(), limit, done = std::move(done)]() mutable {
    self->store_->read_audit(limit, [done = std::move(done)](std::optional<std::vector<std::string>> records) {
      if (!records) return done(std::nullopt);
      std::string body = "{\"records\":[";
      for (std::size_t i = 0; i < records->size(); ++i) {
        if (i) body += ',';
        body += (*records)[i];
      }
      body += "]}";
      done(std::move(body));
    });
  });
}

}  // namespace ioc::gateway
