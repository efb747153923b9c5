/*
 * uvc-gadget.c - user-space UVC thermal camera on legacy GadgetFS.
 *
 * Emulates a radiometric thermal camera (PureThermal/Lepton "Y16 " 160x120
 * or InfiRay P2 Pro YUYV 256x384) and streams frames read from a raw file to
 * the host-side uvcvideo driver through ONE BULK IN endpoint.  Meant for the
 * dummy_hcd + gadgetfs pair inside a test VM (dummy_hcd has no isochronous
 * endpoints, so the kernel's f_uvc cannot be used; see README-uvc.md).
 *
 *   gcc -O2 -static -o uvc-gadget uvc-gadget.c
 *   modprobe dummy_hcd; modprobe gadgetfs
 *   mkdir -p /dev/gadget; mount -t gadgetfs none /dev/gadget
 *   uvc-gadget --profile lepton|p2pro --frames FILE [--fps N] [--serial S]
 *              [--udc NAME] [--verbose]
 *
 * Only libc (+ pthreads, part of glibc) is used; all USB/UVC constants and
 * the gadgetfs event layout are defined locally so no kernel headers are
 * needed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- USB --- */

#define USB_DIR_IN 0x80
#define USB_TYPE_MASK 0x60
#define USB_TYPE_STANDARD 0x00
#define USB_TYPE_CLASS 0x20
#define USB_RECIP_MASK 0x1f
#define USB_RECIP_INTERFACE 0x01

#define USB_REQ_GET_DESCRIPTOR 0x06
#define USB_REQ_GET_CONFIGURATION 0x08
#define USB_REQ_SET_CONFIGURATION 0x09
#define USB_REQ_GET_INTERFACE 0x0a
#define USB_REQ_SET_INTERFACE 0x0b

#define USB_DT_DEVICE 0x01
#define USB_DT_CONFIG 0x02
#define USB_DT_STRING 0x03
#define USB_DT_INTERFACE 0x04
#define USB_DT_ENDPOINT 0x05
#define USB_DT_IAD 0x0b
#define USB_DT_CS_INTERFACE 0x24

/* linux/usb/gadgetfs.h (ABI: 8-byte setup packet + 4-byte enum) */
enum { GFS_NOP = 0, GFS_CONNECT, GFS_DISCONNECT, GFS_SETUP, GFS_SUSPEND };
struct ctrlreq {
	uint8_t bRequestType, bRequest;
	uint16_t wValue, wIndex, wLength; /* little endian (x86/arm hosts) */
} __attribute__((packed));
struct gfs_event {
	union {
		uint32_t speed; /* enum usb_device_speed: 2 full, 3 high */
		struct ctrlreq setup;
	} u;
	uint32_t type;
};

/* ---------------------------------------------------------------- UVC --- */

#define UVC_SET_CUR 0x01
#define UVC_GET_CUR 0x81
#define UVC_GET_MIN 0x82
#define UVC_GET_MAX 0x83
#define UVC_GET_RES 0x84
#define UVC_GET_LEN 0x85
#define UVC_GET_INFO 0x86
#define UVC_GET_DEF 0x87
#define UVC_VS_PROBE_CONTROL 0x01
#define UVC_VS_COMMIT_CONTROL 0x02
#define UVC_VC_REQUEST_ERROR_CODE_CONTROL 0x02

#define IF_VC 0
#define IF_VS 1
#define EP_ADDR 0x81 /* ep1in-bulk on dummy_udc */
#define CTRL_LEN 26  /* uvc_streaming_control size for bcdUVC 1.00 */

struct profile {
	const char *name;
	uint16_t vid, pid;
	const char *manufacturer, *product;
	uint8_t guid[16];
	const char *fourcc;
	uint16_t width, height;
	uint32_t interval; /* 100 ns units */
	double fps;
};

static const struct profile profiles[] = {
	{"lepton", 0x1e4e, 0x0100, "GroupGets (emulated)", "PureThermal (emulated)",
	 {'Y', '1', '6', ' ', 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71},
	 "Y16 ", 160, 120, 1111111, 9.0},
	{"p2pro", 0x0bda, 0x5830, "InfiRay (emulated)", "P2 Pro (emulated)",
	 {'Y', 'U', 'Y', '2', 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71},
	 "YUYV", 256, 384, 400000, 25.0},
};

/* ------------------------------------------------------------- globals --- */

static const struct profile *P;
static const char *serial = "EMU0001";
static const char *udc_arg;
static char udc_path[1024];
static char gadget_dir[256] = "/dev/gadget";
static int verbose;
static double fps;
static unsigned out_delay_us; /* UVC_GADGET_TEST_OUT_DELAY_MS, test hook only */

