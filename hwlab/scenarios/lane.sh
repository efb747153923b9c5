# Scenario 3: the whole lane. checkpointd runs with the emulated Lepton streaming a scripted scene of 10
# travellers (2 with fever, temperatures known) and both emulated scanners typing each traveller's declaration as
# they arrive (HID POS for Vietnamese text, the keyboard wedge for ASCII). Every traveller must become a stored
# passage with the expected verdict and declaration.
# expects: lane-passages lane-clean-stop  (hwlab/run fails a check that never reports)
. /hwlab/lib.sh
F=/hwlab/fixtures
hid_gadget wedge 0c2e 0b61 keyboard dummy_udc.1 WEDGE0001
hid_gadget pos 0c2e 0b6a pos dummy_udc.2 POS0001
wait_for 20 usb_device 0c2e 0b61; wait_for 20 usb_device 0c2e 0b6a


uvc-gadget --profile lepton --frames $F/scene.y16 --fps 9 --serial EMU-LANE > /tmp/lane-emulator.log 2>&1 &
emulator=$!
wait_for 30 video_node 1e4e 0100 || { fail lane-camera "the emulated Lepton did not appear"; kill $emulator; exit 0; }
checkpointd --config $F/lane.toml > /tmp/checkpointd.log 2>&1 &
daemon=$!
if ! wait_for 90 grep -q "camera online" /tmp/checkpointd.log; then
  fail lane-camera "checkpointd did not bring the camera online"
  tail -20 /tmp/checkpointd.log
  kill $daemon $emulator; exit 0
fi
wait_for 30 grep -q "scanner online" /tmp/checkpointd.log
# The emulator starts the scene at its first frame when the host starts streaming.
wait_for 30 grep -q "first frame delivered" /tmp/lane-emulator.log
t0=$(uptime_s)
echo "scene started at guest time $t0 s"

play_scene "$t0"
wrong=$(scene_passages /tmp/state)
sed 's/"payload":"[^"]*",//' /tmp/passages.json | cut -c1-220
if [ -z "$wrong" ]; then ok lane-passages; else fail lane-passages "$wrong"; fi
kill -TERM $daemon
wait $daemon
status=$?
[ $status = 0 ] && ok lane-clean-stop || fail lane-clean-stop "checkpointd exited $status after SIGTERM"
grep -E "warning|error|critical" /tmp/checkpointd.log | tail -10
kill $emulator 2>/dev/null; wait $emulator 2>/dev/null
