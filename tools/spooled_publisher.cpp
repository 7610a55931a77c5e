#include "tools/spooled_publisher.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace ioc::tools {

namespace fs = std::filesystem;

namespace {

// Writes `data` to `path` atomically and durably: temp file, fsync, rename,
// fsync of the directory.
void write_durably(const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp);
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("cannot write " + tmp);
    }
    done += static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  fs::rename(tmp, path);
  const int dfd = ::open(fs::path(path).parent_path().c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A name that is safe as one path component.
std::string path_component(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    out += ok ? c : '_';
  }
  return out.substr(0, 100);
}

// FNV-1a: stable across builds, enough to keep two agencies' spools apart.
std::string short_hash(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return std::string(out, 8);
}

std::uint64_t random_epoch() {
  std::random_device rd;
  std::uint64_t e = 0;
  while (e == 0) e = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  return e;
}

}  // namespace

std::string default_spool_dir(const std::string& gateway_url, const std::string& token, const std::string& source_id) {
  std::string base;
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) {
    base = std::string(xdg) + "/ioc-push";
  } else if (::geteuid() == 0) {
    base = "/var/lib/ioc-push";
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = std::string(home) + "/.local/state/ioc-push";
  } else {
    throw std::runtime_error("no XDG_STATE_HOME or HOME to keep the spool in; pass --spool DIR");
  }
  return base + "/" + path_component(gateway_url) + "/" + short_hash(token) + "-" + path_component(source_id);
}

spooled_publisher::spooled_publisher(std::string spool_dir, std::string source_id, std::unique_ptr<agency_client> client)
    : dir_(std::move(spool_dir)), source_id_(std::move(source_id)), client_(std::move(client)) {
  fs::create_directories(dir_);
  lock_fd_ = ::open((dir_ + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) throw std::runtime_error("cannot open " + dir_ + "/lock");
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw spool_in_use("spool " + dir_ + " is in use by another ioc-push; two processes must not share a spool");
  }
  load();
}

spooled_publisher::~spooled_publisher() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

// "<seq>-<input offset>.batch": the batch names how far the input is consumed
// once it exists, so a crash between writing it and saving the state cannot
// make a restart read its lines again.
std::string spooled_publisher::batch_path(std::uint64_t seq, std::uint64_t offset) const {
  char name[64];
  std::snprintf(name, sizeof name, "%020llu-%020llu.batch", static_cast<unsigned long long>(seq),
                static_cast<unsigned long long>(offset));
  return dir_ + "/" + name;
}

void spooled_publisher::load() {
  // state: "<next sequence> <input offset> <source epoch>"; a spool written
  // before epochs has none and goes on with epoch 0.
  const std::string text = read_file(dir_ + "/state");
  std::istringstream state(text);
  std::uint64_t next = 0, offset = 0, epoch = 0;
  if (state >> next >> offset) {
    next_seq_ = next;
    input_offset_ = offset;
    if (state >> epoch) epoch_ = epoch;
  }
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    if (name.size() == 47 && name.substr(name.size() - 6) == ".batch") {
      const std::uint64_t seq = std::stoull(name.substr(0, 20));
      const std::uint64_t offset = std::stoull(name.substr(21, 20));
      pending_[seq] = entry.path().string();
      next_seq_ = std::max(next_seq_, seq + 1);
      input_offset_ = std::max(input_offset_, offset);
    }
  }
  if (text.empty() && pending_.empty()) {
    // A new spool is a new incarnation of the publisher: durable before any
    // batch carries it.
    epoch_ = random_epoch();
    write_durably(dir_ + "/unchecked", "the input position is not yet checked with the gateway\n");
    save_state();
  }
}

bool spooled_publisher::fresh() const { return fs::exists(dir_ + "/unchecked"); }

void spooled_publisher::mark_resume_checked() { fs::remove(dir_ + "/unchecked"); }

std::string spooled_publisher::cursor_of(const std::string& identity, std::uint64_t offset) {
  return identity + "@" + std::to_string(offset);
}

void spooled_publisher::resume_input_at(std::uint64_t offset) {
  input_offset_ = offset;
  save_state();
}

void spooled_publisher::set_input_identity(const std::string& identity) {
  const std::string path = dir_ + "/input";
  input_identity_ = identity;
  if (read_file(path) == identity) {
    return;
  }
  input_offset_ = 0;
  write_durably(path, identity);
  save_state();
}

