#pragma once
// A Redis reply as the socket-free store logic sees it, and what an error
// reply means for the gateway. No hiredis here: the binding converts hiredis'
// replies into these (text views into hiredis' buffer, valid only while the
// reply is being handled), and tests write them by hand.
#include <cstdint>
#include <string_view>
#include <vector>

namespace ioc::gateway {

struct redis_reply {
  enum class kind { nil, status, error, string, integer, array };
  kind type = kind::nil;
  std::string_view text;  // status, error or string
  long long integer = 0;
  std::vector<redis_reply> elements;

  bool is_error() const { return type == kind::error; }
};

// What an error reply says about the server, by its first word.
enum class error_class {
  none,           // not an error
  retry_later,    // LOADING, BUSY, MASTERDOWN, CLUSTERDOWN, TRYAGAIN: the server cannot serve now; ask again later
  not_primary,    // READONLY: we talk to a replica (a failover happened); reconnect
  redirected,     // MOVED, ASK: the key lives on another node; reconnect there
  writes_refused, // OOM, MISCONF: the server is up but refuses writes; storage is unavailable until a write works
  no_script,      // NOSCRIPT: the script cache was flushed; send the script itself again
  auth,           // NOAUTH, WRONGPASS, NOPERM: wrong or missing credentials; nothing works until fixed
  command         // anything else: this command failed (a bug or bad data), the connection is fine
};

inline error_class classify_error(std::string_view message) {
  const std::string_view word = message.substr(0, message.find(' '));
  if (word == "LOADING" || word == "BUSY" || word == "MASTERDOWN" || word == "CLUSTERDOWN" || word == "TRYAGAIN") {
    return error_class::retry_later;
  }
  if (word == "READONLY") return error_class::not_primary;
  if (word == "MOVED" || word == "ASK") return error_class::redirected;
  if (word == "OOM" || word == "MISCONF") return error_class::writes_refused;
  if (word == "NOSCRIPT") return error_class::no_script;
  if (word == "NOAUTH" || word == "WRONGPASS" || word == "NOPERM") return error_class::auth;
  return error_class::command;
}

inline error_class classify(const redis_reply& r) {
  return r.is_error() ? classify_error(r.text) : error_class::none;
}

}  // namespace ioc::gateway