static uint8_t *frames;
static size_t frame_size, nframes;
static uint8_t *payload; /* 2-byte header + frame */

static volatile sig_atomic_t quit_sig;
static int ep0 = -1;
static int cur_speed;
static int configured;
static uint8_t vc_error; /* VC_REQUEST_ERROR_CODE_CONTROL value */
static uint8_t probe[34], commit[34], defctrl[34];

/* writer thread state, protected by mu */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_t writer;
static int ep_fd = -1;
static int streaming;        /* host committed and we have not seen a stop */
static unsigned gen;         /* bumped on every start/abort */
static int busy;             /* writer is sleeping/writing for gen */
static int in_write;         /* writer is blocked in write() */
static double write_since;   /* monotonic s when the current write started */
static size_t frame_off;     /* bytes of the current payload already taken by the host */
static size_t next_frame;
static unsigned fid;
static unsigned long sent_in_stream, sent_total;
static int writer_quit;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void logmsg(const char *fmt, ...)
{
	va_list ap;
	char buf[512];
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fprintf(stderr, "uvc-gadget[%ld.%03ld]: %s\n", (long)ts.tv_sec, ts.tv_nsec / 1000000, buf);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }

/* --------------------------------------------------------- descriptors --- */

/* Build one configuration (full or high speed); returns its length. */
static size_t build_config(uint8_t *b, int hs)
{
	uint8_t *p = b, *vc_hdr, *vs_hdr;
	uint32_t w = P->width, h = P->height, fsz = w * h * 2;
	uint32_t bitrate = (uint32_t)(fsz * 8.0 * (1e7 / P->interval));

	/* configuration */
	uint8_t cfg[9] = {9, USB_DT_CONFIG, 0, 0, 2, 1, 0, 0x80, 250};
	memcpy(p, cfg, 9); p += 9;
	/* interface association: video interface collection */
	uint8_t iad[8] = {8, USB_DT_IAD, IF_VC, 2, 0x0e, 0x03, 0x00, 2};
	memcpy(p, iad, 8); p += 8;
	/* VideoControl interface, no endpoint (no status interrupt) */
	uint8_t vcif[9] = {9, USB_DT_INTERFACE, IF_VC, 0, 0, 0x0e, 0x01, 0x00, 2};
	memcpy(p, vcif, 9); p += 9;
	/* VC header, UVC 1.00, one streaming interface */
	vc_hdr = p;
	uint8_t vch[13] = {13, USB_DT_CS_INTERFACE, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 1, IF_VS};
	put32(vch + 7, 48000000);
	memcpy(p, vch, 13); p += 13;
	/* camera input terminal id 1, no controls */
	uint8_t it[18] = {18, USB_DT_CS_INTERFACE, 0x02, 1, 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0};
	memcpy(p, it, 18); p += 18;
	/* output terminal id 2 (USB streaming), source = camera */
	uint8_t ot[9] = {9, USB_DT_CS_INTERFACE, 0x03, 2, 0x01, 0x01, 0, 1, 0};
	memcpy(p, ot, 9); p += 9;
	put16(vc_hdr + 5, (uint16_t)(p - vc_hdr));
	/* VideoStreaming interface, alt 0 carries the bulk endpoint */
	uint8_t vsif[9] = {9, USB_DT_INTERFACE, IF_VS, 0, 1, 0x0e, 0x02, 0x00, 0};
	memcpy(p, vsif, 9); p += 9;
	/* VS input header: 1 format, ep 0x81, terminal link 2, bControlSize 1 */
	vs_hdr = p;
	uint8_t vsh[14] = {14, USB_DT_CS_INTERFACE, 0x01, 1, 0, 0, EP_ADDR, 0, 2, 0, 0, 0, 1, 0};
	memcpy(p, vsh, 14); p += 14;
	/* uncompressed format */
	uint8_t fmt[27] = {27, USB_DT_CS_INTERFACE, 0x04, 1, 1};
	memcpy(fmt + 5, P->guid, 16);
	fmt[21] = 16; /* bBitsPerPixel */
	fmt[22] = 1;  /* bDefaultFrameIndex */
	memcpy(p, fmt, 27); p += 27;
	/* uncompressed frame, one discrete interval */
	uint8_t fr[30] = {30, USB_DT_CS_INTERFACE, 0x05, 1, 0};
	put16(fr + 5, w);
	put16(fr + 7, h);
	put32(fr + 9, bitrate);
	put32(fr + 13, bitrate);
	put32(fr + 17, fsz);
	put32(fr + 21, P->interval);
	fr[25] = 1;
	put32(fr + 26, P->interval);
	memcpy(p, fr, 30); p += 30;
	/* colour matching: BT.709 / BT.709 / SMPTE 170M */
	uint8_t cm[6] = {6, USB_DT_CS_INTERFACE, 0x0d, 1, 1, 4};
	memcpy(p, cm, 6); p += 6;
	put16(vs_hdr + 4, (uint16_t)(p - vs_hdr));
	/* bulk IN endpoint */
	uint8_t ep[7] = {7, USB_DT_ENDPOINT, EP_ADDR, 0x02, 0, 0, 0};
	put16(ep + 4, hs ? 512 : 64);
	memcpy(p, ep, 7); p += 7;

	put16(b + 2, (uint16_t)(p - b));
	return p - b;
}

