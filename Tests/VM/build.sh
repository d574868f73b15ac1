#!/usr/bin/env bash
# Builds the validation VM's kernel and initramfs under .build-vm/ (or $IOFABRIC_VM_DIR).
#
# The recipe is /work/shared/REAL-DEVICES.md's (see Tests/VM/README.md): Debian's own kernel
# (unpacked, never installed) with Soft-RoCE (rdma_rxe) and scsi_debug, a busybox initramfs
# whose /init mounts the host's / over 9p read-only under a tmpfs overlay, creates rxe0 on
# dummy0, chroots and runs the command run.sh left in the results share.
#
# Idempotent: each stage is skipped when its output exists; the initramfs is rebuilt when
# this script changes (its hash is kept in the stamp). Exit codes: 0 built (or already
# built); 3 the machine cannot build it (not x86_64, apt or the network unavailable, a
# tool missing); 1 any other failure.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${IOFABRIC_VM_DIR:-$root/.build-vm}"

cannot() { echo "VM build: cannot build: $*" >&2; exit 3; }
say() { echo "VM build: $*" >&2; }

[ "$(uname -m)" = x86_64 ] || cannot "not x86_64 ($(uname -m))"

# Debian packages (REAL-DEVICES.md "Packages"). Never rdma-core: it pulls in udev, which
# upgrades the machine's systemd packages; nothing here needs it.
packages=(qemu-system-x86 busybox-static ibverbs-providers ibverbs-utils libibverbs-dev rdmacm-utils
    librdmacm-dev perftest sg3-utils kmod cpio iproute2)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