void spooled_publisher::save_state() {
  write_durably(dir_ + "/state",
                std::to_string(next_seq_) + " " + std::to_string(input_offset_) + " " + std::to_string(epoch_) + "\n");
}

std::uint64_t spooled_publisher::spool(const std::vector<ioc::v1::Sample>& samples, std::uint64_t input_offset,
                                       const std::vector<std::uint64_t>& lines) {
  ioc::v1::IngestBatch b;
  b.set_source_id(source_id_);
  b.set_source_epoch(epoch_);
  if (!input_identity_.empty()) b.set_publisher_cursor(cursor_of(input_identity_, input_offset));
  const std::uint64_t seq = next_seq_++;
  b.set_sequence(seq);
  for (const auto& s : samples) *b.add_samples() = s;
  // The batch is durable before the input offset moves past it; its input
  // lines (for naming refused samples) before the batch.
  const std::string path = batch_path(seq, input_offset);
  if (!lines.empty()) {
    std::string text;
    for (std::uint64_t l : lines) text += std::to_string(l) + " ";
    write_durably(path + ".lines", text);
  }
  write_durably(path, b.SerializeAsString());
  pending_[seq] = path;
  input_offset_ = input_offset;
  save_state();
  return seq;
}

void spooled_publisher::drain(const std::function<void(const refused_input&)>& on_refused) {
  auto started = std::chrono::steady_clock::now();
  int attempt = 0;
  while (!pending_.empty()) {
    const auto [seq, path] = *pending_.begin();
    ioc::v1::IngestBatch b;
    if (!b.ParseFromString(read_file(path))) {
      throw std::runtime_error("spooled batch " + path + " is unreadable");
    }
    std::vector<std::uint64_t> lines;
    {
      std::istringstream in(read_file(path + ".lines"));
      for (std::uint64_t l; in >> l;) lines.push_back(l);
    }
    auto line_of = [&](std::uint32_t index) -> std::uint64_t { return index < lines.size() ? lines[index] : 0; };
    try {
      const ioc::v1::Ack ack = client_->send(b);
      const auto reason = ack.batch_reason();
      if (reason == ioc::v1::STORAGE_UNAVAILABLE || reason == ioc::v1::IN_FLIGHT || reason == ioc::v1::RATE_LIMITED) {
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(2000, 100 << std::min(attempt++, 4))));
        continue;
      }
      if (reason == ioc::v1::DUPLICATE) {
        ++stats_.duplicates;  // the ack is the first answer: counted below like any other
      } else if (reason != ioc::v1::REASON_UNSPECIFIED) {
        // Refused as a whole for a reason retrying cannot fix: report and drop.
        refused_input r;
        r.refusal.set_reason(reason);
        r.refusal.set_message(ack.batch_message());
        r.sequence = seq;
        r.whole_batch = true;
        if (!lines.empty()) {
          r.first_line = lines.front();
          r.last_line = lines.back();
        }
        if (on_refused) on_refused(r);
        stats_.samples_refused += static_cast<std::uint64_t>(b.samples_size());
      }
      stats_.samples_accepted += ack.accepted();
      stats_.samples_refused += static_cast<std::uint64_t>(ack.refused_size());
      for (const auto& refusal : ack.refused()) {
        refused_input r;
        r.refusal = refusal;
        r.sequence = seq;
        r.first_line = r.last_line = line_of(refusal.index());
        if (on_refused) on_refused(r);
      }
      ++stats_.batches_acked;
      fs::remove(path);
      fs::remove(path + ".lines");
      pending_.erase(seq);
      attempt = 0;
      started = std::chrono::steady_clock::now();
    } catch (const tls_refused&) {
      throw;  // an untrusted certificate stays untrusted
    } catch (const connection_refused& e) {
      if (e.close_code == 1008 || e.close_code == 1009) throw;  // a wrong token or limit: retrying will not help
      client_->close();
    } catch (const std::runtime_error&) {
      client_->close();
    }
    if (!client_->connected()) {
      const auto waited = std::chrono::steady_clock::now() - started;
      if (give_up_after_ms_ > 0 && waited > std::chrono::milliseconds(give_up_after_ms_)) {
        throw std::runtime_error("gateway unreachable for " + std::to_string(give_up_after_ms_ / 1000) +
                                 " s; " + std::to_string(pending_.size()) + " batch(es) stay spooled in " + dir_);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(5000, 100 << std::min(attempt++, 6))));
    }
  }
}

}  // namespace ioc::tools
