#include "gateway/store/redis_store.hpp"

#include <hiredis/hiredis.h>

#include <chrono>
#include <random>

#include "core/batch_packing.hpp"
#include "gateway/ops/log.hpp"
#include "gateway/ops/metrics.hpp"
#include "ioc/v1/ioc.pb.h"
#include "ioc/v1/storage.pb.h"

namespace ioc::gateway {

namespace {

std::string random_id() {
  std::random_device rd;
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 12; ++i) s += hex[rd() % 16];
  return s;
}

// hiredis' reply as the machine reads it: views into hiredis' buffer, valid
// while the reply callback runs.
redis_reply to_reply(const redisReply* r) {
  redis_reply out;
  switch (r->type) {
    case REDIS_REPLY_STATUS:
      out.type = redis_reply::kind::status;
      break;
    case REDIS_REPLY_ERROR:
      out.type = redis_reply::kind::error;
      break;
    case REDIS_REPLY_STRING:
      out.type = redis_reply::kind::string;
      break;
    case REDIS_REPLY_INTEGER:
      out.type = redis_reply::kind::integer;
      out.integer = r->integer;
      return out;
    case REDIS_REPLY_ARRAY:
      out.type = redis_reply::kind::array;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(to_reply(r->element[i]));
      return out;
    default:
      return out;
  }
  out.text = std::string_view(r->str, r->len);
  return out;
}

// With sentinels, a failover is followed by reconnecting: retry at least every second.
link_timing link_timing_for(const redis_store_options& o) {
  link_timing t;
  if (!o.connection.sentinels.empty()) t.backoff_max_ms = 1000;
  return t;
}

}  // namespace

redis_store::redis_store(boost::asio::any_io_executor hub_strand, std::shared_ptr<const core::catalog> cat,
                         std::string address, redis_store_options options)
    : strand_(hub_strand),
      cat_(std::move(cat)),
      prefix_("{ioc:" + cat_->province_code + "}"),
      gateway_id_(random_id()),
      keys_(log_keys::for_province(cat_->province_code)),
      options_(std::move(options)),
      log_conn_(std::make_shared<redis_connection>(hub_strand, address, "log", options_.connection,
                                                   link_timing_for(options_))),
      tail_conn_(std::make_shared<redis_connection>(hub_strand, address, "tail", options_.connection,
                                                    link_timing_for(options_))),
      machine_(keys_, gateway_id_, log_timing::for_interval(options_.checkpoint_interval_ms),
               {[this](std::string_view manifest, const core::checkpoint_chunk_views& chunks) {
                  return restore_checkpoint(manifest, chunks);
                },
                [this](std::string_view bytes) {
                  ioc::v1::StoredBatch b;
                  if (b.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) && hooks_.replay) hooks_.replay(b);
                },
                [this](const std::string& position, bool full) { return save_checkpoint(position, full); },
                [this](bool stored) {
                  if (hooks_.saved) hooks_.saved(stored);
                }}),
      tick_timer_(hub_strand) {}

redis_store::~redis_store() { *alive_ = false; }

void redis_store::start(store_hooks hooks) {
  hooks_ = std::move(hooks);
  auto alive = alive_;
  using ch = redis_log_machine::channel;
  log_conn_->start([this, alive] { if (*alive) link_changed(ch::log, true); },
                   [this, alive] { if (*alive) link_changed(ch::log, false); });
  tail_conn_->start([this, alive] { if (*alive) link_changed(ch::tail, true); },
                    [this, alive] { if (*alive) link_changed(ch::tail, false); });
  arm_tick();
}

void redis_store::link_changed(redis_log_machine::channel c, bool up) {
  machine_.link_ready(c, up, steady_now_ms());
  pump();
}

void redis_store::arm_tick() {
  tick_timer_.expires_after(std::chrono::milliseconds(50));
  auto alive = alive_;
  tick_timer_.async_wait([this, alive](boost::system::error_code ec) {
    if (ec || !*alive || stopped_) return;
    machine_.tick(steady_now_ms());
    pump();
    arm_tick();
  });
}

void redis_store::stop() {
  machine_.stopping();
  pump();
  stopped_ = true;
  tick_timer_.cancel();
  log_conn_->stop();
  tail_conn_->stop();
}

