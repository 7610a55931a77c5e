#pragma once
// Loads the JSON configuration (protobuf JSON mapping of ioc.v1.Config),
// validates every field, and builds the catalog. On failure it returns every
// problem found, each naming its field, e.g.
//   indicators[3].target.value: a ratio target must be within 0..1
#include <memory>
#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "ioc/v1/config.pb.h"

namespace ioc::core {

struct load_result {
  std::shared_ptr<const catalog> cat;  // null when errors is not empty
  ioc::v1::Config config;              // the parsed file, defaults filled in
  std::vector<std::string> errors;

  bool ok() const { return errors.empty(); }
};

// Parses and validates configuration text.
load_result load_config_text(const std::string& json_text);

// Reads a file and loads it; a missing file is an error, not an exception.
load_result load_config_file(const std::string& path);

// True when `s` is well-formed UTF-8.
bool is_valid_utf8(const std::string& s);

}  // namespace ioc::core
