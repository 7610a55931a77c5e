// Figures typed by hand (issue #11 item 6): POST /v1/entry is audited in the
// Redis stream {ioc:45}:audit, GET /v1/audit needs the administrator token,
// and the audit trail survives a gateway restart.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;

// SHA-256 of "admin-token".
const std::string admin_hash = "10a4c7c9fc5206d6f36dc6944a81bb6f4a3cb0e25014ae3b12e6c3e52712292a";

std::string entry_body(std::uint64_t seq, double value) {
  return "{\"sourceId\":\"entry-web\",\"sourceEpoch\":\"77\",\"sequence\":\"" + std::to_string(seq) +
         "\",\"samples\":[{\"indicator\":\"einvoice_issued\",\"area\":\"45\",\"eventTimeMs\":\"" +
         std::to_string(now_ms()) + "\",\"value\":" + std::to_string(value) + "}]}";
}

http_result audit(unsigned short port, const std::string& token) {
  std::map<std::string, std::string> h;
  if (!token.empty()) h["Authorization"] = "Bearer " + token;
  return http_call(port, "GET", "/v1/audit?limit=10", "", h);
}

TEST(RedisAudit, EntriesAreAuditedForTheAdministratorAndSurviveARestart) {
  redis_server redis;
  const std::string config =
      config_with_server("{\"port\": 0, \"push_rate_hz\": 20, \"admin_token_sha256\": \"" + admin_hash + "\"}");
  {
    gateway_process gw(config, {"--redis", redis.address()});
    ASSERT_TRUE(wait_ready(gw.port(), 10s));
    EXPECT_EQ(audit(gw.port(), "").status, 401);
    EXPECT_EQ(audit(gw.port(), "tax-token").status, 403);
    EXPECT_EQ(audit(gw.port(), "admin-token").status, 200);
    const std::map<std::string, std::string> tax{{"Authorization", "Bearer tax-token"},
                                                 {"Content-Type", "application/json"},
                                                 {"User-Agent", "audit-test"}};
    EXPECT_EQ(http_call(gw.port(), "POST", "/v1/entry", entry_body(1, 77), {{"Content-Type", "application/json"}}).status,
              401);
    const auto ok = http_call(gw.port(), "POST", "/v1/entry", entry_body(1, 77), tax);
    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_NE(ok.body.find("\"accepted\":1"), std::string::npos) << ok.body;
    const auto refused = http_call(gw.port(), "POST", "/v1/entry", entry_body(2, -3), tax);
    EXPECT_NE(refused.body.find("VALUE_OUT_OF_RANGE"), std::string::npos) << refused.body;
    ASSERT_TRUE(poll_until([&] { return redis.cli("XLEN {ioc:45}:audit") == "2"; }, 5s))
        << redis.cli("XLEN {ioc:45}:audit");
    gw.stop();
  }
  gateway_process again(config, {"--redis", redis.address()});
  ASSERT_TRUE(wait_ready(again.port(), 10s));
  const auto a = audit(again.port(), "admin-token");
  ASSERT_EQ(a.status, 200) << a.body;
  const auto first = a.body.find("\"result\":\"refused\"");  // newest first
  const auto second = a.body.find("\"result\":\"accepted\"");
  ASSERT_NE(first, std::string::npos) << a.body;
  ASSERT_NE(second, std::string::npos) << a.body;
  EXPECT_LT(first, second) << a.body;
  EXPECT_NE(a.body.find("\"agency\":\"tax\""), std::string::npos) << a.body;
  EXPECT_NE(a.body.find("\"value\":77"), std::string::npos) << a.body;
  EXPECT_NE(a.body.find("\"remote\":\"127.0.0.1:"), std::string::npos) << a.body;
  EXPECT_NE(a.body.find("\"userAgent\":\"audit-test\""), std::string::npos) << a.body;
}

}  // namespace
}  // namespace ioc::test