static size_t build_device(uint8_t *p)
{
	uint8_t d[18] = {18, USB_DT_DEVICE, 0x00, 0x02, 0xef, 0x02, 0x01, 64,
			 0, 0, 0, 0, 0x00, 0x01, 1, 2, 3, 1};
	put16(d + 8, P->vid);
	put16(d + 10, P->pid);
	memcpy(p, d, 18);
	return 18;
}

static void init_ctrl(uint8_t *c)
{
	memset(c, 0, 34);
	put16(c + 0, 1);            /* bmHint: dwFrameInterval fixed */
	c[2] = 1;                   /* bFormatIndex */
	c[3] = 1;                   /* bFrameIndex */
	put32(c + 4, P->interval);  /* dwFrameInterval */
	put32(c + 18, (uint32_t)frame_size);     /* dwMaxVideoFrameSize */
	put32(c + 22, (uint32_t)frame_size + 2); /* dwMaxPayloadTransferSize */
	put32(c + 26, 48000000);    /* dwClockFrequency (1.1) */
	c[30] = 3;                  /* bmFramingInfo: FID + EOF used */
	c[31] = 1; c[32] = 1; c[33] = 1;
}

/* Host's SET_CUR data -> what we actually support. */
static void fixup_ctrl(uint8_t *dst, const uint8_t *req, size_t len)
{
	init_ctrl(dst);
	if (len >= 2)
		memcpy(dst, req, 2); /* keep bmHint */
}

/* ---------------------------------------------------------- ep0 helpers --- */

static int recent_blind; /* an ep0_recover() answer may make the next event a duplicate */

static void ep0_reply(const void *data, size_t len, uint16_t wLength)
{
	if (len > wLength)
		len = wLength;
	if (write(ep0, data, len) < 0 && (!recent_blind || verbose))
		logmsg("ep0 reply failed: %s%s", strerror(errno),
		       recent_blind ? " (duplicate of the blindly answered request)" : "");
}

static void ep0_ack(void)
{
	char c;
	if (read(ep0, &c, 0) < 0)
		logmsg("ep0 ack failed: %s", strerror(errno));
}

static const char *ep0_outcome; /* for --verbose */

static void ep0_stall(const struct ctrlreq *c)
{
	char buf[4];
	ep0_outcome = " -> STALL";
	if (c->bRequestType & USB_DIR_IN)
		(void)!read(ep0, buf, 0); /* "wrong direction" -> protocol stall */
	else if (c->wLength == 0)
		(void)!write(ep0, buf, 0);
	/* OUT with a data stage: the data was already read in serve();
	 * gadgetfs cannot stall those, the request is simply ignored. */
}

/* The data stage of a control OUT request (SET_CUR) was overtaken by the
 * next SETUP (gadgetfs -> EIDRM).  dummy_hcd completes the host's OUT
 * transfer as soon as the data reaches the gadget, so the host may already
 * wait for its next request, which gadgetfs has parked while we are still
 * in the SETUP state and which we cannot read as an event first.  During
 * uvcvideo's probe sequence that request is GET_CUR/GET_MIN/GET_MAX/GET_DEF
 * of the probe control, so answer it blindly with the default control. */
static void ep0_recover(const char *why)
{
	char buf[256];
	logmsg("ep0 race: %s, answering the pending request blindly", why);
	recent_blind = 2;
	if (write(ep0, defctrl, 34) < 0)
		(void)!read(ep0, buf, sizeof buf); /* OUT request: collect its data (ep0 is O_NONBLOCK) */
}

/* Data stage of a control OUT request.  ep0 is O_NONBLOCK so a data stage
 * that never completes cannot hang the ep0 loop. */
static ssize_t ep0_read_data(void *buf, size_t len)
{
	double t0 = now_s();
	for (;;) {
		ssize_t n = read(ep0, buf, len);
		if (n >= 0 || errno != EAGAIN)
			return n;
		if (now_s() - t0 > 0.5) {
			errno = ETIMEDOUT;
			return -1;
		}
		usleep(200);
	}
}

/* ------------------------------------------------------ streaming logic --- */

static void sigusr1(int s) { (void)s; }

/* Stop the writer (interrupting a blocked write) and wait until it is idle.
 * Must be called without mu held. */
