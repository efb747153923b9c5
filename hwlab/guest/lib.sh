# Helpers for scenario scripts (busybox sh). A scenario prints one `test NAME: OK` or `test NAME: FAIL (reason)`
# line per check; everything else it prints is shown indented as the scenario's log.

ok() { echo "test $1: OK"; }
fail() { echo "test $1: FAIL ($2)"; }

# wait_for SECONDS COMMAND...: retries COMMAND every 0.1 s until it succeeds or SECONDS of guest time have passed
# (a deadline, not a count: commands are slow under TCG).
wait_for() {
  local deadline=$(awk -v n="$(cut -d' ' -f1 /proc/uptime)" -v l="$1" 'BEGIN { print n + l }'); shift
  while :; do
    "$@" >/dev/null 2>&1 && return 0
    awk -v t="$deadline" -v n="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { exit !(n >= t) }' && break
    sleep 0.1
  done
  "$@" >/dev/null 2>&1
}

# The sysfs directory of the USB device with this VID and PID (e.g. /sys/bus/usb/devices/2-1), or nothing.
usb_device() {
  for d in /sys/bus/usb/devices/*; do
    [ -f "$d/idVendor" ] || continue
    if [ "$(cat "$d/idVendor")" = "$1" ] && [ "$(cat "$d/idProduct")" = "$2" ]; then echo "$d"; return 0; fi
  done
  return 1
}

usb_gone() { ! usb_device "$1" "$2" >/dev/null; }

# hid_gadget NAME VID PID keyboard|pos UDC SERIAL: a configfs HID gadget bound to UDC (a dummy_hcd controller).
hid_gadget() {
  local g=/sys/kernel/config/usb_gadget/$1
  [ -d "$g" ] && return 0  # made by an earlier scenario in this guest
  mkdir -p "$g"
  echo "0x$2" > "$g/idVendor"
  echo "0x$3" > "$g/idProduct"
  echo 0x0200 > "$g/bcdUSB"
  mkdir -p "$g/strings/0x409"
  echo "Checkpoint Lane hwlab" > "$g/strings/0x409/manufacturer"
  echo "Emulated $4 scanner" > "$g/strings/0x409/product"
  echo "$6" > "$g/strings/0x409/serialnumber"
  mkdir -p "$g/functions/hid.0"
  if [ "$4" = keyboard ]; then
    echo 1 > "$g/functions/hid.0/protocol"; echo 1 > "$g/functions/hid.0/subclass"; echo 8 > "$g/functions/hid.0/report_length"
  else
    echo 0 > "$g/functions/hid.0/protocol"; echo 0 > "$g/functions/hid.0/subclass"; echo 64 > "$g/functions/hid.0/report_length"
  fi
  hid-scanner descriptor "$4" > "$g/functions/hid.0/report_desc"
  mkdir -p "$g/configs/c.1/strings/0x409"
  echo "scanner" > "$g/configs/c.1/strings/0x409/configuration"
  ln -s "$g/functions/hid.0" "$g/configs/c.1/"
  echo "$5" > "$g/UDC"
}

# Unplug and replug a configfs gadget (the host sees a disconnect and a new enumeration).
gadget_unbind() { echo "" > "/sys/kernel/config/usb_gadget/$1/UDC"; }
gadget_bind() { echo "$2" > "/sys/kernel/config/usb_gadget/$1/UDC"; }

# The /dev/hidgN node of gadget NAME.
hidg() { echo "/dev/hidg$(cut -d: -f2 "/sys/kernel/config/usb_gadget/$1/functions/hid.0/dev")"; }

# The driver bound to a USB interface (usbhid, usbfs when a program has claimed it through libusb), or "none".
driver_of() { if [ -e "$1/driver" ]; then basename "$(readlink "$1/driver")"; else echo none; fi; }
driver_is() { [ "$(driver_of "$1")" = "$2" ]; }

# The /dev/videoN capture node of the USB camera with this VID and PID, or nothing.
video_node() {
  local dev=$(usb_device "$1" "$2") || return 1
  for v in /sys/class/video4linux/video*; do
    [ -e "$v" ] || continue
    case "$(readlink -f "$v/device")" in "$(readlink -f "$dev")"/*)
      [ "$(cat "$v/index" 2>/dev/null)" = 0 ] && { echo "/dev/$(basename "$v")"; return 0; } ;;
    esac
  done
  return 1
}

uptime_s() { cut -d' ' -f1 /proc/uptime; }
# sleep_until SECONDS: waits until the guest's uptime reaches SECONDS.
sleep_until() { while awk -v t="$1" -v n="$(uptime_s)" 'BEGIN { exit !(n < t) }'; do sleep 0.1; done; }
# count_lines FILE PATTERN: how many lines of FILE contain PATTERN (0 when the file is missing).
count_lines() { grep -c "$2" "$1" 2>/dev/null || true; }

# play_scene T0: scans each traveller of the fixture scene (hwlab/fixtures/scene.tsv) 1 s after they arrive in front of
# the emulated camera, whose scene started at guest time T0: on the HID POS scanner when the payload has Vietnamese
# text, else on the keyboard wedge. Returns 2 s after the last traveller left.
play_scene() {
  local t0=$1 tab=$(printf '\t') last=0 scanner
  while IFS="$tab" read -r arrival departure canthus verdict payload; do
    sleep_until "$(awk -v a="$t0" -v b="$arrival" 'BEGIN { print a + b + 1.0 }')"
    if printf '%s' "$payload" | LC_ALL=C grep -q '[^ -~]'; then scanner=pos; else scanner=wedge; fi
    hid-scanner $([ $scanner = pos ] && echo pos || echo keyboard) "$(hidg $scanner)" "$payload"
    echo "t=$(uptime_s): traveller at $arrival s ($canthus °C, expect $verdict) scanned on $scanner"
    last=$departure
  done < /hwlab/fixtures/scene.tsv
  sleep_until "$(awk -v a="$t0" -v b="$last" 'BEGIN { print a + b + 2 }')"
}

# scene_passages STATE: waits up to 60 s until every traveller of the scene has a passage stored in STATE, then
# prints what is wrong with them ("traveller at 4.74 s: no passage; …"), nothing when each one is a complete passage
# with its expected verdict. The passages are left in /tmp/passages.json.
scene_passages() {
  local state=$1 tab=$(printf '\t') wrong="" line
  stored_all() {
    checkpointctl passages --state "$state" --json --payload --limit 100 > /tmp/passages.json 2>/dev/null || return 1
    while IFS="$tab" read -r arrival departure canthus verdict payload; do
      grep -qF "\"payload\":\"$payload\"" /tmp/passages.json || return 1
    done < /hwlab/fixtures/scene.tsv
  }
  wait_for 60 stored_all
  while IFS="$tab" read -r arrival departure canthus verdict payload; do
    line=$(grep -F "\"payload\":\"$payload\"" /tmp/passages.json | head -1)
    case "$line" in
      *"\"verdict\":\"$verdict\""*'"outcome":"complete"'* | *'"outcome":"complete"'*"\"verdict\":\"$verdict\""*) ;;
      "") wrong="$wrong; traveller at $arrival s: no passage" ;;
      *) wrong="$wrong; traveller at $arrival s ($canthus °C): expected a complete $verdict passage" ;;
    esac
  done < /hwlab/fixtures/scene.tsv
  printf '%s' "${wrong#; }"
}
