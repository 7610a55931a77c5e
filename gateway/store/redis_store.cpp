#include "gateway/store/redis_store.hpp"

#include <hiredis/hiredis.h>

#include <random>

#include "gateway/log.hpp"
#include "gateway/metrics.hpp"
#include "ioc/v1/ioc.pb.h"
#include "ioc/v1/storage.pb.h"

namespace ioc::gateway {

namespace {

// Sets the checkpoint only if it is newer than the stored one, then trims the
// log to the previous checkpoint's position (one interval of history kept, for
// gateways whose tail is a little behind).
constexpr const char* checkpoint_script = R"lua(
local function newer(a, b)
  local a1, a2 = string.match(a, '(%d+)-(%d+)')
  local b1, b2 = string.match(b, '(%d+)-(%d+)')
  a1, a2, b1, b2 = tonumber(a1), tonumber(a2), tonumber(b1), tonumber(b2)
  return a1 > b1 or (a1 == b1 and a2 > b2)
end
local cur = redis.call('GET', KEYS[2])
if cur and not newer(ARGV[2], cur) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
if cur then redis.call('XTRIM', KEYS[3], 'MINID', cur) end
return 1
)lua";

std::string random_id() {
  std::random_device rd;
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 12; ++i) s += hex[rd() % 16];
  return s;
}

std::string reply_text(redisReply* r) {
  if (!r) return "no reply";
  if (r->type == REDIS_REPLY_ERROR || r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) {
    return std::string(r->str, r->len);
  }
  return "reply type " + std::to_string(r->type);
}

}  // namespace

int compare_stream_ids(const std::string& a, const std::string& b) {
  auto split = [](const std::string& s) {
    const auto dash = s.find('-');
    const unsigned long long ms = std::strtoull(s.c_str(), nullptr, 10);
    const unsigned long long seq = dash == std::string::npos ? 0 : std::strtoull(s.c_str() + dash + 1, nullptr, 10);
    return std::pair{ms, seq};
  };
  const auto x = split(a), y = split(b);
  return x < y ? -1 : (x == y ? 0 : 1);
}

redis_store::redis_store(boost::asio::any_io_executor hub_strand, std::shared_ptr<const core::catalog> cat,
                         std::string address, std::uint32_t checkpoint_interval_ms)
    : strand_(hub_strand),
      cat_(std::move(cat)),
      prefix_("{ioc:" + cat_->province_code + "}"),
      log_key_(prefix_ + ":log"),
      checkpoint_key_(prefix_ + ":checkpoint"),
      position_key_(prefix_ + ":checkpoint_pos"),
      checkpoint_interval_ms_(checkpoint_interval_ms),
      log_conn_(std::make_shared<redis_connection>(hub_strand, address, "log")),
      tail_conn_(std::make_shared<redis_connection>(hub_strand, address, "tail")),
      checkpoint_timer_(hub_strand),
      gateway_id_(random_id()) {}

redis_store::~redis_store() { *alive_ = false; }

void redis_store::start(store_hooks hooks) {
  hooks_ = std::move(hooks);
  auto alive = alive_;
  log_conn_->start(
      [this, alive] {
        if (!*alive) return;
        if (!recovered_ && !recovering_) recover();
        global_metrics().storage_available.store(available() ? 1 : 0);
        if (available() && hooks_.availability) hooks_.availability(true);
      },
      [this, alive] {
        if (!*alive) return;
        recovering_ = false;  // a recovery cut short starts over on reconnect
        global_metrics().storage_available.store(0);
        if (hooks_.availability) hooks_.availability(false);
      });
  tail_conn_->start(
      [this, alive] {
        if (*alive && recovered_) tail();
      },
      [this, alive] {
        if (*alive) tailing_ = false;
      });
}

void redis_store::stop() {
  stopped_ = true;
  checkpoint_timer_.cancel();
  if (recovered_) take_checkpoint();  // a clean stop leaves little to replay
  log_conn_->stop();
  tail_conn_->stop();
}

