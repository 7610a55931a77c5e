#pragma once
// Agency authentication: the token's SHA-256 compared in constant time with
// every configured hash, so timing reveals nothing about near misses.
#include <string>
#include <string_view>

#include "core/catalog.hpp"

namespace ioc::gateway {

// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// The token of an "Authorization: Bearer <token>" header value, or empty.
std::string_view bearer_token(std::string_view authorization);

// The index of the agency holding this token, or -1.
int authenticate_agency(const core::catalog& cat, std::string_view token);

// Who may POST /v1/entry: an agency token (person empty) or a person's
// token from the agency's entry_users; agency -1 when neither.
struct entry_identity {
  int agency = -1;
  std::string person;
};
entry_identity authenticate_entry(const core::catalog& cat, std::string_view token);

// True when `token` hashes to `expected_sha256_hex` (constant time).
bool token_matches(std::string_view token, const std::string& expected_sha256_hex);

}  // namespace ioc::gateway
