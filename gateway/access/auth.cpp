#include "gateway/access/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace ioc::gateway {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view prefix = "Bearer ";
  if (authorization.size() <= prefix.size() || authorization.substr(0, prefix.size()) != prefix) {
    return {};
  }
  auto token = authorization.substr(prefix.size());
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

bool token_matches(std::string_view token, const std::string& expected_sha256_hex) {
  const std::string got = sha256_hex(token);
  return got.size() == expected_sha256_hex.size() &&
         CRYPTO_memcmp(got.data(), expected_sha256_hex.data(), got.size()) == 0;
}

int authenticate_agency(const core::catalog& cat, std::string_view token) {
  if (token.empty() || token.size() > 512) {
    return -1;
  }
  const std::string got = sha256_hex(token);
  int found = -1;
  // Compare against every hash, always, so the time taken does not depend
  // on which agency (if any) matched.
  for (std::size_t a = 0; a < cat.agencies.size(); ++a) {
    for (const auto& h : cat.agencies[a].token_sha256) {
      if (h.size() == got.size() && CRYPTO_memcmp(h.data(), got.data(), got.size()) == 0) {
        found = static_cast<int>(a);
      }
    }
  }
  return found;
}

entry_identity authenticate_entry(const core::catalog& cat, std::string_view token) {
  entry_identity id{authenticate_agency(cat, token), {}};
  if (token.empty() || token.size() > 512) return id;
  const std::string got = sha256_hex(token);
  for (std::size_t a = 0; a < cat.agencies.size(); ++a) {  // every hash, always (as above)
    for (const auto& u : cat.agencies[a].entry_users) {
      const auto& h = u.token_sha256;
      if (h.size() == got.size() && CRYPTO_memcmp(h.data(), got.data(), got.size()) == 0) {
        id = {static_cast<int>(a), u.name};
      }
    }
  }
  return id;
}

}  // namespace ioc::gateway
