// TLS on the gateway and in the agencies' client, over real sockets: a
// throwaway CA and server certificates made with the openssl CLI for each run
// (test-only; nothing is checked in), HTTPS and WSS on the gateway's TLS port,
// ioc-push with wss://, an untrusted gateway refused, and a certificate swapped
// by SIGHUP while a display stays connected.
#include <openssl/bn.h>
#include <signal.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// Runs an openssl command in `dir`; its output goes to dir/openssl.log.
void openssl(const std::string& dir, const std::string& args) {
  const std::string cmd = "cd '" + dir + "' && openssl " + args + " >>openssl.log 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    throw std::runtime_error("openssl " + args + " failed: " + read_text_file(dir + "/openssl.log"));
  }
}

// A CA (name.pem, name.key) that signs nothing but these tests.
void make_ca(const std::string& dir, const std::string& name) {
  openssl(dir, "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj '/CN=ioc-dti test CA " +
                   name + "' -keyout " + name + ".key -out " + name + ".pem");
}

// A server certificate for 127.0.0.1 and localhost, signed by `ca`, with `serial`.
void make_server_cert(const std::string& dir, const std::string& name, const std::string& ca, int serial) {
  std::ofstream(dir + "/san.cnf") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  openssl(dir, "req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost -keyout " + name +
                   ".key -out " + name + ".csr");
  openssl(dir, "x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca + ".key -set_serial " +
                   std::to_string(serial) + " -days 2 -extfile san.cnf -out " + name + ".pem");
}

// The serial number (hex) of the certificate a new handshake on `port` gets,
// verified against `ca_file` (not against the address).
std::string served_serial(unsigned short port, const std::string& ca_file, const std::string& address = "127.0.0.1") {
  asio::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file(ca_file);
  ssl::stream<tcp::socket> stream(ioc, ctx);
  stream.next_layer().connect({asio::ip::make_address(address), port});
  stream.set_verify_mode(ssl::verify_peer);
  stream.handshake(ssl::stream_base::client);
  X509* cert = SSL_get_peer_certificate(stream.native_handle());
  if (!cert) return "";
  std::string out;
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr)) {
    char* hex = BN_bn2hex(bn);
    out = hex;
    OPENSSL_free(hex);
    BN_free(bn);
  }
  X509_free(cert);
  beast::error_code ignored;
  stream.shutdown(ignored);
  return out;
}

// A display on /v1/live over WSS, reading frames with a deadline.
class wss_display {
 public:
  wss_display(unsigned short port, const std::string& ca_file) : ctx_(ssl::context::tls_client), ws_(ioc_, ctx_) {
    ctx_.load_verify_file(ca_file);
    beast::get_lowest_layer(ws_).connect({asio::ip::make_address("127.0.0.1"), port});
    ws_.next_layer().set_verify_mode(ssl::verify_peer);
    ws_.next_layer().set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    ws_.next_layer().handshake(ssl::stream_base::client);
    ws_.read_message_max(64 << 20);
    ws_.handshake("127.0.0.1", "/v1/live");
  }

  // The next frame, or nothing on timeout or close (then the display is closed).
  std::optional<ioc::v1::DisplayFrame> read_frame(std::chrono::milliseconds timeout) {
    if (closed_) return std::nullopt;
    buffer_.clear();
    bool done = false;
    beast::error_code result;
    ws_.async_read(buffer_, [&](beast::error_code ec, std::size_t) {
      done = true;
      result = ec;
    });
    ioc_.restart();
    ioc_.run_for(timeout);
    if (!done || result) {
      closed_ = true;
      return std::nullopt;
    }
    ioc::v1::DisplayFrame f;
    if (!f.ParseFromString(beast::buffers_to_string(buffer_.data()))) return std::nullopt;
    return f;
  }

  // Reads frames until one shows today's einvoice_issued total for the province at `want`.
  bool sees_total(double want, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto f = read_frame(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      if (!f) return false;
      for (const auto& s : f->has_snapshot() ? f->snapshot().series() : f->delta().series()) {
        if (s.indicator() == "einvoice_issued" && s.area() == "45" && today_sum(s) >= want) return true;
      }
    }
    return false;
  }

  bool closed() const { return closed_; }

 private:
  asio::io_context ioc_;
  ssl::context ctx_;
  websocket::stream<ssl::stream<tcp::socket>> ws_;
  beast::flat_buffer buffer_;
  bool closed_ = false;
};

