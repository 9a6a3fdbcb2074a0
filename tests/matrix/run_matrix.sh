#!/usr/bin/env bash
# Version matrix: runs the unit and QGIS tests against the QGIS that Debian ships in other releases (trixie: 3.40,
# sid: 3.44), each in a debootstrap chroot cached outside the repository.
#
#   tests/matrix/run_matrix.sh              build what is missing, then test every suite
#   tests/matrix/run_matrix.sh --build-only build what is missing (used to prepare the chroots ahead of time)
#
# Environment:
#   SUITES         Debian suites to test (default "trixie sid")
#   MATRIX_CACHE   where chroots, logs and downloaded packages live (default /var/cache/bai-mei-matrix)
#   MATRIX_MIRROR  Debian mirror (default: the first Debian archive URI in the host's apt sources)
#   MATRIX_SRC     the tree to test (default: this repository's working tree, without .git and .venv)
#   MATRIX_SHARED  the shared test data folder, mounted read-only at ../shared (default: ../shared of this repository)
#   PYTEST_ARGS    extra pytest arguments for both runs
# Needs root (debootstrap, chroot, mount). A chroot is reused while its package list is unchanged (stamp file per
# suite); when the list changes the suite is rebuilt from a cached minimal base, with already downloaded packages.
set -euo pipefail

SUITES=${SUITES:-"trixie sid"}
CACHE=${MATRIX_CACHE:-/var/cache/bai-mei-matrix}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SRC=${MATRIX_SRC:-$REPO}
# Recorded real service answers the tests read from ../shared/data next to the repository, when that is there.
SHARED=${MATRIX_SHARED:-$(dirname "$REPO")/shared}
PYTEST_ARGS=${PYTEST_ARGS:-}
BUILD_ONLY=0
[ "${1:-}" = "--build-only" ] && BUILD_ONLY=1

# Debian packages in each chroot: QGIS and what the tests need (PostGIS for the server engine, make and zip for the
# packaging tests, xvfb for the desktop marker, pylupdate5 and lrelease for the translation tests, pdftotext for the
# tests that read the case report's PDF).
PACKAGES="qgis python3-qgis qgis-providers python3-numpy python3-shapely python3-scipy python3-requests python3-pip
python3-venv python3-psycopg2 xvfb xauth make zip postgresql postgis postgresql-postgis pyqt5-dev-tools qttools5-dev-tools poppler-utils"
PACKAGES=$(tr -s ' \n' '  ' <<<"$PACKAGES" | sed 's/ $//')  # one line, single spaces: the stamp compares it literally
# Bump when the way a chroot is built changes, so cached chroots are rebuilt.
RECIPE=1
VENV=/opt/bai-mei-venv      # inside the chroot
WORKDIR=/srv/bai-mei        # inside the chroot
HOST_CA=/etc/ssl/certs/ca-certificates.crt
CHROOT_CA=/usr/local/share/bai-mei-host-ca.crt

MOUNTED=()

