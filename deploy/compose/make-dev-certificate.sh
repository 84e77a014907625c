#!/usr/bin/env bash
# Writes a self-signed certificate for the compose stack's gateway to deploy/compose/tls/ (tls.crt, tls.key).
# For a trial only: production takes the provider's certificate for the submission host name.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
mkdir -p tls
openssl req -x509 -newkey rsa:2048 -nodes -days 30 \
    -subj "/CN=${1:-mail.relayguard.test}" \
    -keyout tls/tls.key -out tls/tls.crt
chmod 0644 tls/tls.crt tls/tls.key
echo "Wrote $(pwd)/tls/tls.crt and tls.key."