ioc::v1::IngestBatch einvoice_batch(const std::string& source, std::uint64_t seq, double value) {
  ioc::v1::IngestBatch b;
  b.set_source_id(source);
  b.set_sequence(seq);
  auto* s = b.add_samples();
  s->set_indicator("einvoice_issued");
  s->set_area("45");
  s->set_event_time_ms(now_ms());
  s->set_value(value);
  return b;
}

// For the whole run: one CA, a server certificate it signed (serial 0x1001),
// and a CA that signed nothing of ours.
class test_pki : public ::testing::Environment {
 public:
  void SetUp() override {
    dir = make_temp_dir("ioc-tls-pki");
    make_ca(dir, "ca");
    make_ca(dir, "wrong-ca");
    make_server_cert(dir, "server", "ca", 0x1001);
  }
  void TearDown() override { fs::remove_all(dir); }
  static inline std::string dir;
};
[[maybe_unused]] ::testing::Environment* const pki_environment = ::testing::AddGlobalTestEnvironment(new test_pki);

class TlsGateway : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("ioc-tls-test");
    fs::copy_file(pki_ + "/server.pem", dir_ + "/cert.pem");
    fs::copy_file(pki_ + "/server.key", dir_ + "/key.pem");
    gw_ = std::make_unique<gateway_process>(config_with_server(
        // TLS on every interface: a test connects by 127.0.0.2 (listen_address defaults to loopback).
        R"({"port": 0, "push_rate_hz": 20, "tls_port": 0, "tls_listen_address": "0.0.0.0", "tls_certificate_file": ")" + dir_ +
        R"(/cert.pem", "tls_private_key_file": ")" + dir_ + R"(/key.pem"})"));
    ASSERT_NE(gw_->tls_port(), 0) << "the gateway printed no https:// address";
    ASSERT_TRUE(wait_ready(gw_->port(), 10s));
  }
  void TearDown() override {
    gw_.reset();
    fs::remove_all(dir_);
  }

  std::string ca() const { return pki_ + "/ca.pem"; }
  std::string metrics() const { return http_call(gw_->port(), "GET", "/metrics").body; }
  // Polls /metrics until it holds `line`.
  bool metrics_show(const std::string& line) const {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (metrics().find(line) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(20ms);
    }
    return true;
  }
  std::string wss_url() const { return "wss://127.0.0.1:" + std::to_string(gw_->tls_port()); }

  // Runs ioc-push against the TLS port; returns its exit status, its output in `out`.
  int push(const std::string& args, std::string& out) {
    const std::string log = dir_ + "/push-" + std::to_string(runs_++) + ".log";
    const std::string cmd = "cd '" + dir_ + "' && XDG_STATE_HOME='" + dir_ + "/state' exec '" + binary_dir() +
                            "/tools/ioc-push' --url " + wss_url() + " --token tax-token --linger-ms 50 " + args;
    child_process p({"/bin/sh", "-c", cmd}, log);
    const int rc = p.wait(60s);
    out = read_text_file(log);
    return rc;
  }

  const std::string pki_ = test_pki::dir;
  std::string dir_;
  std::unique_ptr<gateway_process> gw_;
  int runs_ = 0;
};

TEST_F(TlsGateway, HttpsReadyzWithTheCertificateVerified) {
  tools::agency_client https("127.0.0.1", std::to_string(gw_->tls_port()), "tax-token", {true, ca()});
  const auto r = https.get("/readyz");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("ready"), std::string::npos) << r.body;
  // Plain HTTP stays on its own port.
  EXPECT_EQ(http_call(gw_->port(), "GET", "/readyz").status, 200);
  EXPECT_EQ(served_serial(gw_->tls_port(), ca()), "1001");
  // Plain HTTP on the TLS port fails its handshake, and /metrics counts it.
  try {
    http_call(gw_->tls_port(), "GET", "/readyz");
  } catch (const std::exception&) {
  }
  EXPECT_TRUE(metrics_show("ioc_tls_handshake_failures_total 1")) << metrics();
  const std::string text = metrics();
  const std::string name = "\nioc_tls_certificate_not_after_seconds ";
  const auto expiry = text.find(name);
  ASSERT_NE(expiry, std::string::npos) << text;
  const double not_after = std::stod(text.substr(expiry + name.size()));
  EXPECT_GT(not_after, static_cast<double>(now_ms() / 1000 + 86400)) << metrics();  // made for 2 days
}

