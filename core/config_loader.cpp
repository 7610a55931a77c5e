// Config loading entry points (UTF-8 check, JSON parse) plus the validator's run order and server block.
#include "core/config_loader.hpp"

#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <sstream>

#include "core/config_validation.hpp"
#include "core/notify_config.hpp"

namespace ioc::core {

namespace config_detail {

std::shared_ptr<const catalog> validator::run(error_list& errs) {
  auto cat = std::make_shared<catalog>();
  validate_server(errs);
  validate_areas(errs, *cat);
  limits_def defaults = merge_limits(limits_def{}, cfg_.default_limits());
  validate_limits(errs, "default_limits", cfg_.default_limits());
  // Agencies are indexed before indicators so indicators can name them,
  // and completed after, once indicator ids are known.
  index_agencies(errs, *cat);
  validate_indicators(errs, *cat);
  complete_agencies(errs, *cat, defaults);
  validate_frameworks(errs, *cat);
  validate_dti(errs, *cat);
  validate_results(errs, *cat);
  validate_766(errs, *cat);
  for (const auto& [path, message] : validate_notify_config(cfg_, *cat)) errs.add(path, message);  // issue #15
  if (!errs.empty()) {
    return nullptr;
  }
  return cat;
}

void validator::validate_server(error_list& errs) {
  auto& s = *cfg_.mutable_server();
  fill_server_defaults(s);
  if (s.port() > 65535) {
    errs.add("server.port", "must be within 0..65535");
  }
  if (s.threads() > 256) {
    errs.add("server.threads", "must be at most 256");
  }
  if (s.push_rate_hz() > 1000) {
    errs.add("server.push_rate_hz", "must be at most 1000 (0 sends every update)");
  }
  static const std::set<std::string> levels{"debug", "info", "warn", "error"};
  if (!levels.count(s.log_level())) {
    errs.add("server.log_level", "must be one of debug, info, warn, error");
  }
  if (!s.viewer_token_sha256().empty() && !is_sha256_hex(s.viewer_token_sha256())) {
    errs.add("server.viewer_token_sha256", "must be 64 lowercase hex digits");
  }
  if (!s.admin_token_sha256().empty() && !is_sha256_hex(s.admin_token_sha256())) {
    errs.add("server.admin_token_sha256", "must be 64 lowercase hex digits");
  }
  validate_tls(errs, s);
}

// TLS settings hang together; the gateway loads the files themselves (core has no OpenSSL).
void validator::validate_tls(error_list& errs, const ioc::v1::ServerConfig& s) {
  const bool cert = !s.tls_certificate_file().empty();
  const bool key = !s.tls_private_key_file().empty();
  if (cert && !key) {
    errs.add("server.tls_private_key_file", "is required with server.tls_certificate_file");
  }
  if (key && !cert) {
    errs.add("server.tls_certificate_file", "is required with server.tls_private_key_file");
  }
  if (s.tls_port() > 65535) {
    errs.add("server.tls_port", "must be within 0..65535");
  } else if (s.tls_port() != 0 && !cert && !key) {
    errs.add("server.tls_port", "needs server.tls_certificate_file and server.tls_private_key_file");
  } else if (s.tls_port() != 0 && s.tls_port() == s.port()) {
    errs.add("server.tls_port", "must differ from server.port");
  }
}

}  // namespace config_detail

bool is_valid_utf8(const std::string& s) {
  std::size_t i = 0;
  const auto n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) {
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

load_result load_config_text(const std::string& json_text) {
  load_result r;
  if (!is_valid_utf8(json_text)) {
    r.errors.push_back("(file): not valid UTF-8; save the configuration as UTF-8");
    return r;
  }
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(json_text, &r.config, opts);
  if (!status.ok()) {
    r.errors.push_back("(file): " + std::string(status.message()));
    return r;
  }
  config_detail::error_list errs;
  config_detail::validator v(r.config);
  r.cat = v.run(errs);
  r.errors = errs.take();
  if (!r.errors.empty()) {
    r.cat.reset();
  }
  return r;
}

load_result load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    load_result r;
    r.errors.push_back(path + ": cannot open the configuration file");
    return r;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return load_config_text(ss.str());
}

}  // namespace ioc::core
