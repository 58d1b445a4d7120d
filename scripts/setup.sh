#!/usr/bin/env bash
# Installs Apollo's Debian packages (when missing) and builds it in ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(build-essential cmake pkg-config git
  libsystemc-dev libeigen3-dev libboost-program-options-dev libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-cpp-dev nlohmann-json3-dev libsqlite3-dev libspdlog-dev libfmt-dev
  libxgboost-dev liblbfgspp-dev libonnx-dev libprotobuf-dev protobuf-compiler python3-onnx
  libopenmpi-dev openmpi-bin gnuplot-nox sqlite3
  pybind11-dev python3-dev python3-pybind11 python3-numpy python3-pytest python3-optuna python3-matplotlib  # Python module (python/)
  clang libclang-rt-dev llvm)  # sanitizer build + libFuzzer (scripts/sanitize.sh, fuzz.sh); llvm: symbolizer
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