TEST_F(TlsGateway, WssIngestThroughTheAgencyClient) {
  tools::agency_client client("127.0.0.1", std::to_string(gw_->tls_port()), "tax-token", {true, ca()});
  const ioc::v1::Ack ack = client.send(einvoice_batch("tls-1", 1, 7));
  EXPECT_EQ(ack.accepted(), 1u) << ack.DebugString();
  EXPECT_EQ(ack.batch_reason(), ioc::v1::REASON_UNSPECIFIED) << ack.DebugString();
  const ioc::v1::Ack second = client.send(einvoice_batch("tls-1", 2, 5));
  EXPECT_EQ(second.accepted(), 1u) << second.DebugString();
  client.close();
  // By host name (sent as SNI, checked against the certificate's DNS name).
  tools::agency_client by_name("localhost", std::to_string(gw_->tls_port()), "tax-token", {true, ca()});
  EXPECT_EQ(by_name.send(einvoice_batch("tls-1b", 1, 3)).accepted(), 1u);
  EXPECT_EQ(today_total(gw_->port()), 15);
}

TEST_F(TlsGateway, IocPushOverWssAppliesAFile) {
  const std::string input = dir_ + "/invoices.jsonl";
  std::ofstream(input) << R"({"indicator":"einvoice_issued","area":"45","value":10})" "\n"
                       << R"({"indicator":"einvoice_issued","area":"461","value":20})" "\n";
  std::string out;
  EXPECT_EQ(push("--ca-file " + ca() + " --source erp-tls --input " + input, out), 0) << out;
  EXPECT_EQ(today_total(gw_->port()), 30) << out;
  EXPECT_NE(out.find("2 samples accepted"), std::string::npos) << out;
}

TEST_F(TlsGateway, IocPushRefusesAGatewayItCannotTrust) {
  const std::string input = dir_ + "/invoices.jsonl";
  std::ofstream(input) << R"({"indicator":"einvoice_issued","area":"45","value":10})" "\n";
  std::string out;
  const auto started = std::chrono::steady_clock::now();
  // Signed by another CA: refused at once, not retried until --give-up-after.
  EXPECT_EQ(push("--ca-file " + pki_ + "/wrong-ca.pem --give-up-after 60 --source erp-tls --input " + input, out), 4)
      << out;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s) << out;
  EXPECT_NE(out.find("is not trusted: unable to get local issuer certificate"), std::string::npos) << out;
  EXPECT_NE(out.find("--ca-file"), std::string::npos) << out;
  // From stdin (no resume question first): the same refusal when sending.
  EXPECT_EQ(push("--ca-file " + pki_ + "/wrong-ca.pem --give-up-after 60 --source erp-tls-2 < " + input, out), 4) << out;
  EXPECT_NE(out.find("is not trusted"), std::string::npos) << out;
  // The right CA but a name the certificate is not for.
  tools::agency_client wrong_name("127.0.0.2", std::to_string(gw_->tls_port()), "tax-token", {true, ca()});
  try {
    wrong_name.send(einvoice_batch("tls-2", 1, 1));
    ADD_FAILURE() << "a certificate for 127.0.0.1 was accepted for 127.0.0.2";
  } catch (const tools::tls_refused& e) {
    EXPECT_NE(std::string(e.what()).find("IP address mismatch"), std::string::npos) << e.what();
  }
  EXPECT_EQ(today_total(gw_->port()), 0);
}

