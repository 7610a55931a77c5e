// The data-entry page (/entry): one figure typed by hand becomes one JSON
// batch posted to POST /v1/entry, which validates and deduplicates it exactly
// like POST /v1/samples and then records it in the audit trail. The page is
// a publisher like any other: its source epoch is chosen once (localStorage)
// and its sequence grows by one per batch; a batch not yet answered is resent
// as is. Plain DOM: data values only ever go through textContent.
"use strict";

const $ = (id) => document.getElementById(id);
const STATE_KEY = "ioc.entry.state";
const TOKEN_KEY = "ioc.entry.token";
let catalog = null;

const REASONS = {
  UNKNOWN_INDICATOR: "chỉ tiêu không có trong danh mục",
  NOT_ALLOWED: "đơn vị không được gửi chỉ tiêu hoặc địa bàn này",
  UNKNOWN_AREA: "địa bàn không có trong danh mục",
  VALUE_OUT_OF_RANGE: "giá trị ngoài phạm vi cho phép",
  TOO_OLD: "thời điểm quá cũ",
  TOO_FAR_AHEAD: "thời điểm ở tương lai",
  MISSING_MEASURE: "thiếu giá trị hoặc sai loại giá trị",
  STORAGE_UNAVAILABLE: "hệ thống lưu trữ tạm thời không sẵn sàng, hãy thử lại",
  RATE_LIMITED: "gửi quá nhanh, hãy thử lại sau",
  IN_FLIGHT: "đang xử lý lần gửi trước, hãy thử lại",
};

function state() {
  let s = null;
  try { s = JSON.parse(localStorage.getItem(STATE_KEY)); } catch (_) { s = null; }
  if (!s || !s.epoch || !s.source) {
    const words = crypto.getRandomValues(new Uint32Array(2));
    const epoch = ((BigInt(words[0] & 0x1fffff) << 32n) | BigInt(words[1])) + 1n;  // ≤ 2^53, never 0
    // One source per browser ("entry-" and 8 hex digits), one epoch in it: the
    // server remembers 8 epochs per source, so browsers must not share one.
    const browser = Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, "0")).join("");
    s = { source: "entry-" + browser, epoch: epoch.toString(), next: 1, pending: null };
    localStorage.setItem(STATE_KEY, JSON.stringify(s));
  }
  return s;
}

function save(s) { localStorage.setItem(STATE_KEY, JSON.stringify(s)); }

function show(kind, text) {
  const r = $("result");
  r.dataset.state = kind;
  r.textContent = text;
}

function option(value, text) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = text;
  return o;
}

function kindOf(id) {
  const ind = catalog.indicators.find((i) => i.id === id);
  return ind ? ind.kind : "";
}

function onIndicator() {
  const ratio = kindOf($("indicator").value) === "RATIO";
  document.querySelector(".ratio").hidden = !ratio;
  document.querySelector(".value").hidden = ratio;
}

// "2026-11-25T09:30" typed in Vietnam time → ISO 8601 with +07:00.
function vietnamIso(local) {
  return (local.length === 16 ? local + ":00" : local) + "+07:00";
}

function nowInVietnam() {
  const d = new Date(Date.now() + 7 * 3600 * 1000);
  return d.toISOString().slice(0, 16);
}

async function loadCatalog() {
  const res = await fetch("/v1/catalog");
  catalog = await res.json();
  const agencies = new Map((catalog.agencies || []).map((a) => [a.id, a.nameVi]));
  for (const ind of catalog.indicators) {
    const who = agencies.get(ind.agency);
    $("indicator").append(option(ind.id, ind.labelVi + (who ? " — " + who : "")));
  }
  for (const a of catalog.areas) {
    $("area").append(option(a.code, "  ".repeat(Math.max(0, a.level - 1)) + a.nameVi + " (" + a.code + ")"));
  }
  onIndicator();
}

