#!/bin/bash
# Boots a cluster of test VMs running our kernel over the host's root filesystem (virtme-ng),
# linked by one Ethernet segment that never touches the host's network: every NIC is a QEMU
# dgram netdev on a unix socket, repeated by tools/vm/hub.py.
#
# Usage: tools/vm.sh [options] [-- COMMAND...]
#   -n N          number of nodes (default 2)
#   -m MODULES    TIPC module per node: ours, c or none; one word for all nodes, or a comma
#                 list by node (default ours)
#   --cpus N      vCPUs per node (default 1)
#   --mem SIZE    memory per node (default 1G)
#   --pcap FILE   record the segment's traffic as pcap
#   --impair FILE impair the segment's TIPC frames as FILE says, when it says (loss,
#                 duplication, reordering, delay: tools/vm/hub.py)
#   --kernel K    debug (the test kernel, default) or release (tools/kernel.sh release; only
#                 with -m c or none, as net/tipc/tipc.ko is built for the debug kernel)
#   --rwdir DIR   let the guests write to DIR of the host (as virtme-ng's --rwdir)
#   --on N CMD    run the shell command CMD on node N (2 or more) once it is set up
#   -- COMMAND    run COMMAND on node 1 and exit with its status; without it, a shell on node 1
# Inside the guest: $TIPC_IF is the node's NIC, $TIPC_NODE its index, $TIPC_RS_TOP this checkout.
source "$(dirname "$0")/lib.sh"

# Guests boot faster without udev's coldplug (minutes under TCG with KASAN) and
# systemd-tmpfiles, and need neither: the NIC is found by its MAC address and the exit status
# comes back through a file. In a private mount namespace, hide both from the guests, which
# see the host's root as this process sees it.
if [ -z "${TIPC_RS_VM_NS:-}" ] && [ "${TIPC_RS_VM_UDEV:-0}" = 0 ]; then
    exec unshare --mount --propagation private env TIPC_RS_VM_NS=1 "$0" "$@"
fi
if [ -n "${TIPC_RS_VM_NS:-}" ]; then
    for f in /usr/lib/systemd/systemd-udevd /lib/systemd/systemd-udevd "$(command -v systemd-tmpfiles)"; do
        [ -n "$f" ] && [ -x "$f" ] && mount --bind /dev/null "$f"
    done
fi

nodes=2 modules=ours cpus=1 mem=1G pcap= impair= kernel=debug rwdirs=()
declare -A node_cmd
while [ $# -gt 0 ]; do
    case $1 in
    -n) nodes=$2; shift 2 ;;
    -m) modules=$2; shift 2 ;;
    --cpus) cpus=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --pcap) pcap=$2; shift 2 ;;
    --impair) impair=$2; shift 2 ;;
    --kernel) kernel=$2; shift 2 ;;
    --rwdir) rwdirs+=(--rwdir "$2"); shift 2 ;;
    --on)
        [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge 2 ] || die "--on takes a node number from 2 up"
        node_cmd[$2]=$3
        shift 3
        ;;
    --) shift; break ;;
    -h | --help) sed -n '2,/^source/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see tools/vm.sh --help)" ;;
    esac
done
[[ $nodes =~ ^[1-9][0-9]*$ ]] && [ "$nodes" -le 16 ] || die "-n takes 1 to 16 nodes"

case $kernel in
debug | release) ;;
*) die "--kernel takes debug or release" ;;
esac
KB=$(kbuild_dir "$kernel")
[ -f "$KB/arch/x86/boot/bzImage" ] || die "no $kernel kernel in $KB: run tools/kernel.sh $kernel"

module_of() {
    local list
    IFS=, read -r -a list <<<"$modules"
    if [ ${#list[@]} -eq 1 ]; then echo "${list[0]}"; else echo "${list[$(($1 - 1))]:-ours}"; fi
}
for i in $(seq "$nodes"); do
    case $(module_of "$i") in
    ours)
        [ -f "$TOP/net/tipc/tipc.ko" ] || die "net/tipc/tipc.ko is not built: run make"
        [ "$kernel" = debug ] || die "-m ours: net/tipc/tipc.ko is built for the debug kernel"
        ;;
    c | none) ;;
    *) die "-m: module '$(module_of "$i")' is not ours, c or none" ;;
    esac
done

