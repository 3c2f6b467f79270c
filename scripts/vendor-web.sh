#!/usr/bin/env bash
# Refresh the front-end files vendored into jixiao/web/ from the npm registry, with the machine's npm.
#
#   scripts/vendor-web.sh            install the versions pinned in scripts/web/package-lock.json
#   scripts/vendor-web.sh --update   take the versions in scripts/web/package.json, rewrite the lock first
#
# What it copies (the pages load them from jixiao serve or inline them; nothing comes from a CDN):
#   @zazuko/yasgui  build/yasgui.min.js, build/yasgui.min.css   (the endpoint page)
#   echarts         dist/echarts.common.min.js                  (charts of the report and corpus pages)
# and writes jixiao/web/VENDOR.json (versions, licences, integrity hashes) and THIRD-PARTY.txt (every
# npm package installed, with its licence: the bundles contain them). The licence texts go beside them.
set -euo pipefail
cd "$(dirname "$0")/.."
WEB=jixiao/web
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cp scripts/web/package.json "$tmp/"
if [[ "${1:-}" == "--update" ]]; then
  (cd "$tmp" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund)
  cp "$tmp/package-lock.json" scripts/web/package-lock.json
else
  cp scripts/web/package-lock.json "$tmp/"
fi
(cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --omit=dev)

nm="$tmp/node_modules"
strip_map() { sed -e '/^\/\/# sourceMappingURL=/d' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$1" > "$2"; }
strip_map "$nm/@zazuko/yasgui/build/yasgui.min.js" "$WEB/yasgui.min.js"
strip_map "$nm/@zazuko/yasgui/build/yasgui.min.css" "$WEB/yasgui.min.css"
strip_map "$nm/echarts/dist/echarts.common.min.js" "$WEB/echarts.min.js"
cp "$nm/echarts/LICENSE" "$WEB/LICENSE-echarts.txt"
cp "$nm/echarts/NOTICE" "$WEB/NOTICE-echarts.txt"

# the npm package of YASGUI ships no licence file: the MIT text of its repository (rdfjs/Yasgui)
cat > "$WEB/LICENSE-yasgui.txt" <<'MIT'
@zazuko/yasgui (https://github.com/rdfjs/Yasgui) — The MIT License (MIT)

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.
MIT

python3 - "$tmp" "$WEB" <<'PY'
import hashlib, json, pathlib, sys

tmp, web = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
lock = json.loads((tmp / "package-lock.json").read_text())
packages = {k.removeprefix("node_modules/"): v for k, v in lock["packages"].items() if k}
files = {
    "yasgui.min.js": "@zazuko/yasgui", "yasgui.min.css": "@zazuko/yasgui", "echarts.min.js": "echarts",
}
vendor = {
    name: {
        "package": pkg,
        "version": packages[pkg]["version"],
        "license": packages[pkg].get("license", "?"),
        "npm_integrity": packages[pkg]["integrity"],
        "sha256": hashlib.sha256((web / name).read_bytes()).hexdigest(),
    }
    for name, pkg in files.items()
}
(web / "VENDOR.json").write_text(json.dumps(vendor, indent=2, sort_keys=True) + "\n")
lines = [
    "The npm packages scripts/vendor-web.sh installs with the vendored ones (their runtime dependencies),",
    "with their licences. yasgui.min.js / yasgui.min.css and echarts.min.js are the packages' own prebuilt",
    "bundles: their authors built them from (versions of) these dependencies.",
    "",
]
for name in sorted(packages):
    p = packages[name]
    lines.append(f"{name}@{p['version']}  {p.get('license', '?')}")
(web / "THIRD-PARTY.txt").write_text("\n".join(lines) + "\n")
PY
echo "vendored into $WEB:"; ls -la "$WEB"
