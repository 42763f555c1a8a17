#!/bin/sh
# Compose only (deploy/compose.yaml): waits for the sandbox's start-up line on the shared tmpfs volume, reads the
# API key it prints (random at every sandbox start), and runs the given command with it as CUSTOMER_API_KEY.
# The key never reaches the compose file, the environment of other containers, or the disk.
set -eu
banner=/run/sandbox/stderr
tries=0
until key=$(grep -o -m 1 'sk_sandbox_[A-Za-z0-9_-]*' "$banner" 2>/dev/null); do
  tries=$((tries + 1))
  if [ "$tries" -ge 100 ]; then
    echo "sandbox-key.sh: no sandbox API key in $banner after 20 s; is the sandbox service running?" >&2
    exit 1
  fi
  sleep 0.2
done
CUSTOMER_API_KEY=$key
export CUSTOMER_API_KEY
exec "$@"
