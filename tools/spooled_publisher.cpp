#include "tools/spooled_publisher.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
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

}  // namespace

spooled_publisher::spooled_publisher(std::string spool_dir, std::string source_id, std::unique_ptr<agency_client> client)
    : dir_(std::move(spool_dir)), source_id_(std::move(source_id)), client_(std::move(client)) {
  fs::create_directories(dir_);
  load();
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
  // state: "<next sequence> <input offset>"
  std::istringstream state(read_file(dir_ + "/state"));
  std::uint64_t next = 0, offset = 0;
  if (state >> next >> offset) {
    next_seq_ = next;
    input_offset_ = offset;
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
}

void spooled_publisher::save_state() {
  write_durably(dir_ + "/state", std::to_string(next_seq_) + " " + std::to_string(input_offset_) + "\n");
}

std::uint64_t spooled_publisher::spool(const std::vector<ioc::v1::Sample>& samples, std::uint64_t input_offset) {
  ioc::v1::IngestBatch b;
  b.set_source_id(source_id_);
  const std::uint64_t seq = next_seq_++;
  b.set_sequence(seq);
  for (const auto& s : samples) *b.add_samples() = s;
  // The batch is durable before the input offset moves past it.
  const std::string path = batch_path(seq, input_offset);
  write_durably(path, b.SerializeAsString());
  pending_[seq] = path;
  input_offset_ = input_offset;
  save_state();
  return seq;
}

void spooled_publisher::drain(const std::function<void(const ioc::v1::Refusal&)>& on_refused) {
  auto started = std::chrono::steady_clock::now();
  int attempt = 0;
  while (!pending_.empty()) {
    const auto [seq, path] = *pending_.begin();
    ioc::v1::IngestBatch b;
    if (!b.ParseFromString(read_file(path))) {
      throw std::runtime_error("spooled batch " + path + " is unreadable");
    }
    try {
      const ioc::v1::Ack ack = client_->send(b);
      const auto reason = ack.batch_reason();
      if (reason == ioc::v1::STORAGE_UNAVAILABLE || reason == ioc::v1::IN_FLIGHT || reason == ioc::v1::RATE_LIMITED) {
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(2000, 100 << std::min(attempt++, 4))));
        continue;
      }
      if (reason == ioc::v1::DUPLICATE) {
        ++stats_.duplicates;
      } else if (reason != ioc::v1::REASON_UNSPECIFIED) {
        // Refused as a whole for a reason retrying cannot fix: report and drop.
        ioc::v1::Refusal r;
        r.set_reason(reason);
        r.set_message(ack.batch_message());
        if (on_refused) on_refused(r);
        stats_.samples_refused += static_cast<std::uint64_t>(b.samples_size());
      }
      stats_.samples_accepted += ack.accepted();
      stats_.samples_refused += static_cast<std::uint64_t>(ack.refused_size());
      for (const auto& r : ack.refused()) {
        if (on_refused) on_refused(r);
      }
      ++stats_.batches_acked;
      fs::remove(path);
      pending_.erase(seq);
      attempt = 0;
      started = std::chrono::steady_clock::now();
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