void redis_store::recover() {
  recovering_ = true;
  IOC_LOG(log_level::info, "redis.recovering", "loading checkpoint and replaying the log tail");
  load_checkpoint();
}

void redis_store::load_checkpoint() {
  auto alive = alive_;
  log_conn_->command({"GET", checkpoint_key_}, [this, alive](redisReply* r) {
    if (!*alive || !recovering_) return;
    if (!r || r->type == REDIS_REPLY_ERROR) {
      recovering_ = false;  // retried on the next connect
      return;
    }
    if (r->type == REDIS_REPLY_STRING) {
      IOC_LOG(log_level::info, "redis.checkpoint_fetched", std::to_string(r->len) + " bytes");
      ioc::v1::EngineCheckpoint cp;
      if (cp.ParseFromArray(r->str, static_cast<int>(r->len))) {
        IOC_LOG(log_level::info, "redis.checkpoint_parsed", std::to_string(cp.series_size()) + " series");
        if (hooks_.restore) hooks_.restore(cp);
        last_id_ = cp.log_position().empty() ? "0-0" : cp.log_position();
        IOC_LOG(log_level::info, "redis.checkpoint_loaded",
                std::to_string(cp.series_size()) + " series as of log position " + last_id_);
      } else {
        IOC_LOG(log_level::error, "redis.checkpoint_unreadable", "ignoring it and replaying the whole log");
      }
    }
    replay_from(last_id_);
  });
}

void redis_store::replay_from(const std::string& after) {
  auto alive = alive_;
  log_conn_->command({"XRANGE", log_key_, "(" + after, "+", "COUNT", "2000"}, [this, alive](redisReply* r) {
    if (!*alive || !recovering_) return;
    if (!r || r->type != REDIS_REPLY_ARRAY) {
      recovering_ = false;
      return;
    }
    apply_entries(r);
    if (r->elements == 2000) {
      replay_from(last_id_);
    } else {
      finish_recovery();
    }
  });
}

void redis_store::apply_entries(redisReply* entries) {
  // Each entry is [id, [field, value, ...]]; the batch is field "b".
  for (std::size_t i = 0; i < entries->elements; ++i) {
    redisReply* entry = entries->element[i];
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 2) continue;
    std::string id(entry->element[0]->str, entry->element[0]->len);
    const bool applied_on_ack = acked_.erase(id) > 0;  // our own, applied when XADD answered
    last_id_ = std::move(id);
    if (applied_on_ack) continue;
    redisReply* fields = entry->element[1];
    for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
      if (std::string_view(fields->element[f]->str, fields->element[f]->len) != "b") continue;
      ioc::v1::StoredBatch b;
      if (b.ParseFromArray(fields->element[f + 1]->str, static_cast<int>(fields->element[f + 1]->len)) && hooks_.replay) {
        hooks_.replay(b);
      }
    }
  }
}

void redis_store::finish_recovery() {
  recovering_ = false;
  recovered_ = true;
  global_metrics().storage_available.store(1);
  IOC_LOG(log_level::info, "redis.recovered", "log position " + last_id_);
  if (hooks_.recovered) hooks_.recovered();
  if (tail_conn_->up()) tail();
  arm_checkpoint();
}

void redis_store::append(std::shared_ptr<const stored_batch> batch, std::function<void(bool)> done) {
  if (!available()) {
    done(false);
    return;
  }
  ioc::v1::StoredBatch b;
  b.set_agency(cat_->agencies[batch->agency].id);
  b.set_source_key(batch->source_key);
  b.set_sequence(batch->sequence);
  b.set_arrival_ms(batch->arrival_ms);
  b.set_gateway(gateway_id_);
  if (!batch->raw.empty()) {
    // The batch as received: replay validates it again at the same time.
    b.set_raw_batch(batch->raw);
    b.set_validated_at_ms(batch->validated_at_ms);
  } else {
    for (const auto& s : batch->samples) {
      auto* o = b.add_samples();
      o->set_indicator(cat_->indicators[s.indicator].id);
      o->set_area(cat_->areas[s.area].code);
      o->set_event_ms(s.event_ms);
      o->set_sum(s.sum);
      o->set_denominator(s.denominator);
    }
  }
  const std::string bytes = b.SerializeAsString();
  auto alive = alive_;
  auto shared_done = std::make_shared<std::function<void(bool)>>(std::move(done));
  const bool sent = log_conn_->command({"XADD", log_key_, "*", "g", gateway_id_, "b", bytes},
                                       [this, alive, shared_done](redisReply* r) {
                                         const bool ok = r && r->type == REDIS_REPLY_STRING;
                                         if (ok && *alive) note_applied(std::string(r->str, r->len));
                                         if (!ok && r) IOC_LOG(log_level::error, "redis.xadd_failed", reply_text(r));
                                         (*shared_done)(ok);
                                       });
  if (!sent) (*shared_done)(false);
}