TEST_F(TlsGateway, SighupSwapsTheCertificateWhileOpenConnectionsStay) {
  wss_display display(gw_->tls_port(), ca());
  ASSERT_TRUE(display.read_frame(5s)) << "no snapshot over WSS";
  ASSERT_EQ(served_serial(gw_->tls_port(), ca()), "1001");

  // Renewal: new files in place (written aside, then renamed, as certbot does), then SIGHUP.
  make_server_cert(dir_, "renewed", pki_ + "/ca", 0x1002);
  fs::rename(dir_ + "/renewed.pem", dir_ + "/cert.pem");
  fs::rename(dir_ + "/renewed.key", dir_ + "/key.pem");
  ASSERT_EQ(kill(gw_->pid(), SIGHUP), 0);
  std::string serial;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while ((serial = served_serial(gw_->tls_port(), ca())) != "1002" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(serial, "1002") << gw_->log();

  // The display that shook hands with the old certificate still gets updates.
  tools::agency_client client("127.0.0.1", std::to_string(gw_->tls_port()), "tax-token", {true, ca()});
  EXPECT_EQ(client.send(einvoice_batch("tls-3", 1, 9)).accepted(), 1u);
  EXPECT_TRUE(display.sees_total(9, 10s)) << gw_->log();
  EXPECT_FALSE(display.closed());

  // A broken pair on the next SIGHUP is refused; the current certificate stays.
  std::ofstream(dir_ + "/key.pem") << "not a key\n";
  ASSERT_EQ(kill(gw_->pid(), SIGHUP), 0);
  EXPECT_TRUE(metrics_show("ioc_tls_reloads_total{result=\"failed\"} 1")) << metrics();
  EXPECT_NE(metrics().find("ioc_tls_reloads_total{result=\"ok\"} 1"), std::string::npos) << metrics();
  EXPECT_NE(gw_->log().find("server.tls_private_key_file"), std::string::npos) << gw_->log();
  EXPECT_EQ(served_serial(gw_->tls_port(), ca()), "1002");
  EXPECT_TRUE(gw_->running());
}

// TLS may listen on another address than plain HTTP (public TLS, loopback HTTP).
TEST(TlsListen, TlsListenAddressIsItsOwn) {
  gateway_process gw(config_with_server(R"({"port": 0, "listen_address": "127.0.0.1", "tls_port": 0,
      "tls_listen_address": "127.0.0.2", "tls_certificate_file": ")" + test_pki::dir + R"(/server.pem",
      "tls_private_key_file": ")" + test_pki::dir + R"(/server.key"})"));
  ASSERT_NE(gw.tls_port(), 0);
  EXPECT_EQ(served_serial(gw.tls_port(), test_pki::dir + "/ca.pem", "127.0.0.2"), "1001");
  EXPECT_TRUE(wait_ready(gw.port(), 10s));
}

// `systemctl reload` (SIGHUP) on a gateway without TLS rereads only the configuration, and keeps serving.
TEST(TlsListen, SighupWithoutTlsKeepsServing) {
  gateway_process gw(config_with_server(R"({"port": 0})"));
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  ASSERT_EQ(kill(gw.pid(), SIGHUP), 0);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (gw.log().find("config.reload_unchanged") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_NE(gw.log().find("config.reload_unchanged"), std::string::npos) << gw.log();
  EXPECT_EQ(http_call(gw.port(), "GET", "/readyz").status, 200);
}

// --check-config loads the certificate and key and names the one at fault.
TEST(TlsConfig, CheckConfigNamesABadCertificateOrKey) {
  const std::string dir = make_temp_dir("ioc-tls-config");
  make_ca(dir, "ca");
  make_server_cert(dir, "a", "ca", 1);
  make_server_cert(dir, "b", "ca", 2);
  auto check = [&](const std::string& cert, const std::string& key, std::string& out) {
    const std::string config = dir + "/config.json";
    std::ofstream(config) << config_with_server(R"({"port": 0, "tls_port": 8443, "tls_certificate_file": ")" + cert +
                                                R"(", "tls_private_key_file": ")" + key + R"("})");
    child_process p({binary_dir() + "/gateway/ioc-gateway", "--config", config, "--check-config"}, dir + "/out.log");
    const int rc = p.wait(20s);
    out = read_text_file(dir + "/out.log");
    fs::remove(dir + "/out.log");
    return rc;
  };
  std::string out;
  EXPECT_EQ(check(dir + "/a.pem", dir + "/a.key", out), 0) << out;
  EXPECT_EQ(check(dir + "/missing.pem", dir + "/a.key", out), 2) << out;
  EXPECT_NE(out.find("server.tls_certificate_file: cannot read"), std::string::npos) << out;
  EXPECT_EQ(check(dir + "/a.pem", dir + "/b.key", out), 2) << out;
  EXPECT_NE(out.find("server.tls_private_key_file"), std::string::npos) << out;
  EXPECT_NE(out.find("does not match"), std::string::npos) << out;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ioc::test

namespace ioc::test {
namespace {

unsigned short free_port() {
  asio::io_context ioc;
  tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// deploy/nginx/ioc-dti.conf as shipped, run by a private nginx in front of a
// gateway: only its ports, upstreams and certificate paths are replaced.
class NginxFront : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists("/usr/sbin/nginx")) GTEST_SKIP() << "nginx is not installed (apt-get install nginx-light)";
    dir_ = make_temp_dir("ioc-nginx");
    gw_ = std::make_unique<gateway_process>(config_with_server(R"({"port": 0, "push_rate_hz": 20})"));
    ASSERT_TRUE(wait_ready(gw_->port(), 10s));
  }
  void TearDown() override {
    nginx_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Starts nginx on the shipped site, edited by `edit`; waits until it answers.
  void start_nginx(const std::function<std::string(std::string)>& edit = {}) {
    nginx_.reset();
    http_port_ = free_port();
    https_port_ = free_port();
    std::string site = read_text_file(source_dir() + "/deploy/nginx/ioc-dti.conf");
    site = replaced(site, "    listen [::]:80;\n", "");
    site = replaced(site, "    listen [::]:443 ssl http2;\n", "");
    site = replaced(site, "listen 80;", "listen 127.0.0.1:" + std::to_string(http_port_) + ";");
    site = replaced(site, "listen 443 ssl", "listen 127.0.0.1:" + std::to_string(https_port_) + " ssl");
    site = replaced(site, "127.0.0.1:8081", "127.0.0.1:" + std::to_string(gw_->port()));
    site = replaced(site, "127.0.0.1:8082", "127.0.0.1:" + std::to_string(gw_->port()));
    site = replaced(site, "/etc/ssl/ioc/fullchain.pem", test_pki::dir + "/server.pem");
    site = replaced(site, "/etc/ssl/ioc/privkey.pem", test_pki::dir + "/server.key");
    if (edit) site = edit(site);
    std::ofstream(dir_ + "/site.conf") << site;
    std::ofstream(dir_ + "/nginx.conf")
        << "daemon off;\nmaster_process off;\npid " << dir_ << "/nginx.pid;\nerror_log " << dir_ << "/error.log;\n"
        << "events {}\nhttp {\n  access_log off;\n  client_body_temp_path " << dir_ << "/body;\n  proxy_temp_path "
        << dir_ << "/proxy;\n  include " << dir_ << "/site.conf;\n}\n";
    nginx_ = std::make_unique<child_process>(
        std::vector<std::string>{"/usr/sbin/nginx", "-p", dir_, "-c", dir_ + "/nginx.conf"}, dir_ + "/nginx.log");
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        http_call(http_port_, "GET", "/");
        return;
      } catch (const std::exception&) {
        std::this_thread::sleep_for(20ms);
      }
    }
    FAIL() << "nginx did not start: " << read_text_file(dir_ + "/nginx.log") << read_text_file(dir_ + "/error.log");
  }

  std::string ca() const { return test_pki::dir + "/ca.pem"; }

  std::string dir_;
  std::unique_ptr<gateway_process> gw_;
  std::unique_ptr<child_process> nginx_;
  unsigned short http_port_ = 0, https_port_ = 0;
};

