/* gen_citizens: realistic citizen rows for the import and check-in
 * benchmarks, as a CSV that `tiemchung import citizens` accepts.
 *
 *   gen_citizens [-n ROWS] [-s SEED] [--data DIR] [--qr FILE] OUT.csv
 *
 * Deterministic for a seed. Each row is one person:
 *   - a Vietnamese name with its diacritics (NFC), the family name drawn
 *     from the real distribution (Nguyễn 38 %, Trần 11 %, Lê 9.5 %, ...;
 *     Hoàng/Vũ in the north, Huỳnh/Võ from Huế southwards), middle and
 *     given names by gender (Văn and Thị more often for older people);
 *   - a birth date from 1930 to 2015 (fewer of the oldest), dd/mm/yyyy;
 *   - gender Nam / Nữ;
 *   - a commune from data/vn-admin/wards.csv, drawn in proportion to its
 *     province's population (provinces.csv) shared by its communes;
 *   - a valid CCCD number, unique in the file: PPP G YY RRRRRR with PPP
 *     the cccd_code of the commune's province, G the century and gender,
 *     YY the birth year, and RRRRRR a bijection of a counter per
 *     (PPP, G, YY), so that no two rows share a number;
 *   - a mobile number for 9 rows in 10 (prefixes of src/domain/idnum.c);
 *   - an address with its commune, district and province, quoted (it has
 *     commas).
 * --qr FILE writes, line for line, the text of each person's chip CCCD
 * card QR: "CCCD|CMND|name|ddmmyyyy|Nam/Nữ|address|ddmmyyyy" (the old
 * CMND for 7 in 10 people born before 2004, the issue date in
 * 2021-2024), for the check-in benchmark. Prints nothing else on
 * success. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define YEAR_MIN 1930
#define YEAR_MAX 2015
#define MAX_CODE 100000 /* 5-digit ward codes index arrays directly */

/* ---- random numbers: splitmix64, deterministic for a seed ---------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint32_t below(uint32_t n)
{
	return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

static double unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xFF51AFD7ED558CCDull;
	x ^= x >> 33;
	x *= 0xC4CEB9FE1A85EC53ull;
	return x ^ (x >> 33);
}

/* ---- names -------------------------------------------------------------- */

struct weighted {
	const char *s;
	int w; /* per mille, or a relative weight */
};

/* The family names' shares in per mille; Hoàng and Vũ stand for Huỳnh and
 * Võ in the south (the same names, pronounced differently). */
static const struct weighted families[] = {
	{ "Nguyễn", 380 }, { "Trần", 110 },   { "Lê", 95 },    { "Phạm", 70 },
	{ "Hoàng", 50 },   { "Phan", 45 },    { "Vũ", 39 },    { "Đặng", 21 },
	{ "Bùi", 20 },     { "Đỗ", 14 },      { "Hồ", 13 },    { "Ngô", 13 },
	{ "Dương", 10 },   { "Lý", 5 },       { "Đinh", 9 },   { "Mai", 7 },
	{ "Trịnh", 7 },    { "Đào", 7 },      { "Lâm", 6 },    { "Phùng", 5 },
	{ "Đoàn", 6 },     { "Lương", 6 },    { "Tạ", 4 },     { "Cao", 5 },
	{ "Hà", 6 },       { "Lưu", 4 },      { "Tô", 3 },     { "Chu", 3 },
	{ "Quách", 3 },    { "Kiều", 2 },     { "Mạc", 2 },    { "Vương", 3 },
	{ "Thái", 3 },     { "Triệu", 4 },    { "Châu", 3 },   { "La", 2 },
	{ "Tăng", 2 },     { "Nông", 4 },     { "Lò", 2 },     { "Hứa", 2 },
	{ "Khổng", 1 },    { "Văn", 2 },      { "Thân", 2 },   { "Âu", 1 },
	{ "Giang", 2 },    { "Tôn Thất", 1 }, { "Tôn Nữ", 1 }, { "Lại", 2 },
	{ "Nghiêm", 1 },   { "Từ", 2 },
};

