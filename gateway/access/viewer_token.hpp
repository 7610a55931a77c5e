#pragma once
// Where a wall's viewer token may travel (server.viewer_token_sha256): the
// HttpOnly cookie set by POST /v1/viewer-session (preferred: never in a URL,
// so never in a proxy's log or the browser's history), an Authorization:
// Bearer header, or the deprecated ?token= of older kiosks' URLs.
#include <string>
#include <string_view>

namespace ioc::gateway {

inline constexpr std::string_view viewer_cookie_name = "ioc_viewer";

// The value of cookie `name` in a Cookie header ("a=1; b=2"), or "".
std::string_view cookie_value(std::string_view cookie_header, std::string_view name);

// The viewer token a display's upgrade request carries: the cookie first,
// then the Authorization header, then ?token= in `target`; "" when none.
std::string presented_viewer_token(std::string_view target, std::string_view authorization, std::string_view cookie_header);

// Set-Cookie for a viewer token: HttpOnly, SameSite=Strict, Path=/, a year
// long (kiosks run unattended for weeks), Secure when served over TLS.
// An empty token clears the cookie.
std::string viewer_set_cookie(std::string_view token, bool secure);

}  // namespace ioc::gateway
