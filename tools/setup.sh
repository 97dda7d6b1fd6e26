#!/usr/bin/env bash
# Installs the Debian packages LiveLadder needs to build and test, if missing.
# Idempotent: when everything is already installed it does nothing (no
# apt-get update, no network). Works as root, or through sudo when not root.
#
#   tools/setup.sh
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
  # build: FFmpeg C libraries found through pkg-config
  pkg-config
  libavcodec-dev
  libavfilter-dev
  libavformat-dev
  libswscale-dev
  libswresample-dev
  libavutil-dev
  # fixtures (tools/make-fixtures.sh) and probing
  ffmpeg
  # HLS playback checks (tools/gst-count-frames.sh)
  gstreamer1.0-tools
  gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad
  gstreamer1.0-libav
  python3
  python3-gi
  gir1.2-gstreamer-1.0
  # push tests: a real origin on loopback (nginx with its WebDAV module: PUT, DELETE)
  nginx-light
)

die() {
  echo "setup: ERROR: $*" >&2
  exit 1
}

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found; this script supports Debian/Ubuntu only"

missing=()
for pkg in "${PACKAGES[@]}"; do
  # dpkg -s exits 0 for packages that are merely known (e.g. removed but with
  # config files left), so check the status field as well.
  status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != "installed" ]]; then
    missing+=("$pkg")
  fi
done

# Python packages from PyPI for tools/validate-deploy.py (kubernetes-validate bundles the Kubernetes
# schemas, so validating needs no network) and tools/dashboard-metrics.py (prometheus-client's parser).
# Installed into whatever python3 is first on PATH (CI's may be a pyenv python, not Debian's), and only
# when an import fails, so a set-up machine does nothing.
python_packages() {
  local wanted=() spec module
  for spec in kubernetes-validate:kubernetes_validate prometheus-client:prometheus_client pyyaml:yaml; do
    module="${spec#*:}"
    python3 -c "import ${module}" >/dev/null 2>&1 || wanted+=("${spec%%:*}")
  done
  ((${#wanted[@]} == 0)) && return 0
  python3 -m pip --version >/dev/null 2>&1 || die "$(command -v python3) has no pip (Debian: apt-get install python3-pip)"
  local flags=(--quiet --disable-pip-version-check --root-user-action=ignore)
  # Debian's own python3 refuses pip installs (PEP 668) unless told; a pyenv python does not.
  if python3 -c 'import os, sysconfig; raise SystemExit(not os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))'; then
    flags+=(--break-system-packages)
  fi
  echo "setup: pip installing ${wanted[*]} into $(command -v python3)"
  python3 -m pip install "${flags[@]}" "${wanted[@]}" || die "pip install ${wanted[*]} failed"
}

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#PACKAGES[@]} packages already installed"
  python_packages
  exit 0
fi

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
    # -n: never prompt; fall back to an interactive sudo only with a terminal.
    if ! sudo -n true 2>/dev/null; then
      if [[ -t 0 ]]; then
        SUDO=(sudo)
      else
        die "not root and sudo needs a password (no terminal to ask); missing: ${missing[*]}"
      fi
    fi
  else
    die "not root and sudo is not available; install as root: apt-get install ${missing[*]}"
  fi
fi

echo "setup: installing ${#missing[@]} missing package(s): ${missing[*]}"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

run_quiet() {
  if ! "$@" >"$log" 2>&1; then
    echo "setup: ERROR: command failed: $*" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
}

run_quiet "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
run_quiet "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"

# Verify.
still=()
for pkg in "${missing[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == "installed" ]] || still+=("$pkg")
done
((${#still[@]} == 0)) || die "packages still not installed after apt-get: ${still[*]}"

echo "setup: installed ${missing[*]}"

python_packages
