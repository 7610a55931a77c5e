#include "core/catalog_diff.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>

namespace ioc::core {

namespace {

const char* restart = ": needs a restart";

const char* kind_name(indicator_kind k) {
  switch (k) {
    case indicator_kind::counter: return "counter";
    case indicator_kind::ratio: return "ratio";
    case indicator_kind::gauge: return "gauge";
    case indicator_kind::reference: return "reference";
  }
  return "?";
}

// Names added, removed and moved between two ordered lists of ids. `what` is
// "indicator", "area" or "agency". Returns true when the order is identical.
bool same_order(const std::vector<std::string>& before, const std::vector<std::string>& after, const char* what,
                std::vector<std::string>& out) {
  if (before == after) return true;
  const auto has = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  bool named = false;
  for (const auto& id : before) {
    if (!has(after, id)) {
      out.push_back(std::string(what) + " '" + id + "' removed" + restart);
      named = true;
    }
  }
  for (const auto& id : after) {
    if (!has(before, id)) {
      out.push_back(std::string(what) + " '" + id + "' added" + restart);
      named = true;
    }
  }
  if (!named) out.push_back(std::string(what) + " order changed" + restart);
  return false;
}

}  // namespace

std::vector<std::string> restart_only_changes(const catalog& before, const catalog& after) {
  std::vector<std::string> out;
  if (before.province_code != after.province_code) {
    out.push_back("province_code changed from '" + before.province_code + "' to '" + after.province_code + "'" + restart);
  }
  std::vector<std::string> a, b;
  for (const auto& i : before.indicators) a.push_back(i.id);
  for (const auto& i : after.indicators) b.push_back(i.id);
  if (same_order(a, b, "indicator", out)) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (before.indicators[i].kind != after.indicators[i].kind) {
        out.push_back("indicator '" + a[i] + "' kind changed from " + kind_name(before.indicators[i].kind) + " to " +
                      kind_name(after.indicators[i].kind) + restart);
      }
    }
  }
  a.clear();
  b.clear();
  for (const auto& x : before.areas) a.push_back(x.code);
  for (const auto& x : after.areas) b.push_back(x.code);
  if (same_order(a, b, "area", out)) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      const int pb = before.areas[i].parent, pa = after.areas[i].parent;
      if (pb != pa) {
        out.push_back("area '" + a[i] + "' parent changed from '" + (pb < 0 ? "" : before.areas[pb].code) + "' to '" +
                      (pa < 0 ? "" : after.areas[pa].code) + "'" + restart);
      } else if (before.areas[i].level != after.areas[i].level) {
        out.push_back("area '" + a[i] + "' level changed" + restart);
      }
    }
  }
  a.clear();
  b.clear();
  for (const auto& x : before.agencies) a.push_back(x.id);
  for (const auto& x : after.agencies) b.push_back(x.id);
  same_order(a, b, "agency", out);
  return out;
}

std::vector<std::string> restart_only_changes(const ioc::v1::ServerConfig& before, const ioc::v1::ServerConfig& after) {
  static const char* live[] = {"viewer_token_sha256", "admin_token_sha256", "allowed_origins"};
  std::vector<std::string> out;
  const auto* d = ioc::v1::ServerConfig::descriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    if (std::find_if(std::begin(live), std::end(live), [&](const char* n) { return f->name() == n; }) != std::end(live)) {
      continue;
    }
    google::protobuf::util::MessageDifferencer diff;
    if (!diff.CompareWithFields(before, after, {f}, {f})) {
      out.push_back("server." + f->name() + " changed" + restart);
    }
  }
  return out;
}

}  // namespace ioc::core
