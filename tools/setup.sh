#!/usr/bin/env bash
# Installs every system package runner needs. Idempotent and non-interactive:
# packages already present are skipped, so a second run is a quick no-op.
set -euo pipefail

packages=(
  libopenblas-dev        # BLAS (cblas_sgemm), driven at one thread by our own pool
  libsqlite3-dev         # results store
  libturbojpeg0-dev      # JPEG decoding
  libjpeg62-turbo-dev
  libpng-dev             # PNG decoding
  zlib1g-dev             # gzip IDX files, PNG
  pkg-config             # SwiftPM finds the libraries above through it
  dataset-fashion-mnist  # /usr/share/datasets/fashion-mnist, the quickstart's data
  libopenmpi-dev         # data-parallel training (mpirun -np N runner train …)
  openmpi-bin            # mpirun
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} system packages present"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