# KVM only where /dev/kvm is backed by hardware virtualisation; otherwise TCG.
kvm_opt=--disable-kvm
if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo && [ "${TIPC_RS_KVM:-1}" != 0 ]; then
    kvm_opt=
fi

RUN=$(mktemp -d /tmp/tipc-rs-vm.XXXXXX)
hub= pids=()
cleanup() {
    # The other nodes watch for "stop" and power off; give them a moment, then end them.
    touch "$RUN/stop"
    for pid in "${pids[@]}"; do
        for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
        kill "$pid" 2>/dev/null || true
    done
    # A QEMU that outlived its vng (a node that would not stop): every node's QEMU names its
    # socket in this run's directory.
    pkill -f "local.path=$RUN/node" 2>/dev/null || true
    [ -n "$hub" ] && kill "$hub" 2>/dev/null
    wait 2>/dev/null || true
    [ -n "${TIPC_RS_VM_KEEP:-}" ] && echo "kept $RUN" >&2 || rm -rf "$RUN"
}
trap cleanup EXIT

python3 "$TOP/tools/vm/hub.py" "$RUN" "$nodes" ${pcap:+--pcap "$pcap"} ${impair:+--impair "$impair"} &
hub=$!
for _ in $(seq 50); do [ -S "$RUN/hub.sock" ] && break; sleep 0.1; done

# no5lvl: under TCG, QEMU offers LA57, and this KASAN kernel with 5-level paging and two vCPUs
# reports a wild-memory-access from an interrupt taken early in identify_cpu() (before any
# TIPC code runs). Four-level paging avoids it; TIPC does not care.
APPEND="no5lvl kasan_multi_shot ${TIPC_RS_APPEND:-}"

vng_node() {
    local i=$1
    shift
    local mac netdev
    mac=$(printf '52:54:00:00:00:%02x' "$i")
    netdev="-netdev dgram,id=tipc0,local.type=unix,local.path=$RUN/node$i.sock"
    netdev+=",remote.type=unix,remote.path=$RUN/hub.sock"
    netdev+=" -device virtio-net-pci,netdev=tipc0,mac=$mac"
    vng ${TIPC_RS_VNG_OPTS:-} --run "$KB" $kvm_opt --append "$APPEND" --name "node$i" --cpus "$cpus" --memory "$mem" --rwdir "$RUN" \
        ${rwdirs[@]+"${rwdirs[@]}"} --qemu-opts="$netdev" "$@"
}

for n in "${!node_cmd[@]}"; do
    [ "$n" -le "$nodes" ] || die "--on $n: there are only $nodes nodes"
done
for i in $(seq 2 "$nodes"); do
    extra=
    # The node runs its command in the background and stays up until the cluster stops.
    [ -n "${node_cmd[$i]:-}" ] &&
        extra=" bash -c $(printf '%q' "${node_cmd[$i]} & while [ ! -e $RUN/stop ]; do sleep 1; done; kill \$! 2>/dev/null")"
    vng_node "$i" --exec "$TOP/tools/vm/guest.sh $i $(module_of "$i") $RUN$extra" \
        >"$RUN/node$i.log" 2>&1 </dev/null &
    pids+=($!)
done

if [ $# -gt 0 ]; then
    # Without udev the guest's script output goes to its serial console, which vng shows only
    # with the kernel's messages; guest.sh also copies it to a file, which we follow.
    cmd=$(printf '%q ' "$@")
    : >"$RUN/console.1"
    vng_node 1 --exec "$TOP/tools/vm/guest.sh 1 $(module_of 1) $RUN $cmd" >"$RUN/vng.1.log" 2>&1 </dev/null &
    vng_pid=$!
    tail -n +1 -F --pid="$vng_pid" "$RUN/console.1" 2>/dev/null
    wait "$vng_pid" || true
    [ -f "$RUN/status.1" ] || {
        tail -50 "$RUN/vng.1.log" >&2
        die "node 1 did not report an exit status (did the guest crash?)"
    }
    exit "$(cat "$RUN/status.1")"
fi
printf '#!/bin/sh\nexec %q 1 %q %q\n' "$TOP/tools/vm/guest.sh" "$(module_of 1)" "$RUN" >"$RUN/shell.1"
chmod +x "$RUN/shell.1"
vng_node 1 --shell "$RUN/shell.1"
