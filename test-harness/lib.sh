# shellcheck shell=bash
# Sourced by the scripts in test-harness/: small helpers for tools, ports and redis processes.

# Succeeds when the executable $1 is on PATH or in the sbin folders that Debian keeps nutcracker in; an absolute
# path is a file the package installs (a library has no command: /usr/lib/ruby/vendor_ruby/redis/namespace.rb).
rp_have() {
  case $1 in
    /*) [ -e "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/local/sbin/$1" ] ;;
  esac
}

# rp_ensure TOOL:PACKAGE... installs the Debian packages of the missing tools (a TOOL may be an absolute path, see
# rp_have) when running as root; otherwise says what to install and returns 1.
rp_ensure() {
  local pair missing=()
  for pair in "$@"; do
    rp_have "${pair%%:*}" || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    rp_apt_install "${missing[@]}"
    return
  fi
  echo "missing: ${missing[*]}; install them, e.g. \`sudo apt-get install -y ${missing[*]}\`" \
    "(Debian/Ubuntu package names; on macOS: brew install redis twemproxy maven)" >&2
  return 1
}

# rp_apt_install PACKAGE...: apt-get update and install, quietly unless it fails.
rp_apt_install() {
  local log
  echo "installing $* (apt-get)" >&2
  log=$(mktemp)
  if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"; } \
      >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "could not install $*" >&2
    return 1
  fi
  rm -f "$log"
}

# Puts /usr/sbin on PATH (nutcracker lives there on Debian, and it is not on a normal user's PATH).
rp_sbin_on_path() {
  case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH="$PATH:/usr/sbin" ;; esac
}

# Succeeds when something accepts connections on 127.0.0.1:$1.
rp_port_in_use() {
  (exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$1")
}

# Succeeds when 127.0.0.1:$1 answers PING with +PONG.
rp_pings() {
  local reply
  # shellcheck disable=SC2016  # $4 is RESP, not a variable
  reply=$(exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$1" && printf '*1\r\n$4\r\nPING\r\n' >&3 && timeout 1 head -c 5 <&3)
  [ "$reply" = "+PONG" ]
}

# rp_await_ping PORT SECONDS: waits until the port answers PING.
rp_await_ping() {
  local port=$1 deadline=$((SECONDS + $2))
  until rp_pings "$port"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

# rp_stop_pid PID [NAME]: SIGTERM, up to 5 s for the process to go, then SIGKILL.
rp_stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
  echo "${2:-process $pid} ignored SIGTERM; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}
