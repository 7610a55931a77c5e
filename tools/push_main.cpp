// ioc-push: what an agency runs to stream samples to the IOC gateway.
// Reads JSON lines or CSV, batches them, spools each batch durably, and sends
// it until acknowledged: a crash of this program, the network or the gateway
// loses nothing and counts nothing twice.
#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "tools/spooled_publisher.hpp"

namespace {

const char* usage = R"(usage: ioc-push --token TOKEN --source ID [options]
Streams samples to an ioc-gateway over WebSocket, exactly once.

  --host H            gateway host (default 127.0.0.1)
  --port P            gateway port (default 8080)
  --token T           the agency's token (or set IOC_TOKEN)
  --source ID         this publisher's name, unique within the agency (e.g. motcua-server-1)
  --input FILE        read from FILE instead of stdin; resumes where it stopped after a restart
  --follow            keep reading FILE as it grows (like tail -f); stop with Ctrl-C
  --format F          jsonl (default) or csv
  --batch-size N      samples per batch (default 500)
  --linger-ms MS      send a partial batch after MS (default 200)
  --spool DIR         where unacknowledged batches wait (default ./ioc-push-spool-<source>)
  --give-up-after S   exit 4 if the gateway stays unreachable S seconds (default 30; 0 = never)

Input, one sample per line:
  jsonl: {"indicator":"einvoice_issued","area":"461","eventTimeMs":"1795402800000","value":12}
         {"indicator":"online_dossier_rate","area":"45","ratio":{"numerator":1,"denominator":1}}
  csv:   indicator,area,event_time_ms,value            (or ...,numerator,denominator)
         einvoice_issued,461,1795402800000,12
  A missing event time means now.

Exit codes: 0 all accepted; 1 some samples refused (each printed with its reason);
2 usage; 3 token refused; 4 gateway unreachable; 5 spool or input error.

Examples:
  ioc-push --token "$IOC_TOKEN" --source erp-1 --input invoices.jsonl
  tail -F /var/log/motcua/dossiers.csv | ioc-push --token "$IOC_TOKEN" --source motcua-1 --format csv
)";

volatile std::sig_atomic_t stop_requested = 0;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Parses one input line; false with `error` set when it is not a sample.
bool parse_line(const std::string& line, bool csv, ioc::v1::Sample& s, std::string& error) {
  if (csv) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    if (f.size() != 4 && f.size() != 5) {
      error = "expected indicator,area,event_time_ms,value or indicator,area,event_time_ms,numerator,denominator";
      return false;
    }
    try {
      s.set_indicator(f[0]);
      s.set_area(f[1]);
      s.set_event_time_ms(f[2].empty() ? now_ms() : std::stoll(f[2]));
      if (f.size() == 4) {
        s.set_value(std::stod(f[3]));
      } else {
        s.mutable_ratio()->set_numerator(std::stod(f[3]));
        s.mutable_ratio()->set_denominator(std::stod(f[4]));
      }
    } catch (const std::exception&) {
      error = "a number field is not a number";
      return false;
    }
    return true;
  }
  auto status = google::protobuf::util::JsonStringToMessage(line, &s);
  if (!status.ok()) {
    error = std::string(status.message());
    return false;
  }
  if (s.event_time_ms() == 0) s.set_event_time_ms(now_ms());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1", port = "8080", source, input, format = "jsonl", spool;
  const char* env_token = std::getenv("IOC_TOKEN");
  std::string token = env_token ? env_token : "";
  bool follow = false;
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
  if (spool.empty()) spool = "ioc-push-spool-" + source;
  std::signal(SIGINT, [](int) { stop_requested = 1; });
  std::signal(SIGTERM, [](int) { stop_requested = 1; });

  std::unique_ptr<ioc::tools::spooled_publisher> pub;
  try {
    pub = std::make_unique<ioc::tools::spooled_publisher>(spool, source,
                                                          std::make_unique<ioc::tools::agency_client>(host, port, token));
  } catch (const std::exception& e) {
    std::cerr << "ioc-push: cannot use spool " << spool << ": " << e.what() << "\n";
    return 5;
  }
  pub->set_give_up_after_ms(static_cast<std::int64_t>(give_up_s) * 1000);
  bool refused_any = false;
  auto on_refused = [&](const ioc::v1::Refusal& r) {
    refused_any = true;
    std::cerr << "ioc-push: refused (" << ioc::v1::Reason_Name(r.reason()) << "): " << r.message() << "\n";
  };
  auto drain = [&]() -> int {
    try {
      pub->drain(on_refused);
      return 0;
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
    file.seekg(static_cast<std::streamoff>(pub->input_offset()));  // resume after the last spooled line
    in = &file;
  }
  std::vector<ioc::v1::Sample> pending;
  std::uint64_t offset = pub->input_offset();
  std::uint64_t line_no = 0;
  auto first_at = std::chrono::steady_clock::now();
  auto flush = [&]() -> int {
    if (pending.empty()) return 0;
    pub->spool(pending, offset);
    pending.clear();
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
    if (!parse_line(line, format == "csv", s, error)) {
      refused_any = true;
      std::cerr << "ioc-push: line " << line_no << " skipped: " << error << "\n";
      continue;
    }
    if (pending.empty()) first_at = std::chrono::steady_clock::now();
    pending.push_back(std::move(s));
    if (pending.size() >= batch_size || std::chrono::steady_clock::now() - first_at > std::chrono::milliseconds(linger_ms)) {
      if (int rc = flush()) return rc;
    }
  }
  if (int rc = flush()) return rc;
  const auto& st = pub->stats();
  std::cerr << "ioc-push: done: " << st.batches_acked << " batches acknowledged, " << st.samples_accepted
            << " samples accepted, " << st.samples_refused << " refused, " << st.duplicates << " duplicates\n";
  return refused_any ? 1 : 0;
}
