# Scenarios 3 and 4: the whole lane. checkpointd runs with the emulated Lepton streaming a scripted scene of 10
# travellers (2 with fever, temperatures known) and both emulated scanners typing each traveller's declaration as
# they arrive (HID POS for Vietnamese text, the keyboard wedge for ASCII). Every traveller must become a stored
# passage with the expected verdict and declaration. Then the camera and a scanner are unplugged and plugged back:
# the service stays up, shows them offline, resumes within 2 s of reconnection, and loses no passage.
. /hwlab/lib.sh
F=/hwlab/fixtures
hid_gadget wedge 0c2e 0b61 keyboard dummy_udc.1 WEDGE0001
hid_gadget pos 0c2e 0b6a pos dummy_udc.2 POS0001
wait_for 20 usb_device 0c2e 0b61; wait_for 20 usb_device 0c2e 0b6a

cat > /tmp/lane.toml <<TOML
[checkpoint]
name = "hwlab"
state_directory = "/tmp/state"
[display]
port = 8080
[[lane]]
id = "lane-1"
[lane.camera]
source = "v4l2"
usb_id = "1e4e:0100"
[[lane.scanner]]
source = "usb"
usb_id = "0c2e:0b6a"
[[lane.scanner]]
source = "usb"
usb_id = "0c2e:0b61"
[lane.screening]
reference = "region"
TOML

uvc-gadget --profile lepton --frames $F/scene.y16 --fps 9 --serial EMU-LANE > /tmp/lane-emulator.log 2>&1 &
emulator=$!
wait_for 30 video_node 1e4e 0100 || { fail lane-camera "the emulated Lepton did not appear"; kill $emulator; exit 0; }
checkpointd --config /tmp/lane.toml > /tmp/checkpointd.log 2>&1 &
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

tab=$(printf '\t')
last=0
while IFS="$tab" read -r arrival departure canthus verdict payload; do
  sleep_until "$(awk -v a="$t0" -v b="$arrival" 'BEGIN { print a + b + 1.0 }')"
  if printf '%s' "$payload" | LC_ALL=C grep -q '[^ -~]'; then scanner=pos; else scanner=wedge; fi
  hid-scanner $([ $scanner = pos ] && echo pos || echo keyboard) "$(hidg $scanner)" "$payload"
  echo "t=$(uptime_s): traveller at $arrival s ($canthus °C, expect $verdict) scanned on $scanner"
  last=$departure
done < $F/scene.tsv
sleep_until "$(awk -v a="$t0" -v b="$last" 'BEGIN { print a + b + 2 }')"

passages() { checkpointctl passages --state /tmp/state --json --payload --limit 100 > /tmp/passages.json 2>/dev/null; }
stored_all() {
  passages || return 1
  while IFS="$tab" read -r arrival departure canthus verdict payload; do
    grep -qF "\"payload\":\"$payload\"" /tmp/passages.json || return 1
  done < $F/scene.tsv
}
wait_for 60 stored_all
passages
sed 's/"payload":"[^"]*",//' /tmp/passages.json | cut -c1-220
wrong=""
while IFS="$tab" read -r arrival departure canthus verdict payload; do
  line=$(grep -F "\"payload\":\"$payload\"" /tmp/passages.json | head -1)
  case "$line" in
    *"\"verdict\":\"$verdict\""*'"outcome":"complete"'* | *'"outcome":"complete"'*"\"verdict\":\"$verdict\""*) ;;
    "") wrong="$wrong; traveller at $arrival s: no passage" ;;
    *) wrong="$wrong; traveller at $arrival s ($canthus °C): expected a complete $verdict passage" ;;
  esac
done < $F/scene.tsv
if [ -z "$wrong" ]; then ok lane-passages; else fail lane-passages "${wrong#; }"; fi
before=$(grep -o '"id":[0-9]*' /tmp/passages.json | wc -l)

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
uvc-gadget --profile lepton --frames $F/lepton-pattern.y16 --fps 9 --serial EMU-LANE > /tmp/lane-emulator2.log 2>&1 &
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
fi
# The replugged scanner reads again.
hid-scanner pos "$(hidg pos)" "HC1:AFTER-REPLUG"
wait_for 30 sh -c "checkpointctl passages --state /tmp/state --json --payload --limit 100 2>/dev/null | grep -q AFTER-REPLUG" \
  && ok fault-scanner-reads-after-replug || fail fault-scanner-reads-after-replug "the scan after replugging was not stored"

kill -TERM $daemon
wait_for 10 sh -c "! kill -0 $daemon 2>/dev/null"
wait $daemon
status=$?
passages
after=$(grep -o '"id":[0-9]*' /tmp/passages.json | wc -l)
if [ $status = 0 ] && [ "$after" -ge "$before" ] && stored_all; then
  ok fault-no-passage-lost
else
  fail fault-no-passage-lost "exit $status, passages before the fault $before, after $after"
fi
grep -E "warning|error|critical" /tmp/checkpointd.log | tail -10
kill $emulator 2>/dev/null; wait $emulator 2>/dev/null