static void stream_abort(const char *why)
{
	pthread_mutex_lock(&mu);
	int was = streaming;
	unsigned long n = sent_in_stream;
	streaming = 0;
	gen++;
	while (busy) {
		pthread_kill(writer, SIGUSR1);
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * 1000000;
		if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
		pthread_cond_timedwait(&cv, &mu, &ts);
	}
	pthread_mutex_unlock(&mu);
	if (was)
		logmsg("streaming stopped (%s), %lu frames sent", why, n);
}

static void stream_start(void)
{
	stream_abort("restart");
	pthread_mutex_lock(&mu);
	if (ep_fd < 0) {
		pthread_mutex_unlock(&mu);
		logmsg("commit while not configured, ignored");
		return;
	}
	streaming = 1;
	gen++;
	next_frame = 0;
	sent_in_stream = 0;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	logmsg("stream start (commit: format %u frame %u interval %u, payload %zu bytes)",
	       commit[2], commit[3], commit[4] | commit[5] << 8 | commit[6] << 16 | (unsigned)commit[7] << 24,
	       frame_size + 2);
}

static void sleep_until(double t)
{
	struct timespec ts;
	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL); /* EINTR ok */
}

static void *writer_main(void *arg)
{
	(void)arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	const double interval = 1.0 / fps;
	double due = 0;
	unsigned started_gen = ~0u;
	/* Payloads are written in 16 KiB pieces (a multiple of 512 and 64, so the
	 * host sees one transfer ending in one short packet, exactly as with a
	 * single write).  16 KiB is uvcvideo's bulk URB size; the pieces let the
	 * watchdog see a payload that the host stopped reading half-way.  Do not
	 * go much smaller: dummy_hcd moves at most one request per 1 ms tick. */
	const size_t CHUNK = 16384;

	for (;;) {
		pthread_mutex_lock(&mu);
		while (!writer_quit && !(streaming && ep_fd >= 0))
			pthread_cond_wait(&cv, &mu);
		if (writer_quit) {
			pthread_mutex_unlock(&mu);
			break;
		}
		unsigned g = gen;
		int fd = ep_fd;
		size_t idx = next_frame % nframes;
		busy = 1;
		pthread_mutex_unlock(&mu);

		double t = now_s();
		if (g != started_gen) {
			started_gen = g;
			due = t; /* first frame of a stream goes out at once */
		}
		if (due > t)
			sleep_until(due);
		if (now_s() > due + interval)
			due = now_s(); /* fell behind: don't burst */

		payload[0] = 2;
		payload[1] = 0x80 | 0x02 | (fid & 1); /* EOH | EOF | FID */
		memcpy(payload + 2, frames + idx * frame_size, frame_size);

		size_t total = frame_size + 2, off = 0;
		int err = 0;
		while (off < total) {
			pthread_mutex_lock(&mu);
			if (gen != g) {
				pthread_mutex_unlock(&mu);
				err = EINTR;
				break;
			}
			in_write = 1;
			write_since = now_s();
			frame_off = off;
			pthread_mutex_unlock(&mu);
			size_t n = total - off > CHUNK ? CHUNK : total - off;
			ssize_t r = write(fd, payload + off, n);
			int e = errno;
			pthread_mutex_lock(&mu);
			in_write = 0;
			pthread_mutex_unlock(&mu);
			if (r < 0) {
				err = e;
				break;
			}
			off += (size_t)r;
		}

		pthread_mutex_lock(&mu);
		busy = 0;
		int first = 0;
		if (!err) {
			fid ^= 1;
			sent_total++;
			if (gen == g) {
				next_frame++;
				first = (sent_in_stream++ == 0);
			}
		} else if (off > 0) {
			fid ^= 1; /* partial payload went out: next one must toggle */
		}
		if (err && err != EINTR && gen == g) {
			streaming = 0;
			gen++;
			pthread_mutex_unlock(&mu);
			logmsg("streaming stopped (bulk write: %s), %lu frames sent", strerror(err), sent_in_stream);
			pthread_mutex_lock(&mu);
		}
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
		if (first)
			logmsg("streaming: first frame delivered to host");
		due += interval;
	}
	return NULL;
}

/* ----------------------------------------------------- endpoint config --- */

static int find_ep_file(char *out, size_t outlen)
{
	static const char *pref[] = {"ep1in-bulk", "ep1in", NULL};
	char path[1024];
	struct stat st;
	for (int i = 0; pref[i]; i++) {
		snprintf(path, sizeof path, "%s/%s", gadget_dir, pref[i]);
		if (stat(path, &st) == 0) {
			snprintf(out, outlen, "%s", path);
			return 0;
		}
	}
	/* configurable endpoints ("ep-bin" style): address comes from desc */
	DIR *d = opendir(gadget_dir);
	if (!d)
		return -1;
	struct dirent *de;
	int found = -1;
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, "ep-", 3) && strstr(de->d_name + 3, "in")) {
			snprintf(out, outlen, "%s/%s", gadget_dir, de->d_name);
			found = 0;
			break;
		}
	}
	closedir(d);
	return found;
}

