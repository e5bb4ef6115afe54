#!/usr/bin/env bash
# Installs Debian's chromium (the browser end-to-end test drives it with playwright-core) when it
# is missing. Idempotent; needs root (or passwordless sudo) and the Debian package mirrors.
set -euo pipefail
if [[ -x /usr/bin/chromium ]]; then exit 0; fi
echo "[chromium] /usr/bin/chromium is missing: installing Debian's chromium package"
sudo_cmd=()
if [[ "$(id -u)" != 0 ]]; then sudo_cmd=(sudo -n); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq || true
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends chromium
