#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build, test and run the project: a JDK 17+, Maven, Node.js
# and npm (models are fetched as npm packages), g++ with Debian's FAISS and OpenBLAS (the watchlist index's native
# shim is compiled by the build), Chromium with its WebDriver (the officer console's browser tests) and ffmpeg (the
# camera gateway's tests stream from it).
# Idempotent; as root it runs apt-get, otherwise it prints the command to run.
set -euo pipefail
packages=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
java_ok() { command -v javac >/dev/null && [ "$(javac -version 2>&1 | sed -E 's/javac ([0-9]+).*/\1/')" -ge 17 ]; }
java_ok || packages+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || packages+=(maven)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
command -v g++ >/dev/null || packages+=(g++)
if command -v dpkg-query >/dev/null; then
  have_pkg libfaiss-dev || packages+=(libfaiss-dev)
  have_pkg libopenblas0-pthread || packages+=(libopenblas0-pthread)
  have_pkg chromium || packages+=(chromium)
  have_pkg chromium-driver || packages+=(chromium-driver)
  have_pkg ffmpeg || packages+=(ffmpeg)
fi
if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "lfr: missing ${packages[*]}; install them with: sudo apt-get install -y ${packages[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "lfr: missing ${packages[*]} and no apt-get here: install a JDK 17+, Maven, Node.js, npm, g++, FAISS, OpenBLAS, Chromium, ChromeDriver and ffmpeg" >&2
  exit 1
fi
echo "installing ${packages[*]} with apt-get..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2
