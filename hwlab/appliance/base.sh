#!/bin/bash
# Builds the appliance guest's root file system, cached under hwlab/cache/appliance-<key>/root.cpio: a minimal
# Debian 12 with systemd and udev (mmdebstrap from the machine's own package sources) plus the packages the
# checkpoint-lane .deb depends on, PostgreSQL for the province's hub, and the lab kernel's modules (from the lab base). The key covers the package
# list, the Debian point release and the kernel, so a change of any rebuilds it. Prints the cache directory.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
base=$1  # the lab base (hwlab/guest-base.sh's output: vmlinux, base.cpio, version)
packages="systemd-sysv,udev,kmod,dbus,passwd,alsa-utils,sqlite3,libusb-1.0-0,libv4l-0,libv4lconvert0,libsqlite3-0,libpng16-16,libjpeg62-turbo,zlib1g,libudev1,libstdc++6,libgcc-s1,postgresql"
key=$(printf '%s %s %s' "$packages" "$(cat /etc/debian_version)" "$(cat "$base/version")" | sha256sum | cut -c1-12)
out="$here/cache/appliance-$key"
if [ -f "$out/root.cpio" ]; then echo "$out"; exit 0; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mmdebstrap --quiet --variant=minbase --include="$packages" bookworm "$work/root.tar" /etc/apt/sources.list.d/debian.sources >&2
mkdir "$work/root"
tar -C "$work/root" -xpf "$work/root.tar"
# The kernel modules the lab needs, from the lab base (usrmerge: /lib is /usr/lib).
(cd "$work" && cpio -idm --quiet 'lib/modules/*' < "$base/base.cpio")
mkdir -p "$work/root/usr/lib/modules"
cp -a "$work/lib/modules/." "$work/root/usr/lib/modules/"
echo hwlab-appliance > "$work/root/etc/hostname"
# No login prompt on the console the checks print to.
ln -sf /dev/null "$work/root/etc/systemd/system/serial-getty@ttyS0.service"
(cd "$work/root" && find . | cpio -o -H newc --quiet) > "$work/root.cpio"
mkdir -p "$out"
mv "$work/root.cpio" "$out/"
echo "$out"
