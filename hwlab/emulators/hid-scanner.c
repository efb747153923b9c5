/* hid-scanner: the "scanner" side of the lab's USB HID scanners (configfs f_hid gadgets on dummy_hcd).
 *
 *   hid-scanner descriptor keyboard|pos         print the report descriptor (written to the gadget's report_desc)
 *   hid-scanner keyboard /dev/hidgN TEXT...     type each TEXT + Enter as a US-layout boot keyboard
 *                                               (press report, release report; ASCII only, as wedges are used)
 *   hid-scanner pos /dev/hidgN TEXT...          send each TEXT as HID POS scanned-data reports: 64 bytes, report
 *                                               ID 2, [1] = data bytes in this report, [2..4] = AIM id "]Q1",
 *                                               [5..60] = up to 56 data bytes, [63] = 1 while more reports follow
 *
 * A write to /dev/hidgN blocks until the host has polled the report, so the pace is the host's.
 * Exit status 0 when everything was written; 1 on a character the wedge cannot type or a write error.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const unsigned char keyboard_descriptor[] = {
    0x05, 0x01, 0x09, 0x06, 0xA1, 0x01,                          /* Generic Desktop, Keyboard, Application */
    0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00, 0x25, 0x01,  /* modifiers E0..E7 */
    0x75, 0x01, 0x95, 0x08, 0x81, 0x02,                          /* 8 x 1 bit */
    0x95, 0x01, 0x75, 0x08, 0x81, 0x01,                          /* reserved byte */
    0x95, 0x05, 0x75, 0x01, 0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02, /* LEDs */
    0x95, 0x01, 0x75, 0x03, 0x91, 0x01,                          /* LED padding */
    0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x65,              /* 6 key slots */
    0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00, 0xC0,
};

static const unsigned char pos_descriptor[] = {
    0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01,        /* Bar Code Scanner page, Bar Code Scanner, Application */
    0x85, 0x02, 0x09, 0x12, 0xA1, 0x02,        /* Report ID 2, Scanned Data Report, Logical */
    0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08,  /* bytes 0..255 */
    0x95, 0x01, 0x06, 0x00, 0xFF, 0x09, 0x01, 0x81, 0x02,        /* [1] length (vendor 0xFF00:01) */
    0x05, 0x8C, 0x95, 0x03, 0x19, 0xFB, 0x29, 0xFD, 0x81, 0x02,  /* [2..4] Symbology Identifier 1-3 */
    0x95, 0x38, 0x09, 0xFE, 0x82, 0x02, 0x01,                    /* [5..60] Decoded Data */
    0x95, 0x02, 0x81, 0x03,                                      /* [61..62] reserved */
    0x95, 0x01, 0x09, 0xFF, 0x81, 0x02,                          /* [63] Decode Data Continued */
    0xC0, 0xC0,
};

/* US layout: usage and whether Shift is needed, for printable ASCII. */
static int usage_for(char c, int *shift) {
    static const char *plain = "abcdefghijklmnopqrstuvwxyz1234567890";
    static const char *shifted_digits = "!@#$%^&*()";
    static const char sym[] = "-=[]\\;'`,./", sym_shift[] = "_+{}|:\"~<>?";
    static const unsigned char sym_usage[] = {0x2D, 0x2E, 0x2F, 0x30, 0x31, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38};
    const char *p;
    *shift = 0;
    if (c >= 'A' && c <= 'Z') { *shift = 1; c = (char)(c - 'A' + 'a'); }
    if (c == ' ') return 0x2C;
    if ((p = strchr(plain, c)) && c) {
        int i = (int)(p - plain);
        return i < 26 ? 0x04 + i : 0x1E + (i - 26);
    }
    if ((p = strchr(shifted_digits, c)) && c) { *shift = 1; return 0x1E + (int)(p - shifted_digits); }
    if ((p = strchr(sym, c)) && c) return sym_usage[p - sym];
    if ((p = strchr(sym_shift, c)) && c) { *shift = 1; return sym_usage[p - sym_shift]; }
    return -1;
}

static int write_all(int fd, const unsigned char *b, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w < 0) { perror("hid-scanner: write"); return -1; }
        b += w; n -= (size_t)w;
    }
    return 0;
}

static int type_keyboard(int fd, const char *text) {
    unsigned char press[8], release[8] = {0};
    for (const char *c = text;; c++) {
        int shift, usage = *c ? usage_for(*c, &shift) : 0x28;  /* Enter after the text */
        if (*c == 0) shift = 0;
        if (usage < 0) { fprintf(stderr, "hid-scanner: a wedge cannot type byte 0x%02x\n", (unsigned char)*c); return -1; }
        memset(press, 0, sizeof press);
        press[0] = shift ? 0x02 : 0;
        press[2] = (unsigned char)usage;
        if (write_all(fd, press, 8) || write_all(fd, release, 8)) return -1;
        if (*c == 0) return 0;
    }
}

static int send_pos(int fd, const char *text) {
    size_t len = strlen(text), at = 0;
    do {
        unsigned char report[64] = {0};
        size_t part = len - at > 56 ? 56 : len - at;
        report[0] = 2;
        report[1] = (unsigned char)part;
        memcpy(report + 2, "]Q1", 3);
        memcpy(report + 5, text + at, part);
        at += part;
        report[63] = at < len;
        if (write_all(fd, report, 64)) return -1;
    } while (at < len);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "descriptor") == 0) {
        int pos = strcmp(argv[2], "pos") == 0;
        const unsigned char *d = pos ? pos_descriptor : keyboard_descriptor;
        size_t n = pos ? sizeof pos_descriptor : sizeof keyboard_descriptor;
        return fwrite(d, 1, n, stdout) == n ? 0 : 1;
    }
    if (argc < 4 || (strcmp(argv[1], "keyboard") && strcmp(argv[1], "pos"))) {
        fprintf(stderr, "usage: hid-scanner descriptor keyboard|pos | hid-scanner keyboard|pos /dev/hidgN TEXT...\n");
        return 2;
    }
    int fd = open(argv[2], O_WRONLY);
    if (fd < 0) { perror(argv[2]); return 1; }
    for (int i = 3; i < argc; i++) {
        int r = argv[1][0] == 'k' ? type_keyboard(fd, argv[i]) : send_pos(fd, argv[i]);
        if (r) return 1;
    }
    close(fd);
    return 0;
}
