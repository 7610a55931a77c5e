// ioc-ingest-load: a load generator for the ingest benchmark. The same
// samples and batch sizes go to one of three targets:
//   gateway  protobuf IngestBatch frames over WebSocket, W batches in flight per connection
//   influx   InfluxDB 1.x line protocol over HTTP POST /write, one request in flight per connection
//   redis    XADD of the serialized batch, W commands pipelined per connection (the log's ceiling)
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
  int connections = 2, window = 8, batch = 5000;
  double seconds = 10;
};

const std::vector<std::string> areas = {"461", "462", "464", "465", "466", "467", "468", "469", "470", "471"};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The samples of one batch, serialized once: protobuf fields can be
// concatenated, so each batch is header (source, sequence) + these bytes.
std::string sample_bytes(int n, std::int64_t t) {
  ioc::v1::IngestBatch b;
  for (int i = 0; i < n; ++i) {
    auto* s = b.add_samples();
    s->set_indicator("einvoice_issued");
    s->set_area(areas[static_cast<std::size_t>(i) % areas.size()]);
    s->set_event_time_ms(t - i % 1000);
    s->set_value(1);
  }
  return b.SerializeAsString();
}

std::string batch_bytes(const std::string& source, std::uint64_t seq, const std::string& samples) {
  ioc::v1::IngestBatch h;
  h.set_source_id(source);
  h.set_sequence(seq);
  return h.SerializeAsString() + samples;
}

std::string line_protocol(int n, std::int64_t t) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += "einvoice_issued,area=" + areas[static_cast<std::size_t>(i) % areas.size()] + " value=1 " +
           std::to_string(t - i % 1000) + "\n";
  }
  return out;
}

std::atomic<std::uint64_t> acked_samples{0};
std::atomic<std::uint64_t> refused_batches{0};
std::atomic<bool> stopping{false};

// One WebSocket connection keeping `window` batches in flight.
class gateway_conn : public std::enable_shared_from_this<gateway_conn> {
 public:
  gateway_conn(asio::io_context& ioc, const options& o, int id, const std::string& samples)
      : ws_(ioc), o_(o), source_("load-" + std::to_string(id) + "-" + std::to_string(now_ms())), samples_(samples) {}

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
    for (int i = 0; i < o_.window; ++i) queue_.push_back(batch_bytes(source_, ++seq_, samples_));
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
      self->queue_.push_back(batch_bytes(self->source_, ++self->seq_, self->samples_));
      self->do_write();
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  const options& o_;
  std::string source_;
  const std::string& samples_;
  std::vector<std::string> queue_;
  std::string current_;
  beast::flat_buffer buf_;
  std::uint64_t seq_ = 0;
  bool writing_ = false;
};

void run_gateway(const options& o) {
  asio::io_context ioc;
  const std::string samples = sample_bytes(o.batch, now_ms());
  std::vector<std::shared_ptr<gateway_conn>> conns;
  for (int i = 0; i < o.connections; ++i) {
    conns.push_back(std::make_shared<gateway_conn>(ioc, o, i, samples));
    conns.back()->start();
  }
  ioc.run_for(std::chrono::milliseconds(static_cast<long>(o.seconds * 1000)));
  stopping = true;
}

void run_influx(const options& o) {
  const std::string body = line_protocol(o.batch, now_ms());
  std::vector<std::thread> threads;
  for (int c = 0; c < o.connections; ++c) {
    threads.emplace_back([&] {
      asio::io_context ioc;
      beast::tcp_stream stream(ioc);
      tcp::resolver r(ioc);
      stream.connect(r.resolve(o.host, o.port));
      beast::flat_buffer buf;
      while (!stopping) {
        http::request<http::string_body> req{http::verb::post, "/write?db=bench&precision=ms", 11};
        req.set(http::field::host, o.host);
        req.body() = body;
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
  const std::string samples = sample_bytes(o.batch, now_ms());
  std::vector<std::thread> threads;
  for (int c = 0; c < o.connections; ++c) {
    threads.emplace_back([&, c] {
      redisContext* ctx = redisConnect(o.host.c_str(), std::stoi(o.port));
      if (!ctx || ctx->err) {
        std::cerr << "cannot connect to redis\n";
        return;
      }
      std::uint64_t seq = 0;
      const std::string source = "redis-" + std::to_string(c);
      while (!stopping) {
        for (int w = 0; w < o.window; ++w) {
          const std::string b = batch_bytes(source, ++seq, samples);
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
    else if (a == "--seconds") o.seconds = std::stod(v);
    else {
      std::cerr << "usage: ioc-ingest-load --target gateway|influx|redis [--host H] [--port P] [--token T]\n"
                   "       [--connections N] [--window W] [--batch B] [--seconds S]\n";
      return 2;
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  try {
    if (o.target == "gateway") run_gateway(o);
    else if (o.target == "influx") run_influx(o);
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
