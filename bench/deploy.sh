#!/usr/bin/env bash
# Deploy benchmark (issue targets of `masthead deploy`): the 10k-article corpus deployed to
# a real S3 server on loopback (moto's, as in the tests), three ways:
#   1. first deploy of the whole site (objects/s),
#   2. redeploy of the unchanged site (objects sent, listings, time),
#   3. one article edited and rebuilt, then deployed (objects sent, and which).
# Requests are counted from the server's log. Not a test; nothing here runs in CI.
#
#   bash bench/deploy.sh            # 10k (2,000 editions × 5)
#   bash bench/deploy.sh 500x4      # any EDITIONSxPER_EDITION shape
#
# Needs moto_server (`pip install 'moto[server]'`) and a release build (made if missing).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source bench/lib.sh

SHAPE="${1:-10k}"
case "$SHAPE" in
    1k) EDITIONS=200 PER=5 ;;
    10k) EDITIONS=2000 PER=5 ;;
    *x*) EDITIONS="${SHAPE%x*}" PER="${SHAPE#*x}" ;;
    *) echo "usage: bench/deploy.sh [1k|10k|EDITIONSxPER]" >&2; exit 2 ;;
esac
WORK="$ROOT/bench/work/deploy-$SHAPE"
CORPUS="$ROOT/bench/work/corpus-$SHAPE"
BIN="$ROOT/target/release/masthead"
[ -x "$BIN" ] || cargo build --release
command -v moto_server >/dev/null || { echo "moto_server missing: pip install 'moto[server]'" >&2; exit 1; }
[ -f "$CORPUS/corpus.json" ] || python3 bench/gen.py --editions "$EDITIONS" --per-edition "$PER" --out "$CORPUS"

rm -rf "$WORK" && mkdir -p "$WORK"
cp -r "$CORPUS/masthead" "$WORK/site"
CLOCK="$(clock_of "$CORPUS")"
cat >> "$WORK/site/site.yaml" <<'EOF'
deploy:
  targets:
    - name: bench
      url: s3://bench/site/
EOF

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$PORT" 2> "$WORK/requests.log" > /dev/null &
MOTO=$!
trap 'kill $MOTO 2>/dev/null || true' EXIT
until curl -s -o /dev/null "http://127.0.0.1:$PORT/"; do sleep 0.2; done
curl -s -X PUT "http://127.0.0.1:$PORT/bench" > /dev/null

export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1 \
    AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ALLOW_HTTP=true
m() { "$BIN" -s "$WORK/site" --clock "$CLOCK" "$@"; }
log() { grep '"[A-Z]* /bench' "$WORK/requests.log" || true; }
requests() { log | wc -l; }
since() { log | tail -n +"$(( $1 + 1 ))"; }  # since FROM: the requests after request number FROM
count() {  # count FROM METHOD [PATTERN]: requests of METHOD since request number FROM
    since "$1" | grep -c "\"$2 ${3:-}" || true
}
seconds() { python3 -c 'import sys,time; print(f"{time.time()-float(sys.argv[1]):.2f}")' "$1"; }
now() { python3 -c 'import time; print(time.time())'; }

m -q build
FILES=$(find "$WORK/site/public" -type f ! -name .masthead-output | wc -l)
echo "site: $SHAPE ($EDITIONS editions × $PER), $FILES files, $(du -sh "$WORK/site/public" | cut -f1)"

before=$(requests); t=$(now)
m deploy
first=$(seconds "$t")
puts=$(count "$before" PUT)
echo "1. first deploy: $first s, $puts PUTs ($(python3 -c "print(round($FILES/$first))") objects/s)"

before=$(requests); t=$(now)
m deploy
again=$(seconds "$t")
echo "2. unchanged redeploy: $again s, $(count "$before" PUT) PUTs, $(count "$before" GET '/bench?') listings, $(( $(requests) - before )) requests in all"

# The newest edition's first article gets a new headline: its page, its edition, the
# front page, the feeds and its listings show it.
ARTICLE="$(find "$WORK/site/content" -name '*.md' ! -name '_edition.md' | sort | sed -n '$p')"
python3 - "$ARTICLE" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
text = text.replace('title: "', 'title: "Updated: ', 1)
open(path, "w").write(text)
PY
m -q build
before=$(requests); t=$(now)
m deploy
edit=$(seconds "$t")
echo "3. one headline edited ($(basename "$ARTICLE")): $edit s, $(count "$before" PUT) PUTs (manifest and lock included):"
since "$before" | grep -o '"PUT /bench/site/[^ ]*' | sed 's|"PUT /bench/site/||' | sort | uniq -c | sed 's/^/   /'