static void ep_teardown(void)
{
	stream_abort("deconfigured");
	pthread_mutex_lock(&mu);
	int fd = ep_fd;
	ep_fd = -1;
	pthread_mutex_unlock(&mu);
	if (fd >= 0)
		close(fd);
	configured = 0;
}

static int ep_setup(void)
{
	char path[1024];
	if (find_ep_file(path, sizeof path) < 0) {
		logmsg("no bulk IN endpoint file in %s", gadget_dir);
		return -1;
	}
	int fd = open(path, O_RDWR);
	if (fd < 0) {
		logmsg("open %s: %s", path, strerror(errno));
		return -1;
	}
	uint8_t buf[4 + 7 + 7];
	put32(buf, 1);
	uint8_t fs[7] = {7, USB_DT_ENDPOINT, EP_ADDR, 0x02, 64, 0, 0};
	uint8_t hs[7] = {7, USB_DT_ENDPOINT, EP_ADDR, 0x02, 0, 2, 0};
	memcpy(buf + 4, fs, 7);
	memcpy(buf + 11, hs, 7);
	if (write(fd, buf, sizeof buf) < 0) {
		logmsg("configure %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	pthread_mutex_lock(&mu);
	ep_fd = fd;
	pthread_mutex_unlock(&mu);
	configured = 1;
	return 0;
}

/* -------------------------------------------------------- ep0 requests --- */

static void string_desc(int idx, uint16_t wLength, const struct ctrlreq *c)
{
	uint8_t d[256];
	const char *s;
	if (idx == 0) {
		uint8_t l[4] = {4, USB_DT_STRING, 0x09, 0x04};
		ep0_reply(l, 4, wLength);
		return;
	}
	switch (idx) {
	case 1: s = P->manufacturer; break;
	case 2: s = P->product; break;
	case 3: s = serial; break;
	default: ep0_stall(c); return;
	}
	size_t n = strlen(s);
	if (n > 126)
		n = 126;
	d[0] = (uint8_t)(2 + 2 * n);
	d[1] = USB_DT_STRING;
	for (size_t i = 0; i < n; i++) {
		d[2 + 2 * i] = (uint8_t)s[i];
		d[3 + 2 * i] = 0;
	}
	ep0_reply(d, d[0], wLength);
}

static const char *req_name(uint8_t r)
{
	switch (r) {
	case UVC_SET_CUR: return "SET_CUR";
	case UVC_GET_CUR: return "GET_CUR";
	case UVC_GET_MIN: return "GET_MIN";
	case UVC_GET_MAX: return "GET_MAX";
	case UVC_GET_RES: return "GET_RES";
	case UVC_GET_LEN: return "GET_LEN";
	case UVC_GET_INFO: return "GET_INFO";
	case UVC_GET_DEF: return "GET_DEF";
	}
	return "?";
}

static void vs_request(const struct ctrlreq *c, const uint8_t *out, ssize_t outlen)
{
	uint8_t cs = c->wValue >> 8;
	uint8_t data[64];
	uint8_t *cur = cs == UVC_VS_PROBE_CONTROL ? probe : commit;

	switch (c->bRequest) {
	case UVC_SET_CUR: {
		/* outlen < 0: data lost to the EIDRM race, use defaults */
		fixup_ctrl(cur, out, outlen > 0 ? (size_t)outlen : 0);
		vc_error = 0;
		if (cs == UVC_VS_COMMIT_CONTROL) {
			stream_start();
		} else {
			/* A PROBE while our bulk write has been pending for more
			 * than 30 ms (a live host takes a payload within ~1-10 ms)
			 * means the host stopped reading (stream off is invisible
			 * to the gadget: dummy_hcd swallows CLEAR_FEATURE(HALT)).
			 * Drop the half-sent frame now so the next stream starts
			 * on a payload boundary.  A PROBE during live streaming
			 * (VIDIOC_TRY_FMT) leaves the stream alone. */
			pthread_mutex_lock(&mu);
			int stuck = streaming && in_write && now_s() - write_since > 0.03;
			pthread_mutex_unlock(&mu);
			if (stuck)
				stream_abort("host stopped reading");
		}
		if (outlen < 0)
			ep0_recover("SET_CUR data overtaken by the next request");
		return;
	}
	case UVC_GET_CUR:
		ep0_reply(cur, 34, c->wLength);
		break;
	case UVC_GET_MIN:
	case UVC_GET_MAX:
	case UVC_GET_DEF:
		ep0_reply(defctrl, 34, c->wLength);
		break;
	case UVC_GET_RES:
		memset(data, 0, sizeof data);
		ep0_reply(data, 34, c->wLength);
		break;
	case UVC_GET_LEN:
		put16(data, CTRL_LEN);
		ep0_reply(data, 2, c->wLength);
		break;
	case UVC_GET_INFO:
		data[0] = 0x03; /* supports GET and SET */
		ep0_reply(data, 1, c->wLength);
		break;
	default:
		vc_error = 0x07; /* invalid request */
		ep0_stall(c);
		return;
	}
	vc_error = 0;
}

static void handle_setup(const struct ctrlreq *c, const uint8_t *out, ssize_t outlen)
{
	uint8_t type = c->bRequestType;

	if ((type & USB_TYPE_MASK) == USB_TYPE_STANDARD) {
		switch (c->bRequest) {
		case USB_REQ_GET_DESCRIPTOR:
			if (type == 0x80 && (c->wValue >> 8) == USB_DT_STRING) {
				string_desc(c->wValue & 0xff, c->wLength, c);
				return;
			}
			break;
		case USB_REQ_SET_CONFIGURATION:
			if (type != 0x00)
				break;
			ep_teardown();
			if ((c->wValue & 0xff) == 1) {
				if (ep_setup() == 0)
					logmsg("configured (%s speed), bulk IN ep 0x%02x", cur_speed == 3 ? "high" : "full",
					       EP_ADDR);
			} else {
				logmsg("unconfigured");
			}
			ep0_ack(); /* may not be stalled */
			return;
		case USB_REQ_SET_INTERFACE:
			if (type != 0x01)
				break;
			if ((c->wIndex & 0xff) > IF_VS || c->wValue != 0)
				break;
			if ((c->wIndex & 0xff) == IF_VS)
				stream_abort("SET_INTERFACE");
			ep0_ack();
			return;
		case USB_REQ_GET_INTERFACE:
			if (type != 0x81 || (c->wIndex & 0xff) > IF_VS)
				break;
			{
				uint8_t z = 0;
				ep0_reply(&z, 1, c->wLength);
			}
			return;
		case USB_REQ_GET_CONFIGURATION: /* normally answered by gadgetfs */
			if (type != 0x80)
				break;
			{
				uint8_t v = configured;
				ep0_reply(&v, 1, c->wLength);
			}
			return;
		}
		ep0_stall(c);
		return;
	}

	if ((type & USB_TYPE_MASK) == USB_TYPE_CLASS && (type & USB_RECIP_MASK) == USB_RECIP_INTERFACE) {
		uint8_t intf = c->wIndex & 0xff, entity = c->wIndex >> 8, cs = c->wValue >> 8;
		if (intf == IF_VS && (cs == UVC_VS_PROBE_CONTROL || cs == UVC_VS_COMMIT_CONTROL)) {
			vs_request(c, out, outlen);
			return;
		}
		if (intf == IF_VC && entity == 0 && cs == UVC_VC_REQUEST_ERROR_CODE_CONTROL) {
			if (c->bRequest == UVC_GET_CUR) {
				ep0_reply(&vc_error, 1, c->wLength);
				return;
			}
			if (c->bRequest == UVC_GET_INFO) {
				uint8_t i = 0x01;
				ep0_reply(&i, 1, c->wLength);
				return;
			}
		}
		vc_error = 0x06; /* invalid control */
	}
	if (outlen < 0 && !(type & USB_DIR_IN) && c->wLength)
		ep0_recover("OUT data overtaken by the next request");
	else
		ep0_stall(c);
}

/* ----------------------------------------------------------- main loop --- */

static void on_term(int s) { quit_sig = s; }

static int detect_udc(void)
{
	if (udc_arg) {
		if (strchr(udc_arg, '/')) {
			snprintf(udc_path, sizeof udc_path, "%s", udc_arg);
			snprintf(gadget_dir, sizeof gadget_dir, "%s", udc_arg);
			char *sl = strrchr(gadget_dir, '/');
			if (sl)
				*sl = 0;
		} else {
			snprintf(udc_path, sizeof udc_path, "%s/%s", gadget_dir, udc_arg);
		}
		return 0;
	}
	struct stat st;
	snprintf(udc_path, sizeof udc_path, "%s/dummy_udc", gadget_dir);
	if (stat(udc_path, &st) == 0)
		return 0;
	DIR *d = opendir(gadget_dir);
	if (!d)
		return -1;
	struct dirent *de;
	int found = -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strncmp(de->d_name, "ep", 2))
			continue;
		snprintf(udc_path, sizeof udc_path, "%s/%s", gadget_dir, de->d_name);
		found = 0;
		break;
	}
	closedir(d);
	return found;
}

