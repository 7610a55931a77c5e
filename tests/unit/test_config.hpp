#pragma once
// A small, valid configuration for unit tests: a province with two districts
// and two communes, two agencies, a counter, a ratio and a gauge, and a DTI
// framework whose main indicators each have one component.
#include <string>

namespace ioc::test {

// Tokens "tax-token" and "police-token".
inline const char* tax_token_hash = "9591cf8ea97fb75bad31b5347533aa8e92f5bf4527f725f648c7447c6232c604";
inline const char* police_token_hash = "cb5d147fe90002419bc04e236ec949fed9be451aba58a12bff5aa1fc72bc4082";

inline std::string test_config_json() {
  return R"json({
  "province_code": "45",
  "province_name_vi": "Quảng Trị",
  "server": {"port": 0, "push_rate_hz": 10},
  "areas": [
    {"code": "45", "name_vi": "Tỉnh Quảng Trị"},
    {"code": "461", "name_vi": "Thành phố Đông Hà", "parent": "45"},
    {"code": "462", "name_vi": "Thị xã Quảng Trị", "parent": "45"},
    {"code": "19000", "name_vi": "Phường 1", "parent": "461"},
    {"code": "19001", "name_vi": "Phường 2", "parent": "461"}
  ],
  "agencies": [
    {"id": "tax", "name_vi": "Thuế tỉnh", "name_en": "Provincial tax office",
     "token_sha256": ["9591cf8ea97fb75bad31b5347533aa8e92f5bf4527f725f648c7447c6232c604"],
     "indicators": ["einvoice_issued", "online_dossier_rate", "endpoint_rate"],
     "limits": {"max_samples_per_batch": 1000}},
    {"id": "police", "name_vi": "Công an tỉnh",
     "token_sha256": ["cb5d147fe90002419bc04e236ec949fed9be451aba58a12bff5aa1fc72bc4082"],
     "indicators": ["vneid_activated"], "areas": ["461"]}
  ],
  "indicators": [
    {"id": "einvoice_issued", "label_vi": "Hóa đơn điện tử", "label_en": "E-invoices", "kind": "counter",
     "agency": "tax", "target": {"value": 1000000, "source": "test"}, "grace_seconds": 259200,
     "expected_interval_seconds": 60},
    {"id": "online_dossier_rate", "label_vi": "Tỷ lệ hồ sơ trực tuyến", "kind": "ratio",
     "agency": "tax", "target": {"value": 0.5, "source": "test"}, "grace_seconds": 86400, "min_denominator_for_alert": 10},
    {"id": "endpoint_rate", "label_vi": "Tỷ lệ máy trạm", "kind": "gauge", "max_value": 1,
     "target": {"value": 0.9}},
    {"id": "vneid_activated", "label_vi": "Kích hoạt VNeID", "kind": "counter", "agency": "police",
     "threshold": {"above": 100, "hysteresis": 10}}
  ],
  "dti": {
    "version": "922/QĐ-BTTTT", "total_points": 1000,
    "main_indicators": [
      {"id": "1", "label_vi": "Nhận thức số", "max_points": 100, "block": "foundation",
       "components": [{"id": "1.1", "max_points": 100, "last_verified_points": 50}]},
      {"id": "2", "label_vi": "Thể chế số", "max_points": 100, "block": "foundation",
       "components": [{"id": "2.1", "max_points": 100, "last_verified_points": 50}]},
      {"id": "3", "label_vi": "Hạ tầng số", "max_points": 100, "block": "foundation",
       "components": [{"id": "3.1", "max_points": 100, "last_verified_points": 50}]},
      {"id": "4", "label_vi": "Nhân lực số", "max_points": 100, "block": "foundation",
       "components": [{"id": "4.1", "max_points": 100, "last_verified_points": 50}]},
      {"id": "5", "label_vi": "An toàn thông tin mạng", "max_points": 100, "block": "foundation",
       "components": [{"id": "5.1", "max_points": 100, "last_verified_points": 50,
                       "rule": "capped", "target": 0.9, "live_indicator": "endpoint_rate"}]},
      {"id": "6", "label_vi": "Hoạt động chính quyền số", "max_points": 200, "block": "government",
       "components": [{"id": "6.1", "max_points": 150, "last_verified_points": 100},
                      {"id": "6.2", "max_points": 50, "last_verified_points": 10, "rule": "linear",
                       "live_indicator": "online_dossier_rate"}]},
      {"id": "7", "label_vi": "Hoạt động kinh tế số", "max_points": 150, "block": "economy",
       "components": [{"id": "7.1", "max_points": 150, "last_verified_points": 75}]},
      {"id": "8", "label_vi": "Hoạt động xã hội số", "max_points": 150, "block": "society",
       "components": [{"id": "8.1", "max_points": 150, "last_verified_points": 75}]}
    ]
  },
  "index_766": [
    {"id": "transparency", "label_vi": "Công khai, minh bạch", "max_points": 18, "last_verified_points": 15},
    {"id": "progress", "label_vi": "Tiến độ giải quyết", "max_points": 20, "last_verified_points": 18},
    {"id": "digitisation", "label_vi": "Số hóa hồ sơ", "max_points": 22, "last_verified_points": 10},
    {"id": "online", "label_vi": "Cung cấp DVCTT", "max_points": 22, "last_verified_points": 11,
     "live_indicator": "online_dossier_rate"},
    {"id": "satisfaction", "label_vi": "Mức độ hài lòng", "max_points": 18, "last_verified_points": 17}
  ]
})json";
}

}  // namespace ioc::test