TEST_F(NginxFront, RedirectsToHttpsAndSendsHsts) {
  start_nginx();
  auto plain = http_call(http_port_, "GET", "/v1/catalog?x=1");
  EXPECT_EQ(plain.status, 301);
  EXPECT_EQ(plain.headers["Location"], "https://127.0.0.1/v1/catalog?x=1");
  auto secure = https_call(https_port_, ca(), "GET", "/readyz");
  EXPECT_EQ(secure.status, 200) << secure.body;
  EXPECT_NE(secure.headers["Strict-Transport-Security"].find("max-age=31536000"), std::string::npos);
  // Errors carry it too ("always").
  EXPECT_NE(https_call(https_port_, ca(), "GET", "/v1/nothing").headers["Strict-Transport-Security"], "");
}

TEST_F(NginxFront, MetricsOnlyForTheOperatorsNetwork) {
  // Loopback is in the shipped allow list.
  start_nginx();
  auto allowed = https_call(https_port_, ca(), "GET", "/metrics");
  EXPECT_EQ(allowed.status, 200);
  EXPECT_NE(allowed.body.find("ioc_"), std::string::npos);
  // The same file with loopback taken out of the list: refused, while the rest is served.
  start_nginx([](std::string site) { return replaced(site, "allow 127.0.0.1;", ""); });
  EXPECT_EQ(https_call(https_port_, ca(), "GET", "/metrics").status, 403);
  EXPECT_EQ(https_call(https_port_, ca(), "GET", "/readyz").status, 200);
}

}  // namespace
}  // namespace ioc::test