void redis_store::note_applied(const std::string& id) {
  // The tail skips our own acknowledged entries rather than parse them again.
  // If it has already passed this one, it applied it (deduplication made the
  // ack's own apply a no-op), so there is nothing to remember.
  if (compare_stream_ids(id, last_id_) > 0) acked_.insert(id);
}

void redis_store::tail() {
  if (tailing_ || stopped_ || !recovered_) return;
  tailing_ = true;
  auto alive = alive_;
  const bool sent = tail_conn_->command(
      {"XREAD", "COUNT", "1000", "BLOCK", "1000", "STREAMS", log_key_, last_id_}, [this, alive](redisReply* r) {
        if (!*alive) return;
        tailing_ = false;
        if (!r || r->type == REDIS_REPLY_ERROR) return;  // resumed on reconnect
        if (r->type == REDIS_REPLY_ARRAY && r->elements > 0) apply_entries(r->element[0]->element[1]);
        tail();
      });
  if (!sent) tailing_ = false;
}

void redis_store::arm_checkpoint() {
  if (stopped_ || checkpoint_interval_ms_ == 0) return;
  checkpoint_timer_.expires_after(std::chrono::milliseconds(checkpoint_interval_ms_));
  auto alive = alive_;
  checkpoint_timer_.async_wait([this, alive](boost::system::error_code ec) {
    if (ec || !*alive) return;
    take_checkpoint();
    arm_checkpoint();
  });
}

void redis_store::take_checkpoint() {
  if (!available() || !hooks_.save) return;
  ioc::v1::EngineCheckpoint cp;
  hooks_.save(&cp);
  cp.set_log_position(last_id_);
  const std::string bytes = cp.SerializeAsString();
  log_conn_->command({"EVAL", checkpoint_script, "3", checkpoint_key_, position_key_, log_key_, bytes, last_id_},
                     [](redisReply* r) {
                       if (r && r->type == REDIS_REPLY_ERROR) {
                         IOC_LOG(log_level::error, "redis.checkpoint_failed", reply_text(r));
                       }
                     });
}

void redis_store::publish_estimates(const std::vector<const ioc::v1::SeriesState*>& series) {
  if (!available()) return;
  for (const auto* s : series) {
    double today = 0, ytd = 0, ratio_today = 0, ratio_ytd = 0;
    for (const auto& w : s->windows()) {
      if (w.window() == ioc::v1::TODAY) {
        today = w.sum();
        ratio_today = w.ratio();
      } else if (w.window() == ioc::v1::YEAR_TO_DATE) {
        ytd = w.sum();
        ratio_ytd = w.ratio();
      }
    }
    const std::string key = prefix_ + ":est:" + s->indicator() + ":" + s->area();
    log_conn_->command({"HSET", key, "value", std::to_string(s->value()), "today", std::to_string(today), "ytd",
                        std::to_string(ytd), "ratio_today", std::to_string(ratio_today), "ratio_ytd",
                        std::to_string(ratio_ytd), "progress", std::to_string(s->progress()), "projection",
                        std::to_string(s->projection()), "last_arrival_ms", std::to_string(s->last_arrival_ms())},
                       [](redisReply*) {});
  }
}

}  // namespace ioc::gateway
