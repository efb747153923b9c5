#!/bin/bash
# Builds the lab's guest base from Debian packages only, cached under hwlab/cache/<kernel version>/:
#   vmlinux    the generic Debian kernel, uncompressed (QEMU boots it directly through its PVH note: ~1 s faster)
#   base.cpio  busybox-static, the kernel modules the lab needs (with their dependencies) and modules.dep
# The kernel package is downloaded and unpacked, never installed on the host.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache="$here/cache"
mkdir -p "$cache"

# What linux-image-amd64 resolves to, e.g. linux-image-6.1.0-56-amd64 (the generic flavour: the cloud one has no
# USB or media support).
package=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$package" ] || { echo "hwlab: cannot resolve linux-image-amd64 (apt-get update?)" >&2; exit 1; }
version=${package#linux-image-}
out="$cache/$version"
if [ -f "$out/base.cpio" ] && [ -f "$out/vmlinux" ]; then echo "$out"; exit 0; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q "$package" >&2)
dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel"

# vmlinux: the XZ stream inside the bzImage, decompressed.
bz="$work/kernel/boot/vmlinuz-$version"
offset=$(grep -abo $'\xfd7zXZ\x00' "$bz" | head -1 | cut -d: -f1)
tail -c +$((offset + 1)) "$bz" | xz -dc > "$work/vmlinux" 2>/dev/null || true
[ -s "$work/vmlinux" ] || { echo "hwlab: could not extract vmlinux from $bz" >&2; exit 1; }

root="$work/root"
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,mnt,lib/modules,usr/bin,usr/sbin,var/lib}
cp /bin/busybox "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"; done

# The drivers under test and their dependencies, resolved by modprobe against the unpacked tree.
modules="dummy_hcd libcomposite usb_f_hid gadgetfs uvcvideo usbhid hid_generic vivid"
mods="$work/kernel/lib/modules/$version"
depmod -b "$work/kernel" "$version"  # the package ships no modules.dep (postinst makes it)
for m in $modules; do
  modprobe -d "$work/kernel" -S "$version" --show-depends "$m" | awk '/^insmod/ {print $2}'
done | sort -u | while read -r ko; do
  rel=${ko#"$work/kernel"}
  mkdir -p "$root$(dirname "$rel")"
  cp "$ko" "$root$rel"
done
cp "$mods"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$version/" 2>/dev/null || true
depmod -b "$root" "$version"

(cd "$root" && find . | cpio -o -H newc --quiet) > "$work/base.cpio"
mkdir -p "$out"
mv "$work/vmlinux" "$work/base.cpio" "$out/"
echo "$version" > "$out/version"
echo "$out"
