#!/usr/bin/env python3
"""Generate the umockdev fixtures for the scanner tests (Tests/DevicesTests/UmockdevScannerTests.swift).

Writes, next to this script:
  wedge.umockdev  wedge.pcap   (boot-keyboard wedge, 0c2e:0b61, bus 1 device 2, port 1)
  pos.umockdev    pos.pcap     (HID POS scanner,     0c2e:0b6a, bus 1 device 3, port 2)

.umockdev = the device as sysfs shows it (attributes and the descriptors blob libusb parses).
.pcap     = a usbmon capture (linktype 220) that `umockdev-run -p SYSFSPATH=FILE` replays in order: string and
            report descriptors, SET_PROTOCOL, then the interrupt reports (with the zero-length transfers a real
            f_hid gadget sends after full-size reports). umockdev's .ioctl scripts cannot return control-IN data,
            so the report descriptor needs the pcap form.
Edit the payload constants below and re-run:  python3 gen.py
"""
import os, struct

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- payloads
WEDGE_SCANS = ["079203001234|Nguyen Van An", "HC1:QR-42"]            # each followed by Enter
POS_SCANS = ["079203001234||Nguyễn Văn An|15081992|Nam|Số 12 Phố Huế, Hai Bà Trưng, Hà Nội|20042021",
             "HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH"]
POS_AIM = b"]Q1"
POS_CHUNK = 56

# ---------------------------------------------------------------- descriptors
BOOT_KBD_RDESC = bytes.fromhex(
    "05010906A101"              # Usage Page(Generic Desktop) Usage(Keyboard) Collection(Application)
    "050719E029E715002501750195088102"  # modifiers: 8 x 1 bit, usages E0..E7
    "950175088101"              # reserved byte (Const)
    "950575010508190129059102950175039101"  # 5 LED bits + 3 pad (Output)
    "95067508150025650507190029658100"  # 6 key usages 0..0x65 (Array)
    "C0")
POS_RDESC = bytes.fromhex(   # see NOTES.md for the commented byte-by-byte listing
    "058C" "0902" "A101" "8502" "0912" "A102"
    "0600FF" "0901" "1500" "26FF00" "7508" "9501" "8102"     # [1]   length (vendor 0xFF00:0x01)
    "058C" "09FB" "09FC" "09FD" "9503" "8102"                # [2-4] symbology id (AIM)
    "09FE" "9538" "820201"                                   # [5-60] decoded data, buffered bytes
    "9502" "8101"                                            # [61-62] reserved (Const)
    "09FF" "2501" "9501" "8102"                              # [63] decode data continued
    "C0" "C0")

def usb_descriptors(pid, rdesc, subclass, protocol, maxpkt, interval):
    dev = struct.pack("<BBHBBBBHHHBBBB", 18, 1, 0x0200, 0, 0, 0, 64, 0x0C2E, pid, 0x0100, 1, 2, 3, 1)
    intf = struct.pack("<BBBBBBBBB", 9, 4, 0, 0, 1, 3, subclass, protocol, 0)
    hid = struct.pack("<BBHBBBH", 9, 0x21, 0x0111, 0, 1, 0x22, len(rdesc))
    ep = struct.pack("<BBBBHB", 7, 5, 0x81, 3, maxpkt, interval)
    total = 9 + len(intf) + len(hid) + len(ep)
    cfg = struct.pack("<BBHBBBBB", 9, 2, total, 1, 1, 0, 0x80, 50)
    return dev + cfg + intf + hid + ep

def string_desc(s):
    u = s.encode("utf-16-le")
    return bytes([2 + len(u), 3]) + u

