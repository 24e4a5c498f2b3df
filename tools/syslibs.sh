#!/bin/sh
# Make sure the system libraries Qt needs are present (Debian/Ubuntu).
#   tools/syslibs.sh offscreen   - what tests and screenshots need (no display), with
#                                  binutils (objdump) for the PyInstaller build test
#   tools/syslibs.sh window      - the above plus what a real X11 window needs
# As root on Debian the missing packages are installed with apt-get; otherwise the
# script names them and stops, so that nothing fails later with an obscure error.
set -eu

OFFSCREEN="libgl1 libegl1 libxkbcommon0 libglib2.0-0 libdbus-1-3 libfontconfig1 binutils"
WINDOW="libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxkbcommon-x11-0"

case "${1:-offscreen}" in
  offscreen) wanted="$OFFSCREEN" ;;
  window) wanted="$OFFSCREEN $WINDOW" ;;
  *) echo "usage: $0 offscreen|window" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "gnapp: không phải Debian/Ubuntu; hãy tự cài các thư viện Qt 6 tương đương với: $wanted"
  exit 0
fi

missing=""
for p in $wanted; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "gnapp: cài thư viện hệ thống cho Qt:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 || {
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends $missing >/dev/null
  }
  exit 0
fi

echo "gnapp: thiếu thư viện hệ thống cho Qt. Hãy chạy với quyền quản trị:" >&2
echo "  sudo apt-get install --no-install-recommends$missing" >&2
exit 1
