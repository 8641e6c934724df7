#!/bin/sh
# Entry point of the generate-data service of docker-compose.yml: writes the demo data set
# (python/generate_data.py, the files of docs/DATA.md) into $DATA_DIR, unless a complete one is
# already there, so that `docker compose up` needs no data set prepared on the host and a second
# `up` reuses the first one's data. Arguments go to generate_data.py (e.g. --cards 2000 --days 14).
set -eu

data=${DATA_DIR:-/data}
if [ -f "$data/manifest.json" ] && [ -f "$data/transactions.jsonl" ]; then
    echo "generate-data: keeping the data set in $data ($(wc -l < "$data/transactions.jsonl") transactions)"
    exit 0
fi
# Written aside and moved in at the end: an interrupted run leaves no half data set that the
# check above would take for a complete one.
partial="$data/.partial"
rm -rf "$partial"
python3 /opt/fraud/python/generate_data.py --out "$partial" "$@"
# manifest.json last: it marks the data set complete.
for file in "$partial"/*; do
    [ "$(basename "$file")" = manifest.json ] || mv "$file" "$data/"
done
mv "$partial/manifest.json" "$data/manifest.json"
rmdir "$partial"