function describe(ack, status) {
  if (ack.batchReason === "DUPLICATE") {
    return { kind: "accepted", text: "Số liệu này đã được nhận trước đó; không ghi lại lần nữa." };
  }
  if (ack.batchReason && ack.batchReason !== "REASON_UNSPECIFIED") {
    const why = REASONS[ack.batchReason] || ack.batchReason;
    return { kind: "refused", text: "Bị từ chối: " + why + ". Chi tiết: " + (ack.batchMessage || "") };
  }
  if (ack.refused && ack.refused.length) {
    const r = ack.refused[0];
    const why = REASONS[r.reason] || r.reason;
    return { kind: "refused", text: "Bị từ chối: " + why + ". Chi tiết: " + r.message };
  }
  if (status === 200 && ack.accepted >= 1) {
    return { kind: "accepted", text: "Đã ghi nhận: " + ack.accepted + " số liệu được chấp nhận (lần gửi số " + ack.sequence + ")." };
  }
  return { kind: "error", text: "Máy chủ trả lời không rõ (HTTP " + status + ")." };
}

async function send(s, batch) {
  const res = await fetch("/v1/entry", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: "Bearer " + $("token").value.trim() },
    body: JSON.stringify(batch),
  });
  let body = null;
  try { body = await res.json(); } catch (_) { body = null; }
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    return { kind: "refused", text: "Mã truy cập không đúng hoặc chưa nhập; số liệu chưa được gửi.", answered: true };
  }
  if (!body) return { kind: "error", text: "Máy chủ trả lời không rõ (HTTP " + res.status + ").", answered: false };
  if (!("accepted" in body) && body.message) {
    return { kind: "refused", text: "Bị từ chối: " + body.message, answered: true };
  }
  const retry = ["STORAGE_UNAVAILABLE", "RATE_LIMITED", "IN_FLIGHT"].includes(body.batchReason);
  return { ...describe(body, res.status), answered: !retry };
}

async function onSubmit(ev) {
  ev.preventDefault();
  const token = $("token").value.trim();
  if (!token) return show("error", "Hãy nhập mã truy cập của đơn vị.");
  sessionStorage.setItem(TOKEN_KEY, token);
  const ratio = kindOf($("indicator").value) === "RATIO";
  const sample = { indicator: $("indicator").value, area: $("area").value, eventTime: vietnamIso($("time").value) };
  if (ratio) {
    if ($("numerator").value === "" || $("denominator").value === "") return show("error", "Hãy nhập tử số và mẫu số.");
    sample.ratio = { numerator: Number($("numerator").value), denominator: Number($("denominator").value) };
  } else {
    if ($("value").value === "") return show("error", "Hãy nhập giá trị.");
    sample.value = Number($("value").value);
  }
  const s = state();
  // A batch sent but never answered goes first, unchanged, under its own number.
  if (s.pending) {
    show("sending", "Đang gửi lại số liệu chưa được trả lời…");
    const again = await send(s, s.pending).catch(() => null);
    if (!again || !again.answered) return show("error", "Chưa gửi được số liệu trước đó; hãy thử lại.");
    s.pending = null;
    save(s);
  }
  const batch = { sourceId: s.source, sourceEpoch: s.epoch, sequence: String(s.next), samples: [sample] };
  s.next += 1;
  s.pending = batch;
  save(s);
  $("submit").disabled = true;
  show("sending", "Đang gửi…");
  try {
    const r = await send(s, batch);
    if (r.answered) {
      s.pending = null;
      save(s);
    }
    show(r.kind, r.text);
  } catch (e) {
    show("error", "Không kết nối được máy chủ; số liệu sẽ được gửi lại ở lần gửi sau. (" + e.message + ")");
  } finally {
    $("submit").disabled = false;
  }
}

$("token").value = sessionStorage.getItem(TOKEN_KEY) || "";
$("time").value = nowInVietnam();
$("indicator").addEventListener("change", onIndicator);
$("entry").addEventListener("submit", onSubmit);
loadCatalog().catch((e) => show("error", "Không tải được danh mục chỉ tiêu: " + e.message));
