#!/bin/sh
# gridcare offline install: a virtual environment, installed only from this kit's wheels (no network).
#   sh install.sh                      -> ~/.local/share/gridcare/venv
#   GRIDCARE_VENV=/opt/gridcare sh install.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
venv=${GRIDCARE_VENV:-"$HOME/.local/share/gridcare/venv"}
# only this kit's files: whatever pip is set up to use on this machine is ignored
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_CONSTRAINT PIP_REQUIREMENT 2>/dev/null || true
py=""
for cand in ${PYTHON:-} python3.13 python3.12 python3.11 python3.10 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys, struct; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 13) and struct.calcsize("P") == 8 else 1)' 2>/dev/null; then
    py=$cand
    break
  fi
done
if [ -z "$py" ]; then
  echo "没有找到 64 位的 Python 3.10–3.13 (python3)。No 64-bit Python 3.10-3.13 found." >&2
  exit 1
fi
"$py" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --no-index --find-links "$here/wheels" --upgrade gridcare
"$venv/bin/gridcare" --version
echo "安装完成 / installed: $venv/bin/gridcare"