void redis_store::pump() {
  if (pumping_) return;  // a reply handled synchronously inside a send: the outer loop drains
  pumping_ = true;
  auto alive = alive_;
  for (auto cmds = machine_.take_commands(); !cmds.empty(); cmds = machine_.take_commands()) {
    for (auto& cmd : cmds) {
      auto& conn = cmd.on == redis_log_machine::channel::log ? log_conn_ : tail_conn_;
      std::vector<std::string_view> argv(cmd.argv.begin(), cmd.argv.end());
      redis_log_machine::command sent{cmd.on, cmd.what, cmd.epoch, {}, cmd.extra_ms};  // hiredis copied the args
      const bool ok = conn->command(
          argv,
          [this, alive, sent](redisReply* r) {
            if (!*alive) return;
            if (r) {
              const redis_reply reply = to_reply(r);
              machine_.on_reply(sent, &reply, steady_now_ms());
            } else {
              machine_.on_reply(sent, nullptr, steady_now_ms());
            }
            pump();
          },
          cmd.extra_ms);
      if (!ok) machine_.on_reply(sent, nullptr, steady_now_ms());
    }
  }
  pumping_ = false;
  for (std::string p = machine_.take_problem(); !p.empty(); p = machine_.take_problem()) {
    IOC_LOG(log_level::warn, "redis.store", p);
  }
  if (machine_.stats().recoveries != reported_recoveries_) {
    reported_recoveries_ = machine_.stats().recoveries;
    IOC_LOG(log_level::info, "redis.recovered", "log position " + machine_.position());
    if (hooks_.recovered) hooks_.recovered();
  }
  const bool up = available();
  global_metrics().storage_available.store(up ? 1 : 0);
  observe_checkpoints(machine_.stats().checkpoints + machine_.stats().refused_checkpoints, options_.checkpoint_interval_ms);
  if (up != reported_available_) {
    reported_available_ = up;
    if (hooks_.availability) hooks_.availability(up);
  }
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
  if (batch->digest != 0) {
    // Packed: the accepted samples, about a sixth of the batch as received;
    // replay applies them as they are.
    b.set_source_epoch(batch->source_epoch);
    b.set_digest(batch->digest);
    b.set_cursor(batch->cursor);
    b.set_validated_at_ms(batch->validated_at_ms);
    core::pack_samples(*cat_, batch->samples, &b);
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
  // The XADD, and with "replicated" a WAIT right behind it in the pipeline;
  // done runs once, when the last answer is in.
  struct pending {
    std::function<void(bool)> done;
    std::string id;
    bool waiting;  // a WAIT follows the XADD
  };
  auto p = std::make_shared<pending>(pending{std::move(done), {}, false});
  auto alive = alive_;
  auto finish = [this, alive, p](bool ok) {
    if (!p->done) return;  // answered already
    if (ok && *alive) machine_.appended(p->id);
    auto d = std::move(p->done);
    d(ok);
  };
  const bool sent = log_conn_->command({"XADD", keys_.log, "*", "g", gateway_id_, "b", bytes},
                                       [this, alive, p, finish](redisReply* r) {
                                         const bool ok = r && r->type == REDIS_REPLY_STRING;
                                         if (ok) p->id.assign(r->str, r->len);
                                         if (*alive && r && !ok) {
                                           IOC_LOG(log_level::error, "redis.xadd_failed", std::string(r->str, r->len));
                                           machine_.append_refused(to_reply(r));
                                         }
                                         if (!p->waiting || !ok) {
                                           p->waiting = false;
                                           finish(ok);
                                         }
                                         if (*alive && r && !ok) pump();
                                       });
  if (!sent) {
    finish(false);
    return;
  }
  if (!options_.replicated) return;
  const std::string timeout = std::to_string(options_.wait_timeout_ms);
  p->waiting = log_conn_->command(
      {"WAIT", "1", timeout},
      [p, finish](redisReply* r) {
        if (!p->waiting) return;  // the XADD failed: already answered
        const bool replicated = r && r->type == REDIS_REPLY_INTEGER && r->integer >= 1;
        if (!replicated && r) {
          IOC_LOG(log_level::warn, "redis.not_replicated", "no replica confirmed the batch in time");
        }
        finish(replicated);
      },
      options_.wait_timeout_ms);
  if (!p->waiting) finish(false);  // cannot confirm replication: not acknowledged (the tail applies it if stored)
}

void redis_store::confirm_durable(std::function<void(bool)> done) {
  if (!options_.replicated) {
    done(true);
    return;
  }
  // WAIT covers this connection's own writes, so write first: a replica that
  // has this write has everything the log held before it, whoever wrote it.
  auto p = std::make_shared<std::function<void(bool)>>(std::move(done));
  auto finish = [p](bool ok) {
    if (!*p) return;
    auto d = std::move(*p);
    d(ok);
  };
  if (!log_conn_->command({"SET", prefix_ + ":durable_probe", gateway_id_}, [finish](redisReply* r) {
        if (!r || r->type == REDIS_REPLY_ERROR) finish(false);
      })) {
    finish(false);
    return;
  }
  const bool sent = log_conn_->command(
      {"WAIT", "1", std::to_string(options_.wait_timeout_ms)},
      [finish](redisReply* r) { finish(r && r->type == REDIS_REPLY_INTEGER && r->integer >= 1); },
      options_.wait_timeout_ms);
  if (!sent) finish(false);
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

// The audit stream: written on the log connection after the entry's ack;
// trimmed approximately so XADD stays O(1).
void redis_store::append_audit(std::string json, std::function<void(bool)> done) {
  auto d = std::make_shared<std::function<void(bool)>>(std::move(done));
  const bool sent = log_conn_->command({"XADD", prefix_ + ":audit", "MAXLEN", "~", "100000", "*", "r", json},
                                       [d](redisReply* r) {
                                         const bool ok = r && r->type == REDIS_REPLY_STRING;
                                         if (r && !ok) {
                                           IOC_LOG(log_level::error, "redis.audit_xadd_failed",
                                                   r->str ? std::string(r->str, r->len) : std::string());
                                         }
                                         (*d)(ok);
                                       });
  if (!sent) (*d)(false);
}

void redis_store::read_audit(std::size_t limit,
                             std::function<void(std::optional<std::vector<std::string>>)> done) {
  auto d = std::make_shared<std::function<void(std::optional<std::vector<std::string>>)>>(std::move(done));
  const bool sent = log_conn_->command(
      {"XREVRANGE", prefix_ + ":audit", "+", "-", "COUNT", std::to_string(limit)}, [d](redisReply* r) {
        if (!r || r->type != REDIS_REPLY_ARRAY) return (*d)(std::nullopt);
        std::vector<std::string> out;
        for (std::size_t i = 0; i < r->elements; ++i) {
          const redisReply* entry = r->element[i];
          if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 2) continue;
          const redisReply* fields = entry->element[1];
          for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
            if (std::string_view(fields->element[f]->str, fields->element[f]->len) == "r") {
              out.emplace_back(fields->element[f + 1]->str, fields->element[f + 1]->len);
            }
          }
        }
        (*d)(std::move(out));
      });
  if (!sent) (*d)(std::nullopt);
}

}  // namespace ioc::gateway
