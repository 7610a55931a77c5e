// ioc-push: what an agency runs to stream samples to the IOC gateway.
// Reads JSON lines or CSV, batches them, spools each batch durably, and sends
// it until acknowledged: a crash of this program, the network or the gateway
// loses nothing and counts nothing twice.
#include <google/protobuf/util/json_util.h>
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "core/iso_time.hpp"
#include "gateway/codec/batch_codec.hpp"
#include "tools/spooled_publisher.hpp"

namespace {

const char* usage = R"(usage: ioc-push --token TOKEN --source ID [options]
Streams samples to an ioc-gateway over WebSocket, exactly once.

  --host H            gateway host (default 127.0.0.1)
  --port P            gateway port (default 8080)
  --url URL           the gateway as ws://HOST[:PORT] (default port 80) or, with TLS,
                      wss://HOST[:PORT] (default port 443); instead of --host and --port.
                      wss:// checks the gateway's certificate against the system's CA
                      store and the host name: use the name the certificate is for
  --ca-file FILE      also trust this CA (PEM), e.g. the province's own; wss:// only
  --token T           the agency's token (or set IOC_TOKEN)
  --source ID         this publisher's name, unique within the agency (e.g. motcua-server-1)
  --input FILE        read from FILE instead of stdin; resumes where it stopped after a restart
  --follow            keep reading FILE as it grows (like tail -f); stop with Ctrl-C
  --format F          jsonl (default) or csv
  --batch-size N      samples per batch (default 500)
  --linger-ms MS      send a partial batch after MS (default 200)
  --spool DIR         where unacknowledged batches wait, and this publisher's numbering lives
                      (default $XDG_STATE_HOME/ioc-push/..., /var/lib/ioc-push/... for root,
                      or ~/.local/state/ioc-push/..., one per gateway, token and source)
  --local-time        times written without an offset are Vietnam time (UTC+7);
                      without this flag such a time is refused
  --give-up-after S   exit 4 if the gateway stays unreachable S seconds (default 30; 0 = never)

Input, one sample per line:
  jsonl: {"indicator":"einvoice_issued","area":"18880","eventTimeMs":"1795402800000","value":12}
         {"indicator":"online_dossier_rate","area":18880,"eventTime":"2026-11-25T10:00:00+07:00","ratio":{"numerator":1,"denominator":1}}
  csv:   indicator,area,event_time,value            (or ...,numerator,denominator)
         einvoice_issued,18880,1795402800000,12
         einvoice_issued,18880,2026-11-25T10:00:00+07:00,12
  Event times: milliseconds since 1970 (UTC), or ISO 8601 with its offset. A
  missing event time means now.

Exit codes: 0 every input line applied; 1 some lines not applied (each printed
with its file, line and reason); 2 usage; 3 token refused; 4 gateway
unreachable, or its TLS certificate not trusted; 5 spool or input error (or the
spool is in use by another ioc-push).

Examples:
  ioc-push --token "$IOC_TOKEN" --source erp-1 --input invoices.jsonl
  ioc-push --url wss://ioc.example.gov.vn --token "$IOC_TOKEN" --source erp-1 --input invoices.jsonl
  tail -F /var/log/motcua/dossiers.csv | ioc-push --token "$IOC_TOKEN" --source motcua-1 --format csv
)";

