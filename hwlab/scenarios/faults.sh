# Scenario 4: faults. checkpointd runs with the emulated Lepton and both scanners; passages are stored; then the
# camera and the HID POS scanner are unplugged (emulator stopped, gadget unbound) and plugged back. The service must
# stay up, show both offline, resume within 2 s of the device reappearing, and lose no passage.
# expects: fault-service-up fault-offline-shown fault-resume-within-2s fault-scanner-reads-after-replug fault-no-passage-lost  (hwlab/run fails a check that never reports)
. /hwlab/lib.sh
F=/hwlab/fixtures
hid_gadget wedge 0c2e 0b61 keyboard dummy_udc.1 WEDGE0001
hid_gadget pos 0c2e 0b6a pos dummy_udc.2 POS0001
wait_for 20 usb_device 0c2e 0b61; wait_for 20 usb_device 0c2e 0b6a
# Scans without a traveller become passages after a short pairing window.
sed 's|/tmp/state|/tmp/faults-state|' $F/lane.toml | awk '{ print } /^id = "lane-1"/ { print "pairing_window_s = 2" }' > /tmp/faults.toml
uvc-gadget --profile lepton --frames $F/lepton-pattern.y16 --fps 9 --serial EMU-FAULTS > /tmp/faults-emulator.log 2>&1 &
emulator=$!
wait_for 30 video_node 1e4e 0100
checkpointd --config /tmp/faults.toml > /tmp/checkpointd.log 2>&1 &
daemon=$!
wait_for 90 grep -q "camera online" /tmp/checkpointd.log
wait_for 30 sh -c "[ \$(grep -c 'scanner online' /tmp/checkpointd.log) -ge 2 ]"
stored() { checkpointctl passages --state /tmp/faults-state --json --payload --limit 100 > /tmp/faults-passages.json 2>/dev/null && grep -q "$1" /tmp/faults-passages.json; }
# One scan at a time: a second scan inside the pairing window replaces the first (noted on the passage).
hid-scanner pos "$(hidg pos)" "HC1:BEFORE-FAULT-1"
wait_for 60 stored BEFORE-FAULT-1
hid-scanner keyboard "$(hidg wedge)" "HC1:BEFORE-FAULT-2"
wait_for 60 stored BEFORE-FAULT-2
before=$(grep -c BEFORE-FAULT /tmp/faults-passages.json)
echo "passages stored before the fault: $before"

# Faults: unplug the HID POS scanner and the camera, plug them back.
scanner_offline=$(count_lines /tmp/checkpointd.log "scanner offline")
camera_offline=$(count_lines /tmp/checkpointd.log "camera offline")
gadget_unbind pos
kill $emulator; wait $emulator 2>/dev/null
if wait_for 20 sh -c "[ \$(grep -c 'scanner offline' /tmp/checkpointd.log) -gt $scanner_offline ] && [ \$(grep -c 'camera offline' /tmp/checkpointd.log) -gt $camera_offline ]"; then
  ok fault-offline-shown
else
  fail fault-offline-shown "checkpointd did not report both devices offline"
fi
kill -0 $daemon 2>/dev/null && ok fault-service-up || fail fault-service-up "checkpointd died on unplug"

scanner_online=$(count_lines /tmp/checkpointd.log "scanner online")
camera_online=$(count_lines /tmp/checkpointd.log "camera online")
gadget_bind pos dummy_udc.2
uvc-gadget --profile lepton --frames $F/lepton-pattern.y16 --fps 9 --serial EMU-FAULTS > /tmp/faults-emulator2.log 2>&1 &
emulator=$!
wait_for 30 usb_device 0c2e 0b6a; t_scanner=$(uptime_s)
wait_for 30 video_node 1e4e 0100; t_camera=$(uptime_s)
wait_for 20 sh -c "[ \$(grep -c 'scanner online' /tmp/checkpointd.log) -gt $scanner_online ]"; r_scanner=$(uptime_s)
wait_for 20 sh -c "[ \$(grep -c 'camera online' /tmp/checkpointd.log) -gt $camera_online ]"; r_camera=$(uptime_s)
scanner_delay=$(awk -v a="$t_scanner" -v b="$r_scanner" 'BEGIN { printf "%.1f", b - a }')
camera_delay=$(awk -v a="$t_camera" -v b="$r_camera" 'BEGIN { printf "%.1f", b - a }')
echo "resumed after reconnection: scanner ${scanner_delay} s, camera ${camera_delay} s (guest time, 0.1 s polling)"
if awk -v s="$scanner_delay" -v c="$camera_delay" 'BEGIN { exit !(s <= 2.0 && c <= 2.0) }' \
  && [ "$(grep -c 'scanner online' /tmp/checkpointd.log)" -gt "$scanner_online" ] \
  && [ "$(grep -c 'camera online' /tmp/checkpointd.log)" -gt "$camera_online" ]; then
  ok fault-resume-within-2s
else
  fail fault-resume-within-2s "scanner ${scanner_delay} s, camera ${camera_delay} s"
  tail -25 /tmp/checkpointd.log
  tail -8 /tmp/faults-emulator2.log
fi
# The replugged scanner reads again.
hid-scanner pos "$(hidg pos)" "HC1:AFTER-REPLUG"
wait_for 30 sh -c "checkpointctl passages --state /tmp/faults-state --json --payload --limit 100 2>/dev/null | grep -q AFTER-REPLUG" \
  && ok fault-scanner-reads-after-replug || fail fault-scanner-reads-after-replug "the scan after replugging was not stored"

kill -TERM $daemon
wait $daemon
status=$?
checkpointctl passages --state /tmp/faults-state --json --payload --limit 100 > /tmp/faults-passages.json 2>/dev/null
after=$(grep -c BEFORE-FAULT /tmp/faults-passages.json)
if [ $status = 0 ] && [ "$before" = 2 ] && [ "$after" = 2 ]; then
  ok fault-no-passage-lost
else
  fail fault-no-passage-lost "exit $status, passages before the fault $before, after $after"
fi
kill $emulator 2>/dev/null; wait $emulator 2>/dev/null
