// SPDX-License-Identifier: BSD-2-Clause
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xdp/libxdp.h>

#include "capd_paths.h"
#include "netdev.h"
#include "xdp_prog.h"

#ifndef CAPD_BUILD_DIR
#define CAPD_BUILD_DIR ""
#endif
#ifndef CAPD_BPF_OBJ_BUILD
#define CAPD_BPF_OBJ_BUILD ""
#endif
/* Missing from Debian 12's 6.1 uapi headers (Linux 6.6). */
#ifndef XDP_USE_SG
#define XDP_USE_SG (1 << 4)
#endif

#define RX_TIMESTAMP_KFUNC "bpf_xdp_metadata_rx_timestamp"

struct xdp_prog {
	struct xdp_prog_info info;
	struct bpf_object *obj;
	int prog_fd;
	int xsks_fd;
	int feeds4_fd;
	int feeds6_fd;
	int counters_fd;
	int link_fd; /* the attachment; -1 when not attached */
};

/* ---- libbpf output ------------------------------------------------------- */

static xdp_prog_print_fn print_fn;
static bool print_set;

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (print_fn)
		print_fn((int)level, fmt, ap);
	return 0;
}

/* libxdp's levels match libbpf's: warn, info, debug. */
static int print_libxdp(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	if (print_fn)
		print_fn((int)level, fmt, ap);
	return 0;
}

void xdp_prog_set_print(xdp_prog_print_fn fn)
{
	print_fn = fn;
	print_set = true;
	libbpf_set_print(print_libbpf);
	libxdp_set_print(print_libxdp);
}

/* ---- feeds ----------------------------------------------------------------- */

static int family_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : -1;
}

/* Does prefix (a, len) contain address b? */
static bool prefix_has(const uint8_t *a, unsigned int len, const uint8_t *b)
{
	unsigned int full = len / 8, rest = len % 8;

	if (memcmp(a, b, full))
		return false;
	if (!rest)
		return true;
	return ((a[full] ^ b[full]) & (0xff00u >> rest)) == 0;
}

static void prefix_mask(uint8_t *a, unsigned int len, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++) {
		if (len >= 8 * (i + 1))
			continue;
		a[i] &= len > 8 * i ? (uint8_t)(0xff00u >> (len - 8 * i)) : 0;
	}
}

/* A feed's masked prefix: the LPM key it contributes. */
struct feed_key {
	int family;
	unsigned int len;
	uint8_t addr[16];
};

static void feed_key_of(const struct xdp_feed *f, struct feed_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = f->family;
	k->len = f->prefix_len;
	memcpy(k->addr, f->addr, f->family == AF_INET ? 4 : 16);
	prefix_mask(k->addr, k->len, 16);
}

static bool feed_key_eq(const struct feed_key *a, const struct feed_key *b)
{
	return a->family == b->family && a->len == b->len && !memcmp(a->addr, b->addr, 16);
}

/*
 * The map value of prefix k: the feeds of k and of every shorter prefix
 * covering it, longest first.  Ports of a longer prefix shadow the same
 * ports of shorter ones; an any-port feed ends the walk, since nothing
 * shorter can be reached past it.  LPM returns only the longest match, so
 * this is what makes covering prefixes behave as documented in xdp_prog.h.
 */
static int build_value(const struct xdp_feed *feeds, size_t n, const struct feed_key *k,
		       struct capd_feed_val *v)
{
	unsigned int i, j;
	int len;
	size_t f;

	memset(v, 0, sizeof(*v));
	v->any_feed = CAPD_FEED_NONE;
	for (len = (int)k->len; len >= 0; len--) {
		bool any = false;

		for (f = 0; f < n; f++) {
			const struct xdp_feed *fd = &feeds[f];

			if (fd->family != k->family || fd->prefix_len != len ||
			    !prefix_has(fd->addr, (unsigned int)len, k->addr))
				continue;
			if (!fd->nports) {
				if (!any)
					v->any_feed = fd->index;
				any = true;
				continue;
			}
			for (i = 0; i < fd->nports; i++) {
				uint16_t port = htons(fd->ports[i]);

				for (j = 0; j < v->nports; j++)
					if (v->port[j].port == port)
						break;
				if (j < v->nports)
					continue;
				if (v->nports == CAPD_VAL_PORTS)
					return -E2BIG;
				v->port[v->nports].port = port;
				v->port[v->nports].feed = fd->index;
				v->nports++;
			}
		}
		if (any)
			break;
	}
	return 0;
}

