#include "gateway/access/viewer_token.hpp"

#include <gtest/gtest.h>

#include "core/config_loader.hpp"
#include "gateway/access/auth.hpp"
#include "gateway/access/exposure_check.hpp"
#include "test_config.hpp"

namespace ioc::gateway {
namespace {

TEST(ViewerToken, CookieThenBearerThenDeprecatedQuery) {
  EXPECT_EQ(presented_viewer_token("/v1/live?token=q", "Bearer b", "a=1; ioc_viewer=c; z=2"), "c");
  EXPECT_EQ(presented_viewer_token("/v1/live?token=q", "Bearer b", "a=1"), "b");
  EXPECT_EQ(presented_viewer_token("/v1/live?format=json&token=q", "", ""), "q");
  EXPECT_EQ(presented_viewer_token("/v1/live", "", "xioc_viewer=c"), "");
}

TEST(ViewerToken, CookieIsHttpOnlyStrictAndSecureOnTls) {
  EXPECT_EQ(viewer_set_cookie("t", false), "ioc_viewer=t; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000");
  EXPECT_EQ(viewer_set_cookie("t", true), "ioc_viewer=t; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000; Secure");
}

// The test configuration listening on `listen`, tax accepting `tax_token`.
std::vector<std::string> warnings_for(const std::string& listen, const std::string& tax_token) {
  std::string s = test::test_config_json();
  s.replace(s.find(test::tax_token_hash), 64, sha256_hex(tax_token));
  const std::string server = "\"server\": {\"port\": 0,";
  s.replace(s.find(server), server.size(), server + " \"listen_address\": \"" + listen + "\",");
  const core::load_result r = core::load_config_text(s);
  if (!r.ok()) throw std::runtime_error(r.errors.front());
  return exposure_warnings(*r.cat, r.config.server());
}

TEST(ExposureCheck, WarnsOnEveryInterfaceWithDemoTokensOnly) {
  const auto exposed = warnings_for("0.0.0.0", "demo-tax-token");
  ASSERT_EQ(exposed.size(), 1u);
  EXPECT_NE(exposed[0].find("server.listen_address 0.0.0.0 listens on every interface"), std::string::npos) << exposed[0];
  EXPECT_NE(exposed[0].find("agencies[tax] accepts demo-tax-token"), std::string::npos) << exposed[0];
  EXPECT_TRUE(warnings_for("127.0.0.1", "demo-tax-token").empty());
  EXPECT_TRUE(warnings_for("0.0.0.0", "a-real-secret").empty());
}

}  // namespace
}  // namespace ioc::gateway