volatile std::sig_atomic_t stop_requested = 0;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Parses one input line; false with `error` set when it is not a sample.
bool parse_line(const std::string& line, bool csv, std::optional<std::int64_t> assumed_offset, ioc::v1::Sample& s,
                std::string& error) {
  if (csv) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    if (f.size() != 4 && f.size() != 5) {
      error = "expected indicator,area,event_time,value or indicator,area,event_time,numerator,denominator";
      return false;
    }
    s.set_indicator(f[0]);
    s.set_area(f[1]);
    if (f[2].empty()) {
      s.set_event_time_ms(now_ms());
    } else {
      const ioc::core::parsed_time t = ioc::core::parse_event_time(f[2], assumed_offset);
      if (!t.ms) {
        error = "event time " + t.error + (assumed_offset ? "" : " (or pass --local-time for Vietnam time)");
        return false;
      }
      s.set_event_time_ms(*t.ms);
    }
    try {
      std::size_t used = 0;
      auto number = [&](const std::string& text) {
        const double v = std::stod(text, &used);
        if (used != text.size()) throw std::invalid_argument(text);
        return v;
      };
      if (f.size() == 4) {
        s.set_value(number(f[3]));
      } else {
        s.mutable_ratio()->set_numerator(number(f[3]));
        s.mutable_ratio()->set_denominator(number(f[4]));
      }
    } catch (const std::exception&) {
      error = "a value field is not a number";
      return false;
    }
    return true;
  }
  ioc::gateway::sample_result r = ioc::gateway::decode_sample_json(line, assumed_offset);
  if (!r.sample) {
    error = r.error;
    if (error.find("no UTC offset") != std::string::npos) error += " (or pass --local-time for Vietnam time)";
    return false;
  }
  s = std::move(*r.sample);
  if (s.event_time_ms() == 0) s.set_event_time_ms(now_ms());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1", port = "8080", source, input, format = "jsonl", spool;
  const char* env_token = std::getenv("IOC_TOKEN");
  std::string token = env_token ? env_token : "";
  bool follow = false, local_time = false;
  std::string url, ca_file;
  std::size_t batch_size = 500;
  int linger_ms = 200;
  int give_up_s = 30;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "ioc-push: " << a << " needs a value\n\n" << usage;
        std::exit(2);
      }
      return argv[++i];
    };
    try {
      if (a == "--host") host = value();
      else if (a == "--port") port = value();
      else if (a == "--url") url = value();
      else if (a == "--ca-file") ca_file = value();
      else if (a == "--local-time") local_time = true;
      else if (a == "--token") token = value();
      else if (a == "--source") source = value();
      else if (a == "--input") input = value();
      else if (a == "--follow") follow = true;
      else if (a == "--format") format = value();
      else if (a == "--batch-size") batch_size = std::stoul(value());
      else if (a == "--linger-ms") linger_ms = std::stoi(value());
      else if (a == "--spool") spool = value();
      else if (a == "--give-up-after") give_up_s = std::stoi(value());
      else if (a == "--help" || a == "-h") {
        std::cout << usage;
        return 0;
      } else {
        std::cerr << "ioc-push: unknown option " << a << "\n\n" << usage;
        return 2;
      }
    } catch (const std::exception&) {
      std::cerr << "ioc-push: " << a << " needs a number\n";
      return 2;
    }
  }
  if (token.empty() || source.empty() || (format != "jsonl" && format != "csv") || batch_size == 0 ||
      (follow && input.empty())) {
    std::cerr << "ioc-push: --token (or IOC_TOKEN) and --source are required; --format is jsonl or csv; "
                 "--follow needs --input\n\n"
              << usage;
    return 2;
  }
  ioc::tools::tls_options tls;
  if (!url.empty()) {
    // ws://host[:port][/...] or wss://host[:port][/...] (http:// and https:// too).
    const auto sep = url.find("://");
    const std::string scheme = sep == std::string::npos ? url : url.substr(0, sep);
    if (sep == std::string::npos || (scheme != "ws" && scheme != "http" && scheme != "wss" && scheme != "https")) {
      std::cerr << "ioc-push: --url must be ws://HOST[:PORT] or wss://HOST[:PORT] (got " << url << ")\n";
      return 2;
    }
    tls.enabled = scheme == "wss" || scheme == "https";
    std::string rest = url.substr(sep + 3);
    rest = rest.substr(0, rest.find('/'));
    const auto colon = rest.rfind(':');
    host = rest.substr(0, colon);
    port = colon == std::string::npos ? (tls.enabled ? "443" : "80") : rest.substr(colon + 1);
  }
  if (!ca_file.empty() && !tls.enabled) {
    std::cerr << "ioc-push: --ca-file is for TLS: use --url wss://HOST:PORT\n";
    return 2;
  }
  tls.ca_file = ca_file;
  // Plain URLs keep the spool key they always had; a TLS port is another key.
  url = (tls.enabled ? "wss://" : "ws://") + host + ":" + port;
  std::unique_ptr<ioc::tools::agency_client> client;
  try {
    client = std::make_unique<ioc::tools::agency_client>(host, port, token, tls);
  } catch (const std::exception& e) {
    std::cerr << "ioc-push: " << e.what() << "\n";
    return 2;
  }
  if (spool.empty()) {
    try {
      spool = ioc::tools::default_spool_dir(url, token, source);
    } catch (const std::exception& e) {
      std::cerr << "ioc-push: " << e.what() << "\n";
      return 5;
    }
  }
  const std::string input_name = input.empty() ? "stdin" : input;
  const std::optional<std::int64_t> assumed_offset =
      local_time ? std::optional<std::int64_t>(ioc::core::vietnam_offset_ms) : std::nullopt;
  std::signal(SIGINT, [](int) { stop_requested = 1; });
  std::signal(SIGTERM, [](int) { stop_requested = 1; });

  std::unique_ptr<ioc::tools::spooled_publisher> pub;
  try {
    pub = std::make_unique<ioc::tools::spooled_publisher>(spool, source, std::move(client));
  } catch (const ioc::tools::spool_in_use& e) {
    std::cerr << "ioc-push: " << e.what() << "\n";
    return 5;
  } catch (const std::exception& e) {
    std::cerr << "ioc-push: cannot use spool " << spool << ": " << e.what() << "\n";
    return 5;
  }
  pub->set_give_up_after_ms(static_cast<std::int64_t>(give_up_s) * 1000);
  bool refused_any = false;
  std::uint64_t skipped = 0;
  auto on_refused = [&](const ioc::tools::refused_input& r) {
    refused_any = true;
    std::cerr << "ioc-push: " << input_name;
    if (r.first_line) std::cerr << ":" << r.first_line;
    if (r.whole_batch && r.last_line > r.first_line) std::cerr << "-" << r.last_line;
    std::cerr << ": " << (r.whole_batch ? "batch " + std::to_string(r.sequence) + " refused" : std::string("refused"))
              << " (" << ioc::v1::Reason_Name(r.refusal.reason()) << "): " << r.refusal.message() << "\n";
  };
  auto drain = [&]() -> int {
    try {
      pub->drain(on_refused);
      return 0;
    } catch (const ioc::tools::tls_refused& e) {
      std::cerr << "ioc-push: " << e.what() << "\n";
      return 4;
    } catch (const ioc::tools::connection_refused& e) {
      std::cerr << "ioc-push: the gateway refused us: " << e.what()
                << (e.close_code == 1008 ? "\n  check --token / IOC_TOKEN for this agency" : "") << "\n";
      return e.close_code == 1008 ? 3 : 4;
    } catch (const std::exception& e) {
      std::cerr << "ioc-push: " << e.what() << "\n";
      return 4;
    }
  };
  // Anything a previous run spooled goes first.
  if (pub->pending() > 0) {
    std::cerr << "ioc-push: resending " << pub->pending() << " spooled batch(es)\n";
    if (int rc = drain()) return rc;
  }

  std::ifstream file;
  std::istream* in = &std::cin;
  if (!input.empty()) {
    file.open(input, std::ios::binary);
    if (!file) {
      std::cerr << "ioc-push: cannot read " << input << "\n";
      return 5;
    }
    // Resume after the last spooled line, if this is the file the spool last read.
    struct stat st {};
    if (::stat(input.c_str(), &st) == 0) {
      pub->set_input_identity(std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino));
      if (pub->input_offset() > static_cast<std::uint64_t>(st.st_size)) {
        std::cerr << "ioc-push: " << input << " is shorter than where this spool stopped reading it; reading it from the start\n";
        pub->set_input_identity("");
        pub->set_input_identity(std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino));
      }
    }
    if (pub->fresh()) {
      // A new spool for a source the gateway may know: if the gateway's last
      // applied batch of this source came from this very file, resume after
      // it, so a lost spool neither drops nor doubles a line.
      try {
        ioc::tools::agency_client http(host, port, token, tls);
        const auto status = http.get("/v1/sources/" + source);
        ioc::v1::SourceStatus s;
        if (status.status == 200 && google::protobuf::util::JsonStringToMessage(status.body, &s).ok()) {
          const std::string mine = ioc::tools::spooled_publisher::cursor_of(
              std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino), 0);
          const std::string prefix = mine.substr(0, mine.size() - 1);
          if (s.last_cursor().rfind(prefix, 0) == 0) {
            const std::uint64_t at = std::stoull(s.last_cursor().substr(prefix.size()));
            if (at <= static_cast<std::uint64_t>(st.st_size)) {
              std::cerr << "ioc-push: new spool; the gateway has applied " << input << " up to byte " << at
                        << " (source " << source << ", epoch " << s.last_epoch() << ", sequence "
                        << s.last_sequence() << "): resuming there\n";
              pub->resume_input_at(at);
            }
          } else if (s.last_sequence() > 0) {
            std::cerr << "ioc-push: new spool; the gateway already has batches from source " << source
                      << " that did not come from this file: sending " << input << " from its start\n";
          }
        } else if (status.status == 401) {
          std::cerr << "ioc-push: the gateway refused the token (HTTP 401); check --token / IOC_TOKEN\n";
          return 3;
        } else if (status.status != 404) {
          throw std::runtime_error("HTTP " + std::to_string(status.status) + " " + status.body);
        }
        pub->mark_resume_checked();
      } catch (const ioc::tools::tls_refused& e) {
        std::cerr << "ioc-push: " << e.what() << "; nothing sent\n";
        return 4;
      } catch (const std::exception& e) {
        // Sending from the start could count twice what a lost spool sent: wait for the answer.
        std::cerr << "ioc-push: cannot ask the gateway where source " << source << " stands in " << input << " ("
                  << e.what() << "); nothing sent, run again when it answers\n";
        return 4;
      }
    }
    file.seekg(static_cast<std::streamoff>(pub->input_offset()));
    in = &file;
  }
  std::vector<ioc::v1::Sample> pending;
  std::vector<std::uint64_t> pending_lines;
  std::uint64_t offset = pub->input_offset();
  std::uint64_t line_no = 0;
  auto first_at = std::chrono::steady_clock::now();
  auto flush = [&]() -> int {
    if (pending.empty()) return 0;
    pub->spool(pending, offset, pending_lines);
    pending.clear();
    pending_lines.clear();
    return drain();
  };
  std::string line;
  while (!stop_requested) {
    if (!std::getline(*in, line)) {
      if (!follow) break;
      // Following a growing file: wait for more, sending what we have.
      if (int rc = flush()) return rc;
      in->clear();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    if (!in->eof()) offset += line.size() + 1;  // a line without its newline yet is read again
    else if (follow) {
      in->clear();
      in->seekg(static_cast<std::streamoff>(offset));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    } else {
      offset += line.size();
    }
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#' || (format == "csv" && line.rfind("indicator,", 0) == 0)) continue;
    ioc::v1::Sample s;
    std::string error;
    if (!parse_line(line, format == "csv", assumed_offset, s, error)) {
      refused_any = true;
      ++skipped;
      std::cerr << "ioc-push: " << input_name << ":" << line_no << ": not sent: " << error << "\n";
      continue;
    }
    if (pending.empty()) first_at = std::chrono::steady_clock::now();
    pending.push_back(std::move(s));
    pending_lines.push_back(line_no);
    if (pending.size() >= batch_size || std::chrono::steady_clock::now() - first_at > std::chrono::milliseconds(linger_ms)) {
      if (int rc = flush()) return rc;
    }
  }
  if (int rc = flush()) return rc;
  const auto& st = pub->stats();
  std::cerr << "ioc-push: done: " << st.batches_acked << " batches acknowledged, " << st.samples_accepted
            << " samples accepted, " << st.samples_refused + skipped << " not applied (" << st.samples_refused
            << " refused by the gateway, " << skipped << " lines not readable)";
  if (st.duplicates) std::cerr << "; " << st.duplicates << " batches were answered from an earlier delivery";
  std::cerr << "\n";
  return refused_any ? 1 : 0;
}
