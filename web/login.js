// The wall's viewer token, typed once: POST /v1/viewer-session sets an
// HttpOnly cookie that /v1/live reads, then back to the wall. The token is
// never put in a URL (proxy logs, browser history).
"use strict";
(() => {
  const form = document.getElementById("login");
  const result = document.getElementById("result");
  // Only a path on this site: never an open redirect.
  const next = new URLSearchParams(location.search).get("next") || "/";
  const target = /^\/(?![\/\\])/.test(next) ? next : "/";
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    result.textContent = "";
    const token = document.getElementById("token").value.trim();
    try {
      const res = await fetch("/v1/viewer-session", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token }),
      });
      if (res.ok) return location.replace(target);
      result.textContent = res.status === 403 ? "Mã không đúng · Token not recognised"
                                              : "Máy chủ từ chối (" + res.status + ") · Refused by the server";
    } catch (e) {
      result.textContent = "Không kết nối được máy chủ · Cannot reach the server";
    }
  });
})();