int xdp_prog_feed_value(const struct xdp_feed *feeds, size_t nfeeds, int family,
			const uint8_t *addr, unsigned int len, struct capd_feed_val *v)
{
	struct feed_key k = { .family = family, .len = len };

	memcpy(k.addr, addr, family == AF_INET ? 4 : 16);
	prefix_mask(k.addr, k.len, 16);
	return build_value(feeds, nfeeds, &k, v);
}

static int check_feed(const struct xdp_feed *f)
{
	unsigned int i;
	int bits = family_bits(f->family);

	if (bits < 0 || f->prefix_len > bits || f->nports > XDP_FEED_MAX_PORTS ||
	    f->index >= CAPD_FEED_NONE)
		return -EINVAL;
	for (i = 0; i < f->nports; i++)
		if (!f->ports[i])
			return -EINVAL;
	return 0;
}

/*
 * Distinct keys of the feed set, one family at a time: keys[] gets the
 * keys of `family`, in first-seen order.
 */
static int collect_keys(const struct xdp_feed *feeds, size_t n, int family, struct feed_key *keys,
			size_t *nkeys)
{
	struct feed_key k;
	size_t f, i;

	*nkeys = 0;
	for (f = 0; f < n; f++) {
		if (feeds[f].family != family)
			continue;
		feed_key_of(&feeds[f], &k);
		for (i = 0; i < *nkeys; i++)
			if (feed_key_eq(&keys[i], &k))
				break;
		if (i < *nkeys)
			continue;
		if (*nkeys == CAPD_MAX_FEED_KEYS)
			return -E2BIG;
		keys[(*nkeys)++] = k;
	}
	return 0;
}

int xdp_prog_check_feeds(const struct xdp_feed *feeds, size_t nfeeds)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct capd_feed_val v;
	struct feed_key *keys;
	size_t nkeys, i, fam;
	int r = 0;

	if (nfeeds && !feeds)
		return -EINVAL;
	for (i = 0; i < nfeeds; i++) {
		r = check_feed(&feeds[i]);
		if (r)
			return r;
	}
	keys = calloc(CAPD_MAX_FEED_KEYS, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (fam = 0; fam < 2 && !r; fam++) {
		r = collect_keys(feeds, nfeeds, families[fam], keys, &nkeys);
		for (i = 0; i < nkeys && !r; i++)
			r = build_value(feeds, nfeeds, &keys[i], &v);
	}
	free(keys);
	return r;
}

/* LPM keys of both families share one layout: prefixlen, then the address. */
union lpm_key {
	struct capd_lpm4_key v4;
	struct capd_lpm6_key v6;
	uint8_t raw[sizeof(struct capd_lpm6_key)];
};

static void lpm_key_of(const struct feed_key *k, union lpm_key *out)
{
	memset(out, 0, sizeof(*out));
	if (k->family == AF_INET) {
		out->v4.prefixlen = k->len;
		memcpy(out->v4.addr, k->addr, 4);
	} else {
		out->v6.prefixlen = k->len;
		memcpy(out->v6.addr, k->addr, 16);
	}
}

/*
 * Make map `fd` (family's LPM trie) hold exactly the keys of the feed set:
 * update every new key first, then delete the keys that are no longer
 * configured, so an unchanged feed never has a gap.
 */
static int sync_family(int fd, int family, const struct xdp_feed *feeds, size_t n,
		       struct feed_key *keys)
{
	size_t keylen =
		family == AF_INET ? sizeof(struct capd_lpm4_key) : sizeof(struct capd_lpm6_key);
	union lpm_key lk, cur, next, *stale = NULL;
	struct capd_feed_val v;
	size_t nkeys, nstale = 0, i;
	void *prev = NULL;
	int r;

