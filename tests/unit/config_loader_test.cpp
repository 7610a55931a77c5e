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

load_result load_shipped(const std::string& rel) {
  const char* src = std::getenv("IOC_SOURCE_DIR");
  if (!src) src = IOC_SOURCE_DIR_DEFAULT;
  return load_config_file(std::string(src) + "/deploy/config/" + rel);
}

// The province of 2026 (issue #13): new Quảng Trị, code 44, province →
// 78 commune-level units with their official codes, no district level.
TEST(ConfigLoader, ShippedProvincialConfigurationIsTheProvinceOf2026) {
  const auto r = load_shipped("quang-tri.json");
  ASSERT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front());
  const catalog& c = *r.cat;
  EXPECT_GE(c.indicators.size(), 20u);
  EXPECT_EQ(c.dti.main_indicators.size(), 8u);
  EXPECT_EQ(c.province_code, "44");
  ASSERT_EQ(c.levels.size(), 2u);
  EXPECT_EQ(c.levels[1].id, "commune");
  ASSERT_EQ(c.areas.size(), 79u);
  int from_quang_binh = 0;
  for (std::size_t i = 1; i < c.areas.size(); ++i) {
    EXPECT_EQ(c.areas[i].level, 2) << c.areas[i].code;
    EXPECT_EQ(c.areas[i].parent, 0);
    EXPECT_EQ(c.areas[i].code.size(), 5u) << c.areas[i].code;
    from_quang_binh += c.areas[i].former_province == "Quảng Bình";
  }
  EXPECT_EQ(from_quang_binh, 41);
  const auto& dong_hoi = c.areas[c.find_area("18880")];
  EXPECT_EQ(dong_hoi.name_vi, "Phường Đồng Hới");
  EXPECT_EQ(dong_hoi.kind, "phường");
  EXPECT_EQ(c.areas[c.find_area("19742")].name_vi, "Đặc khu Cồn Cỏ");
  EXPECT_EQ(c.find_area("461"), -1) << "no pre-2025 district";
  EXPECT_EQ(c.agencies[c.find_agency("sci_tech")].name_vi, "Sở Khoa học và Công nghệ");
  // No result of the new province was entered: the wall compares with none;
  // the 2024 national mean is entered and verified.
  EXPECT_FALSE(c.dti.last_official_verified);
  EXPECT_DOUBLE_EQ(c.dti.last_official_dti, 0);
  EXPECT_TRUE(c.dti.national_mean_verified);
  EXPECT_DOUBLE_EQ(c.dti.national_mean_dti, 0.6961);
  EXPECT_EQ(c.dti.national_mean_year, 2024);
  // A target from a pre-merger plan says so.
  const auto& sme = c.indicators[c.find_indicator("sme_platform_rate")];
  EXPECT_NE(sme.target_origin.find("Quảng Trị (cũ)"), std::string::npos);
  EXPECT_FALSE(sme.target_verified);
  // One target for the online share: the DTI component reads the indicator's target.
  const int online = c.find_indicator("online_dossier_rate");
  ASSERT_GE(online, 0);
  for (const auto& mi : c.dti.main_indicators) {
    for (const auto& comp : mi.components) {
      if (comp.live_indicator == online) {
        EXPECT_DOUBLE_EQ(comp.target, c.indicators[online].target);
        EXPECT_TRUE(comp.target_from_indicator);
      }
    }
  }
  EXPECT_FALSE(c.indicators[online].target_verified);
}

struct seed_province {
  const char* file;
  const char* code;
  std::size_t units;
  const char* former;       // one pre-merger province
  std::size_t from_former;  // its units
};

class SeedProvinces : public ::testing::TestWithParam<seed_province> {};

