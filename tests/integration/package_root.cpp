#include "package_root.hpp"

#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.hpp"

namespace fs = std::filesystem;

namespace ioc::test {

// A user or group id from the root's own files.
int id_in(const std::string& file, const std::string& name) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + ":", 0) == 0) {
      std::stringstream fields(line);
      std::string f;
      for (int i = 0; i < 3; ++i) std::getline(fields, f, ':');
      return std::stoi(f);
    }
  }
  return -1;
}

std::string unit_file::first(const std::string& key) const {
  auto it = keys.find(key);
  return it == keys.end() || it->second.empty() ? "" : it->second.front();
}

unit_file read_unit(const std::string& path) {
  unit_file u;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line[0] == '[') continue;
    const auto eq = line.find('=');
    if (eq != std::string::npos) u.keys[line.substr(0, eq)].push_back(line.substr(eq + 1));
  }
  return u;
}

std::vector<std::string> split_command(std::string command, const std::string& instance) {
  for (std::size_t p; (p = command.find("%i")) != std::string::npos;) command.replace(p, 2, instance);
  std::vector<std::string> argv;
  std::stringstream words(command);
  for (std::string w; words >> w;) argv.push_back(w);
  return argv;
}

// What the Debian packages this one depends on leave in a root: the redis
// user, Debian's redis.conf and its instance template, the host's libraries
// (bind-mounted at run time), and an empty dpkg database.
void prepare_root(const std::string& root) {
  for (const char* d : {"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "var/log/redis",
                        "var/lib/redis", "etc/redis", "lib/systemd/system", "run", "tmp", "dev", "proc", "usr/bin",
                        "lib64", "lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu"}) {
    fs::create_directories(root + "/" + d);
  }
  std::ofstream(root + "/var/lib/dpkg/status");
  std::ofstream(root + "/etc/passwd") << "root:x:0:0:root:/root:/bin/bash\n"
                                         "redis:x:101:101::/var/lib/redis:/usr/sbin/nologin\n";
  std::ofstream(root + "/etc/group") << "root:x:0:\nadm:x:4:\nredis:x:101:\n";
  fs::copy_file("/etc/redis/redis.conf", root + "/etc/redis/redis.conf");
  fs::copy_file("/lib/systemd/system/redis-server@.service", root + "/lib/systemd/system/redis-server@.service");
  chown((root + "/etc/redis/redis.conf").c_str(), 101, 101);
  chown((root + "/var/log/redis").c_str(), 101, 4);
  chown((root + "/var/lib/redis").c_str(), 101, 101);
  chmod((root + "/tmp").c_str(), 01777);
  std::ofstream(root + "/usr/bin/redis-server");  // a mount point for the host's
}

// Starts `argv` chrooted into `root` as uid:gid in `workdir`, in a mount
// namespace of its own where the host's libraries, /dev, /proc and
// redis-server appear inside the root. The mounts die with the process: the
// test's own view of `root` never has them, so removing it is safe.
pid_t start_in_root(const std::string& root, const std::vector<std::string>& argv, int uid, int gid,
                    const std::string& workdir, const std::string& log) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  dup2(out, 1);
  dup2(out, 2);
  auto fail = [](const char* what) {
    perror(what);
    _exit(127);
  };
  if (unshare(CLONE_NEWNS) != 0) fail("unshare");
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail("mount private");
  const std::pair<const char*, const char*> binds[] = {
      // Merged /usr or not, these are where ld.so and the libraries are (amd64).
      {"/usr/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"}, {"/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu"},
      {"/lib64", "/lib64"}, {"/dev", "/dev"}, {"/proc", "/proc"}, {"/usr/bin/redis-server", "/usr/bin/redis-server"}};
  for (const auto& [from, to] : binds) {
    const std::string target = root + to;
    if (mount(from, target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) fail(to);
    mount(nullptr, target.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, nullptr);
  }
  if (chroot(root.c_str()) != 0 || chdir(workdir.c_str()) != 0) fail("chroot");
  if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0) fail("drop privileges");
  umask(027);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  fail("execv");
  return -1;
}

int wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  int status = 0;
  const bool done = poll_until([&] { return waitpid(pid, &status, WNOHANG) == pid; }, timeout);
  if (!done) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The loopback of a fresh network namespace starts down.
bool loopback_up() {
  const int s = socket(AF_INET, SOCK_DGRAM, 0);
  ifreq req{};
  std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = s >= 0 && ioctl(s, SIOCGIFFLAGS, &req) == 0;
  req.ifr_flags |= IFF_UP;
  ok = ok && ioctl(s, SIOCSIFFLAGS, &req) == 0;
  if (s >= 0) close(s);
  return ok;
}

std::string mode_owner(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return "missing";
  char text[64];
  std::snprintf(text, sizeof text, "%04o %d:%d", st.st_mode & 07777, st.st_uid, st.st_gid);
  return text;
}

}  // namespace ioc::test