	r = collect_keys(feeds, n, family, keys, &nkeys);
	if (r)
		return r;

	/* Keys present now, gathered before anything changes. */
	stale = calloc(CAPD_MAX_FEED_KEYS, sizeof(*stale));
	if (!stale)
		return -ENOMEM;
	while (nstale < CAPD_MAX_FEED_KEYS && bpf_map_get_next_key(fd, prev, &next) == 0) {
		stale[nstale++] = next;
		cur = next;
		prev = &cur;
	}

	for (i = 0; i < nkeys; i++) {
		r = build_value(feeds, n, &keys[i], &v);
		if (r)
			goto out;
		lpm_key_of(&keys[i], &lk);
		r = bpf_map_update_elem(fd, &lk, &v, BPF_ANY);
		if (r)
			goto out;
	}
	for (i = 0; i < nstale; i++) {
		size_t k;

		for (k = 0; k < nkeys; k++) {
			lpm_key_of(&keys[k], &lk);
			if (!memcmp(&lk, &stale[i], keylen))
				break;
		}
		if (k == nkeys)
			bpf_map_delete_elem(fd, &stale[i]);
	}
out:
	free(stale);
	return r;
}

int xdp_prog_set_feeds(struct xdp_prog *p, const struct xdp_feed *feeds, size_t nfeeds)
{
	struct feed_key *keys;
	int r;

	r = xdp_prog_check_feeds(feeds, nfeeds);
	if (r)
		return r;
	keys = calloc(CAPD_MAX_FEED_KEYS, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	r = sync_family(p->feeds4_fd, AF_INET, feeds, nfeeds, keys);
	if (!r)
		r = sync_family(p->feeds6_fd, AF_INET6, feeds, nfeeds, keys);
	free(keys);
	return r;
}

/* ---- loading and attaching --------------------------------------------------- */

/*
 * Was this program started from the build tree it was built in?  An
 * installed capd must load the installed object even on a box where the
 * build tree (perhaps rebuilt since) still exists.
 */
static bool started_in_build_tree(void)
{
	char exe[PATH_MAX], dir[PATH_MAX];
	size_t len;
	ssize_t n;

	if (!*CAPD_BUILD_DIR || !realpath(CAPD_BUILD_DIR, dir))
		return false;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	len = strlen(dir);
	return !strncmp(exe, dir, len) && exe[len] == '/';
}

const char *xdp_prog_obj_path(const char *opts_path)
{
	return xdp_prog_obj_source(opts_path, NULL);
}

const char *xdp_prog_obj_source(const char *opts_path, const char **why)
{
	const char *env, *dummy;

	if (!why)
		why = &dummy;
	*why = "the caller's option";
	if (opts_path && *opts_path)
		return opts_path;
	env = secure_getenv("CAPD_BPF_OBJ");
	*why = "the environment variable CAPD_BPF_OBJ";
	if (env && *env)
		return env;
	*why = "the build tree capd runs from";
	if (*CAPD_BPF_OBJ_BUILD && started_in_build_tree())
		return CAPD_BPF_OBJ_BUILD;
	*why = "the install path";
	return capd_paths_bpf_obj();
}

int xdp_prog_obj_check(const char *path)
{
	struct bpf_object *obj;
	int r = 0;

	if (access(path, R_OK) < 0)
		return -errno;
	if (!print_set)
		xdp_prog_set_print(NULL);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) /* libbpf's own codes (>= 4000): not a BPF ELF file */
		return errno >= 4000 || !errno ? -ENOEXEC : -errno;
	if (!bpf_object__find_program_by_name(obj, "capd_xdp"))
		r = -ENOEXEC;
	bpf_object__close(obj);
	return r;
}

const char *xdp_prog_mode_str(enum xdp_prog_mode mode)
{
	switch (mode) {
	case XDP_PROG_MODE_AUTO:
		return "auto";
	case XDP_PROG_MODE_NATIVE:
		return "native";
	case XDP_PROG_MODE_GENERIC:
		return "generic";
	}
	return "?";
}

