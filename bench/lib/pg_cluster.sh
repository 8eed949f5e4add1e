# Sourced by benchmarks that need PostgreSQL: a throw-away cluster in a directory of the caller's (initdb + pg_ctl,
# a Unix socket only, fsync on), run as $TRIAGE_PG_TEST_USER (default nobody) when the caller is root.
# pg_cluster_start DIR starts it; pg_cluster_stop DIR stops it (safe to call when it never started);
# pg_psql DIR ARGS... runs psql against it; pg_cluster_url DIR DB prints a database's catalog URL.
pgbin="${TRIAGE_PG_BIN:-/usr/lib/postgresql/15/bin}"
pguser="${TRIAGE_PG_TEST_USER:-nobody}"
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u "$pguser" -- "$@"; else "$@"; fi; }
pg_cluster_start() {
  mkdir -p "$1"
  [[ $(id -u) -eq 0 ]] && chown "$pguser" "$1"
  as_pg "$pgbin/initdb" -D "$1/data" -U triage --auth=trust >/dev/null
  as_pg "$pgbin/pg_ctl" -D "$1/data" -l "$1/log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories='$1' -c max_connections=100" start >/dev/null
}
pg_cluster_stop() {
  [[ -f $1/data/postmaster.pid ]] && as_pg "$pgbin/pg_ctl" -D "$1/data" -m immediate stop >/dev/null 2>&1
  return 0
}
pg_psql() {
  local dir="$1"
  shift
  command psql -h "$dir" -U triage -X -q -A -t "$@"
}
pg_cluster_url() { echo "postgresql://triage@/$2?host=$1"; }
