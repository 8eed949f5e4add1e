// The ctest fixture around the PostgreSQL tests: `pg_test_cluster start FILE` starts a cluster and writes its
// directory to FILE (stopping one a crashed earlier run left there first); `pg_test_cluster stop FILE` ends it.
#include <cstdio>
#include <fstream>
#include <string>

#include "tests/postgres/test_cluster.h"

namespace {

using triage::testing::PostgresCluster;

triage::base::Status StopRecorded(const std::string& file) {
  std::ifstream in(file);
  std::string dir;
  if (!std::getline(in, dir) || dir.empty()) return triage::base::Status::Ok();
  in.close();
  std::remove(file.c_str());
  return PostgresCluster::StopAt(dir);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || (std::string(argv[1]) != "start" && std::string(argv[1]) != "stop")) {
    std::fprintf(stderr, "usage: pg_test_cluster start|stop STATE_FILE\n");
    return 2;
  }
  const std::string file = argv[2];
  triage::base::Status stopped = StopRecorded(file);
  if (std::string(argv[1]) == "stop") {
    if (!stopped.ok()) std::fprintf(stderr, "%s\n", stopped.ToString().c_str());
    return stopped.ok() ? 0 : 1;
  }
  auto cluster = PostgresCluster::Start();
  if (!cluster.ok()) {
    std::fprintf(stderr, "%s\n", cluster.status().ToString().c_str());
    return 1;
  }
  std::ofstream(file) << (*cluster)->dir().string() << "\n";
  (*cluster)->Release();
  std::printf("PostgreSQL test cluster in %s\n", (*cluster)->dir().c_str());
  return 0;
}
