// ioc-ingest-load: a load generator for the ingest benchmark. The same
// samples and batch sizes go to one of four targets:
//   gateway   protobuf IngestBatch frames over WebSocket, W batches in flight per connection
//   influx    InfluxDB 1.x line protocol over HTTP POST /write, one request in flight per connection
//   victoria  VictoriaMetrics, the same line protocol on its /write, one request in flight per connection
//   redis     XADD of the serialized batch, W commands pipelined per connection (the log's floor)
// Every request carries samples never sent before: sample j of connection c
// (of C) is for area j mod A at time t0 + (j div A)·C + c ms, so no two
// samples of a run share (area, time) and no peer can answer a resend from a
// cache or overwrite a point in place. t0 is a day back (the indicator's grace
// is three days), far enough that a run never reaches the present.
// It runs for a bounded time and prints acknowledged samples per second as
// one "key=value" line for tools/bench/ingest.sh to read.
#include <hiredis/hiredis.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include "ioc/v1/ioc.pb.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

struct options {
  std::string target = "gateway", host = "127.0.0.1", port = "8080", token = "demo-tax-token";
  std::string indicator = "einvoice_issued";
  std::vector<std::string> areas = {"18880", "18859", "18871"};
  int connections = 2, window = 8, batch = 5000;
  double seconds = 10;
};

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The samples one connection sends, batch after batch, each sample new.
class sample_stream {
 public:
  sample_stream(const options& o, int connection)
      : o_(o), c_(connection), t0_(now_ms() - 24LL * 3600 * 1000) {}

  struct sample {
    const std::string* area;
    std::int64_t t;
    int value;
  };
  sample next() {
    const auto a = o_.areas.size();
    const auto j = j_++;
    return {&o_.areas[j % a], t0_ + static_cast<std::int64_t>(j / a) * o_.connections + c_, static_cast<int>(j % 5) + 1};
  }

  // The next batch as an IngestBatch (protobuf).
  std::string batch_bytes(const std::string& source, std::uint64_t seq) {
    ioc::v1::IngestBatch b;
    b.set_source_id(source);
    b.set_sequence(seq);
    b.mutable_samples()->Reserve(o_.batch);
    for (int i = 0; i < o_.batch; ++i) {
      const sample x = next();
      auto* s = b.add_samples();
      s->set_indicator(o_.indicator);
      s->set_area(*x.area);
      s->set_event_time_ms(x.t);
      s->set_value(x.value);
    }
    return b.SerializeAsString();
  }

  // The next batch as line protocol (precision ms).
  std::string line_protocol() {
    std::string out;
    out.reserve(static_cast<std::size_t>(o_.batch) * 48);
    for (int i = 0; i < o_.batch; ++i) {
      const sample x = next();
      out += o_.indicator;
      out += ",area=";
      out += *x.area;
      out += " value=";
      out += std::to_string(x.value);
      out += ' ';
      out += std::to_string(x.t);
      out += '\n';
    }
    return out;
  }

 private:
  const options& o_;
  int c_;
  std::int64_t t0_;
  std::uint64_t j_ = 0;
};

std::atomic<std::uint64_t> acked_samples{0};
std::atomic<std::uint64_t> refused_batches{0};
std::atomic<bool> stopping{false};

// One WebSocket connection keeping `window` batches in flight.
class gateway_conn : public std::enable_shared_from_this<gateway_conn> {
 public:
  gateway_conn(asio::io_context& ioc, const options& o, int id)
      : ws_(ioc), o_(o), source_("load-" + std::to_string(id) + "-" + std::to_string(now_ms())), samples_(o, id) {}

  void start() {
    tcp::resolver r(ws_.get_executor());
    beast::get_lowest_layer(ws_).connect(r.resolve(o_.host, o_.port));
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true));
    const std::string auth = "Bearer " + o_.token;
    ws_.set_option(websocket::stream_base::decorator([auth](websocket::request_type& req) {
      req.set(http::field::authorization, auth);
    }));
    ws_.handshake(o_.host, "/v1/ingest");
    ws_.binary(true);
    ws_.read_message_max(64 << 20);
    for (int i = 0; i < o_.window; ++i) queue_.push_back(samples_.batch_bytes(source_, ++seq_));
    do_write();
    do_read();
  }

 private:
  void do_write() {
    if (writing_ || queue_.empty() || stopping) return;
    writing_ = true;
    current_ = std::move(queue_.front());
    queue_.erase(queue_.begin());
    ws_.async_write(asio::buffer(current_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (!ec) self->do_write();
    });
  }
  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      ioc::v1::Ack ack;
      if (ack.ParseFromArray(self->buf_.data().data(), static_cast<int>(self->buf_.size()))) {
        if (ack.batch_reason() == ioc::v1::REASON_UNSPECIFIED) {
          acked_samples += ack.accepted();
        } else {
          ++refused_batches;
        }
      }
      self->buf_.consume(self->buf_.size());
      if (stopping) return;
      self->queue_.push_back(self->samples_.batch_bytes(self->source_, ++self->seq_));
      self->do_write();
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  const options& o_;
  std::string source_;
  sample_stream samples_;
  std::vector<std::string> queue_;
  std::string current_;
  beast::flat_buffer buf_;
  std::uint64_t seq_ = 0;
  bool writing_ = false;
};

