# Scenario 1: the emulated PureThermal Lepton (1e4e:0100, Y16 160x120) and InfiRay P2 Pro (0bda:5830, YUYV 256x384)
# through the real uvcvideo driver: `camera list` and `camera probe` pass, and a captured frame's readings equal,
# value for value, one of the frames the emulator sent.
# expects: lepton-enumerate lepton-camera-list lepton-camera-probe lepton-exact-readings p2pro-enumerate p2pro-camera-list p2pro-camera-probe p2pro-exact-readings  (hwlab/run fails a check that never reports)
. /hwlab/lib.sh
F=/hwlab/fixtures

# camera_check NAME PROFILE VID PID FRAMES EXPECTED FRAME_BYTES
camera_check() {
  local name=$1 profile=$2 vid=$3 pid=$4 frames=$5 expected=$6 size=$7
  uvc-gadget --profile "$profile" --frames "$frames" --serial "EMU-$name" > /tmp/$name-emulator.log 2>&1 &
  local emulator=$!
  if ! wait_for 30 usb_device "$vid" "$pid" && ! kill -0 $emulator 2>/dev/null; then
    # The emulator gave up before the host saw it (once in CI, right after the previous camera left): say why,
    # then start it once more.
    sed 's/^/emulator (first start): /' /tmp/$name-emulator.log | tail -5
    uvc-gadget --profile "$profile" --frames "$frames" --serial "EMU-$name" > /tmp/$name-emulator.log 2>&1 &
    emulator=$!
  fi
  if ! wait_for 30 usb_device "$vid" "$pid" || ! wait_for 30 video_node "$vid" "$pid"; then
    fail "$name-enumerate" "the emulated camera did not appear as a V4L2 device"
    sed 's/^/emulator: /' /tmp/$name-emulator.log | tail -8
    kill $emulator; wait $emulator 2>/dev/null
    return
  fi
  local node=$(video_node "$vid" "$pid")
  ok "$name-enumerate"
  checkpointctl camera list --json > /tmp/$name-list.json 2>&1
  sed 's/^/list: /' /tmp/$name-list.json
  if grep -q "\"profile\":\"$profile_kind\"" /tmp/$name-list.json && grep -q "\"usb_id\":\"$vid:$pid\"" /tmp/$name-list.json; then
    ok "$name-camera-list"
  else
    fail "$name-camera-list" "expected $vid:$pid with profile $profile_kind"
  fi
  checkpointctl camera probe "$node" > /tmp/$name-probe.out 2>&1
  local status=$?
  sed 's/^/probe: /' /tmp/$name-probe.out
  if [ $status = 0 ]; then ok "$name-camera-probe"; else fail "$name-camera-probe" "exit $status"; fi
  checkpointctl camera snapshot --device "$node" --raw /tmp/$name.ck /tmp/$name.png > /tmp/$name-snap.out 2>&1
  sed 's/^/snapshot: /' /tmp/$name-snap.out
  local matched=""
  for k in 0 1 2 3; do
    dd if="$expected" of=/tmp/$name-expected-$k.ck bs="$size" skip=$k count=1 2>/dev/null
    cmp -s /tmp/$name.ck /tmp/$name-expected-$k.ck && matched=$k
  done
  if [ -n "$matched" ]; then
    ok "$name-exact-readings"
    echo "the captured frame equals sent frame $matched, value for value"
  else
    fail "$name-exact-readings" "the captured frame equals none of the frames sent ($(wc -c < /tmp/$name.ck) bytes)"
  fi
  kill $emulator
  wait $emulator 2>/dev/null
  wait_for 20 usb_gone "$vid" "$pid" || true
  sed 's/^/emulator: /' /tmp/$name-emulator.log | tail -5
}

profile_kind=lepton
camera_check lepton lepton 1e4e 0100 $F/lepton-pattern.y16 $F/lepton-pattern.y16 38400
profile_kind=infiray-p2
camera_check p2pro p2pro 0bda 5830 $F/p2pro-pattern.yuyv $F/p2pro-expected.ck 98304
