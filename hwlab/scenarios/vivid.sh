# Scenario 5: a V4L2 device that is not a radiometric camera (vivid, the kernel's virtual video driver) is refused
# with a clear message: no crash, a non-zero exit, and the reason on the line.
# expects: vivid-refused  (hwlab/run fails a check that never reports)
. /hwlab/lib.sh

modprobe vivid n_devs=1 node_types=0x1 num_inputs=1 input_types=0x0
node=""
for v in /sys/class/video4linux/video*; do
  [ "$(cat "$v/name" 2>/dev/null)" = "vivid-000-vid-cap" ] && node=/dev/$(basename "$v")
done
[ -n "$node" ] || { fail vivid-refused "vivid did not create a capture node"; exit 0; }
checkpointctl camera probe "$node" > /tmp/probe.out 2>&1
status=$?
sed "s/^/probe: /" /tmp/probe.out
if [ $status -ge 1 ] && [ $status -lt 128 ] && grep -q "FAIL" /tmp/probe.out; then
  ok vivid-refused
else
  fail vivid-refused "camera probe on $node exited $status"
fi
