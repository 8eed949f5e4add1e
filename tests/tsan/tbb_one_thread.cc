// Linked into every test of the ThreadSanitizer build (TRIAGE_TSAN): oneTBB runs its work on the calling thread.
// Debian's libtbb is not instrumented, so TSan cannot see its hand-offs between worker threads and would report
// each one as a race; with one thread the races TSan checks are those between triage's own threads (HTTP workers,
// ingest, review, readers), which is what the TSan tests are for.
#include <oneapi/tbb/global_control.h>

namespace {

const oneapi::tbb::global_control kOneThread(oneapi::tbb::global_control::max_allowed_parallelism, 1);

}  // namespace
