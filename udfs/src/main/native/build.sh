#!/usr/bin/env bash
# Builds the FAISS JNI shim into the jar's resources. Called by Maven (process-classes) after javac -h wrote the JNI
# header. Without g++ or Debian's libfaiss-dev it warns and builds nothing: the code then falls back to the exact
# Java index, loudly. Usage: build.sh TARGET_DIR
set -euo pipefail
target=$1
here=$(cd "$(dirname "$0")" && pwd)
out="$target/classes/native/linux-x86_64"
warn() { echo "[WARNING] FAISS shim not built: $*; install g++ libfaiss-dev libopenblas-dev (scripts/bootstrap.sh does)" >&2; exit 0; }
command -v g++ >/dev/null || warn "g++ is missing"
[ -f /usr/include/faiss/Index.h ] || warn "/usr/include/faiss is missing"
lib=$(ls /usr/lib/*/libfaiss.a /usr/lib/libfaiss.a 2>/dev/null | head -n 1 || true)
[ -n "$lib" ] || warn "libfaiss.a is missing"
java_home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
[ -f "$java_home/include/jni.h" ] || warn "jni.h not found under $java_home"
src="$here/faiss_jni.cpp"
so="$out/libfaiss_jni.so"
if [ -f "$so" ] && [ "$so" -nt "$src" ] && [ "$so" -nt "$target/native/include/dev_lfr_udfs_index_FaissNative.h" ]; then
  exit 0
fi
mkdir -p "$out"
g++ -std=c++17 -O2 -fPIC -shared -fopenmp -Wall \
  -I"$java_home/include" -I"$java_home/include/linux" -I"$target/native/include" \
  "$src" "$lib" -llapack -lblas -lgomp -ldl -Wl,--no-undefined -o "$so"
echo "[INFO] built $so"
