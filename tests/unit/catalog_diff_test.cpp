#include "core/catalog_diff.hpp"

#include <gtest/gtest.h>

#include "core/config_loader.hpp"
#include "test_config.hpp"

namespace ioc::core {
namespace {

// The test configuration with each (from, to) replaced; `from` must exist.
std::string edited(std::vector<std::pair<std::string, std::string>> edits) {
  std::string s = test::test_config_json();
  for (const auto& [from, to] : edits) {
    const auto pos = s.find(from);
    if (pos == std::string::npos) throw std::runtime_error("test config lacks " + from);
    s.replace(pos, from.size(), to);
  }
  return s;
}

load_result load(const std::string& text) {
  load_result r = load_config_text(text);
  if (!r.ok()) throw std::runtime_error("test config invalid: " + r.errors.front());
  return r;
}

std::vector<std::string> changes(const std::string& after_text) {
  const load_result before = load(test::test_config_json());
  const load_result after = load(after_text);
  std::vector<std::string> out = restart_only_changes(*before.cat, *after.cat);
  for (auto& s : restart_only_changes(before.config.server(), after.config.server())) out.push_back(s);
  return out;
}

TEST(CatalogDiff, IdenticalFileChangesNothing) { EXPECT_TRUE(changes(test::test_config_json()).empty()); }

TEST(CatalogDiff, TokensTargetsNamesAndScoresMayChangeLive) {
  const auto c = changes(edited({
      {"9591cf8ea97fb75bad31b5347533aa8e92f5bf4527f725f648c7447c6232c604", std::string(64, 'a')},  // tax's token
      {"\"target\": {\"value\": 1000000", "\"target\": {\"value\": 2000000"},
      {"\"Thành phố Đông Hà\"", "\"TP Đông Hà\""},
      {"\"last_verified_points\": 50}", "\"last_verified_points\": 60}"},
      {"\"max_samples_per_batch\": 1000}", "\"max_samples_per_batch\": 500}"},
      {"\"threshold\": {\"above\": 100", "\"threshold\": {\"above\": 200"},
      {"\"server\": {\"port\": 0,", "\"server\": {\"port\": 0, \"viewer_token_sha256\": \"" + std::string(64, 'b') +
                                        "\", \"admin_token_sha256\": \"" + std::string(64, 'c') +
                                        "\", \"allowed_origins\": [\"https://ioc.example\"],"},
  }));
  EXPECT_TRUE(c.empty()) << c.front();
}

TEST(CatalogDiff, RemovedIndicatorIsNamed) {
  const auto c = changes(edited({{",\n    {\"id\": \"vneid_activated\"", ",\n    {\"id\": \"vneid_activated_x\""},
                                 {"\"indicators\": [\"vneid_activated\"]", "\"indicators\": [\"vneid_activated_x\"]"}}));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], "indicator 'vneid_activated' removed: needs a restart");
  EXPECT_EQ(c[1], "indicator 'vneid_activated_x' added: needs a restart");
}

TEST(CatalogDiff, AddedAreaAndAgencyAreNamed) {
  const auto c = changes(edited({
      {"{\"code\": \"461\",", "{\"code\": \"463\", \"name_vi\": \"Huyện mới\", \"parent\": \"45\"},\n    {\"code\": \"461\","},
      {"\"agencies\": [", "\"agencies\": [\n    {\"id\": \"stats\", \"name_vi\": \"Thống kê\", \"token_sha256\": [\"" +
                              std::string(64, 'd') + "\"], \"indicators\": []},"},
  }));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], "area '463' added: needs a restart");
  EXPECT_EQ(c[1], "agency 'stats' added: needs a restart");
}

TEST(CatalogDiff, ReorderedAreasAndChangedKindOrParentAreRefused) {
  const auto c = changes(edited({
      {"\"kind\": \"gauge\", \"max_value\": 1", "\"kind\": \"counter\", \"max_value\": 1"},
      {"{\"code\": \"19001\", \"name_vi\": \"Phường 2\", \"parent\": \"461\"}",
       "{\"code\": \"19001\", \"name_vi\": \"Phường 2\", \"parent\": \"462\"}"},
  }));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], "indicator 'endpoint_rate' kind changed from gauge to counter: needs a restart");
  EXPECT_EQ(c[1], "area '19001' parent changed from '461' to '462': needs a restart");

  const auto moved = changes(edited({
      {"    {\"code\": \"19000\", \"name_vi\": \"Phường 1\", \"parent\": \"461\"},\n"
       "    {\"code\": \"19001\", \"name_vi\": \"Phường 2\", \"parent\": \"461\"}",
       "    {\"code\": \"19001\", \"name_vi\": \"Phường 2\", \"parent\": \"461\"},\n"
       "    {\"code\": \"19000\", \"name_vi\": \"Phường 1\", \"parent\": \"461\"}"}}));
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0], "area order changed: needs a restart");
}

TEST(CatalogDiff, ServerFieldsOtherThanTokensNeedARestart) {
  const auto c = changes(edited({{"\"server\": {\"port\": 0, \"push_rate_hz\": 10}",
                                  "\"server\": {\"port\": 8081, \"push_rate_hz\": 10, \"redis_address\": \"127.0.0.1:6379\"}"}}));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], "server.port changed: needs a restart");
  EXPECT_EQ(c[1], "server.redis_address changed: needs a restart");
}

}  // namespace
}  // namespace ioc::core