apt_get() {
    # Other jobs on the machine may hold the dpkg lock: wait for it rather than fail.
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}
apt_updated=0
if [ ${#missing[@]} -gt 0 ]; then
    command -v apt-get >/dev/null || cannot "apt-get not found and missing packages: ${missing[*]}"
    [ "$(id -u)" = 0 ] || cannot "not root: install ${missing[*]}"
    say "installing ${missing[*]}"
    apt_get update -qq >/dev/null || cannot "apt-get update failed (no network?)"
    apt_updated=1
    apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || cannot "apt-get install ${missing[*]} failed"
fi
for tool in qemu-system-x86_64 busybox modprobe depmod cpio dpkg-deb; do
    command -v "$tool" >/dev/null || cannot "$tool not found"
done
[ -x /bin/busybox ] || cannot "/bin/busybox (busybox-static) is missing"

mkdir -p "$work"
cd "$work"
# One build at a time (two runs may start together); the second finds the work done.
exec 9>"$work/.lock"
flock 9

# Kernel: the package linux-image-amd64 depends on, unpacked into kernel/ (never installed).
if [ ! -s kernel/version ]; then
    kernel_package="$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')"
    if [ -z "$kernel_package" ] && [ $apt_updated = 0 ]; then
        apt_get update -qq >/dev/null || cannot "apt-get update failed (no network?)"
        kernel_package="$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')"
    fi
    [ -n "$kernel_package" ] || cannot "apt knows no linux-image-amd64"
    version="${kernel_package#linux-image-}"
    say "downloading $kernel_package"
    rm -rf deb kernel.tmp && mkdir -p deb kernel.tmp
    (cd deb && apt-get download "$kernel_package" >/dev/null 2>&1) \
        || { apt_get update -qq >/dev/null 2>&1 && (cd deb && apt-get download "$kernel_package" >/dev/null); } \
        || cannot "apt-get download $kernel_package failed (no network?)"
    dpkg-deb -x deb/"$kernel_package"_*.deb kernel.tmp
    depmod -b kernel.tmp "$version"
    cp kernel.tmp/boot/vmlinuz-"$version" kernel.tmp/vmlinuz
    echo "$version" >kernel.tmp/version
    rm -rf kernel deb && mv kernel.tmp kernel
fi
version="$(cat kernel/version)"

# Initramfs: rebuilt when missing or when this script (which holds /init) or the LIO setup
# it copies changed.
stamp="$(cat "$here/build.sh" "$here/lio-setup.sh" | sha256sum | cut -c1-16) $version"
if [ -s initramfs.cpio.gz ] && [ "$(cat initramfs.stamp 2>/dev/null)" = "$stamp" ]; then
    exit 0
fi
say "building the initramfs for $version"
rm -rf initramfs.tmp && mkdir -p initramfs.tmp/{bin,dev,proc,sys,lib/modules,newroot,host,rw}
cp /bin/busybox initramfs.tmp/bin/busybox

# Modules in the order that works (REAL-DEVICES.md "Initramfs"), each preceded by its
# dependencies as modprobe resolves them; built-in ones are skipped. crc32_generic must be
# loaded before `rdma link add` (rxe asks for the crc32 algorithm and a bare initramfs
# cannot load it on demand). LIO (target_core_mod, whose rd_mcp RAM disk backstore is built in)
# and its loopback fabric tcm_loop come after scsi_debug and sg, so that scsi_debug stays
# /dev/sg0; lio-setup.sh builds the persistent-reservation disks with them.
modules=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet 9pnet_virtio netfs
    fscache 9p overlay dummy crc32_generic crc32-pclmul udp_tunnel ip6_udp_tunnel ib_core ib_uverbs rdma_rxe
    configfs ib_cm iw_cm rdma_cm rdma_ucm ib_umad crct10dif_common crct10dif-pclmul crct10dif_generic
    crc-t10dif scsi_common scsi_mod scsi_debug crc64 crc64-rocksoft t10-pi sd_mod sg target_core_mod tcm_loop)
declare -A parameters=([dummy]="numdummies=1" [scsi_debug]="dev_size_mb=64")
declare -A loaded=()
: >initramfs.tmp/modules.list
for module in "${modules[@]}"; do
    depends="$(modprobe -d "$work/kernel" -S "$version" --show-depends "$module")" \
        || { say "module $module not found in $version"; exit 1; }
    while read -r verb path _; do
        [ "$verb" = insmod ] || continue
        file="$(basename "$path")"
        name="${file%.ko}"
        name="${name//-/_}"
        [ -z "${loaded[$name]:-}" ] || continue
        loaded[$name]=1
        cp "$path" initramfs.tmp/lib/modules/"$file"
        echo "$file ${parameters[$name]:-}" >>initramfs.tmp/modules.list
    done <<<"$depends"
done

cp "$here/lio-setup.sh" initramfs.tmp/lio-setup.sh
chmod +x initramfs.tmp/lio-setup.sh

cat >initramfs.tmp/init <<'INIT'
#!/bin/busybox sh
# The validation VM's /init (written by Tests/VM/build.sh).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
fail() { echo "iofabric-vm: $*" >/dev/ttyS0; echo "iofabric-vm: $*" >/dev/ttyS1; poweroff -f; }
while read -r file arguments; do
    insmod /lib/modules/"$file" $arguments || fail "insmod $file failed"
done </modules.list

# The host's / read-only over 9p, a tmpfs overlay on top so that the guest may write.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /host || fail "no 9p root"
mount -t tmpfs -o mode=0755 tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work /newroot || fail "no overlay"
for directory in proc sys dev run iofabric-vm; do mkdir -p /newroot/$directory; done
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /newroot/dev/pts
mount -t tmpfs -o mode=1777 tmpfs /newroot/dev/shm
mount -t tmpfs -o mode=0755 tmpfs /newroot/run
# devtmpfs has no /dev/fd nor /dev/std*: bash's <(...) needs them.
ln -sf /proc/self/fd /newroot/dev/fd
ln -sf /proc/self/fd/0 /newroot/dev/stdin
ln -sf /proc/self/fd/1 /newroot/dev/stdout
ln -sf /proc/self/fd/2 /newroot/dev/stderr
# The writable share: the command to run, its exit status, the boot time.
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results /newroot/iofabric-vm || fail "no results share"
results=/newroot/iofabric-vm

# Soft-RoCE on a dummy netdev (no NIC); loopback for perftest's out-of-band TCP.
ip link set lo up
ip link set dummy0 up
chroot /newroot rdma link add rxe0 type rxe netdev dummy0 || fail "rdma link add rxe0 failed"
ulimit -l unlimited
# Two LIO disks with persistent reservations, two initiators each (/dev/iofabric/sg-*). A
# failure is one line on the console and in /run/iofabric-lio.status; the boot goes on.
/bin/busybox sh /lio-setup.sh /newroot >/dev/ttyS0 2>&1 || true
echo "ready $(cut -d' ' -f1 /proc/uptime)" >$results/ready
stty -F /dev/ttyS1 raw -echo 2>/dev/null

chroot /newroot /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root TERM=dumb LANG=C.UTF-8 IOFABRIC_IN_VM=1 \
    /bin/bash /iofabric-vm/command.sh </dev/null >/dev/ttyS1 2>&1
status=$?
echo "$status $(cut -d' ' -f1 /proc/uptime)" >$results/status.tmp
mv $results/status.tmp $results/status
sync
poweroff -f
INIT
chmod +x initramfs.tmp/init
(cd initramfs.tmp && find . | cpio -o -H newc --quiet | gzip -1) >initramfs.cpio.gz.tmp
mv initramfs.cpio.gz.tmp initramfs.cpio.gz
rm -rf initramfs.tmp
echo "$stamp" >initramfs.stamp
say "ready: $(du -sh "$work" | cut -f1) in $work"
