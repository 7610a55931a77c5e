#pragma once
// The long past of one series: a value per Vietnam day for at least two
// years and per month for at least five, kept apart from the windows so the
// hot path stays small. Counts and ratios enter as their day or month
// bucket leaves the series' rings (sums are final by then: no sample older
// than the grace reaches them); levels (gauges, references) record their
// last value of each day and month as samples arrive. Sparse: a series pays
// only for the days it has data on.
#include <cstdint>
#include <optional>
#include <vector>

#include "core/bucket_ring.hpp"
#include "core/vietnam_time.hpp"

namespace ioc::core {

class series_history {
 public:
  static constexpr std::int64_t days_kept = 2 * 366 + 31;  // two years and the month before
  static constexpr std::int64_t months_kept = 5 * 12 + 13;  // five years and the year before

  // A day (or month) bucket that left the series' ring: its final sums.
  void absorb_day(std::int64_t day, const tally& t) { absorb(days_, day, t, days_kept); }
  void absorb_month(std::int64_t month, const tally& t) { absorb(months_, month, t, months_kept); }

  // A level's sample: the latest event of each day and month wins.
  void record_level(std::int64_t day, std::int64_t month, double value, millis event_ms);

  // The kept cell, if any. For levels `sum` is the last value of the period.
  std::optional<tally> day(std::int64_t key) const { return find(days_, key); }
  std::optional<tally> month(std::int64_t key) const { return find(months_, key); }

  // Checkpoints: every kept cell, and restoring them.
  template <class F>
  void for_each_day(F&& f) const {
    for (const cell& c : days_) f(static_cast<std::int64_t>(c.key), c.value, c.event_ms);
  }
  template <class F>
  void for_each_month(F&& f) const {
    for (const cell& c : months_) f(static_cast<std::int64_t>(c.key), c.value, c.event_ms);
  }
  void restore_day(std::int64_t key, const tally& t, millis event_ms) { put(days_, key, t, event_ms, days_kept); }
  void restore_month(std::int64_t key, const tally& t, millis event_ms) { put(months_, key, t, event_ms, months_kept); }

  std::size_t bytes() const { return sizeof(*this) + (days_.capacity() + months_.capacity()) * sizeof(cell); }

 private:
  struct cell {
    std::int32_t key;
    tally value;
    millis event_ms;  // levels: the event time of `value.sum`
  };
  using cells = std::vector<cell>;  // ascending keys

  static void absorb(cells& v, std::int64_t key, const tally& t, std::int64_t kept);
  static void put(cells& v, std::int64_t key, const tally& t, millis event_ms, std::int64_t kept);
  static std::optional<tally> find(const cells& v, std::int64_t key);
  static cell* slot(cells& v, std::int64_t key, std::int64_t kept);

  cells days_;
  cells months_;
};

}  // namespace ioc::core
