#!/usr/bin/env bash
# Refreshes chiso/static/vendor/ from the npm registry's packages (needs npm).
# The product never fetches these at run time: they are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
ECHARTS=6.1.0
LEAFLET=1.9.4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "echarts@$ECHARTS" "leaflet@$LEAFLET" >/dev/null)
mkdir -p "$work/e" "$work/l"
tar xzf "$work/echarts-$ECHARTS.tgz" -C "$work/e"
tar xzf "$work/leaflet-$LEAFLET.tgz" -C "$work/l"
dest=chiso/static/vendor
rm -rf "$dest/echarts" "$dest/leaflet"
mkdir -p "$dest/echarts" "$dest/leaflet"
cp "$work/e/package/dist/echarts.min.js" "$work/e/package/LICENSE" "$work/e/package/NOTICE" "$dest/echarts/"
cp -r "$work/l/package/dist/leaflet.js" "$work/l/package/dist/leaflet.css" \
  "$work/l/package/dist/images" "$work/l/package/LICENSE" "$dest/leaflet/"
echo "vendored echarts $ECHARTS and leaflet $LEAFLET into $dest"
