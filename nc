#!/usr/bin/env bash
# nc: the toolkit's command line from any folder. Put it on PATH, for example with
#   ln -s "$PWD/nc" ~/.local/bin/nc        (or under another name, if netcat's nc matters to you)
# Paths you give are relative to the folder you call it from; runs go to --runs-dir, else
# $NC_RUNS_DIR, else ./runs there (docs/command_line.md). It runs `deno task nc` of this checkout:
# the CLI starts in the checkout, with INIT_CWD naming your folder.
set -euo pipefail

# This checkout: the folder of this script, following symbolic links (GNU and BSD readlink alike).
source="${BASH_SOURCE[0]}"
while [ -L "$source" ]; do
  dir="$(cd -P "$(dirname "$source")" && pwd)"
  source="$(readlink "$source")"
  case "$source" in /*) ;; *) source="$dir/$source" ;; esac
done
root="$(cd -P "$(dirname "$source")" && pwd)"

deno="$root/node_modules/.bin/deno"
if [ ! -x "$deno" ]; then
  echo "error: $deno is missing; run \`npm run setup\` in $root first" >&2
  exit 2
fi
INIT_CWD="$PWD"
export INIT_CWD
cd "$root"
exec "$deno" run -A lib/cli.ts "$@"