# ---------------------------------------------------------------- reports
KEY = {c: (0, 0x04 + i) for i, c in enumerate("abcdefghijklmnopqrstuvwxyz")}
KEY.update({c: (2, 0x04 + i) for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")})
KEY.update({c: (0, 0x1E + i) for i, c in enumerate("123456789")})
KEY.update({"0": (0, 0x27), "\n": (0, 0x28), " ": (0, 0x2C), "-": (0, 0x2D), "|": (2, 0x31),
            ":": (2, 0x33), ".": (0, 0x37), "/": (0, 0x38)})
ZLP = b""

def wedge_reports():
    out, n = [], 0
    for scan in WEDGE_SCANS:
        for ch in scan + "\n":
            mod, usage = KEY[ch]
            out += [bytes([mod, 0, usage, 0, 0, 0, 0, 0]), bytes(8)]   # press, release
            n += 1
            if n % 10 == 0:
                out.append(ZLP)                                         # a few ZLPs mid-scan
        out.append(ZLP)                                                 # and one after each Enter
    return out

def pos_reports():
    out = []
    for scan in POS_SCANS:
        data = scan.encode("utf-8")
        chunks = [data[i:i + POS_CHUNK] for i in range(0, len(data), POS_CHUNK)]
        for i, c in enumerate(chunks):
            more = 1 if i < len(chunks) - 1 else 0
            out.append(bytes([2, len(c)]) + POS_AIM + c.ljust(POS_CHUNK, b"\0") + bytes([0, 0, more]))
            out.append(ZLP)             # 64-byte report == wMaxPacketSize -> gadget sends a ZLP
    return out

# ---------------------------------------------------------------- writers
def write_umockdev(path, d):
    desc = d["desc"].hex().upper()
    lines = [f"P: /devices/pci0000:00/0000:00:14.0/usb1/1-{d['port']}",
             f"N: bus/usb/001/{d['devnum']:03d}={desc}",
             f"E: DEVNAME=/dev/bus/usb/001/{d['devnum']:03d}",
             "E: DEVTYPE=usb_device", "E: DRIVER=usb", "E: SUBSYSTEM=usb",
             f"E: PRODUCT=c2e/{d['pid']:x}/100", "E: TYPE=0/0/0",
             f"E: BUSNUM=001", f"E: DEVNUM={d['devnum']:03d}",
             "E: MAJOR=189", f"E: MINOR={d['devnum'] - 1}",
             "E: ID_VENDOR_ID=0c2e", f"E: ID_MODEL_ID={d['pid']:04x}", f"E: ID_SERIAL_SHORT={d['serial']}",
             "E: ID_BUS=usb", f"E: ID_USB_INTERFACES=:03{d['sub']:02x}{d['proto']:02x}:",
             "A: authorized=1", "A: bConfigurationValue=1", "A: bDeviceClass=00",
             "A: bDeviceProtocol=00", "A: bDeviceSubClass=00", "A: bMaxPacketSize0=64",
             "A: bMaxPower=100mA", "A: bNumConfigurations=1", "A: bNumInterfaces= 1",
             "A: bcdDevice=0100", "A: bmAttributes=80", "A: busnum=1",
             f"A: dev=189:{d['devnum'] - 1}", f"A: devnum={d['devnum']}", f"A: devpath={d['port']}",
             f"H: descriptors={desc}",
             "L: driver=../../../../../bus/usb/drivers/usb",
             f"A: idProduct={d['pid']:04x}", "A: idVendor=0c2e", "A: manufacturer=Checkpoint Lane Test",
             "A: maxchild=0", f"A: product={d['product']}", "A: removable=removable",
             f"A: serial={d['serial']}", "A: speed=12", "A: version= 2.00", ""]
    # sysfs attribute files end in a newline on a real kernel (libusb warns otherwise): "\n" escape
    lines = [l + "\\n" if l.startswith("A: ") else l for l in lines]
    open(path, "w").write("\n".join(lines) + "\n")

def write_pcap(path, d):
    """usbmon mmapped records; ids are unique per URB, timestamps 1 ms apart."""
    recs, t = [], [0]
    def pkt(ev, xtype, ep, urb_id, setup, urb_len, data=b"", data_flag=0):
        t[0] += 1000
        hdr = struct.pack("<QBBBBHbbqiiII8siiII", urb_id, ord(ev), xtype, ep, d["devnum"], 1,
                          0 if setup else ord("-"), data_flag, 1700000000 + t[0] // 1000000,
                          t[0] % 1000000, -115 if ev == "S" else 0, urb_len, len(data),
                          setup or bytes(8), 0, 0, 0, 0)
        recs.append(hdr + data)
    nid = [0x1000]
    def control_in(setup, reply):
        nid[0] += 0x40
        wlen = struct.unpack_from("<H", setup, 6)[0]
        pkt("S", 2, 0x80, nid[0], setup, wlen, data_flag=ord("<"))
        pkt("C", 2, 0x80, nid[0], None, len(reply), reply)
    def control_out(setup):
        nid[0] += 0x40
        pkt("S", 2, 0x00, nid[0], setup, 0, data_flag=ord(">"))
        pkt("C", 2, 0x00, nid[0], None, 0, data_flag=ord(">"))
    def gd(dtype, idx, lang, wlen):
        return struct.pack("<BBHHH", 0x80 if dtype != 0x22 else 0x81, 6, dtype << 8 | idx, lang, wlen)
    for idx, s in ((2, d["product"]), (3, d["serial"])):      # libusb_get_string_descriptor_ascii
        control_in(gd(3, 0, 0, 4), string_desc("\u0409"))   # LANGID table (0x0409)
        control_in(gd(3, idx, 0x0409, 255), string_desc(s))
    control_in(gd(0x22, 0, 0, len(d["rdesc"])), d["rdesc"])    # GET_DESCRIPTOR(report), wIndex=if 0
    if d["proto"] == 1:
        control_out(struct.pack("<BBHHH", 0x21, 0x0B, 0, 0, 0))  # SET_PROTOCOL(boot)
    for r in d["reports"]:
        nid[0] += 0x40
        pkt("S", 1, 0x81, nid[0], None, d["maxpkt"], data_flag=ord("<"))
        pkt("C", 1, 0x81, nid[0], None, len(r), r, data_flag=0 if r else ord("="))
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 220))
        for i, r in enumerate(recs):
            f.write(struct.pack("<IIII", 1700000000 + i // 1000, (i % 1000) * 1000, len(r), len(r)) + r)

DEVICES = {
    "wedge": dict(pid=0x0B61, devnum=2, port=1, product="Lane Test Wedge Scanner", serial="WEDGE0001",
                  sub=1, proto=1, maxpkt=8, interval=10, rdesc=BOOT_KBD_RDESC, reports=wedge_reports()),
    "pos": dict(pid=0x0B6A, devnum=3, port=2, product="Lane Test HID POS Scanner", serial="POS0001",
                sub=0, proto=0, maxpkt=64, interval=1, rdesc=POS_RDESC, reports=pos_reports()),
}

if __name__ == "__main__":
    assert len(BOOT_KBD_RDESC) == 63, len(BOOT_KBD_RDESC)
    for name, d in DEVICES.items():
        d["desc"] = usb_descriptors(d["pid"], d["rdesc"], d["sub"], d["proto"], d["maxpkt"], d["interval"])
        write_umockdev(os.path.join(HERE, name + ".umockdev"), d)
        write_pcap(os.path.join(HERE, name + ".pcap"), d)
        nz = sum(1 for r in d["reports"] if r)
        print(f"{name}: rdesc {len(d['rdesc'])} B, {nz} reports + {len(d['reports']) - nz} ZLPs")