// Each seed province in its 2026 shape: the commune-level units of the 2025
// list, the pre-merger province each came from.
TEST_P(SeedProvinces, LoadsWithItsCommuneLevelUnits) {
  const seed_province& p = GetParam();
  const auto r = load_shipped(p.file);
  ASSERT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front());
  const catalog& c = *r.cat;
  EXPECT_EQ(c.province_code, p.code);
  EXPECT_EQ(c.areas.size(), p.units + 1);
  std::size_t from_former = 0;
  for (std::size_t i = 1; i < c.areas.size(); ++i) {
    EXPECT_EQ(c.areas[i].level, 2);
    from_former += c.areas[i].former_province == p.former;
  }
  EXPECT_EQ(from_former, p.from_former);
  ASSERT_GE(c.dti.spec, 0);
  EXPECT_EQ(c.frameworks[c.dti.spec].id, "405/QĐ-BKHCN");
}

INSTANTIATE_TEST_SUITE_P(Issue13, SeedProvinces,
                         ::testing::Values(seed_province{"da-nang.json", "48", 94, "Quảng Nam", 78},
                                           seed_province{"an-giang.json", "91", 102, "Kiên Giang", 48},
                                           seed_province{"lang-son.json", "20", 65, "", 65}),
                         [](const auto& info) { return std::string("code_") + info.param.code; });

// An Giang kept Kiên Giang's code 91: Kiên Giang's 2022 result is entered, but
// it is not An Giang's, so the wall compares with nothing.
TEST(ConfigLoader, AFormerProvincesResultIsNotTheNewProvinces) {
  const auto r = load_shipped("an-giang.json");
  ASSERT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front());
  ASSERT_FALSE(r.cat->official_results.empty());
  EXPECT_EQ(r.cat->official_results[0].province_name_vi, "Kiên Giang");
  EXPECT_DOUBLE_EQ(r.cat->official_results[0].dti, 0.5796);
  EXPECT_FALSE(r.cat->dti.last_official_verified);
}

// The history file: Quảng Trị before 1/7/2025, province → district, under 922.
TEST(ConfigLoader, HistoryConfigurationKeepsTheDistricts) {
  const auto r = load_shipped("history/quang-tri-2024.json");
  ASSERT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front());
  EXPECT_EQ(r.cat->province_code, "45");
  EXPECT_EQ(r.cat->areas.size(), 11u);
  EXPECT_EQ(r.cat->levels[1].id, "district");
  EXPECT_EQ(r.cat->areas[r.cat->find_area("461")].kind, "thành phố");
  EXPECT_EQ(r.cat->frameworks[r.cat->dti.spec].id, "922/QĐ-BTTTT");
}

