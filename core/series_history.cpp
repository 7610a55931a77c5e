#include "core/series_history.hpp"

#include <algorithm>
#include <tuple>

namespace ioc::core {

series_history::cell* series_history::slot(cells& v, std::int64_t key, std::int64_t kept) {
  // Nearly always the newest key: append; a past key is found by search.
  if (v.empty() || v.back().key < key) {
    v.push_back(cell{static_cast<std::int32_t>(key), {}, millis{0}});
    // Forget what fell out of the kept range.
    const std::int64_t oldest = key - kept + 1;
    if (v.front().key < oldest) {
      auto first_kept = std::lower_bound(v.begin(), v.end(), oldest,
                                         [](const cell& c, std::int64_t k) { return c.key < k; });
      v.erase(v.begin(), first_kept);
    }
    return &v.back();
  }
  if (!v.empty() && key < v.back().key - kept + 1) {
    return nullptr;  // older than anything kept
  }
  auto it = std::lower_bound(v.begin(), v.end(), key, [](const cell& c, std::int64_t k) { return c.key < k; });
  if (it == v.end() || it->key != key) {
    it = v.insert(it, cell{static_cast<std::int32_t>(key), {}, millis{0}});
  }
  return &*it;
}

void series_history::absorb(cells& v, std::int64_t key, const tally& t, std::int64_t kept) {
  if (cell* c = slot(v, key, kept)) {
    c->value.add(t);
  }
}

void series_history::put(cells& v, std::int64_t key, const tally& t, millis event_ms, std::int64_t kept) {
  if (cell* c = slot(v, key, kept)) {
    c->value = t;
    c->event_ms = event_ms;
  }
}

void series_history::record_level(std::int64_t day, std::int64_t month, double value, millis event_ms) {
  for (auto [v, key, kept] : {std::tuple{&days_, day, days_kept}, std::tuple{&months_, month, months_kept}}) {
    cell* c = slot(*v, key, kept);
    if (!c) continue;
    c->value.samples += 1;
    if (c->value.samples == 1 || event_ms >= c->event_ms) {
      c->value.sum = value;
      c->event_ms = event_ms;
    }
  }
}

std::optional<tally> series_history::find(const cells& v, std::int64_t key) {
  auto it = std::lower_bound(v.begin(), v.end(), key, [](const cell& c, std::int64_t k) { return c.key < k; });
  if (it == v.end() || it->key != key) return std::nullopt;
  return it->value;
}

}  // namespace ioc::core
