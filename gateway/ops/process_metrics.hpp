#pragma once
// The standard process_* families (as Prometheus client libraries name them),
// read from /proc/self on each render: CPU seconds, resident and virtual
// memory, open and maximum file descriptors, start time.
#include "gateway/ops/prom_text.hpp"

namespace ioc::gateway {

// Appends the families it could read (none off Linux). Any thread.
void render_process_metrics(prom_text& out);

}  // namespace ioc::gateway
