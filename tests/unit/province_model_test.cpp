#include "tools/province_model.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>

#include "core/config_loader.hpp"
#include "test_config.hpp"

namespace ioc::tools {
namespace {

using core::millis;

// A Tuesday, 9:00 to 10:00 Vietnam time (02:00–03:00 UTC), office hours.
constexpr millis tue_0900 = 1'795'485'600'000;  // 2026-11-24T02:00:00Z
constexpr millis hour = 3'600'000;

std::shared_ptr<const core::catalog> load(const std::string& rel) {
  const char* src = std::getenv("IOC_SOURCE_DIR");
  auto r = core::load_config_file(std::string(src ? src : IOC_SOURCE_DIR_DEFAULT) + "/deploy/config/" + rel);
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front());
  return r.cat;
}

// Σ denominators of the public-service centre's ratios by area over `hours` office hours.
std::map<std::string, double> dossiers_by_area(const core::catalog& cat, int hours, double scale) {
  province_model m(cat, 7, scale);
  const int centre = cat.find_agency("tthc_center");
  std::map<std::string, double> out;
  for (int h = 0; h < hours; ++h) {
    for (const auto& s : m.samples(centre, tue_0900 + h * hour, tue_0900 + (h + 1) * hour)) {
      EXPECT_GT(s.event_time_ms(), tue_0900 + h * hour);
      EXPECT_LE(s.event_time_ms(), tue_0900 + (h + 1) * hour);
      if (s.has_ratio()) out[s.area()] += s.ratio().denominator();
    }
  }
  return out;
}

// 2026: the events happen in the 78 commune-level units, never "districts";
// wards weigh more than communes, the tiny special zone least.
TEST(ProvinceModel, SamplesGoToTheCommunesOfThe2026Province) {
  const auto cat = load("quang-tri.json");
  const auto by_area = dossiers_by_area(*cat, 2, 10);
  ASSERT_GT(by_area.size(), 60u);
  double wards = 0, communes = 0;
  int n_wards = 0, n_communes = 0;
  for (const auto& [code, n] : by_area) {
    const int a = cat->find_area(code);
    ASSERT_GE(a, 0) << code;
    EXPECT_EQ(cat->areas[a].level, 2) << code;
    EXPECT_NE(code, cat->province_code);
    if (cat->areas[a].kind == "phường") wards += n, ++n_wards;
    if (cat->areas[a].kind == "xã") communes += n, ++n_communes;
  }
  ASSERT_GT(n_wards, 0);
  ASSERT_GT(n_communes, 0);
  EXPECT_GT(wards / n_wards, 2 * communes / n_communes);
}

// Whatever the hierarchy, events happen in the lowest areas: in a
// province → district → commune file, the communes and a district that has
// none, never a district above communes.
TEST(ProvinceModel, SamplesGoToTheLowestDeclaredAreas) {
  auto r = core::load_config_text(test::test_config_json());
  ASSERT_TRUE(r.ok());
  province_model m(*r.cat, 3, 50);
  std::set<std::string> areas;
  const int tax = r.cat->find_agency("tax");
  for (int h = 0; h < 4; ++h) {
    for (const auto& s : m.samples(tax, tue_0900 + h * hour, tue_0900 + (h + 1) * hour)) {
      if (s.has_ratio() || s.indicator() == "einvoice_issued") areas.insert(s.area());
    }
  }
  EXPECT_EQ(areas, (std::set<std::string>{"462", "19000", "19001"}));
}

}  // namespace
}  // namespace ioc::tools
