#pragma once
// A clean root for the package test: what the package's dependencies leave
// there, its units read back, and processes started inside it as its units
// say (chrooted, as a given user, with the host's libraries bind-mounted in
// a mount namespace of their own).
#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace ioc::test {

// A user or group id from the root's own passwd or group file; -1 if absent.
int id_in(const std::string& file, const std::string& name);

// A systemd unit file's settings: every value of each key, in order.
struct unit_file {
  std::map<std::string, std::vector<std::string>> keys;
  std::string first(const std::string& key) const;
};
unit_file read_unit(const std::string& path);

// An Exec line as argv, with %i replaced by `instance`.
std::vector<std::string> split_command(std::string command, const std::string& instance);

// What the Debian packages ioc-dti depends on leave in a root: the redis user
// (101), Debian's redis.conf and its instance template, directories for the
// host's libraries, and an empty dpkg database.
void prepare_root(const std::string& root);

// Starts `argv` chrooted into `root` as uid:gid in `workdir`, output to `log`.
// The bind mounts (libraries, /dev, /proc, redis-server) live in the child's
// own mount namespace and die with it: the caller's view of `root` never has
// them, so removing it is safe.
pid_t start_in_root(const std::string& root, const std::vector<std::string>& argv, int uid, int gid,
                    const std::string& workdir, const std::string& log);

// Waits for `pid`; its exit status, 128+signal, or -1 (then killed) on timeout.
int wait_exit(pid_t pid, std::chrono::milliseconds timeout);

// Brings up the loopback of a fresh network namespace (it starts down).
bool loopback_up();

// "0640 0:999": a path's mode and numeric owner, or "missing".
std::string mode_owner(const std::string& path);

}  // namespace ioc::test
