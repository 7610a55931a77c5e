// The Debian package (issue #15, item 4): `cpack -G DEB` in the build
// directory; its files and dependencies read back with dpkg-deb; then
// installed into an empty root with `dpkg --root` running its maintainer
// scripts (DPKG_ROOT-aware, chrootless), and Redis and the gateway started
// from that root exactly as their units say, as the users the units name, in a
// private network namespace (so the installed ports 6380 and 8080 are ours).
#include <gtest/gtest.h>

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <fstream>

#include "harness.hpp"
#include "package_root.hpp"

namespace fs = std::filesystem;

namespace ioc::test {
namespace {

using namespace std::chrono_literals;

struct command_result {
  int status = -1;
  std::string output;  // stdout and stderr
};

command_result run(const std::string& command) {
  command_result r;
  if (FILE* p = popen((command + " 2>&1").c_str(), "r")) {
    char buf[4096];
    for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) r.output.append(buf, n);
    const int status = pclose(p);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return r;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Builds the package from this build directory into `out`; returns the .deb's path.
std::string build_package(const std::string& out) {
  const auto r = run("cd " + binary_dir() + " && cpack -G DEB -B " + out);
  EXPECT_EQ(r.status, 0) << r.output;
  for (const auto& e : fs::directory_iterator(out)) {
    if (e.path().extension() == ".deb") return e.path();
  }
  ADD_FAILURE() << "no .deb in " << out << ": " << r.output;
  return "";
}

TEST(Package, CarriesWhatOperatorsNeedAndItsDependencies) {
  const std::string dir = make_temp_dir("ioc-package");
  const std::string deb = build_package(dir);
  ASSERT_FALSE(deb.empty());

  const auto info = run("dpkg-deb --info " + deb);
  ASSERT_EQ(info.status, 0) << info.output;
  EXPECT_TRUE(contains(info.output, "Package: ioc-dti")) << info.output;
  // Libraries found by dpkg-shlibdeps, and what the scripts and units use.
  for (const char* dep : {"libhiredis0.14", "libprotobuf32", "libssl3", "libstdc++6", "libxlsxwriter", "redis-server (>=",
                          "redis-tools", "systemd | systemd-standalone-sysusers"}) {
    EXPECT_TRUE(contains(info.output, dep)) << "Depends lacks " << dep << ":\n" << info.output;
  }
  const auto conffiles = run("dpkg-deb --info " + deb + " conffiles");
  EXPECT_TRUE(contains(conffiles.output, "/etc/ioc-dti/gateway.json")) << conffiles.output;
  EXPECT_TRUE(contains(conffiles.output, "/etc/redis/redis-ioc.conf")) << conffiles.output;

  const auto contents = run("dpkg-deb --contents " + deb);
  ASSERT_EQ(contents.status, 0) << contents.output;
  std::vector<std::string> wanted = {
      "./usr/bin/ioc-gateway", "./usr/bin/ioc-push", "./usr/bin/ioc-sim", "./usr/sbin/ioc-dti-backup",
      "./usr/sbin/ioc-dti-restore", "./usr/sbin/ioc-dti-rolling-restart", "./usr/share/ioc-dti/docs/openapi.json",
      "./usr/share/ioc-dti/config/quang-tri.json", "./usr/share/ioc-dti/config/history/quang-tri-2024.json",
      "./usr/share/ioc-dti/nginx/ioc-dti.conf", "./usr/share/ioc-dti/redis/ioc-dti.conf",
      "./usr/share/ioc-dti/redis/redis-users.acl", "./etc/ioc-dti/gateway.json", "./etc/redis/redis-ioc.conf",
      "./lib/systemd/system/ioc-gateway.service", "./lib/systemd/system/ioc-gateway@.service",
      "./usr/lib/sysusers.d/ioc-dti.conf", "./usr/lib/tmpfiles.d/ioc-dti.conf"};
  // Every file of the wall, its modules under web/wall/ included.
  const std::string web = source_dir() + "/web";
  for (const auto& e : fs::recursive_directory_iterator(web)) {
    if (e.is_regular_file()) wanted.push_back("./usr/share/ioc-dti/web/" + fs::relative(e.path(), web).string());
  }
  for (const auto& path : wanted) {
    EXPECT_TRUE(contains(contents.output, " " + path + "\n")) << path << " is not in the package";
  }
  // Benchmark drivers and tests are not operators' programs.
  for (const char* absent : {"ioc-ingest-load", "ioc-engine-bench", "ioc-fanout-load", "ioc-restart-bench", "_tests"}) {
    EXPECT_FALSE(contains(contents.output, absent)) << absent << " is in the package";
  }
  // Stripped: the gateway is a few MB, not the debug build's tens.
  const auto size = run("dpkg-deb --fsys-tarfile " + deb + " | tar -xO ./usr/bin/ioc-gateway | wc -c");
  EXPECT_LT(std::stol(size.output), 30L << 20) << "ioc-gateway is not stripped";

  // The units parse (no unknown or invalid setting) and the gateway's is
  // hardened: systemd's own exposure score, 0 (locked down) to 10.
  const std::string tree = dir + "/tree";
  ASSERT_EQ(run("dpkg-deb -x " + deb + " " + tree).status, 0);
  const auto verify = run("systemd-analyze verify --root=" + tree +
                          " /lib/systemd/system/ioc-gateway.service /lib/systemd/system/ioc-gateway@8081.service");
  for (const char* bad : {"Unknown", "nvalid", "rror"}) {
    EXPECT_FALSE(contains(verify.output, bad)) << verify.output;
  }
  const auto security = run("systemd-analyze security --offline=true --root=" + tree + " " + tree +
                            "/lib/systemd/system/ioc-gateway.service");
  const auto at = security.output.find("Overall exposure level for ioc-gateway.service: ");
  ASSERT_NE(at, std::string::npos) << security.output;
  const double exposure = std::stod(security.output.substr(at + 48));
  std::printf("[package] %s: %ld bytes; ioc-gateway.service exposure %.1f\n", fs::path(deb).filename().c_str(),
              static_cast<long>(fs::file_size(deb)), exposure);
  EXPECT_LE(exposure, 2.0) << security.output;
  fs::remove_all(dir);
}

// --- installing into a clean root ------------------------------------------

// Root is needed for the private network namespace, the bind mounts and
// chown to the ioc and redis users. A non-root run re-executes this test
// under `sudo -n` when that works without a password (CI has root or sudo).
void become_root_or_skip() {
  if (geteuid() == 0) return;
  if (run("sudo -n true").status == 0) {
    char self[PATH_MAX] = {};
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
      std::string filter = "--gtest_filter=Package.InstallsIntoACleanRootAndServes";
      execl("/usr/bin/sudo", "sudo", "-n", self, filter.c_str(), static_cast<char*>(nullptr));
    }
  }
  GTEST_SKIP() << "needs root (or sudo without a password): dpkg --root, namespaces, chown";
}

TEST(Package, InstallsIntoACleanRootAndServes) {
  become_root_or_skip();
  if (IsSkipped()) return;
  if (!fs::exists("/etc/redis/redis.conf") || !fs::exists("/lib/systemd/system/redis-server@.service")) {
    GTEST_SKIP() << "Debian's redis-server is not installed (deploy/install-deps.sh)";
  }
  if (unshare(CLONE_NEWNET) != 0) GTEST_SKIP() << "no network namespace here (container without CAP_SYS_ADMIN?)";
  ASSERT_TRUE(loopback_up());

  const std::string dir = make_temp_dir("ioc-package-root");
  const std::string deb = build_package(dir + "/deb");
  ASSERT_FALSE(deb.empty());
  const std::string root = dir + "/root";
  prepare_root(root);

  // The maintainer scripts run outside a chroot with DPKG_ROOT set; only the
  // dependencies are forced (they are simulated above, not installed).
  const std::string dpkg = "dpkg --root=" + root + " --log=" + dir + "/dpkg.log --force-script-chrootless ";
  const auto install = run(dpkg + "--force-depends -i " + deb);
  ASSERT_EQ(install.status, 0) << install.output;
  EXPECT_TRUE(contains(run(dpkg + "-s ioc-dti").output, "Status: install ok installed"));

  // sysusers and tmpfiles: the user, its directories, modes and owners.
  const int ioc_uid = id_in(root + "/etc/passwd", "ioc"), ioc_gid = id_in(root + "/etc/group", "ioc");
  ASSERT_GT(ioc_uid, 0) << read_text_file(root + "/etc/passwd");
  const std::string ioc = std::to_string(ioc_gid);
  EXPECT_EQ(mode_owner(root + "/etc/ioc-dti"), "0750 0:" + ioc);
  EXPECT_EQ(mode_owner(root + "/etc/ioc-dti/gateway.json"), "0640 0:" + ioc);
  EXPECT_EQ(mode_owner(root + "/etc/ioc-dti/redis-password"), "0640 0:" + ioc);
  EXPECT_EQ(mode_owner(root + "/etc/ioc-dti/redis-admin-password"), "0600 0:0");
  EXPECT_EQ(mode_owner(root + "/etc/redis/ioc-users.acl"), "0640 0:101");
  EXPECT_EQ(mode_owner(root + "/var/lib/ioc-dti"), "0750 " + std::to_string(ioc_uid) + ":" + ioc);
  EXPECT_EQ(mode_owner(root + "/var/lib/redis/ioc"), "0750 101:101");
  // The ACL holds the passwords' hashes, never the passwords.
  std::string gateway_password = read_text_file(root + "/etc/ioc-dti/redis-password");
  gateway_password.resize(gateway_password.find('\n'));
  EXPECT_EQ(gateway_password.size(), 64u);
  const std::string acl = read_text_file(root + "/etc/redis/ioc-users.acl");
  EXPECT_FALSE(contains(acl, "CHANGE-ME"));
  EXPECT_FALSE(contains(acl, gateway_password));
  EXPECT_TRUE(contains(acl, "#" + shell_output("printf %s " + gateway_password + " | sha256sum | cut -d' ' -f1")));

  // Redis as Debian's template unit runs it for instance "ioc", as redis.
  const unit_file redis_unit = read_unit(root + "/lib/systemd/system/redis-server@.service");
  ASSERT_EQ(redis_unit.first("User"), "redis");
  fs::create_directories(root + "/run/redis-ioc");  // RuntimeDirectory=redis-%i
  chown((root + "/run/redis-ioc").c_str(), 101, 101);
  const pid_t redis = start_in_root(root, split_command(redis_unit.first("ExecStart"), "ioc"), 101, 101, "/",
                                    dir + "/redis.out");
  const std::string admin_cli = "REDISCLI_AUTH=$(head -n1 " + root +
                                "/etc/ioc-dti/redis-admin-password) redis-cli -p 6380 --user ioc-admin ";
  const bool redis_up = poll_until([&] { return shell_output(admin_cli + "PING") == "PONG"; }, 10s);
  EXPECT_TRUE(redis_up) << read_text_file(dir + "/redis.out") << read_text_file(root + "/var/log/redis/redis-server-ioc.log");
  // The default user is off: no command without a password.
  EXPECT_TRUE(contains(shell_output("redis-cli -p 6380 PING 2>&1"), "NOAUTH"));

  // The gateway as its unit says: the configuration check, then the service.
  const unit_file gateway_unit = read_unit(root + "/lib/systemd/system/ioc-gateway.service");
  ASSERT_EQ(gateway_unit.first("User"), "ioc");
  const std::string workdir = gateway_unit.first("WorkingDirectory");
  const pid_t check = start_in_root(root, split_command(gateway_unit.first("ExecStartPre"), ""), ioc_uid, ioc_gid,
                                    workdir, dir + "/check.out");
  EXPECT_EQ(wait_exit(check, 30s), 0) << read_text_file(dir + "/check.out");
  const pid_t gateway = start_in_root(root, split_command(gateway_unit.first("ExecStart"), ""), ioc_uid, ioc_gid,
                                      workdir, dir + "/gateway.out");
  const bool healthy = poll_until(
      [&] {
        try {
          return http_call(8080, "GET", "/healthz").status == 200;
        } catch (...) {
          return false;
        }
      },
      15s);
  EXPECT_TRUE(healthy) << read_text_file(dir + "/gateway.out");
  if (healthy) {
    // Ready means it recovered from Redis as the ACL user with the generated password.
    EXPECT_TRUE(wait_ready(8080, 10s)) << read_text_file(dir + "/gateway.out");
    const auto wall = http_call(8080, "GET", "/");
    EXPECT_EQ(wall.status, 200);
    EXPECT_EQ(wall.body, read_text_file(source_dir() + "/web/index.html"));
    EXPECT_EQ(http_call(8080, "GET", "/wall.js").status, 200);
    EXPECT_EQ(http_call(8080, "GET", "/wall/live.js").status, 200);
    const auto contract = http_call(8080, "GET", "/v1/openapi.json");
    EXPECT_EQ(contract.status, 200);
    EXPECT_EQ(contract.body, read_text_file(source_dir() + "/docs/openapi.json"));
    // An agency's sample is acknowledged: the XADD passed the ACL.
    const auto ack = http_call(
        8080, "POST", "/v1/samples",
        "{\"sourceId\":\"package-test\",\"sequence\":1,\"samples\":[{\"indicator\":\"online_dossier_rate\","
        "\"area\":\"18880\",\"eventTimeMs\":\"" + std::to_string(now_ms()) + "\",\"ratio\":{\"numerator\":1,\"denominator\":1}}]}",
        {{"Authorization", "Bearer demo-tthc_center-token"}, {"Content-Type", "application/json"}});
    EXPECT_EQ(ack.status, 200) << ack.body;
    EXPECT_TRUE(contains(ack.body, "\"accepted\":1")) << ack.body;
    EXPECT_EQ(shell_output(admin_cli + "XLEN '{ioc:44}:log'"), "1");
  }
  kill(gateway, SIGTERM);
  EXPECT_EQ(wait_exit(gateway, 15s), 0) << read_text_file(dir + "/gateway.out");
  kill(redis, SIGTERM);
  wait_exit(redis, 15s);

  // An upgrade (here the same version again) keeps the passwords, the ACL's
  // hashes and an operator's edit of the configuration.
  const std::string acl_before = read_text_file(root + "/etc/redis/ioc-users.acl");
  const std::string config_path = root + "/etc/ioc-dti/gateway.json";
  std::string edited = read_text_file(config_path);
  const std::string level = "\"log_level\": \"info\"";
  ASSERT_TRUE(contains(edited, level));
  edited.replace(edited.find(level), level.size(), "\"log_level\": \"warn\"");
  std::ofstream(config_path) << edited;
  const auto upgrade = run(dpkg + "--force-depends --force-confold -i " + deb);
  ASSERT_EQ(upgrade.status, 0) << upgrade.output;
  EXPECT_EQ(read_text_file(root + "/etc/ioc-dti/redis-password"), gateway_password + "\n");
  EXPECT_EQ(read_text_file(root + "/etc/redis/ioc-users.acl"), acl_before);
  EXPECT_TRUE(contains(read_text_file(config_path), "\"log_level\": \"warn\""));
  EXPECT_EQ(mode_owner(config_path), "0640 0:" + ioc);

  // Purge takes the generated credentials and keeps the province's data.
  const auto purge = run(dpkg + "--purge ioc-dti");
  EXPECT_EQ(purge.status, 0) << purge.output;
  EXPECT_FALSE(fs::exists(root + "/etc/ioc-dti/redis-password"));
  EXPECT_FALSE(fs::exists(root + "/etc/redis/ioc-users.acl"));
  EXPECT_FALSE(fs::exists(root + "/usr/bin/ioc-gateway"));
  EXPECT_TRUE(fs::exists(root + "/var/lib/redis/ioc/appendonlydir"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ioc::test