void run_gateway(const options& o) {
  asio::io_context ioc;
  std::vector<std::shared_ptr<gateway_conn>> conns;
  for (int i = 0; i < o.connections; ++i) {
    conns.push_back(std::make_shared<gateway_conn>(ioc, o, i));
    conns.back()->start();
  }
  ioc.run_for(std::chrono::milliseconds(static_cast<long>(o.seconds * 1000)));
  stopping = true;
}

// InfluxDB 1.x and VictoriaMetrics read the same line protocol on /write.
void run_line_protocol(const options& o) {
  std::vector<std::thread> threads;
  for (int c = 0; c < o.connections; ++c) {
    threads.emplace_back([&, c] {
      sample_stream samples(o, c);
      asio::io_context ioc;
      beast::tcp_stream stream(ioc);
      tcp::resolver r(ioc);
      stream.connect(r.resolve(o.host, o.port));
      beast::flat_buffer buf;
      while (!stopping) {
        http::request<http::string_body> req{http::verb::post, "/write?db=bench&precision=ms", 11};
        req.set(http::field::host, o.host);
        req.body() = samples.line_protocol();
        req.prepare_payload();
        http::write(stream, req);
        http::response<http::string_body> res;
        http::read(stream, buf, res);
        if (res.result() == http::status::no_content) {
          acked_samples += static_cast<std::uint64_t>(o.batch);
        } else {
          ++refused_batches;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<long>(o.seconds * 1000)));
  stopping = true;
  for (auto& t : threads) t.join();
}

void run_redis(const options& o) {
  std::vector<std::thread> threads;
  for (int c = 0; c < o.connections; ++c) {
    threads.emplace_back([&, c] {
      sample_stream samples(o, c);
      redisContext* ctx = redisConnect(o.host.c_str(), std::stoi(o.port));
      if (!ctx || ctx->err) {
        std::cerr << "cannot connect to redis\n";
        return;
      }
      std::uint64_t seq = 0;
      const std::string source = "redis-" + std::to_string(c);
      while (!stopping) {
        for (int w = 0; w < o.window; ++w) {
          const std::string b = samples.batch_bytes(source, ++seq);
          redisAppendCommand(ctx, "XADD bench:log * b %b", b.data(), b.size());
        }
        for (int w = 0; w < o.window; ++w) {
          void* reply = nullptr;
          if (redisGetReply(ctx, &reply) != REDIS_OK) return;
          acked_samples += static_cast<std::uint64_t>(o.batch);
          freeReplyObject(reply);
        }
      }
      redisFree(ctx);
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<long>(o.seconds * 1000)));
  stopping = true;
  for (auto& t : threads) t.join();
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--target") o.target = v;
    else if (a == "--host") o.host = v;
    else if (a == "--port") o.port = v;
    else if (a == "--token") o.token = v;
    else if (a == "--connections") o.connections = std::stoi(v);
    else if (a == "--window") o.window = std::stoi(v);
    else if (a == "--batch") o.batch = std::stoi(v);
    else if (a == "--indicator") o.indicator = v;
    else if (a == "--areas") o.areas = split_commas(v);
    else if (a == "--seconds") o.seconds = std::stod(v);
    else {
      std::cerr << "usage: ioc-ingest-load --target gateway|influx|victoria|redis [--host H] [--port P] [--token T]\n"
                   "       [--connections N] [--window W] [--batch B] [--seconds S] [--indicator ID] [--areas C1,C2,...]\n";
      return 2;
    }
  }
  if (o.areas.empty() || o.batch <= 0 || o.connections <= 0) {
    std::cerr << "ioc-ingest-load: --areas, --batch and --connections must not be empty or zero\n";
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  try {
    if (o.target == "gateway") run_gateway(o);
    else if (o.target == "influx" || o.target == "victoria") run_line_protocol(o);
    else if (o.target == "redis") run_redis(o);
    else {
      std::cerr << "unknown target " << o.target << "\n";
      return 2;
    }
  } catch (const std::exception& e) {
    std::cerr << "ioc-ingest-load: " << e.what() << "\n";
    return 1;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "target=" << o.target << " samples=" << acked_samples << " seconds=" << secs
            << " samples_per_s=" << static_cast<std::uint64_t>(static_cast<double>(acked_samples) / secs)
            << " refused_batches=" << refused_batches << std::endl;
  return 0;
}