log() { printf '[matrix %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

die() { log "error: $*"; exit 2; }

mirror() {
    if [ -n "${MATRIX_MIRROR:-}" ]; then echo "$MATRIX_MIRROR"; return; fi
    # One-line (.list) and deb822 (.sources) entries; the main archive, not debian-security or a third party.
    local files=() uri
    [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
    for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do [ -f "$f" ] && files+=("$f"); done
    [ ${#files[@]} -gt 0 ] || die "no apt sources on this host; set MATRIX_MIRROR to a Debian mirror URL"
    uri=$(sed -nE -e 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/p' \
        -e 's/^URIs:[[:space:]]*//p' "${files[@]}" | tr ' ' '\n' | grep -E '^https?://[^[:space:]]*/debian/?$' \
        | head -n 1 || true)
    [ -n "$uri" ] || die "no Debian archive URI (ending in /debian) in ${files[*]}; set MATRIX_MIRROR"
    echo "${uri%/}"
}

# --- mounts -------------------------------------------------------------------------------------------------------

mount_chroot() {
    local root=$1 stale
    # A run killed before its clean-up leaves its mounts behind, and a bind mount over a stale one fails (the shared
    # data then goes missing and its tests skip): lift them first, deepest first.
    for stale in $(awk -v r="$root/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do
        umount -l "$stale" && log "lifted a mount left by an earlier run: $stale"
    done
    mount -t proc proc "$root/proc" && MOUNTED+=("$root/proc")
    mount --bind /sys "$root/sys" && MOUNTED+=("$root/sys")
    mount --bind /dev "$root/dev" && MOUNTED+=("$root/dev")
    mount --bind /dev/pts "$root/dev/pts" && MOUNTED+=("$root/dev/pts")
    # Python's multiprocessing (dask) needs a writable /dev/shm; a private tmpfs leaves the host's alone.
    mount -t tmpfs -o size=512m shm "$root/dev/shm" && MOUNTED+=("$root/dev/shm")
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    # pip trusts what the host trusts (a proxy's CA, for one); the chroot's own bundle when the host has none.
    local ca=$HOST_CA
    [ -f "$ca" ] || ca="$root/etc/ssl/certs/ca-certificates.crt"
    cp "$ca" "$root$CHROOT_CA"
}

umount_all() {
    local i
    for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
        umount "${MOUNTED[$i]}" 2>/dev/null || umount -l "${MOUNTED[$i]}" || log "could not unmount ${MOUNTED[$i]}"
    done
    MOUNTED=()
}
trap umount_all EXIT
trap 'exit 130' INT TERM

# Refuses to delete a tree that still has something mounted inside (a bind-mounted /dev would take the host's with it).
safe_remove() {
    local dir=$1
    if awk '{print $2}' /proc/mounts | grep -q "^$dir/"; then
        log "$dir still has mounts; unmount them first"
        return 1
    fi
    rm -rf --one-file-system "$dir"
}

in_chroot() {
    local root=$1; shift
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive PIP_CERT=$CHROOT_CA SSL_CERT_FILE=$CHROOT_CA REQUESTS_CA_BUNDLE=$CHROOT_CA \
        PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180 \
        QT_QPA_PLATFORM=offscreen QGIS_OPTS= PYTHONDONTWRITEBYTECODE=1 \
        chroot "$root" "$@"
}

# --- build --------------------------------------------------------------------------------------------------------

fail() { log "$*"; return 1; }

# A minimal Debian, kept as a tarball so that a package-list change does not debootstrap again. Sets BASE_TARBALL.
base_root() {
    local suite=$1 tmp="$CACHE/$1.debootstrap" url
    BASE_TARBALL="$CACHE/$suite-minbase-r$RECIPE.tar"
    [ -f "$BASE_TARBALL" ] && return 0
    url=$(mirror) || return 1
    safe_remove "$tmp" || return 1
    log "$suite: debootstrap from $url (log: $CACHE/logs/$suite-debootstrap.log)"
    debootstrap --variant=minbase --include=ca-certificates "$suite" "$tmp" "$url" \
        >"$CACHE/logs/$suite-debootstrap.log" 2>&1 || { fail "$suite: debootstrap failed"; return 1; }
    tar -C "$tmp" -cf "$BASE_TARBALL.part" . && mv "$BASE_TARBALL.part" "$BASE_TARBALL" || return 1
    safe_remove "$tmp"
}

# Every step checked explicitly: this runs under `if`, where set -e does not apply.
build_suite() {
    local suite=$1 root="$CACHE/$1" stamp="$CACHE/$1.stamp" start=$SECONDS
    local want="recipe=$RECIPE packages=$PACKAGES"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$root" ]; then
        log "$suite: chroot up to date ($root)"
        BUILD_MINUTES[$suite]=cached
        return 0
    fi
    base_root "$suite" || return 1
    rm -f "$stamp"
    safe_remove "$root" || return 1
    mkdir -p "$root" "$CACHE/apt-archives/$suite" && tar -C "$root" -xf "$BASE_TARBALL" || return 1
    # Services must not start inside the chroot (postgresql's postinst would start the system cluster).
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod +x "$root/usr/sbin/policy-rc.d"
    # sid's Release file on a snapshot mirror can be past its Valid-Until date.
    if [ "$suite" = sid ]; then
        echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99bai-mei-valid-until"
    fi
    echo 'APT::Keep-Downloaded-Packages "true";' >"$root/etc/apt/apt.conf.d/99bai-mei-keep-debs"
    mount_chroot "$root" || { umount_all; return 1; }
    # Downloaded packages outlive the chroot, so a rebuild after a package-list change fetches only what is new.
    mount --bind "$CACHE/apt-archives/$suite" "$root/var/cache/apt/archives" &&
        MOUNTED+=("$root/var/cache/apt/archives")
    log "$suite: installing QGIS and test dependencies (log: $CACHE/logs/$suite-apt.log)"
    local rc=0
    # shellcheck disable=SC2086
    { in_chroot "$root" apt-get update && in_chroot "$root" apt-get install -y --no-install-recommends $PACKAGES; } \
        >"$CACHE/logs/$suite-apt.log" 2>&1 || rc=$?
    umount_all
    [ $rc = 0 ] || fail "$suite: apt-get failed; see $CACHE/logs/$suite-apt.log" || return 1
    echo "$want" >"$stamp"
    BUILD_MINUTES[$suite]=$(minutes $((SECONDS - start)))
    log "$suite: chroot built in ${BUILD_MINUTES[$suite]} min"
}

# --- test ---------------------------------------------------------------------------------------------------------

copy_tree() {  # a snapshot of the tree under test; the chroot never writes into the repository
    local root=$1
    rm -rf --one-file-system "${root:?}$WORKDIR"
    mkdir -p "$root$WORKDIR"
    tar -C "$SRC" --exclude=./.git --exclude=./.venv --exclude=./build --exclude=./dist --exclude='*/__pycache__' \
        --exclude=./.pytest_cache --exclude=./.ruff_cache -cf - . | tar -C "$root$WORKDIR" -xf -
}

# The dev requirements adapted to the chroot's Python: pyarrow's <20 cap exists for Debian 12 (Python 3.11, numpy 1.24)
# and has no wheel for Python 3.14. Temporary until requirements-dev.txt carries the environment marker itself.
chroot_requirements() {
    local root=$1
    sed -E 's/^pyarrow[^#]*$/pyarrow>=14,<20; python_version < "3.12"\npyarrow>=14; python_version >= "3.12"/' \
        "$root$WORKDIR/requirements-dev.txt" >"$root$VENV.requirements.txt"
}

ensure_venv() {
    local root=$1 suite=$2 want
    chroot_requirements "$root"
    want=$(sha256sum <"$root$VENV.requirements.txt" | cut -c1-16)
    [ -f "$root$VENV/.ready" ] && [ "$(cat "$root$VENV/.ready")" = "$want" ] && return 0
    log "$suite: creating the test venv (log: $CACHE/logs/$suite-pip.log)"
    rm -rf --one-file-system "${root:?}$VENV"
    {
        in_chroot "$root" /usr/bin/python3 -m venv --system-site-packages "$VENV" &&
            # pip must never replace Debian's numpy, which QGIS and scipy are built against.
            in_chroot "$root" /bin/sh -c \
                "python3 -c 'import numpy; print(\"numpy==\" + numpy.__version__)' >$VENV/constraints.txt" &&
            in_chroot "$root" "$VENV/bin/python" -m pip install -c "$VENV/constraints.txt" -r "$VENV.requirements.txt"
    } >"$CACHE/logs/$suite-pip.log" 2>&1 || return 1
    echo "$want" >"$root$VENV/.ready"
}

count() {  # count WORD LOGFILE: the number pytest's summary line gives for WORD (passed, failed, errors?)
    local n
    n=$(tail -n 5 "$2" | grep -oE "[0-9]+ $1" | tail -n 1 | cut -d' ' -f1 || true)
    echo "${n:-0}"
}

minutes() { awk -v s="$1" 'BEGIN { printf "%.1f", s / 60 }'; }

declare -A BUILD_MINUTES QGIS_VERSION UNIT QGIS_RES TEST_MINUTES STATUS

run_suite() {
    local suite=$1 root="$CACHE/$1" start=$SECONDS rc_unit=0 rc_qgis=0
    mount_chroot "$root"
    copy_tree "$root"
    rm -rf --one-file-system "$root/tmp/pytest-of-root"  # the previous run's outputs (a gigabyte or more)
    if [ -d "$SHARED/data" ]; then
        mkdir -p "$root$(dirname "$WORKDIR")/shared"
        mount --bind "$SHARED" "$root$(dirname "$WORKDIR")/shared" && MOUNTED+=("$root$(dirname "$WORKDIR")/shared")
        mount -o remount,bind,ro "$root$(dirname "$WORKDIR")/shared"
    fi
    QGIS_VERSION[$suite]=$(in_chroot "$root" python3 -c 'from qgis.core import Qgis; print(Qgis.QGIS_VERSION)' \
        2>/dev/null | tail -n 1 || echo "?")
    local python
    python=$(in_chroot "$root" python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
    echo "=== $suite: QGIS ${QGIS_VERSION[$suite]}, Python $python ==="
    if ! ensure_venv "$root" "$suite"; then
        umount_all
        log "$suite: pip failed; see $CACHE/logs/$suite-pip.log"
        tail -n 15 "$CACHE/logs/$suite-pip.log" >&2
        UNIT[$suite]="pip failed"; QGIS_RES[$suite]="-"; STATUS[$suite]=FAIL
        TEST_MINUTES[$suite]=$(minutes $((SECONDS - start)))
        return
    fi
    local pytest="cd $WORKDIR && $VENV/bin/python -m pytest -q -rfEs"  # -rfEs: failures, errors and skip reasons
    echo "--- $suite: pytest -p no:qgis -q tests/unit"
    in_chroot "$root" /bin/sh -c "$pytest -p no:qgis tests/unit $PYTEST_ARGS" 2>&1 \
        | tee "$CACHE/logs/$suite-unit.log" || rc_unit=$?
    echo "--- $suite: pytest -q tests/qgis"
    in_chroot "$root" /bin/sh -c "$pytest tests/qgis $PYTEST_ARGS" 2>&1 \
        | tee "$CACHE/logs/$suite-qgis.log" || rc_qgis=$?
    umount_all
    local l
    l="$CACHE/logs/$suite-unit.log"
    UNIT[$suite]="$(count passed "$l")/$(( $(count failed "$l") + $(count 'errors?' "$l") ))"
    l="$CACHE/logs/$suite-qgis.log"
    QGIS_RES[$suite]="$(count passed "$l")/$(( $(count failed "$l") + $(count 'errors?' "$l") ))"
    STATUS[$suite]=$([ $rc_unit = 0 ] && [ $rc_qgis = 0 ] && echo ok || echo FAIL)
    TEST_MINUTES[$suite]=$(minutes $((SECONDS - start)))
}

# --- main ---------------------------------------------------------------------------------------------------------

summary() {
    local failed=0 row='%-8s %-19s %-15s %-15s %-9s %-10s %s\n'
    echo
    echo "=== version matrix ($SRC) ==="
    # shellcheck disable=SC2059
    printf "$row" suite QGIS "unit pass/fail" "qgis pass/fail" "test min" "build min" result
    for suite in $SUITES; do
        # shellcheck disable=SC2059
        printf "$row" "$suite" "${QGIS_VERSION[$suite]:--}" "${UNIT[$suite]:--}" "${QGIS_RES[$suite]:--}" \
            "${TEST_MINUTES[$suite]:--}" "${BUILD_MINUTES[$suite]:--}" "${STATUS[$suite]}"
        [ "${STATUS[$suite]}" = ok ] || failed=1
    done
    echo "(logs: $CACHE/logs)"
    return $failed
}

main() {
    [ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mount); run it with sudo"
    command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; } \
        || die "debootstrap is not installed and could not be: apt-get install -y debootstrap"
    mkdir -p "$CACHE/logs"
    local suite lock
    for suite in $SUITES; do
        # One builder per suite at a time: a second run waits rather than unpacking into the same directory.
        exec {lock}>"$CACHE/$suite.lock"
        flock "$lock"
        build_suite "$suite" || STATUS[$suite]="BUILD FAILED"
        exec {lock}>&-
    done
    if [ $BUILD_ONLY = 1 ]; then
        for suite in $SUITES; do [ -z "${STATUS[$suite]:-}" ] || return 1; done
        return 0
    fi
    for suite in $SUITES; do
        [ -n "${STATUS[$suite]:-}" ] && continue
        exec {lock}>"$CACHE/$suite.lock"
        flock "$lock"
        run_suite "$suite"
        exec {lock}>&-
    done
    summary
}

# Everything above is definitions and the last line exits, so bash has read the whole file before anything runs:
# editing the script while it runs cannot change what this run does.
main "$@"; exit $?
