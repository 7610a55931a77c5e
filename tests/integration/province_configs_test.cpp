// Issue #13: every shipped configuration (the four seed provinces in their
// 2026 shape, and the pre-2025 history file) passes `ioc-gateway
// --check-config`, starts, serves its catalog with its commune-level units,
// and accepts a sample for one of them from an agency's demo token.
#include <gtest/gtest.h>
#include <google/protobuf/util/json_util.h>
#include <sys/wait.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "harness.hpp"

namespace ioc::test {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `ioc-gateway --config FILE --check-config`; the exit status and what it printed.
std::pair<int, std::string> check_config(const std::string& path) {
  const std::string out = make_temp_dir("ioc-check") + "/out.txt";
  const std::string cmd = binary_dir() + "/gateway/ioc-gateway --config '" + path + "' --check-config > '" + out + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, read_file(out)};
}

struct province_file {
  const char* file;
  const char* code;
  int areas;               // including the province
  const char* sample_area; // a commune-level unit (a district in the history file)
};

class ProvinceConfigs : public ::testing::TestWithParam<province_file> {};

TEST_P(ProvinceConfigs, ChecksStartsAndAcceptsASampleForAUnit) {
  const province_file& p = GetParam();
  const std::string path = source_dir() + "/deploy/config/" + p.file;
  const auto [rc, out] = check_config(path);
  EXPECT_EQ(rc, 0) << out;

  gateway_process gw(read_file(path), {"--redis", "none"});
  const auto c = http_call(gw.port(), "GET", "/v1/catalog");
  ASSERT_EQ(c.status, 200);
  ioc::v1::Catalog cat;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(c.body, &cat).ok());
  EXPECT_EQ(cat.province_code(), p.code);
  EXPECT_EQ(cat.areas_size(), p.areas);
  EXPECT_GE(cat.area_levels_size(), 2);
  EXPECT_FALSE(cat.dti_framework().empty());

  const std::string batch = std::string(R"({"sourceId":"it","sourceEpoch":"7","sequence":1,"samples":[)") +
                            R"({"indicator":"online_dossier_rate","area":")" + p.sample_area +
                            R"(","eventTimeMs":")" + std::to_string(std::time(nullptr) * 1000LL) +
                            R"(","ratio":{"numerator":3,"denominator":4}}]})";
  const auto ack = http_call(gw.port(), "POST", "/v1/samples", batch,
                             {{"Authorization", "Bearer demo-tthc_center-token"}, {"Content-Type", "application/json"}});
  EXPECT_EQ(ack.status, 200) << ack.body;
  EXPECT_NE(ack.body.find("\"accepted\":1"), std::string::npos) << ack.body;
  EXPECT_EQ(gw.stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(Issue13, ProvinceConfigs,
                         ::testing::Values(province_file{"quang-tri.json", "44", 79, "18880"},
                                           province_file{"da-nang.json", "48", 95, "20410"},
                                           province_file{"an-giang.json", "91", 103, "31078"},
                                           province_file{"lang-son.json", "20", 66, "05977"},
                                           province_file{"history/quang-tri-2024.json", "45", 11, "461"}),
                         [](const auto& info) {
                           std::string n;
                           for (const char* c = info.param.file; *c && *c != '.'; ++c) n += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
                           return n;
                         });

// A file whose units go deeper than its declared levels is refused by
// --check-config, which names the field.
TEST(ProvinceConfigsCheck, RefusesAUnitBelowTheDeclaredLevels) {
  std::string json = read_file(source_dir() + "/deploy/config/quang-tri.json");
  const std::string from = R"("parent": "44")";
  const auto pos = json.find(from);
  ASSERT_NE(pos, std::string::npos);
  json.replace(pos, from.size(), R"("parent": "18859")");  // a commune under a commune: a third level
  const std::string path = make_temp_dir("ioc-bad") + "/bad.json";
  std::ofstream(path) << json;
  const auto [rc, out] = check_config(path);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("areas: area '18880' is at level 3"), std::string::npos) << out;
}

}  // namespace
}  // namespace ioc::test