/*
 * Set a `const volatile` global of .rodata before load.  Without a
 * skeleton the variable's offset comes from the object's BTF; libbpf 1.1
 * hands out the initial image read-only, so it is copied and set back.
 */
static int set_rodata_u32(struct bpf_object *obj, const char *name, uint32_t val)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct bpf_map *map;
	const void *init;
	struct btf *btf;
	uint8_t *data;
	size_t size;
	int id, i, r;

	btf = bpf_object__btf(obj);
	if (!btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		return -ENOENT;
	sec = btf__type_by_id(btf, (uint32_t)id);
	bpf_object__for_each_map (map, obj) {
		const char *mname = bpf_map__name(map);
		size_t l = strlen(mname);

		if (bpf_map__is_internal(map) && l >= 7 && !strcmp(mname + l - 7, ".rodata"))
			break;
	}
	if (!map)
		return -ENOENT;
	init = bpf_map__initial_value(map, &size);
	if (!init)
		return -ENOENT;
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, var->name_off), name))
			break;
	}
	if (i == btf_vlen(sec))
		return -ENOENT;
	if (vs->size != sizeof(val) || vs->offset + sizeof(val) > size)
		return -EINVAL;
	data = malloc(size);
	if (!data)
		return -ENOMEM;
	memcpy(data, init, size);
	memcpy(data + vs->offset, &val, sizeof(val));
	r = bpf_map__set_initial_value(map, data, size);
	free(data);
	return r;
}

static void unload(struct xdp_prog *p)
{
	bpf_object__close(p->obj);
	p->obj = NULL;
	p->prog_fd = p->xsks_fd = p->feeds4_fd = p->feeds6_fd = p->counters_fd = -1;
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	int fd = bpf_object__find_map_fd_by_name(obj, name);

	return fd < 0 ? -ENOENT : fd;
}

/*
 * Open the object with only program `name` enabled, device-bound to the
 * interface if `bound`, and load it.  A failed load cannot be retried on
 * the same bpf_object, hence one fresh open per attempt.
 */
static int load(struct xdp_prog *p, const char *name, bool bound, bool capture_all)
{
	struct bpf_program *prog, *want = NULL;
	int r;

	p->obj = bpf_object__open_file(p->info.obj_path, NULL);
	if (!p->obj) {
		r = -errno;
		return r ? r : -EINVAL;
	}
	bpf_object__for_each_program (prog, p->obj) {
		bool mine = !strcmp(bpf_program__name(prog), name);

		bpf_program__set_autoload(prog, mine);
		if (mine)
			want = prog;
	}
	if (!want) {
		r = -ENOENT;
		goto fail;
	}
	if (bound) {
		bpf_program__set_ifindex(want, (uint32_t)p->info.ifindex);
		r = bpf_program__set_flags(want,
					   bpf_program__flags(want) | BPF_F_XDP_DEV_BOUND_ONLY);
		if (r)
			goto fail;
	}
	if (p->info.frags) {
		r = bpf_program__set_flags(want, bpf_program__flags(want) | BPF_F_XDP_HAS_FRAGS);
		if (r)
			goto fail;
	}
	r = set_rodata_u32(p->obj, "capture_all", capture_all);
	if (r)
		goto fail;
	r = set_rodata_u32(p->obj, "meta_in_frame", p->info.meta_in_frame);
	if (r)
		goto fail;
	r = bpf_object__load(p->obj);
	if (r)
		goto fail;

	p->prog_fd = bpf_program__fd(want);
	p->xsks_fd = map_fd(p->obj, CAPD_MAP_XSKS);
	p->feeds4_fd = map_fd(p->obj, CAPD_MAP_FEEDS4);
	p->feeds6_fd = map_fd(p->obj, CAPD_MAP_FEEDS6);
	p->counters_fd = map_fd(p->obj, CAPD_MAP_COUNTERS);
	if (p->prog_fd < 0 || p->xsks_fd < 0 || p->feeds4_fd < 0 || p->feeds6_fd < 0 ||
	    p->counters_fd < 0) {
		r = -ENOENT;
		goto fail;
	}
	p->info.prog_name = bpf_program__name(want);
	return 0;
fail:
	unload(p);
	return r;
}

