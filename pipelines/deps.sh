#!/bin/sh
# deps.sh build|check|experiment: find what that make target needs and
# the machine lacks, before any compiler error can say it less clearly.
# Missing and root with apt-get: install it, saying so. Otherwise print
# the one command that installs it and exit 2. NO_INSTALL=1 never installs.
# What the tests only use when present (zip, mandoc, gnuplot, ...) is
# installed along, or named, but its absence alone stops nothing.
set -u

target=${1:-build}
cc=${CC:-cc}
needed=""
wanted=""

# has_header HEADER: the compiler finds it.
has_header() {
	printf '#include <%s>\n' "$1" | "$cc" -E -x c - >/dev/null 2>&1
}

need() { needed="$needed $1"; }
want() { wanted="$wanted $1"; }

command -v "$cc" >/dev/null 2>&1 && command -v make >/dev/null 2>&1 || need build-essential
if command -v "$cc" >/dev/null 2>&1; then
	has_header zlib.h || need zlib1g-dev
	has_header csv.h || need libcsv-dev
fi
case $target in
check)
	command -v bats >/dev/null 2>&1 || need bats
	command -v mandoc >/dev/null 2>&1 || want mandoc
	command -v zip >/dev/null 2>&1 || want zip
	command -v gnuplot >/dev/null 2>&1 || want gnuplot-nox
	;;
experiment)
	command -v gnuplot >/dev/null 2>&1 || want gnuplot-nox
	;;
esac
[ -z "$needed" ] && [ -z "$wanted" ] && exit 0

packages="$needed$wanted"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 && [ "${NO_INSTALL:-0}" != 1 ]; then
	echo "deps: installing with apt-get:$packages" >&2
	if DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $packages >&2; then
		exit 0
	fi
	[ -z "$needed" ] && exit 0
	echo "deps: apt-get could not install:$needed" >&2
	exit 2
fi
if [ -z "$needed" ]; then
	echo "deps: some tests skip without:$wanted (sudo apt-get install$wanted)" >&2
	exit 0
fi
echo "deps: make $target needs:$needed${wanted:+ (and the tests use:$wanted)}" >&2
echo "deps: install them with: sudo apt-get install$packages" >&2
exit 2
