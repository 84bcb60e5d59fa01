#!/bin/sh
# Runs schemathesis against the OpenAPI document of a running Bullpen server.
#
#   schemathesis_run.sh BASE_URL [schemathesis run options...]
#
# BASE_URL is the server's origin (http://127.0.0.1:8080); the document is read from
# BASE_URL/api/v1/openapi.json. Extra options go to `schemathesis run`, e.g. credentials:
#   -H "Cookie: bullpen_session=..." -H "X-CSRF-Token: ..."
# or an API key:
#   -H "APCA-API-KEY-ID: ..." -H "APCA-API-SECRET-KEY: ..."
#
# Environment: BULLPEN_PYTHON (the interpreter with schemathesis installed, default python3),
# ST_MAX_EXAMPLES (examples per operation, default 25), ST_SEED (default 20260105),
# ST_TOURNAMENT_ID (optional: the value of every {tournament_id} path parameter; use it with
# `--mode positive`, since a pinned parameter cannot carry schemathesis' invalid values).
#
# Every check runs (`--checks all`) except one, and two expectations are adjusted:
# - (off) `use_after_free`: DELETE on an order cancels it, as in Alpaca's API, and the order
#   stays readable afterwards with status `canceled` (it is history, not a deleted resource);
# - (adjusted) a request that is valid by the schema may still break a trading rule (too little buying
#   power, market closed, unknown symbol, a date range over the cap), which the API refuses with
#   422 and a specific code, so 422 counts as an acceptable answer to valid data;
# - (adjusted) invalid data must be refused with a 4xx; 413 (body over the size limit) is one of them, and
#   5xx is not (the default list accepts it).
# Credentials come from -H, so schemathesis does not generate its own security parameters.
# Everything else stays strict: statuses, content types, headers and bodies as documented.
set -eu

if [ "$#" -lt 1 ]; then
    echo "usage: $0 BASE_URL [schemathesis run options...]" >&2
    exit 2
fi
base=$1
shift
python=${BULLPEN_PYTHON:-python3}

# Schemathesis keeps a crash cache in its working directory: run in a fresh one, so runs do not
# replay each other and nothing is left in the source tree.
workdir=$(mktemp -d "${TMPDIR:-/tmp}/bullpen-schemathesis-XXXXXX")
trap 'rm -rf "$workdir"' EXIT
config=$workdir/schemathesis.toml
cat >"$config" <<'EOF'
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]

[checks.use_after_free]
enabled = false
EOF
if [ -n "${ST_TOURNAMENT_ID:-}" ]; then
    # Pin {tournament_id} so a key (bound to one tournament) reaches the trading logic.
    printf '\n[parameters]\n"path.tournament_id" = %d\n' "$ST_TOURNAMENT_ID" >>"$config"
fi

cd "$workdir"
# /api/v1/stream is an endless text/event-stream: a successful call never completes, so schemathesis
# can only time out on it. Its query validation and events are tested in tests/stream_sse.rs.
"$python" -m schemathesis.cli --no-color --config-file "$config" run "$base/api/v1/openapi.json" \
    --checks all \
    --max-examples "${ST_MAX_EXAMPLES:-25}" \
    --seed "${ST_SEED:-20260105}" \
    --request-timeout 10 \
    --generation-database none \
    --suppress-health-check all \
    --generation-with-security-parameters false \
    --exclude-path /api/v1/stream \
    "$@"