/* Load one variant, fill its maps and attach it in the given mode. */
static int try_attach(struct xdp_prog *p, const struct xdp_prog_opts *o, bool hw,
		      uint32_t mode_flag)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo);
	struct bpf_prog_info pinfo;
	uint32_t len = sizeof(pinfo);
	int r;

	r = load(p, hw ? CAPD_PROG_HW : CAPD_PROG_SW, hw, o->capture_all);
	if (r)
		return r;
	r = xdp_prog_set_feeds(p, o->feeds, o->nfeeds);
	if (r)
		goto fail;
	/*
	 * A BPF link, not a netlink attach: the kernel detaches the program
	 * when the last descriptor of the link goes, so a crashed or killed
	 * capd leaves no program behind and its successor can attach.  A link
	 * never replaces an attached program: it fails with -EBUSY.
	 */
	lo.flags = mode_flag;
	r = bpf_link_create(p->prog_fd, p->info.ifindex, BPF_XDP, &lo);
	if (r < 0)
		goto fail;
	p->link_fd = r;
	p->info.xdp_flags = mode_flag;
	p->info.mode =
		mode_flag == XDP_FLAGS_DRV_MODE ? XDP_PROG_MODE_NATIVE : XDP_PROG_MODE_GENERIC;
	p->info.hw_bound = hw;
	memset(&pinfo, 0, sizeof(pinfo));
	if (!bpf_obj_get_info_by_fd(p->prog_fd, &pinfo, &len))
		p->info.prog_id = pinfo.id;
	return 0;
fail:
	unload(p);
	return r;
}

/* Another program is attached (in any mode): we never replace it. */
static int foreign_attached(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int r;

	r = bpf_xdp_query(ifindex, 0, &q);
	if (r)
		return r;
	return q.attach_mode != XDP_ATTACHED_NONE ? -EBUSY : 0;
}

/* Errors that mean "someone else is there", where falling back is wrong. */
static bool is_busy(int r)
{
	return r == -EBUSY || r == -EEXIST;
}

static int attach_native(struct xdp_prog *p, const struct xdp_prog_opts *o)
{
	const unsigned int hw = XDP_PROG_F_KFUNC | XDP_PROG_F_DEVBOUND;
	int r;

	/* Without both, the load would fail, and libbpf would say so loudly. */
	if (!o->no_hw_ts && (p->info.feat & hw) == hw) {
		r = try_attach(p, o, true, XDP_FLAGS_DRV_MODE);
		if (!r || is_busy(r))
			return r;
		p->info.hw_err = r;
	}
	return try_attach(p, o, false, XDP_FLAGS_DRV_MODE);
}

/*
 * Whether this kernel lets XDP programs call bpf_xdp_adjust_meta(), by
 * loading the smallest program that does.  libbpf_probe_bpf_helper() is no
 * judge: it takes "program of this type cannot use helper", the answer of
 * kernels built without it, for a yes.
 */
static bool adjust_meta_works(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2, .imm = -8 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_xdp_adjust_meta },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, NULL, "GPL", insns, sizeof(insns) / sizeof(insns[0]),
			   NULL);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* ---- kernel features ------------------------------------------------------ */

/* The kernel's BTF lists every kfunc the kernel has. */
static bool kfunc_exists(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool found;

	if (!btf)
		return false;
	found = btf__find_by_name_kind(btf, RX_TIMESTAMP_KFUNC, BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return found;
}

/*
 * Load the smallest device-bound program.  A kernel before 6.3 refuses the
 * flag outright (EINVAL) before it looks at prog_ifindex, so this never
 * asks an old kernel to offload anything.
 */
static bool devbound_works(int ifindex)
{
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .prog_flags = BPF_F_XDP_DEV_BOUND_ONLY,
		    .prog_ifindex = (uint32_t)ifindex);
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, NULL, "GPL", insns, sizeof(insns) / sizeof(insns[0]),
			   &lo);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * bind() checks its flags before it looks for the interface: a kernel that
 * knows XDP_USE_SG answers ENODEV for interface 0, one that does not
 * answers EINVAL, and no socket is ever bound.
 */
