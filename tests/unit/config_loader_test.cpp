#include "core/config_loader.hpp"

#include <gtest/gtest.h>

#include "test_config.hpp"

namespace ioc::core {
namespace {

// The test configuration with one piece of text replaced (which must exist).
std::string with(const std::string& from, const std::string& to) {
  std::string s = test::test_config_json();
  const auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << "test bug: '" << from << "' not in the test configuration";
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

// True when some error starts with `field` and contains `words`.
::testing::AssertionResult has_error(const load_result& r, const std::string& field, const std::string& words) {
  for (const auto& e : r.errors) {
    if (e.rfind(field + ": ", 0) == 0 && e.find(words) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  auto failure = ::testing::AssertionFailure() << "no error '" << field << ": …" << words << "…'; got:";
  for (const auto& e : r.errors) failure << "\n  " << e;
  return failure;
}

TEST(ConfigLoader, AcceptsTheTestConfiguration) {
  const auto r = load_config_text(test::test_config_json());
  ASSERT_TRUE(r.ok()) << r.errors.front();
  ASSERT_EQ(r.cat->areas.size(), 5u);
  EXPECT_EQ(r.cat->areas[0].code, "45");
  EXPECT_EQ(r.cat->areas[r.cat->find_area("19000")].level, 3);
  EXPECT_EQ(r.cat->indicators.size(), 4u);
  EXPECT_EQ(r.cat->find_indicator("online_dossier_rate"), 1);
  // Police may send for Đông Hà and the communes below it, not elsewhere.
  const auto& police = r.cat->agencies[r.cat->find_agency("police")];
  EXPECT_TRUE(police.may_send_area[r.cat->find_area("19001")]);
  EXPECT_FALSE(police.may_send_area[r.cat->find_area("462")]);
  EXPECT_FALSE(police.may_send_area[0]);
  EXPECT_EQ(r.cat->agencies[0].limits.max_samples_per_batch, 1000u);
  EXPECT_EQ(r.config.server().display_queue_frames(), 4u);  // defaults filled in
}

TEST(ConfigLoader, ShippedProvincialConfigurationLoads) {
  const char* src = std::getenv("IOC_SOURCE_DIR");
  if (!src) src = IOC_SOURCE_DIR_DEFAULT;
  const auto r = load_config_file(std::string(src) + "/deploy/config/quang-tri.json");
  ASSERT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front());
  EXPECT_GE(r.cat->indicators.size(), 20u);
  EXPECT_GE(r.cat->areas.size(), 10u);
  EXPECT_EQ(r.cat->dti.main_indicators.size(), 8u);
  // Issue #12: the 2023 national mean is no province result; the 2024 mean is official.
  EXPECT_FALSE(r.cat->dti.last_official_verified);
  EXPECT_TRUE(r.cat->dti.national_mean_verified);
  EXPECT_EQ(r.cat->dti.national_mean_year, 2024);
  // One target for the online share: the DTI component reads the indicator's 70%.
  const int online = r.cat->find_indicator("online_dossier_rate");
  for (const auto& m : r.cat->dti.main_indicators) {
    for (const auto& c : m.components) {
      if (c.live_indicator == online) {
        EXPECT_DOUBLE_EQ(c.target, r.cat->indicators[online].target);
        EXPECT_TRUE(c.target_from_indicator);
      }
    }
  }
  EXPECT_FALSE(r.cat->indicators[online].target_verified);
}

TEST(ConfigLoader, MissingFileIsAnError) {
  const auto r = load_config_file("/nonexistent/ioc.json");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.errors.front().find("cannot open"), std::string::npos);
}

TEST(ConfigLoader, MalformedJson) {
  const auto r = load_config_text("{\"province_code\": ");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors.front().rfind("(file): ", 0), 0u);
}

TEST(ConfigLoader, UnknownFieldIsRefused) {
  EXPECT_FALSE(load_config_text(with("\"province_code\"", "\"provnce_typo\": 1, \"province_code\"")).ok());
}

TEST(ConfigLoader, InvalidUtf8) {
  const auto r = load_config_text(with("Quảng Trị", "Qu\xff\xfe"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.errors.front().find("UTF-8"), std::string::npos);
}

TEST(ConfigLoader, RatioTargetOutOfRange) {
  const auto r = load_config_text(with("\"value\": 0.5", "\"value\": 50"));
  EXPECT_TRUE(has_error(r, "indicators[1].target.value", "a ratio target must be within 0..1"));
}

TEST(ConfigLoader, DuplicateIndicator) {
  const auto r = load_config_text(with("\"id\": \"endpoint_rate\"", "\"id\": \"einvoice_issued\""));
  EXPECT_TRUE(has_error(r, "indicators[2].id", "duplicate indicator id"));
}

TEST(ConfigLoader, UnknownKind) {
  EXPECT_TRUE(has_error(load_config_text(with("\"kind\": \"gauge\"", "\"kind\": \"meter\"")), "indicators[2].kind",
                        "must be one of"));
}

TEST(ConfigLoader, UnknownAgencyOfIndicator) {
  EXPECT_TRUE(has_error(load_config_text(with("\"agency\": \"police\"", "\"agency\": \"nobody\"")),
                        "indicators[3].agency", "unknown agency 'nobody'"));
}

TEST(ConfigLoader, UnknownIndicatorOfAgency) {
  EXPECT_TRUE(has_error(load_config_text(with("[\"vneid_activated\"]", "[\"vneid\"]")), "agencies[1].indicators[0]",
                        "unknown indicator 'vneid'"));
}

TEST(ConfigLoader, UnknownAreaOfAgency) {
  EXPECT_TRUE(
      has_error(load_config_text(with("\"areas\": [\"461\"]", "\"areas\": [\"999\"]")), "agencies[1].areas[0]", "unknown area"));
}

TEST(ConfigLoader, BadTokenHash) {
  EXPECT_TRUE(has_error(load_config_text(with(test::police_token_hash, "not-a-hash")), "agencies[1].token_sha256[0]",
                        "64 lowercase hex"));
}

TEST(ConfigLoader, DuplicateAgency) {
  EXPECT_TRUE(has_error(load_config_text(with("\"id\": \"police\"", "\"id\": \"tax\"")), "agencies[1].id", "duplicate"));
}

TEST(ConfigLoader, BadAreaCode) {
  EXPECT_TRUE(has_error(load_config_text(with("\"code\": \"462\"", "\"code\": \"46x\"")), "areas[2].code", "digits"));
}

TEST(ConfigLoader, DuplicateAreaCode) {
  EXPECT_TRUE(has_error(load_config_text(with("\"code\": \"462\"", "\"code\": \"461\"")), "areas[2].code", "duplicate"));
}

TEST(ConfigLoader, UnknownParentArea) {
  EXPECT_TRUE(has_error(load_config_text(with("\"parent\": \"461\"}", "\"parent\": \"777\"}")), "areas[3].parent",
                        "unknown area '777'"));
}

TEST(ConfigLoader, TwoProvinces) {
  EXPECT_TRUE(has_error(load_config_text(with(", \"parent\": \"45\"}", "}")), "areas[1].parent", "only the province"));
}

TEST(ConfigLoader, ComponentWeightsMustAddUp) {
  EXPECT_TRUE(has_error(load_config_text(with("{\"id\": \"6.1\", \"max_points\": 150", "{\"id\": \"6.1\", \"max_points\": 140")),
                        "dti.main_indicators[5].components", "add up to"));
}

TEST(ConfigLoader, MainIndicatorsMustAddUpToTotal) {
  EXPECT_TRUE(has_error(load_config_text(with("\"total_points\": 1000", "\"total_points\": 900")), "dti.main_indicators",
                        "not total_points"));
}

TEST(ConfigLoader, VerifiedPointsWithinMax) {
  EXPECT_TRUE(has_error(load_config_text(with("\"last_verified_points\": 100}", "\"last_verified_points\": 170}")),
                        "dti.main_indicators[5].components[0].last_verified_points", "within 0..max_points"));
}

// A capped component without a target of its own reads its live indicator's;
// with neither, the configuration is refused.
TEST(ConfigLoader, CappedRuleNeedsTarget) {
  std::string json = with("\"target\": 0.9, \"live", "\"target\": 0, \"live");
  const std::string gauge_target = R"(,
     "target": {"value": 0.9}})";
  ASSERT_NE(json.find(gauge_target), std::string::npos);
  json.replace(json.find(gauge_target), gauge_target.size(), "}");
  EXPECT_TRUE(has_error(load_config_text(json), "dti.main_indicators[4].components[0].target", "needs a target"));
}

TEST(ConfigLoader, StepsMustAscend) {
  const auto r = load_config_text(with("\"rule\": \"linear\"",
                                       "\"rule\": \"steps\", \"step_thresholds\": [0.5, 0.3], \"step_fractions\": [0.5, 1]"));
  EXPECT_TRUE(has_error(r, "dti.main_indicators[5].components[1].step_thresholds[1]", "ascending"));
}

TEST(ConfigLoader, Index766MustAddUpTo100) {
  EXPECT_TRUE(has_error(load_config_text(with("\"max_points\": 18, \"last_verified_points\": 17",
                                              "\"max_points\": 28, \"last_verified_points\": 17")),
                        "index_766", "not 100"));
}

TEST(ConfigLoader, Index766LiveIndicatorMustBeRatio) {
  EXPECT_TRUE(has_error(load_config_text(with("\"live_indicator\": \"online_dossier_rate\"},",
                                              "\"live_indicator\": \"einvoice_issued\"},")),
                        "index_766[3].live_indicator", "ratio"));
}

TEST(ConfigLoader, ReportsEveryErrorNotJustTheFirst) {
  std::string s = with("\"value\": 0.5", "\"value\": 5");
  s.replace(s.find("\"kind\": \"gauge\""), 15, "\"kind\": \"xx\"");
  const auto r = load_config_text(s);
  EXPECT_TRUE(has_error(r, "indicators[1].target.value", "0..1"));
  EXPECT_TRUE(has_error(r, "indicators[2].kind", "must be one of"));
  EXPECT_EQ(r.cat, nullptr);
}

TEST(ConfigLoader, TlsSettingsHangTogether) {
  const std::string server = "\"server\": {\"port\": 0, \"push_rate_hz\": 10";
  auto tls = [&](const std::string& fields) { return load_config_text(with(server, server + ", " + fields)); };
  EXPECT_TRUE(has_error(tls("\"tlsCertificateFile\": \"/c.pem\""), "server.tls_private_key_file", "required"));
  EXPECT_TRUE(has_error(tls("\"tlsPrivateKeyFile\": \"/k.pem\""), "server.tls_certificate_file", "required"));
  EXPECT_TRUE(has_error(tls("\"tlsPort\": 8443"), "server.tls_port", "needs server.tls_certificate_file"));
  EXPECT_TRUE(has_error(tls("\"tlsPort\": 70000, \"tlsCertificateFile\": \"/c\", \"tlsPrivateKeyFile\": \"/k\""),
                        "server.tls_port", "0..65535"));
  const auto ok = tls("\"tlsPort\": 8443, \"tlsCertificateFile\": \"/c.pem\", \"tlsPrivateKeyFile\": \"/k.pem\"");
  ASSERT_TRUE(ok.ok()) << ok.errors.front();
  EXPECT_EQ(ok.config.server().tls_port(), 8443u);
}

TEST(Utf8, Validation) {
  EXPECT_TRUE(is_valid_utf8("Quảng Trị — ước tính"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xe1\xba"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

}  // namespace
}  // namespace ioc::core
