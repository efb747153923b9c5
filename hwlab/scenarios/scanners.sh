# Scenario 2: the USB HID scanners through the real usbhid driver and libusb. A boot-keyboard wedge (0c2e:0b61)
# and a HID POS scanner (0c2e:0b6a) are configfs gadgets on dummy_hcd; `checkpointctl scanner list` must see them
# as the kernel does, and `scanner test` must read the exact payloads with usbhid detached while it runs and
# re-attached afterwards.
# expects: scanner-list scanner-test-wedge scanner-test-wedge-fields scanner-test-hid-pos scanner-test-hid-pos-fields  (hwlab/run fails a check that never reports)
. /hwlab/lib.sh

hid_gadget wedge 0c2e 0b61 keyboard dummy_udc.1 WEDGE0001
hid_gadget pos 0c2e 0b6a pos dummy_udc.2 POS0001
if ! wait_for 20 usb_device 0c2e 0b61 || ! wait_for 20 usb_device 0c2e 0b6a; then
  fail scanners-enumerate "the gadgets did not enumerate on dummy_hcd"
  exit 0
fi
wedge=$(usb_device 0c2e 0b61):1.0
pos=$(usb_device 0c2e 0b6a):1.0
wait_for 20 driver_is "$wedge" usbhid && wait_for 20 driver_is "$pos" usbhid
echo "wedge interface $wedge driver $(driver_of "$wedge"), pos interface $pos driver $(driver_of "$pos")"

checkpointctl scanner list --json > /tmp/list.json 2>/tmp/list.err
cat /tmp/list.json
if grep -q '"transport":"keyboard","usb_id":"0c2e:0b61"' /tmp/list.json \
  && grep -q '"transport":"hid-pos","usb_id":"0c2e:0b6a"' /tmp/list.json \
  && [ "$(grep -o '"kernel_driver":"usbhid"' /tmp/list.json | wc -l)" = 2 ]; then
  ok scanner-list
else
  fail scanner-list "expected keyboard 0c2e:0b61 and hid-pos 0c2e:0b6a, both bound to usbhid: $(cat /tmp/list.err)"
fi

# scanner_test NAME VIDPID INTERFACE KIND PAYLOAD...: types the payloads once usbhid is detached, then checks them.
scanner_test() {
  local name=$1 id=$2 iface=$3 kind=$4 gadget=$5; shift 5
  checkpointctl scanner test --device "$id" --count $# --timeout 120 --json > /tmp/$name.out 2>/tmp/$name.err &
  local pid=$!
  # While the test runs, libusb holds the interface: usbfs is its driver, usbhid is detached.
  if ! wait_for 60 driver_is "$iface" usbfs; then
    kill $pid; wait $pid
    sed 's/^/stderr: /' /tmp/$name.err
    fail "$name" "usbhid was not detached from $iface (driver: $(driver_of "$iface"))"
    return
  fi
  hid-scanner "$kind" "$(hidg "$gadget")" "$@"
  wait $pid
  local status=$?
  cat /tmp/$name.out
  sed 's/^/stderr: /' /tmp/$name.err
  if [ $status != 0 ]; then fail "$name" "exit $status"; return; fi
  for payload in "$@"; do
    if ! grep -qF "\"payload\":\"$payload\"" /tmp/$name.out; then fail "$name" "payload missing: $payload"; return; fi
  done
  if ! wait_for 10 driver_is "$iface" usbhid; then fail "$name" "usbhid was not re-attached to $iface (driver: $(driver_of "$iface"))"; return; fi
  echo "driver during the test: usbfs; after: $(driver_of "$iface")"
  ok "$name"
}

scanner_test scanner-test-wedge 0c2e:0b61 "$wedge" keyboard wedge \
  "079203001234|Nguyen Van An|15081992|Nam|Ha Noi|20042021" "HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH"
if grep -q '"symbology":null' /tmp/scanner-test-wedge.out && grep -q '"transport":"keyboard"' /tmp/scanner-test-wedge.out; then
  ok scanner-test-wedge-fields
else
  fail scanner-test-wedge-fields "expected transport keyboard and symbology null"
fi

scanner_test scanner-test-hid-pos 0c2e:0b6a "$pos" pos pos \
  "079203001234||Nguyễn Văn An|15081992|Nam|Số 12 Phố Huế, Hai Bà Trưng, Hà Nội|20042021" "HC1:QR-42"
if grep -q '"symbology":"]Q1"' /tmp/scanner-test-hid-pos.out && grep -q '"bytes":99' /tmp/scanner-test-hid-pos.out; then
  ok scanner-test-hid-pos-fields
else
  fail scanner-test-hid-pos-fields "expected AIM id ]Q1 and a 99-byte payload"
fi