static const char *const middle_m[] = {
	"Hữu",   "Đức", "Minh", "Quốc", "Thanh", "Công", "Đình", "Xuân", "Ngọc",  "Quang",
	"Hoàng", "Bá",  "Mạnh", "Thế",  "Trọng", "Anh",  "Gia",  "Tuấn", "Duy",   "Tiến",
	"Trung", "Chí", "Hải",  "Nhật", "Bảo",   "Đăng", "Khắc", "Phúc", "Thành", "Vĩnh",
};
static const char *const middle_f[] = {
	"Ngọc", "Thu",   "Kim",   "Thanh", "Minh", "Mai",   "Bảo",  "Phương",
	"Hồng", "Thùy",  "Diệu",  "Khánh", "Hoài", "Quỳnh", "Thảo", "Hải",
	"Ánh",  "Tuyết", "Cẩm",   "Lan",   "Bích", "Hà",    "Mỹ",   "Như",
	"Tú",   "Thúy",  "Hương", "Yến",   "Diễm", "Thiên",
};
static const char *const given_m[] = {
	"Hùng",  "Dũng",  "Tuấn",  "Minh",  "Nam",   "Long", "Hải",   "Sơn",  "Thắng",
	"Cường", "Huy",   "Phong", "Quân",  "Trung", "Đạt",  "Khoa",  "Bình", "Hiếu",
	"Tùng",  "Phúc",  "Hoàng", "Thành", "Kiên",  "Vinh", "Tài",   "Lâm",  "Khánh",
	"Đức",   "Tiến",  "Hưng",  "Toàn",  "Duy",   "Bảo",  "Anh",   "An",   "Trí",
	"Nghĩa", "Quang", "Thịnh", "Lợi",   "Hậu",   "Tâm",  "Thái",  "Việt", "Phát",
	"Khang", "Nhân",  "Hòa",   "Thuận", "Lực",   "Đông", "Chiến", "Công", "Quý",
	"Tú",    "Vũ",    "Hiệp",  "Hào",   "Tín",   "Kha",
};
static const char *const given_f[] = {
	"Lan",   "Hương",  "Hoa",  "Mai",    "Linh",  "Trang", "Thảo", "Hằng",  "Ngọc",
	"Nhung", "Phương", "Hà",   "Thủy",   "Yến",   "Hạnh",  "Loan", "Oanh",  "Vân",
	"Huyền", "Nga",    "Hiền", "Dung",   "Tâm",   "Giang", "Anh",  "Vy",    "Nhi",
	"Châu",  "Quỳnh",  "Thư",  "Trâm",   "My",    "Uyên",  "Hồng", "Liên",  "Xuân",
	"Hậu",   "Diệp",   "Ly",   "Thơ",    "Duyên", "Huệ",   "Lý",   "Tuyết", "Nguyệt",
	"Thắm",  "Ngân",   "Chi",  "Hân",    "Thanh", "Bích",  "Cúc",  "Đào",   "Gấm",
	"Khuê",  "Lụa",    "Nhàn", "Phượng", "Sương", "Tươi",
};

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *pick_weighted(const struct weighted *w, size_t n, int total)
{
	int x = (int)below((uint32_t)total);
	for (size_t i = 0; i < n; i++) {
		if (x < w[i].w)
			return w[i].s;
		x -= w[i].w;
	}
	return w[n - 1].s;
}

/* ---- administrative units ----------------------------------------------- */

struct province {
	int cccd;          /* 1..96 */
	double population; /* 2020 average */
	int communes;
	char name[96]; /* "Thành phố Hà Nội" */
	int numeric;   /* the 2-digit code, for north and south */
};

struct ward {
	char code[6];
	char name[96];
	int province; /* index into provinces[] by its 2-digit code */
	int district; /* 3-digit code */
	bool urban;
};

static struct province provinces[100];
static char district_names[1000][96];
static struct ward *wards;
static size_t nwards;
static double *ward_cum; /* cumulative weights for drawing a commune */

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "gen_citizens: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

/* Splits a line of a reference CSV (no quotes in those files) in place. */
static int split(char *line, char **f, int max)
{
	int n = 0;
	line[strcspn(line, "\r\n")] = '\0';
	f[n++] = line;
	for (char *p = line; *p && n < max; p++) {
		if (*p == ',') {
			*p = '\0';
			f[n++] = p + 1;
		}
	}
	return n;
}

