#pragma once
// What was built: the CMake project version and the git commit the build was
// configured from ("unknown" when built outside a git checkout, e.g. from a
// tarball). Shown by --version and as ioc_build_info in /metrics.

namespace ioc::gateway {

const char* build_version();
const char* build_commit();

}  // namespace ioc::gateway