static bool sg_works(void)
{
	struct sockaddr_xdp sa = { .sxdp_family = AF_XDP, .sxdp_flags = XDP_USE_SG };
	int fd, err = 0;

	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		err = errno;
	close(fd);
	return err == ENODEV;
}

unsigned int xdp_prog_features(int ifindex)
{
	unsigned int f = 0;

	if (kfunc_exists())
		f |= XDP_PROG_F_KFUNC;
	if (ifindex > 0 && devbound_works(ifindex))
		f |= XDP_PROG_F_DEVBOUND;
	if (sg_works())
		f |= XDP_PROG_F_SG;
	if (adjust_meta_works())
		f |= XDP_PROG_F_META;
	return f;
}

/* In XDP_PROG_F_* bit order. */
static const char *const feature_names[] = { "kfunc", "devbound", "sg", "meta" };

int xdp_prog_features_parse(const char *list, unsigned int *off)
{
	const char *w = list, *end;
	unsigned int i, mask = 0;
	size_t len;

	while (w && *w) {
		end = strchr(w, ',');
		len = end ? (size_t)(end - w) : strlen(w);
		for (i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
			if (len == 3 + strlen(feature_names[i]) && !strncmp(w, "no-", 3) &&
			    !strncmp(w + 3, feature_names[i], len - 3))
				break;
		if (i == sizeof(feature_names) / sizeof(feature_names[0]))
			return -EINVAL;
		mask |= 1u << i;
		w = end ? end + 1 : NULL;
		if (w && !*w)
			return -EINVAL; /* a trailing comma: an empty word */
	}
	*off = mask;
	return 0;
}

/* Checked feeds, a fresh struct with no descriptor, the object's path. */
static int prog_new(const struct xdp_prog_opts *o, struct xdp_prog **ret)
{
	const char *path;
	struct xdp_prog *p;
	int r;

	if (!print_set)
		xdp_prog_set_print(NULL);
	r = xdp_prog_check_feeds(o->feeds, o->nfeeds);
	if (r)
		return r;
	path = xdp_prog_obj_path(o->obj_path);
	if (strlen(path) >= sizeof(p->info.obj_path))
		return -ENAMETOOLONG;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->prog_fd = p->xsks_fd = p->feeds4_fd = p->feeds6_fd = p->counters_fd = -1;
	p->link_fd = -1;
	strcpy(p->info.obj_path, path);
	*ret = p;
	return 0;
}

int xdp_prog_open(const struct xdp_prog_opts *o, struct xdp_prog **ret)
{
	struct netdev_xdp nx;
	struct xdp_prog *p;
	int r;

	if (!o || !o->ifname || !ret)
		return -EINVAL;
	r = prog_new(o, &p);
	if (r)
		return r;

	if (strlen(o->ifname) >= sizeof(p->info.ifname)) {
		r = -ENODEV;
		goto fail;
	}
	strcpy(p->info.ifname, o->ifname);
	p->info.ifindex = (int)if_nametoindex(o->ifname);
	if (!p->info.ifindex) {
		r = -ENODEV;
		goto fail;
	}
	if (access(p->info.obj_path, R_OK)) {
		r = -errno;
		goto fail;
	}
	r = foreign_attached(p->info.ifindex);
	if (r)
		goto fail;
	p->info.feat_kernel = xdp_prog_features(p->info.ifindex);
	p->info.feat = p->info.feat_kernel & ~o->feat_off;
	if (o->meta_in_frame)
		p->info.feat &= ~XDP_PROG_F_META;
	p->info.meta_in_frame = !(p->info.feat & XDP_PROG_F_META);
	p->info.frags = p->info.feat & XDP_PROG_F_SG;
	if (netdev_xdp_features(p->info.ifindex, &nx) == 0) {
		p->info.features_known = true;
		p->info.xdp_features = nx.features;
		p->info.rx_metadata_features = nx.rx_metadata;
	}

	switch (o->mode) {
	case XDP_PROG_MODE_NATIVE:
		r = attach_native(p, o);
		break;
	case XDP_PROG_MODE_GENERIC:
		r = try_attach(p, o, false, XDP_FLAGS_SKB_MODE);
		break;
	case XDP_PROG_MODE_AUTO:
		r = attach_native(p, o);
		if (r && !is_busy(r)) {
			p->info.native_err = r;
			r = try_attach(p, o, false, XDP_FLAGS_SKB_MODE);
		}
		break;
	default:
		r = -EINVAL;
	}
	if (r)
		goto fail;
	if (!p->info.hw_bound)
		p->info.hw_ts = 0;
	else if (!p->info.features_known)
		p->info.hw_ts = -1;
	else
		p->info.hw_ts = !!(p->info.rx_metadata_features & NETDEV_XDP_RX_METADATA_TIMESTAMP);
	*ret = p;
	return 0;
fail:
	free(p);
	return r == -EEXIST ? -EBUSY : r;
}

int xdp_prog_load_unattached(const struct xdp_prog_opts *o, struct xdp_prog **ret)
{
	struct xdp_prog *p;
	int r;

	if (!o || !ret)
		return -EINVAL;
	r = prog_new(o, &p);
	if (r)
		return r;
	p->info.meta_in_frame =
		o->meta_in_frame || (o->feat_off & XDP_PROG_F_META) || !adjust_meta_works();
	p->info.frags = true;
	r = load(p, CAPD_PROG_SW, false, o->capture_all);
	if (r)
		goto fail;
	r = xdp_prog_set_feeds(p, o->feeds, o->nfeeds);
	if (r)
		goto fail;
	*ret = p;
	return 0;
fail:
	unload(p);
	free(p);
	return r;
}

int xdp_prog_fd(const struct xdp_prog *p)
{
	return p->prog_fd;
}

int xdp_prog_close(struct xdp_prog *p)
{
	int r = 0;

	if (!p)
		return 0;
	if (p->link_fd >= 0) {
		/* Detach now even if a forked child still holds the link. */
		r = bpf_link_detach(p->link_fd);
		if (r == -ENOLINK)
			r = -ENOENT;
		close(p->link_fd);
	}
	unload(p);
	free(p);
	return r;
}

int xdp_prog_xsk_add(struct xdp_prog *p, uint32_t queue, int xsk_fd)
{
	if (queue >= CAPD_MAX_QUEUES)
		return -EINVAL;
	return bpf_map_update_elem(p->xsks_fd, &queue, &xsk_fd, BPF_ANY);
}

int xdp_prog_xsk_del(struct xdp_prog *p, uint32_t queue)
{
	if (queue >= CAPD_MAX_QUEUES)
		return -EINVAL;
	return bpf_map_delete_elem(p->xsks_fd, &queue);
}

int xdp_prog_counters(struct xdp_prog *p, uint32_t queue, struct capd_xdp_counters *out)
{
	struct capd_xdp_counters *percpu;
	uint32_t q, first, last;
	int ncpu, cpu, r = 0;
	unsigned int i;

	if (queue == XDP_PROG_ALL_QUEUES) {
		first = 0;
		last = CAPD_MAX_QUEUES - 1;
	} else {
		first = last = queue < CAPD_MAX_QUEUES ? queue : CAPD_MAX_QUEUES - 1;
	}
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	/* The kernel copies one 8-byte aligned value per possible CPU. */
	percpu = calloc((size_t)ncpu, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	for (q = first; q <= last; q++) {
		r = bpf_map_lookup_elem(p->counters_fd, &q, percpu);
		if (r)
			break;
		for (cpu = 0; cpu < ncpu; cpu++)
			for (i = 0; i < CAPD_CNT__MAX; i++)
				out->c[i] += percpu[cpu].c[i];
	}
	free(percpu);
	return r;
}

const struct xdp_prog_info *xdp_prog_info(const struct xdp_prog *p)
{
	return &p->info;
}
