#!/bin/sh
# Registers Regatta's Temporal namespace once the frontend answers. A server on SQL persistence
# starts with no user namespace (the deprecated auto-setup image used to create `default`).
# Safe to run again: an existing namespace is left as it is.
set -eu

: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is required}"
: "${TEMPORAL_NAMESPACE:?TEMPORAL_NAMESPACE is required}"
retention="${TEMPORAL_NAMESPACE_RETENTION:-30d}"
attempts=60

attempt=1
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  if [ "$attempt" -ge "$attempts" ]; then
    echo "temporal-namespace: Temporal at ${TEMPORAL_ADDRESS} is not healthy" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 2
done

attempt=1
while :; do
  if temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; then
    echo "temporal-namespace: ${TEMPORAL_NAMESPACE} exists"
    exit 0
  fi
  if temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention "$retention" \
    --address "$TEMPORAL_ADDRESS"; then
    echo "temporal-namespace: ${TEMPORAL_NAMESPACE} created (retention ${retention})"
    exit 0
  fi
  if [ "$attempt" -ge "$attempts" ]; then
    echo "temporal-namespace: could not create ${TEMPORAL_NAMESPACE}" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 2
done