// The hierarchy is what the file declares: two levels, no third.
TEST(ConfigLoader, AreaDeeperThanTheDeclaredLevelsIsRefused) {
  const auto r = load_config_text(with("\"areas\": [", R"("area_levels": [{"id": "province", "name_vi": "Tỉnh"},
      {"id": "commune", "name_vi": "Cấp xã"}], "areas": [)"));
  EXPECT_TRUE(has_error(r, "areas", "area '19000' is at level 3")) << "communes under districts need 3 declared levels";
  const auto ok = load_config_text(with("\"areas\": [", R"("area_levels": [{"id": "province", "name_vi": "Tỉnh"},
      {"id": "district", "name_vi": "Huyện"}, {"id": "commune", "name_vi": "Xã"}], "areas": [)"));
  EXPECT_TRUE(ok.ok()) << (ok.errors.empty() ? "" : ok.errors.front());
  EXPECT_EQ(ok.cat->levels[2].name_vi, "Xã");
}

// Found by the ingest fuzzer: areas that are each other's parent were reported,
// then the agencies' check walked up the cycle for ever.
TEST(ConfigLoader, AreasInACycleAreRefusedNotWalkedForEver) {
  std::string text = with(R"({"code": "462", "name_vi": "Thị xã Quảng Trị", "parent": "45"})",
                          R"({"code": "462", "name_vi": "Thị xã Quảng Trị", "parent": "19001"})");
  const std::string from = R"({"code": "19001", "name_vi": "Phường 2", "parent": "461"})";
  text.replace(text.find(from), from.size(), R"({"code": "19001", "name_vi": "Phường 2", "parent": "462"})");
  const auto r = load_config_text(text);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(has_error(r, "areas", "(or in a cycle)"));
}

// A framework is data; the nowcast must follow the one it names.
TEST(ConfigLoader, NowcastMustMatchItsDeclaredFramework) {
  const std::string frameworks = R"("dti_frameworks": [{"id": "X", "title": "t", "total_points": 1000, "maxima_published": true,
    "main_indicators": [{"id": "1", "label_vi": "a", "max_points": 100, "block": "foundation", "scored": true},
      {"id": "2", "label_vi": "a", "max_points": 100, "block": "foundation", "scored": true},
      {"id": "3", "label_vi": "a", "max_points": 100, "block": "foundation", "scored": true},
      {"id": "4", "label_vi": "a", "max_points": 100, "block": "foundation", "scored": true},
      {"id": "5", "label_vi": "a", "max_points": 100, "block": "foundation", "scored": true},
      {"id": "6", "label_vi": "a", "max_points": 150, "block": "government", "scored": true},
      {"id": "7", "label_vi": "a", "max_points": 150, "block": "economy", "scored": true},
      {"id": "8", "label_vi": "a", "max_points": 200, "block": "society", "scored": true}]}],
    "dti": {"framework_id": "X", )";
  const auto r = load_config_text(with("\"dti\": {", frameworks));
  EXPECT_TRUE(has_error(r, "dti.main_indicators[5].max_points", "framework X gives main indicator 6 150"));
  EXPECT_TRUE(has_error(r, "dti.main_indicators[7].max_points", "framework X gives main indicator 8 200"));
  const auto unknown = load_config_text(with("\"dti\": {", "\"dti\": {\"framework_id\": \"Y\", "));
  EXPECT_TRUE(has_error(unknown, "dti.framework_id", "names no framework"));
}

// Published results are entered once; the older single fields may not be
// mixed with them, and a result needs a known framework and a source.
TEST(ConfigLoader, OfficialResultsAreCheckedAndUsed) {
  const std::string f = R"("dti_frameworks": [{"id": "T", "title": "t", "total_points": 1000, "maxima_published": true,
    "main_indicators": [{"id": "1", "label_vi": "a", "max_points": 1000, "block": "foundation", "scored": true}]}],
    "official_results": [{"year": 2023, "framework_id": "T", "province_code": "45", "province_name_vi": "Quảng Trị",
       "dti": 0.61, "rank": "40/63", "source": "s", "verified": true},
      {"year": 2022, "framework_id": "T", "province_code": "45", "province_name_vi": "Quảng Trị",
       "dti": 0.55, "source": "s", "verified": true}],
    "national_results": [{"year": 2024, "framework_id": "T", "provincial_mean_dti": 0.6961, "source": "s", "verified": true}],
    "dti": {)";
  const auto r = load_config_text(with("\"dti\": {", f));
  ASSERT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front());
  EXPECT_TRUE(r.cat->dti.last_official_verified);
  EXPECT_DOUBLE_EQ(r.cat->dti.last_official_dti, 0.61);  // the latest year, whatever the order entered
  EXPECT_EQ(r.cat->dti.last_official_rank, "40/63");
  EXPECT_DOUBLE_EQ(r.cat->dti.national_mean_dti, 0.6961);
  const auto bad = load_config_text(with("\"dti\": {", R"("official_results": [{"year": 2023, "framework_id": "Z",
      "province_code": "45", "province_name_vi": "Quảng Trị", "dti": 1.5}], "dti": {)"));
  EXPECT_TRUE(has_error(bad, "official_results[0].framework_id", "names no framework"));
  EXPECT_TRUE(has_error(bad, "official_results[0].dti", "within 0..1"));
  EXPECT_TRUE(has_error(bad, "official_results[0].source", ""));
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
