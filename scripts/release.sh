#!/usr/bin/env bash
# Tags a release: vX.Y.Z on the current commit, and moves the major tag vX to it, then pushes both.
# See docs/releasing.md. With --dry-run every check runs (including a fresh bundle) but nothing is
# tagged or pushed: the commands are printed instead.
#
#   scripts/release.sh [--dry-run] [--remote NAME] [--branch NAME] vX.Y.Z
set -euo pipefail
cd "$(dirname "$0")/.."

dry_run=false
remote=origin
branch=main
version=''

usage() {
  echo "usage: scripts/release.sh [--dry-run] [--remote NAME] [--branch NAME] vX.Y.Z" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=true ;;
    --remote) [ $# -ge 2 ] || usage; remote=$2; shift ;;
    --branch) [ $# -ge 2 ] || usage; branch=$2; shift ;;
    -h | --help) usage ;;
    v*) [ -z "$version" ] || usage; version=$1 ;;
    *) usage ;;
  esac
  shift
done
[ -n "$version" ] || usage

fail() {
  echo "release: $*" >&2
  exit 1
}
step() { echo "release: $*"; }
# Runs a command that changes tags or the remote, or only shows it in a dry run.
run() {
  if $dry_run; then
    echo "  (dry run) $*"
  else
    echo "  \$ $*"
    "$@"
  fi
}

[[ "$version" =~ ^v([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || fail "the version must look like v1.2.3 (got $version)"
major="v${BASH_REMATCH[1]}"
plain="${version#v}"

step "checking the working tree"
[ "$(git rev-parse --abbrev-ref HEAD)" = "$branch" ] || fail "not on $branch (on $(git rev-parse --abbrev-ref HEAD))"
[ -z "$(git status --porcelain --untracked-files=no)" ] || fail "the working tree has uncommitted changes: commit or stash them first"

if git remote get-url "$remote" >/dev/null 2>&1; then
  step "checking that $branch is what $remote has"
  git fetch --quiet --tags "$remote" "$branch"
  [ "$(git rev-parse HEAD)" = "$(git rev-parse FETCH_HEAD)" ] ||
    fail "HEAD is not $remote/$branch: pull or push first, so the tag points at the reviewed commit"
elif $dry_run; then
  echo "  (dry run) no remote named $remote: skipping the remote checks"
else
  fail "no remote named $remote (use --remote NAME)"
fi

step "checking the version in package.json and CHANGELOG.md"
package_version=$(node -p "require('./package.json').version")
[ "$package_version" = "$plain" ] ||
  fail "package.json says $package_version: run 'npm version $plain --no-git-tag-version', rebundle and commit"
grep -Eq "^## \[?$plain\]?( |$)" CHANGELOG.md ||
  fail "CHANGELOG.md has no '## [$plain]' section: move the Unreleased notes under it"

step "checking that the reusable workflow runs the action at $major"
if grep -Eq 'uses: [^ ]+/sentry-issues-action@v[0-9]+' .github/workflows/sentry-sync.yml &&
  ! grep -Eq "uses: [^ ]+/sentry-issues-action@$major\$" .github/workflows/sentry-sync.yml; then
  fail ".github/workflows/sentry-sync.yml does not use the action at @$major: update it for this major version"
fi

step "checking that the tag is new"
if git rev-parse -q --verify "refs/tags/$version" >/dev/null; then
  fail "tag $version already exists"
fi

step "checking that dist/ is exactly what 'npm run bundle' makes"
npm run --silent bundle >/dev/null
if [ -n "$(git status --porcelain -- dist)" ]; then
  git status --porcelain -- dist >&2
  git checkout -- dist 2>/dev/null || true
  fail "dist/ is out of date: run 'npm run bundle' and commit the result"
fi
[ -x dist/cli.js ] || fail "dist/cli.js is missing or not executable"
node dist/cli.js --version | grep -qx "$plain" || fail "dist/cli.js does not report version $plain"

commit=$(git rev-parse --short HEAD)
step "tagging $commit as $version and moving $major to it"
run git tag -a "$version" -m "$version"
run git tag -f -a "$major" -m "$major (currently $version)"
run git push "$remote" "refs/tags/$version"
run git push --force "$remote" "refs/tags/$major"

if $dry_run; then
  step "dry run finished: everything checked, nothing tagged or pushed"
else
  step "released $version; $major now points at it. Publish the release notes from CHANGELOG.md."
fi
