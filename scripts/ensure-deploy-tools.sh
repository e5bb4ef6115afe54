#!/usr/bin/env bash
# Tools the deploy tests (test/deploy) need, installed from Debian's packages when missing:
#   kubectl         renders the kustomize overlays (`kubectl kustomize`; kubernetes-client)
#   docker-compose  loads docker-compose.yml offline (`docker-compose config`; no engine needed)
# Idempotent: does nothing when both are on the PATH.
set -euo pipefail

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi
echo "[deploy-tools] installing ${missing[*]} from Debian's packages"
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