static FILE *open_data(const char *dir, const char *name)
{
	char path[4096];
	FILE *fp;
	snprintf(path, sizeof(path), "%s/vn-admin/%s", dir, name);
	fp = fopen(path, "r");
	if (fp == NULL)
		die("cannot read %s", path);
	return fp;
}

static void copy(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s);
}

static void load_units(const char *dir)
{
	char line[1024], *f[16];
	FILE *fp = open_data(dir, "provinces.csv");
	size_t cap = 0;

	fgets(line, sizeof(line), fp); /* header */
	while (fgets(line, sizeof(line), fp)) {
		/* code,name,type,name_with_type,slug,cccd_code,gso_avg_population_2020 */
		if (split(line, f, 16) < 7)
			die("%s", "provinces.csv: short line");
		struct province *p = &provinces[atoi(f[0])];
		p->numeric = atoi(f[0]);
		p->cccd = atoi(f[5]);
		p->population = atof(f[6]);
		copy(p->name, sizeof(p->name), f[3]);
		if (p->cccd < 1 || p->cccd > 96 || p->population <= 0)
			die("provinces.csv: bad line for %s", f[0]);
	}
	fclose(fp);

	fp = open_data(dir, "districts.csv");
	fgets(line, sizeof(line), fp);
	while (fgets(line, sizeof(line), fp)) {
		/* code,name,type,name_with_type,slug,parent_code */
		if (split(line, f, 16) < 6)
			die("%s", "districts.csv: short line");
		copy(district_names[atoi(f[0]) % 1000], sizeof(district_names[0]), f[3]);
	}
	fclose(fp);

	fp = open_data(dir, "wards.csv");
	fgets(line, sizeof(line), fp);
	while (fgets(line, sizeof(line), fp)) {
		/* code,name,type,name_with_type,slug,parent_code,district_code,province_code */
		if (split(line, f, 16) < 8)
			die("%s", "wards.csv: short line");
		if (nwards == cap) {
			cap = cap ? cap * 2 : 16384;
			wards = realloc(wards, cap * sizeof(*wards));
			if (wards == NULL)
				die("%s", "out of memory");
		}
		struct ward *w = &wards[nwards++];
		if (strlen(f[0]) != 5)
			die("wards.csv: code %s is not 5 digits", f[0]);
		copy(w->code, sizeof(w->code), f[0]);
		copy(w->name, sizeof(w->name), f[3]);
		w->province = atoi(f[7]);
		w->district = atoi(f[6]) % 1000;
		w->urban = strcmp(f[2], "xa") != 0;
		if (provinces[w->province].cccd == 0)
			die("wards.csv: unknown province %s", f[7]);
		provinces[w->province].communes++;
	}
	fclose(fp);
	if (nwards == 0)
		die("%s", "wards.csv has no communes");

	/* each province's people shared evenly by its communes */
	ward_cum = malloc(nwards * sizeof(*ward_cum));
	double sum = 0;
	for (size_t i = 0; i < nwards; i++) {
		const struct province *p = &provinces[wards[i].province];
		sum += p->population / p->communes;
		ward_cum[i] = sum;
	}
}