static void ensure_mounted(void)
{
	struct stat st;
	DIR *d = opendir(gadget_dir);
	int entries = 0;
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				entries++;
		closedir(d);
	}
	if (entries)
		return;
	if (stat(gadget_dir, &st) != 0)
		mkdir(gadget_dir, 0755);
	if (mount("none", gadget_dir, "gadgetfs", 0, NULL) == 0)
		logmsg("mounted gadgetfs on %s", gadget_dir);
}

/* One bind/enumerate/serve session on the controller file.  Returns when
 * quitting or when the UDC went away (caller retries). */
static void serve(void)
{
	uint8_t buf[4096], *p = buf;
	put32(p, 0);
	p += 4;
	p += build_config(p, 0);
	p += build_config(p, 1);
	p += build_device(p);

	ep0 = open(udc_path, O_RDWR | O_NONBLOCK);
	if (ep0 < 0) {
		logmsg("open %s: %s", udc_path, strerror(errno));
		return;
	}
	if (write(ep0, buf, p - buf) < 0) {
		logmsg("write descriptors to %s: %s", udc_path, strerror(errno));
		close(ep0);
		ep0 = -1;
		return;
	}
	static int udc_missing;
	if (!udc_missing)
		logmsg("bound to %s: %s %04x:%04x \"%s\" serial %s, %s %ux%u, %zu frame(s) of %zu bytes at %.2f fps",
	       udc_path, P->name, P->vid, P->pid, P->product, serial, P->fourcc, P->width, P->height, nframes,
	       frame_size, fps);

	int stall_reported = 0, had_ep = 0;
	double next_ep_check = 0;
	while (!quit_sig) {
		struct pollfd pfd = {ep0, POLLIN | POLLOUT, 0};
		int pr = poll(&pfd, 1, 50);
		if (quit_sig)
			break;
		/* UDC unbound (e.g. echo dummy_udc.0 > .../dummy_udc/unbind):
		 * gadgetfs removes the ep files; start over with a fresh open. */
		if (now_s() >= next_ep_check) {
			char tmp[1024];
			next_ep_check = now_s() + 1.0;
			if (find_ep_file(tmp, sizeof tmp) == 0)
				had_ep = 1;
			else if (had_ep) {
				logmsg("UDC unbound (endpoint files gone)");
				break;
			}
		}
		if (pr > 0 && (pfd.revents & POLLOUT) && !(pfd.revents & POLLIN)) {
			/* gadgetfs is in its SETUP state but we never saw that
			 * request (it overtook a data stage): answer it */
			ep0_recover("unanswered control request");
			continue;
		}

		/* Watchdog: the host stopped reading (VIDIOC_STREAMOFF / app gone).
		 * The gadget gets no event for that, so a payload that sits in the
		 * queue would be read by the NEXT stream.  A payload stuck half-way
		 * for 150 ms, or one not touched for 2 s, is dropped and we wait for
		 * the next COMMIT. */
		pthread_mutex_lock(&mu);
		double pend = now_s() - write_since;
		int stuck = streaming && in_write && (pend > 2.0 || (frame_off > 0 && pend > 0.15));
		pthread_mutex_unlock(&mu);
		if (stuck) {
			if (!stall_reported)
				stream_abort("host stopped reading");
			stall_reported = 1;
		} else {
			stall_reported = 0;
		}

		if (pr <= 0)
			continue;
		struct gfs_event ev[5];
		ssize_t n = read(ep0, ev, sizeof ev);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EIDRM)
				continue;
			if (errno == EINVAL) { /* driver registered but no UDC bound yet */
				if (!udc_missing++)
					logmsg("no UDC available (unbound?), retrying every 0.5 s");
			} else {
				logmsg("ep0 read: %s (UDC gone?)", strerror(errno));
			}
			break;
		}
		for (ssize_t i = 0; i < n / (ssize_t)sizeof ev[0]; i++) {
			switch (ev[i].type) {
			case GFS_CONNECT:
				udc_missing = 0;
				cur_speed = (int)ev[i].u.speed;
				logmsg("connected (%s speed)", cur_speed == 3 ? "high" : cur_speed == 2 ? "full" : "other");
				break;
			case GFS_DISCONNECT:
				udc_missing = 0;
				ep_teardown();
				logmsg("disconnected");
				break;
			case GFS_SUSPEND:
				stream_abort("suspend");
				if (verbose)
					logmsg("suspended");
				break;
			case GFS_SETUP: {
				const struct ctrlreq *c = &ev[i].u.setup;
				uint8_t out[256];
				ssize_t outlen = 0;
				/* Read an OUT data stage at once: the host does not wait
				 * for us (see ep0_recover), only the next SETUP does. */
				ep0_outcome = "";
				if (!(c->bRequestType & USB_DIR_IN) && c->wLength) {
					if (out_delay_us) /* test hook: provoke the EIDRM race */
						usleep(out_delay_us);
					outlen = ep0_read_data(out, c->wLength > sizeof out ? sizeof out : c->wLength);
					if (outlen < 0 && errno != EIDRM)
						logmsg("ep0 OUT data: %s", strerror(errno));
				}
				handle_setup(c, out, outlen);
				if (recent_blind)
					recent_blind--;
				if (verbose)
					logmsg("setup %02x %02x wValue=%04x wIndex=%04x wLength=%u%s%s%s%s", c->bRequestType,
					       c->bRequest, c->wValue, c->wIndex, c->wLength,
					       (c->bRequestType & USB_TYPE_MASK) == USB_TYPE_CLASS ? " " : "",
					       (c->bRequestType & USB_TYPE_MASK) == USB_TYPE_CLASS ? req_name(c->bRequest) : "",
					       outlen < 0 ? " (data lost: EIDRM)" : "", ep0_outcome);
				break;
			}
			case GFS_NOP:
				break;
			default:
				logmsg("unknown gadgetfs event %u", ev[i].type);
			}
		}
	}
	ep_teardown();
	close(ep0); /* unregisters the gadget: dummy_hcd drops the pull-up */
	ep0 = -1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: uvc-gadget --profile lepton|p2pro --frames FILE [--fps N] [--serial S]\n"
		"                  [--udc NAME|PATH] [--verbose]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *frames_path = NULL, *prof = NULL;
	fps = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--profile") && v) prof = v, i++;
		else if (!strcmp(a, "--frames") && v) frames_path = v, i++;
		else if (!strcmp(a, "--fps") && v) fps = atof(v), i++;
		else if (!strcmp(a, "--serial") && v) serial = v, i++;
		else if (!strcmp(a, "--udc") && v) udc_arg = v, i++;
		else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) verbose = 1;
		else usage();
	}
	if (!prof || !frames_path)
		usage();
	for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
		if (!strcmp(prof, profiles[i].name))
			P = &profiles[i];
	if (!P) {
		fprintf(stderr, "uvc-gadget: unknown profile '%s'\n", prof);
		return 2;
	}
	if (fps <= 0)
		fps = P->fps;
	if (getenv("UVC_GADGET_TEST_OUT_DELAY_MS"))
		out_delay_us = 1000u * (unsigned)atoi(getenv("UVC_GADGET_TEST_OUT_DELAY_MS"));
	if (strlen(serial) > 126) {
		fprintf(stderr, "uvc-gadget: serial too long\n");
		return 2;
	}
	frame_size = (size_t)P->width * P->height * 2;

	/* load frames */
	FILE *f = fopen(frames_path, "rb");
	if (!f) {
		fprintf(stderr, "uvc-gadget: %s: %s\n", frames_path, strerror(errno));
		return 1;
	}
	fseek(f, 0, SEEK_END);
	long sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (sz <= 0 || (size_t)sz % frame_size) {
		fprintf(stderr, "uvc-gadget: %s: size %ld is not a positive multiple of the %zu-byte frame\n",
			frames_path, sz, frame_size);
		return 1;
	}
	nframes = (size_t)sz / frame_size;
	frames = malloc((size_t)sz);
	payload = malloc(frame_size + 2);
	if (!frames || !payload || fread(frames, 1, (size_t)sz, f) != (size_t)sz) {
		fprintf(stderr, "uvc-gadget: cannot read %s\n", frames_path);
		return 1;
	}
	fclose(f);
	init_ctrl(defctrl);
	init_ctrl(probe);
	init_ctrl(commit);

	/* signals: TERM/INT to the main thread only, USR1 to the writer only */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term; /* no SA_RESTART: poll()/read() return EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = sigusr1;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&writer, NULL, writer_main, NULL)) {
		fprintf(stderr, "uvc-gadget: pthread_create failed\n");
		return 1;
	}
	sigdelset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	int waited = 0;
	while (!quit_sig) {
		if (!udc_arg)
			ensure_mounted();
		if (detect_udc() < 0) {
			if (!waited++)
				logmsg("no UDC file in %s yet (modprobe dummy_hcd gadgetfs; mount -t gadgetfs none %s)",
				       gadget_dir, gadget_dir);
			usleep(500000);
			continue;
		}
		serve();
		if (!quit_sig)
			usleep(500000);
	}
	logmsg("signal %d: disconnected from host, exiting (%lu frames sent)", (int)quit_sig, sent_total);
	pthread_mutex_lock(&mu);
	writer_quit = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(writer, NULL);
	return 0;
}