static const struct ward *pick_ward(void)
{
	double x = unit() * ward_cum[nwards - 1];
	size_t lo = 0, hi = nwards - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ward_cum[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &wards[lo];
}

/* ---- the people ---------------------------------------------------------- */

static const char *const streets[] = {
	"Lê Lợi",
	"Trần Hưng Đạo",
	"Nguyễn Trãi",
	"Hai Bà Trưng",
	"Lý Thường Kiệt",
	"Quang Trung",
	"Hùng Vương",
	"Điện Biên Phủ",
	"Lê Duẩn",
	"Nguyễn Huệ",
	"Phan Chu Trinh",
	"Lê Lai",
	"Nguyễn Du",
	"Bà Triệu",
	"Trần Phú",
	"Ngô Quyền",
	"Lạc Long Quân",
	"Võ Thị Sáu",
	"Nguyễn Văn Cừ",
	"Cách Mạng Tháng Tám",
	"Phạm Văn Đồng",
	"Lê Thánh Tông",
	"Nguyễn Thị Minh Khai",
	"Hoàng Diệu",
	"Đinh Tiên Hoàng",
};

static const uint8_t mdays[13] = { 0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

static int days_in(int m, int y)
{
	return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : mdays[m];
}

/* Fewer people the older they are: every year from 1970 on weighs 1,
 * older years less, down to 0.15 for 1930. */
static double year_cum[YEAR_MAX - YEAR_MIN + 1];

static void init_years(void)
{
	double sum = 0;
	for (int y = YEAR_MIN; y <= YEAR_MAX; y++) {
		double w = y >= 1970 ? 1.0 : 1.0 - (1970 - y) * 0.02125;
		sum += w;
		year_cum[y - YEAR_MIN] = sum;
	}
}

static int pick_year(void)
{
	double x = unit() * year_cum[YEAR_MAX - YEAR_MIN];
	int y = 0;
	while (y < YEAR_MAX - YEAR_MIN && year_cum[y] <= x)
		y++;
	return YEAR_MIN + y;
}

/* v in exactly n decimal digits, leading zeros kept. */
static void digits(char *out, int n, uint32_t v)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		out[i] = (char)('0' + v % 10);
}

/* Counters per (province code, G, YY) for unique CCCD numbers. */
static uint32_t cccd_next[97 * 4 * 100];
static uint64_t cccd_salt; /* from the seed */

static void cccd_number(char out[13], int code, int g, int yy)
{
	int k = (code * 4 + g) * 100 + yy;
	uint32_t n = cccd_next[k]++;
	if (n >= 1000000)
		die("%s",
		    "more than a million people share a province, birth year and gender");
	/* an odd multiplier that 5 does not divide is a bijection mod 10^6 */
	uint32_t r = (uint32_t)(((uint64_t)n * 386093u +
	                         mix(cccd_salt + (uint64_t)k) % 1000000u) %
	                        1000000u);
	digits(out, 3, (uint32_t)code);
	digits(out + 3, 1, (uint32_t)g);
	digits(out + 4, 2, (uint32_t)yy);
	digits(out + 6, 6, r);
	out[12] = '\0';
}

struct person {
	char name[160];
	int day, month, year;
	bool female;
	char cccd[13];
	char cmnd[10];
	char phone[11];
	const struct ward *ward;
	char address[400];
	int issued_day, issued_month, issued_year;
};

static void make_name(struct person *p, bool south)
{
	static int total;
	const char *fam, *mid, *mid2 = NULL, *given;
	bool old = p->year < 1975;

	if (total == 0)
		for (size_t i = 0; i < LEN(families); i++)
			total += families[i].w;
	fam = pick_weighted(families, LEN(families), total);

	if (south && strcmp(fam, "Hoàng") == 0)
		fam = "Huỳnh";
	if (south && strcmp(fam, "Vũ") == 0)
		fam = "Võ";
	if (p->female) {
		mid = below(100) < (old ? 70 : 30) ? "Thị"
		                                   : middle_f[below(LEN(middle_f))];
		if (below(100) < 12)
			mid2 = middle_f[below(LEN(middle_f))];
		given = given_f[below(LEN(given_f))];
	} else {
		mid = below(100) < (old ? 60 : 25) ? "Văn"
		                                   : middle_m[below(LEN(middle_m))];
		if (below(100) < 6)
			mid2 = middle_m[below(LEN(middle_m))];
		given = given_m[below(LEN(given_m))];
	}
	if (mid2 && (strcmp(mid2, mid) == 0 || strcmp(mid2, given) == 0))
		mid2 = NULL;
	snprintf(p->name, sizeof(p->name), "%s %s%s%s %s", fam, mid, mid2 ? " " : "",
	         mid2 ? mid2 : "", given);
}

static void make_person(struct person *p)
{
	const struct province *pr;
	int g;

	p->year = pick_year();
	p->month = 1 + (int)below(12);
	p->day = 1 + (int)below((uint32_t)days_in(p->month, p->year));
	p->female = below(1000) < 505;
	p->ward = pick_ward();
	pr = &provinces[p->ward->province];
	/* Huế (46) and everything south of it */
	make_name(p, pr->numeric >= 46);
	g = (p->year >= 2000 ? 2 : 0) + (p->female ? 1 : 0);
	cccd_number(p->cccd, pr->cccd, g, p->year % 100);
	p->cmnd[0] = '\0';
	if (p->year < 2004 && below(10) < 7)
		snprintf(p->cmnd, sizeof(p->cmnd), "%09u", 10000000u + below(390000000u));
	p->phone[0] = '\0';
	if (below(10) < 9) {
		static const char *const pre[] = {
			"32", "33", "34", "35", "36", "37", "38", "39", "52",
			"55", "56", "58", "59", "70", "76", "77", "78", "79",
			"81", "82", "83", "84", "85", "86", "87", "88", "89",
			"90", "91", "92", "93", "94", "96", "97", "98", "99",
		};
		snprintf(p->phone, sizeof(p->phone), "0%s%07u", pre[below(LEN(pre))],
		         below(10000000u));
	}
	if (p->ward->urban) {
		if (below(3) == 0)
			snprintf(p->address, sizeof(p->address),
			         "Số %u ngõ %u %s, %s, %s, %s", 1 + below(120),
			         1 + below(400), streets[below(LEN(streets))],
			         p->ward->name, district_names[p->ward->district],
			         pr->name);
		else
			snprintf(p->address, sizeof(p->address), "Số %u %s, %s, %s, %s",
			         1 + below(400), streets[below(LEN(streets))],
			         p->ward->name, district_names[p->ward->district],
			         pr->name);
	} else {
		snprintf(p->address, sizeof(p->address), "%s %u, %s, %s, %s",
		         pr->numeric >= 46 ? "Ấp"
		         : below(2)        ? "Thôn"
		                           : "Xóm",
		         1 + below(15), p->ward->name, district_names[p->ward->district],
		         pr->name);
	}
	p->issued_year = 2021 + (int)below(4);
	p->issued_month = 1 + (int)below(12);
	p->issued_day =
	        1 + (int)below((uint32_t)days_in(p->issued_month, p->issued_year));
}

/* ---- main ---------------------------------------------------------------- */

static void usage(FILE *to)
{
	fputs("usage: gen_citizens [-n ROWS] [-s SEED] [--data DIR] [--qr FILE] OUT.csv\n"
	      "  -n, --rows N   people (default 1000000)\n"
	      "  -s, --seed S   the same seed gives the same files (default 1)\n"
	      "      --data D   reference data directory (default data)\n"
	      "      --qr FILE  also write each person's CCCD card QR text, one a line\n",
	      to);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "rows", required_argument, 0, 'n' },
		                              { "seed", required_argument, 0, 's' },
		                              { "data", required_argument, 0, 'D' },
		                              { "qr", required_argument, 0, 'Q' },
		                              { "help", no_argument, 0, 'h' },
		                              { 0, 0, 0, 0 } };
	const char *dir = "data", *qr_path = NULL;
	long long rows = 1000000;
	uint64_t seed = 1;
	FILE *out, *qr = NULL;
	int ch;

	while ((ch = getopt_long(argc, argv, "n:s:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': rows = atoll(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'D': dir = optarg; break;
		case 'Q': qr_path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1 || rows < 1) {
		usage(stderr);
		return 2;
	}
	rng_state = mix(seed ^ 0x7469656D6368756Eull);
	cccd_salt = mix(rng_state);
	load_units(dir);
	init_years();

	out = fopen(argv[optind], "w");
	if (out == NULL)
		die("cannot write %s", argv[optind]);
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	if (qr_path) {
		qr = fopen(qr_path, "w");
		if (qr == NULL)
			die("cannot write %s", qr_path);
		setvbuf(qr, NULL, _IOFBF, 1 << 20);
	}
	fputs("id_number,full_name,birth_date,gender,phone,commune_code,address\n", out);
	for (long long i = 0; i < rows; i++) {
		struct person p;
		make_person(&p);
		/* the address holds commas and never a quote */
		fprintf(out, "%s,%s,%02d/%02d/%04d,%s,%s,%s,\"%s\"\n", p.cccd, p.name,
		        p.day, p.month, p.year, p.female ? "Nữ" : "Nam", p.phone,
		        p.ward->code, p.address);
		if (qr)
			fprintf(qr, "%s|%s|%s|%02d%02d%04d|%s|%s|%02d%02d%04d\n", p.cccd,
			        p.cmnd, p.name, p.day, p.month, p.year,
			        p.female ? "Nữ" : "Nam", p.address, p.issued_day,
			        p.issued_month, p.issued_year);
	}
	if (fclose(out) != 0 || (qr && fclose(qr) != 0))
		die("cannot write: %s", strerror(errno));
	return 0;
}
