/* gen-taobao: writes a synthetic behaviour log in the format of Alibaba's
 * Taobao UserBehavior file (user,item,category,behavior,ts; no header), with
 * the structure a recommender can learn from: taste clusters over
 * categories, power-law item popularity, a pv/fav/cart/buy funnel and a
 * daily rhythm, plus an item file with readable titles for explanations.
 *
 * The same seed and options always give byte-identical output.  Memory is
 * bounded by the catalogue, the user table and the busiest user's rows, not
 * by the total row count: the log is streamed one user at a time. */
#include "engine/core/rf.h"
#include "engine/core/rng.h"
#include "engine/core/sort.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Options */

typedef struct gen_opts {
	uint64_t rows;
	uint32_t users, items, categories, clusters, days;
	int64_t start;
	uint64_t seed;
	double zipf;		/* item popularity exponent */
	double dirty;		/* fraction of lines to spoil */
	const char *log_path;	/* NULL = stdout */
	const char *item_path;	/* NULL = no item file */
	int verbose;
} gen_opts;

static const char *progname = "gen-taobao";

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: %s [options] [-o LOG] [-i ITEMS]\n"
"Write a synthetic Taobao UserBehavior log (user,item,category,behavior,ts;\n"
"no header; behavior is pv, fav, cart or buy; ts in unix seconds).\n"
"\n"
"  -o, --output FILE     write the log to FILE (default: stdout)\n"
"  -i, --item-file FILE  write item<TAB>title<TAB>category for every item\n"
"      --rows N          exact number of log lines (default 100000;\n"
"                        k, M, G suffixes multiply by 1000s: 10M)\n"
"      --users N         users (default 2000)\n"
"      --items N         items (default 3000)\n"
"      --categories N    categories (default 40)\n"
"      --clusters N      taste clusters (default 8)\n"
"      --days N          days covered (default 9)\n"
"      --start UNIX      first second (default 1511539200, 2017-11-25 00:00\n"
"                        in Beijing, where the real log starts)\n"
"      --seed S          random seed (default 1)\n"
"      --zipf S          item popularity exponent (default 1.05)\n"
"      --dirty P         spoil a fraction P of lines (bad field count,\n"
"                        behaviour 'clk', non-numeric id, empty field,\n"
"                        timestamp 'abc', exact duplicate, stray timestamp)\n"
"                        and cut the last line short (default 0)\n"
"  -v, --verbose         print a summary on stderr\n"
"  -h, --help            show this help\n",
	    progname);
}

static void die(const char *fmt, ...) RF_PRINTF(1, 2);

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p == NULL)
		die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

/* Counts accept 1000-based suffixes so a benchmark can say --rows 10M. */
static uint64_t
parse_count(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	char *end;
	unsigned long long v;
	uint64_t mult = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno != 0 || *s == '-')
		die("%s: not a count: '%s'", opt, s);
	switch (*end) {
	case 'k': case 'K': mult = 1000; end++; break;
	case 'm': case 'M': mult = 1000000; end++; break;
	case 'g': case 'G': mult = 1000000000; end++; break;
	}
	if (*end != '\0')
		die("%s: not a count: '%s'", opt, s);
	if (v > max / mult || v * mult < min || v * mult > max)
		die("%s: %s is out of range [%" PRIu64 ", %" PRIu64 "]",
		    opt, s, min, max);
	return v * mult;
}

static double
parse_real(const char *opt, const char *s, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !(v >= min && v <= max))
		die("%s: '%s' is not a number in [%g, %g]", opt, s, min, max);
	return v;
}

static void
parse_options(gen_opts *o, int argc, char **argv)
{
	int i;

	o->rows = 100000;
	o->users = 2000;
	o->items = 3000;
	o->categories = 40;
	o->clusters = 8;
	o->days = 9;
	o->start = 1511539200;
	o->seed = 1;
	o->zipf = 1.05;
	o->dirty = 0;
	o->log_path = NULL;
	o->item_path = NULL;
	o->verbose = 0;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL, *eq;
		char name[32];
		size_t len;

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			usage(stdout);
			exit(0);
		}
		if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
			o->verbose = 1;
			continue;
		}
		/* Accept both "--rows N" and "--rows=N". */
		eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
		len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		if (len >= sizeof name)
			die("unknown option '%s' (try --help)", arg);
		memcpy(name, arg, len);
		name[len] = '\0';
		if (eq != NULL)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			die("%s needs a value (try --help)", name);

		if (strcmp(name, "-o") == 0 || strcmp(name, "--output") == 0)
			o->log_path = val;
		else if (strcmp(name, "-i") == 0 ||
		    strcmp(name, "--item-file") == 0)
			o->item_path = val;
		else if (strcmp(name, "--rows") == 0)
			o->rows = parse_count(name, val, 0, UINT64_C(1) << 40);
		else if (strcmp(name, "--users") == 0)
			o->users = (uint32_t)parse_count(name, val, 1,
			    100000000);
		else if (strcmp(name, "--items") == 0)
			o->items = (uint32_t)parse_count(name, val, 1,
			    UINT32_C(1) << 30);
		else if (strcmp(name, "--categories") == 0)
			o->categories = (uint32_t)parse_count(name, val, 1,
			    1000000);
		else if (strcmp(name, "--clusters") == 0)
			o->clusters = (uint32_t)parse_count(name, val, 1,
			    100000);
		else if (strcmp(name, "--days") == 0)
			o->days = (uint32_t)parse_count(name, val, 1, 3650);
		else if (strcmp(name, "--start") == 0)
			o->start = (int64_t)parse_real(name, val, 0,
			    4000000000.0);
		else if (strcmp(name, "--seed") == 0)
			o->seed = parse_count(name, val, 0, UINT64_MAX);
		else if (strcmp(name, "--zipf") == 0)
			o->zipf = parse_real(name, val, 0, 4);
		else if (strcmp(name, "--dirty") == 0)
			o->dirty = parse_real(name, val, 0, 1);
		else
			die("unknown option '%s' (try --help)", name);
	}
	if (o->categories > o->items)
		die("--categories (%" PRIu32 ") cannot exceed --items (%"
		    PRIu32 ")", o->categories, o->items);
}

/* ---------------------------------------------------------------------- */
/* Sampling */

/* Walker's alias method (Vose's construction): O(1) draws from a fixed
 * discrete distribution, so a row costs the same whatever the catalogue
 * size.  threshold[] is scaled to 2^24 and compared with 24 random bits. */
#define ALIAS_ONE (UINT32_C(1) << 24)

static void
alias_build(const double *weight, uint32_t n, uint32_t *threshold,
    uint32_t *alias)
{
	double total = 0, *scaled;
	uint32_t *small, *large, ns = 0, nl = 0, i;

	for (i = 0; i < n; i++)
		total += weight[i];
	scaled = xcalloc(n, sizeof *scaled);
	small = xcalloc(n, sizeof *small);
	large = xcalloc(n, sizeof *large);
	for (i = 0; i < n; i++) {
		scaled[i] = total > 0 ? weight[i] * n / total : 1.0;
		if (scaled[i] < 1.0)
			small[ns++] = i;
		else
			large[nl++] = i;
	}
	while (ns > 0 && nl > 0) {
		uint32_t s = small[--ns], l = large[nl - 1];

		threshold[s] = (uint32_t)(scaled[s] * ALIAS_ONE);
		alias[s] = l;
		scaled[l] -= 1.0 - scaled[s];
		if (scaled[l] < 1.0) {
			nl--;
			small[ns++] = l;
		}
	}
	/* What is left is 1 up to rounding. */
	while (nl > 0) {
		i = large[--nl];
		threshold[i] = ALIAS_ONE;
		alias[i] = i;
	}
	while (ns > 0) {
		i = small[--ns];
		threshold[i] = ALIAS_ONE;
		alias[i] = i;
	}
	free(scaled);
	free(small);
	free(large);
}

/* One 64-bit draw serves both the slot (high half) and the coin (low bits). */
static inline uint32_t
alias_draw(rf_rng *rng, const uint32_t *threshold, const uint32_t *alias,
    uint32_t n)
{
	uint64_t r = rf_rng_next(rng);
	uint32_t j = (uint32_t)(((r >> 32) * n) >> 32);

	return (uint32_t)(r & (ALIAS_ONE - 1)) < threshold[j] ? j : alias[j];
}

static inline int
chance(rf_rng *rng, double p)
{
	return rf_rng_uniform(rng) < p;
}

static void
shuffle_u32(rf_rng *rng, uint32_t *a, uint32_t n)
{
	uint32_t i;

	for (i = n; i > 1; i--) {
		uint32_t j = rf_rng_below(rng, i), t = a[i - 1];

		a[i - 1] = a[j];
		a[j] = t;
	}
}

/* Increasing ids spread over [lo, hi): one id per equal-width slot, at a
 * random place inside it, so they are unique and look arbitrary. */
static void
spread_ids(rf_rng *rng, uint32_t *id, uint32_t n, uint64_t lo, uint64_t hi)
{
	uint64_t gap = (hi - lo) / n;
	uint32_t k;

	if (gap == 0)
		gap = 1;
	for (k = 0; k < n; k++)
		id[k] = (uint32_t)(lo + k * gap + rf_rng_below(rng,
		    (uint32_t)gap));
}

/* ---------------------------------------------------------------------- */
/* Product vocabulary */

enum variant_kind {
	V_COLOUR, V_EDITION, V_WEIGHT, V_FLAVOUR, V_VOLUME, V_SHADE, V_METAL,
	V_SIZE, V_KINDS
};

static const char *const variant_words[V_KINDS][16] = {
	[V_COLOUR] = { "black", "white", "grey", "navy", "blue", "red",
	    "green", "olive", "khaki", "beige", "pink", "purple", "orange",
	    "yellow", "brown", "teal" },
	[V_EDITION] = { "paperback", "hardcover", "pocket edition",
	    "illustrated", "boxed set", "large print", "2nd edition",
	    "signed copy" },
	[V_WEIGHT] = { "100 g", "250 g", "500 g", "1 kg", "2 kg", "6-pack",
	    "12-pack", "family pack" },
	[V_FLAVOUR] = { "original", "spicy", "honey", "sea salt", "sesame",
	    "barbecue", "lemon", "matcha", "cheese", "garlic" },
	[V_VOLUME] = { "30 ml", "50 ml", "100 ml", "200 ml", "500 ml",
	    "travel size", "value pack", "2-pack" },
	[V_SHADE] = { "rose", "nude", "coral", "cherry", "plum", "ivory",
	    "sand", "mocha", "berry", "peach" },
	[V_METAL] = { "silver", "gold", "rose gold", "steel", "titanium",
	    "black" },
	[V_SIZE] = { "small", "medium", "large", "XL", "2-pack", "3-pack",
	    "starter kit", "refill" },
};

/* Themes group product families into tastes; each taste cluster of users
 * prefers the categories of one theme, which is what makes the
 * "people who bought hiking boots also bought a headlamp" signal. */
enum theme {
	T_OUTDOOR, T_KITCHEN, T_BOOKS, T_TECH, T_FASHION, T_BEAUTY, T_HOME,
	T_PETS_GARDEN, T_THEMES
};

typedef struct product_family {
	enum theme theme;
	enum variant_kind variant;
	const char *product[8];
} product_family;

static const product_family families[] = {
	{ T_OUTDOOR, V_COLOUR, { "trail socks", "hiking boots",
	    "trekking poles", "rain shell", "fleece jacket", "daypack",
	    "sun hat", "gaiters" } },
	{ T_OUTDOOR, V_COLOUR, { "dome tent", "sleeping bag", "camp stove",
	    "headlamp", "camp chair", "water filter", "sleeping pad",
	    "lantern" } },
	{ T_OUTDOOR, V_COLOUR, { "bike helmet", "cycling gloves",
	    "bike light", "saddle bag", "water bottle", "cycling jersey",
	    "bike lock", "tyre pump" } },
	{ T_OUTDOOR, V_COLOUR, { "running shoes", "running shorts",
	    "sports bra", "phone armband", "running cap",
	    "compression socks", "windbreaker", "hydration vest" } },
	{ T_OUTDOOR, V_COLOUR, { "fishing rod", "spinning reel", "lure kit",
	    "tackle box", "fishing line", "landing net", "waders",
	    "bait bucket" } },
	{ T_OUTDOOR, V_COLOUR, { "ski goggles", "snowboard", "ski gloves",
	    "thermal base layer", "beanie", "neck gaiter", "ski socks",
	    "hand warmers" } },
	{ T_OUTDOOR, V_COLOUR, { "yoga mat", "dumbbells", "resistance bands",
	    "jump rope", "foam roller", "kettlebell", "ab wheel",
	    "gym bag" } },
	{ T_KITCHEN, V_COLOUR, { "frying pan", "saucepan", "wok",
	    "dutch oven", "stockpot", "grill pan", "saute pan",
	    "steamer basket" } },
	{ T_KITCHEN, V_COLOUR, { "chef's knife", "cutting board", "peeler",
	    "whisk", "spatula", "grater", "kitchen tongs",
	    "measuring cups" } },
	{ T_KITCHEN, V_COLOUR, { "rice cooker", "electric kettle", "blender",
	    "toaster", "air fryer", "coffee grinder", "hand mixer",
	    "slow cooker" } },
	{ T_KITCHEN, V_COLOUR, { "dinner plates", "rice bowls", "mug",
	    "teapot", "chopsticks set", "wine glasses", "serving tray",
	    "salad bowl" } },
	{ T_KITCHEN, V_WEIGHT, { "ground coffee", "green tea", "oolong tea",
	    "coffee beans", "drip coffee bags", "matcha powder",
	    "herbal tea", "black tea" } },
	{ T_KITCHEN, V_FLAVOUR, { "dried mango", "roasted almonds",
	    "seaweed snack", "beef jerky", "rice crackers",
	    "sunflower seeds", "chocolate wafers", "trail mix" } },
	{ T_KITCHEN, V_WEIGHT, { "jasmine rice", "olive oil", "soy sauce",
	    "instant noodles", "wildflower honey", "rolled oats", "pasta",
	    "chili sauce" } },
	{ T_BOOKS, V_EDITION, { "mystery novel", "fantasy novel",
	    "short stories", "science fiction novel", "historical novel",
	    "poetry collection", "graphic novel", "romance novel" } },
	{ T_BOOKS, V_EDITION, { "cookbook", "travel guide", "biography",
	    "popular science book", "self-help book", "world atlas",
	    "field guide to birds", "essay collection" } },
	{ T_BOOKS, V_EDITION, { "English workbook", "maths workbook",
	    "programming primer", "Japanese course", "exam guide",
	    "dictionary", "picture book", "colouring book" } },
	{ T_BOOKS, V_COLOUR, { "gel pens", "dotted notebook", "planner",
	    "highlighters", "pencil case", "sticky notes", "fountain pen",
	    "desk organiser" } },
	{ T_TECH, V_COLOUR, { "phone case", "screen protector",
	    "charging cable", "power bank", "wireless charger", "phone stand",
	    "car phone mount", "selfie stick" } },
	{ T_TECH, V_COLOUR, { "wireless mouse", "mechanical keyboard",
	    "USB hub", "laptop sleeve", "webcam", "mouse pad",
	    "monitor stand", "portable SSD" } },
	{ T_TECH, V_COLOUR, { "headphones", "bluetooth speaker", "earbuds",
	    "soundbar", "USB microphone", "record player", "radio",
	    "headphone stand" } },
	{ T_TECH, V_COLOUR, { "dash cam", "car vacuum", "seat cushion",
	    "floor mats", "sunshade", "tyre inflator", "car charger",
	    "air freshener" } },
	{ T_FASHION, V_COLOUR, { "knit sweater", "midi skirt", "silk blouse",
	    "down jacket", "wool coat", "skinny jeans", "cardigan",
	    "wrap dress" } },
	{ T_FASHION, V_COLOUR, { "puffer jacket", "hoodie", "chinos",
	    "flannel shirt", "polo shirt", "overcoat", "track pants",
	    "thermal vest" } },
	{ T_FASHION, V_COLOUR, { "sneakers", "loafers", "ankle boots",
	    "slippers", "sandals", "canvas shoes", "snow boots",
	    "oxford shoes" } },
	{ T_FASHION, V_COLOUR, { "backpack", "tote bag", "crossbody bag",
	    "wallet", "suitcase", "duffel bag", "card holder",
	    "messenger bag" } },
	{ T_FASHION, V_METAL, { "wrist watch", "bracelet", "necklace",
	    "earrings", "ring", "smart band", "cufflinks", "anklet" } },
	{ T_BEAUTY, V_VOLUME, { "face cream", "sunscreen", "cleanser",
	    "toner", "serum", "sheet masks", "lip balm", "hand cream" } },
	{ T_BEAUTY, V_SHADE, { "lipstick", "foundation", "mascara",
	    "eyeliner", "eyeshadow palette", "blush", "concealer",
	    "setting powder" } },
	{ T_BEAUTY, V_VOLUME, { "shampoo", "conditioner", "hair oil",
	    "hair mask", "scalp serum", "leave-in spray", "dry shampoo",
	    "styling gel" } },
	{ T_BEAUTY, V_SIZE, { "vitamin C", "fish oil", "protein powder",
	    "face masks", "thermometer", "massage gun", "knee brace",
	    "eye drops" } },
	{ T_HOME, V_SIZE, { "diapers", "baby wipes", "feeding bottle",
	    "baby carrier", "bibs", "teething ring", "stroller",
	    "baby blanket" } },
	{ T_HOME, V_COLOUR, { "building blocks", "plush bear", "jigsaw puzzle",
	    "toy car", "kite", "doll house", "model train", "board game" } },
	{ T_HOME, V_COLOUR, { "duvet cover", "pillow", "bath towel",
	    "throw blanket", "bed sheets", "curtains", "rug", "cushion" } },
	{ T_HOME, V_COLOUR, { "bookshelf", "desk lamp", "floor lamp",
	    "side table", "office chair", "shoe rack", "storage box",
	    "bar stool" } },
	{ T_HOME, V_COLOUR, { "Christmas tree", "fairy lights", "gift wrap",
	    "party balloons", "tree ornaments", "door wreath",
	    "advent calendar", "Christmas stocking" } },
	{ T_PETS_GARDEN, V_SIZE, { "cat food", "dog food", "cat litter",
	    "dog leash", "pet bed", "scratching post", "chew toys",
	    "pet shampoo" } },
	{ T_PETS_GARDEN, V_SIZE, { "laundry detergent", "dish soap", "mop",
	    "microfiber cloths", "trash bags", "sponge set",
	    "toilet cleaner", "lint roller" } },
	{ T_PETS_GARDEN, V_COLOUR, { "garden hose", "plant pots",
	    "pruning shears", "seed kit", "watering can", "garden gloves",
	    "grow light", "compost bin" } },
	{ T_PETS_GARDEN, V_COLOUR, { "cordless drill", "screwdriver set",
	    "tape measure", "claw hammer", "wrench set", "spirit level",
	    "stud finder", "toolbox" } },
};
#define N_FAMILIES (sizeof families / sizeof families[0])
#define PRODUCTS_PER_FAMILY 8

static const char *const brands[] = {
	"Aurora", "Kestrel", "Northwind", "Bamboo Leaf", "Lotus", "Summit",
	"Pinecone", "Harbor", "Jade River", "Meadow", "Cobalt", "Ember",
	"Willow", "Falcon", "Tidewater", "Maple", "Sparrow", "Granite",
	"Nimbus", "Saffron", "Orchid", "Zephyr", "Juniper", "Cedar", "Coral",
	"Lumen", "Atlas", "Copper Fox", "Silver Birch", "Red Lantern",
	"Blue Heron", "Nova", "Polaris", "Quill", "Riverstone", "Sunpeak",
	"Tundra", "Vela", "Wildflower", "Yuelu", "Xiling", "Moonbay",
	"Panda Hill", "Dragonfly", "Starling", "Ironwood", "Misty Peak",
	"Orca", "Pebble", "Clover", "Breeze", "Hanami", "Kite & Co", "Lark",
	"Mulberry", "Oakridge", "Cinder", "Fjord", "Golden Carp", "Heron Bay",
	"Indigo", "Jasper", "Kumo", "Linden",
};
#define N_BRANDS (sizeof brands / sizeof brands[0])

/* When there are more categories than families, families are reused with
 * a qualifier so the repeats still read as different shelves. */
static const char *const qualifiers[] = {
	"kids'", "pro", "mini", "deluxe", "eco", "travel", "classic",
	"smart", "vintage", "ultralight",
};
#define N_QUALIFIERS (sizeof qualifiers / sizeof qualifiers[0])

static uint32_t
variant_count(enum variant_kind kind)
{
	uint32_t n = 0;

	while (n < 16 && variant_words[kind][n] != NULL)
		n++;
	return n;
}

static uint64_t
gcd_u64(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* ---------------------------------------------------------------------- */
/* The catalogue: categories, items, popularity, taste clusters */

typedef struct catalogue {
	uint32_t n_items, n_categories, n_clusters;

	uint32_t *item_id;		/* (n_items) external ids, increasing */
	uint32_t *item_category;	/* (n_items) category index */
	/* Items grouped by category: category c owns
	 * by_category[first[c] .. first[c+1]), with alias tables over their
	 * popularity in the same positions. */
	uint32_t *first;		/* (n_categories + 1) */
	uint32_t *by_category;		/* (n_items) item indices */
	uint32_t *item_threshold, *item_alias;	/* (n_items) */
	/* "item,category," ready to copy into a line; byte 23 is its length. */
	char (*item_prefix)[24];	/* (n_items) */

	uint32_t *category_id;		/* (n_categories) external ids */
	uint32_t *category_family;	/* (n_categories) index in families[] */
	uint32_t *category_round;	/* (n_categories) qualifier round */
	/* Background category popularity, for the off-taste noise. */
	uint32_t *category_threshold, *category_alias;

	/* Each cluster prefers a handful of categories. */
#define CLUSTER_MAX_CATEGORIES 8
	uint32_t *cluster_size_threshold, *cluster_size_alias;	/* (n_clusters) */
	uint32_t (*cluster_category)[CLUSTER_MAX_CATEGORIES];
	uint32_t (*cluster_threshold)[CLUSTER_MAX_CATEGORIES];
	uint32_t (*cluster_alias)[CLUSTER_MAX_CATEGORIES];
	uint32_t *cluster_n;
} catalogue;

static char *
put_u64(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/* Different streams for the catalogue and the users, so the item file
 * depends only on --seed, --items and --categories: a 10M-row log and a
 * 100k-row log made with one seed share their item file. */
#define STREAM_CATALOGUE UINT64_C(0x636174616c6f6775)
#define STREAM_USERS     UINT64_C(0x7573657273757372)
#define STREAM_DIRT      UINT64_C(0x6469727479646972)

static void
catalogue_build(catalogue *cat, const gen_opts *o)
{
	uint32_t n = o->items, nc = o->categories, nk = o->clusters;
	uint32_t i, c, k, *order, *fill, *family_order;
	uint32_t *theme_first, *theme_categories, theme_count[T_THEMES] = { 0 };
	double *category_weight, *item_weight, w[CLUSTER_MAX_CATEGORIES];
	rf_rng rng;

	rf_rng_seed(&rng, o->seed ^ STREAM_CATALOGUE);
	memset(cat, 0, sizeof *cat);
	cat->n_items = n;
	cat->n_categories = nc;
	cat->n_clusters = nk;

	/* Ids spread like the real file's (items and categories both up to
	 * about 5.2 million), unless there are too many to fit. */
	cat->item_id = xcalloc(n, sizeof *cat->item_id);
	spread_ids(&rng, cat->item_id, n, 1,
	    n * UINT64_C(2) > 5200000 ? n * UINT64_C(2) : 5200000);
	cat->category_id = xcalloc(nc, sizeof *cat->category_id);
	spread_ids(&rng, cat->category_id, nc, 1000, 5200000 > nc * UINT64_C(2)
	    ? 5200000 : nc * UINT64_C(2) + 1000);

	/* Category popularity and size: Zipf over a random order, mild (0.8)
	 * because shoppers spread over many shelves. */
	category_weight = xcalloc(nc, sizeof *category_weight);
	order = xcalloc(n > nc ? n : nc, sizeof *order);
	for (c = 0; c < nc; c++)
		order[c] = c;
	shuffle_u32(&rng, order, nc);
	for (c = 0; c < nc; c++)
		category_weight[order[c]] = 1.0 / pow(c + 1.0, 0.8);
	cat->category_threshold = xcalloc(nc, sizeof (uint32_t));
	cat->category_alias = xcalloc(nc, sizeof (uint32_t));
	alias_build(category_weight, nc, cat->category_threshold,
	    cat->category_alias);

	/* Themes: families in a random order, so a seed also decides which
	 * shelves exist when there are fewer categories than families. */
	family_order = xcalloc(N_FAMILIES, sizeof *family_order);
	for (i = 0; i < N_FAMILIES; i++)
		family_order[i] = i;
	shuffle_u32(&rng, family_order, N_FAMILIES);
	cat->category_family = xcalloc(nc, sizeof (uint32_t));
	cat->category_round = xcalloc(nc, sizeof (uint32_t));
	for (c = 0; c < nc; c++) {
		cat->category_family[c] = family_order[c % N_FAMILIES];
		cat->category_round[c] = (uint32_t)(c / N_FAMILIES);
	}

	/* Items to categories: every category gets one, the rest follow the
	 * category sizes. */
	cat->item_category = xcalloc(n, sizeof *cat->item_category);
	for (i = 0; i < n; i++)
		cat->item_category[i] = i < nc ? i : alias_draw(&rng,
		    cat->category_threshold, cat->category_alias, nc);
	shuffle_u32(&rng, cat->item_category, n);

	cat->first = xcalloc(nc + 1, sizeof *cat->first);
	for (i = 0; i < n; i++)
		cat->first[cat->item_category[i] + 1]++;
	for (c = 0; c < nc; c++)
		cat->first[c + 1] += cat->first[c];
	fill = xcalloc(nc, sizeof *fill);
	cat->by_category = xcalloc(n, sizeof *cat->by_category);
	for (i = 0; i < n; i++) {
		c = cat->item_category[i];
		cat->by_category[cat->first[c] + fill[c]++] = i;
	}

	/* Item popularity: Zipf over a random global rank, so it is a power
	 * law across the catalogue and, being a random subset of it, within
	 * each category too. */
	for (i = 0; i < n; i++)
		order[i] = i;
	shuffle_u32(&rng, order, n);
	item_weight = xcalloc(n, sizeof *item_weight);
	for (i = 0; i < n; i++)
		item_weight[cat->by_category[i]] = 1.0 /
		    pow(order[i] + 1.0, o->zipf);
	{
		double *slice = xcalloc(n, sizeof *slice);

		for (i = 0; i < n; i++)
			slice[i] = item_weight[cat->by_category[i]];
		cat->item_threshold = xcalloc(n, sizeof (uint32_t));
		cat->item_alias = xcalloc(n, sizeof (uint32_t));
		for (c = 0; c < nc; c++)
			alias_build(slice + cat->first[c],
			    cat->first[c + 1] - cat->first[c],
			    cat->item_threshold + cat->first[c],
			    cat->item_alias + cat->first[c]);
		free(slice);
	}

	cat->item_prefix = xcalloc(n, sizeof *cat->item_prefix);
	for (i = 0; i < n; i++) {
		char *p = cat->item_prefix[i];

		p = put_u64(p, cat->item_id[i]);
		*p++ = ',';
		p = put_u64(p, cat->category_id[cat->item_category[i]]);
		*p++ = ',';
		cat->item_prefix[i][23] = (char)(p - cat->item_prefix[i]);
	}

	/* Taste clusters: cluster k takes a theme and prefers up to six of its
	 * categories (falling off as a power law), plus one off-theme
	 * category, because real tastes have a stray interest or two. */
	theme_first = xcalloc(T_THEMES + 1, sizeof *theme_first);
	theme_categories = xcalloc(nc, sizeof *theme_categories);
	for (c = 0; c < nc; c++)
		theme_count[families[cat->category_family[c]].theme]++;
	for (k = 0; k < T_THEMES; k++)
		theme_first[k + 1] = theme_first[k] + theme_count[k];
	memset(theme_count, 0, sizeof theme_count);
	for (c = 0; c < nc; c++) {
		enum theme t = families[cat->category_family[c]].theme;

		theme_categories[theme_first[t] + theme_count[t]++] = c;
	}

	cat->cluster_category = xcalloc(nk, sizeof *cat->cluster_category);
	cat->cluster_threshold = xcalloc(nk, sizeof *cat->cluster_threshold);
	cat->cluster_alias = xcalloc(nk, sizeof *cat->cluster_alias);
	cat->cluster_n = xcalloc(nk, sizeof *cat->cluster_n);
	{
		uint32_t theme_offset = rf_rng_below(&rng, T_THEMES);

		for (k = 0; k < nk; k++) {
			uint32_t t = (k + theme_offset) % T_THEMES, m = 0, j;
			uint32_t avail = theme_first[t + 1] - theme_first[t];
			uint32_t *pool = theme_categories + theme_first[t];
			uint32_t want = 4 + rf_rng_below(&rng, 3);

			shuffle_u32(&rng, pool, avail);
			for (j = 0; j < avail && m < want; j++) {
				cat->cluster_category[k][m] = pool[j];
				w[m] = 1.0 / pow(m + 1.0, 0.7);
				m++;
			}
			/* A theme with no shelf in a small catalogue: fall
			 * back to popular categories. */
			while (m < 3 && m < nc) {
				c = alias_draw(&rng, cat->category_threshold,
				    cat->category_alias, nc);
				for (j = 0; j < m; j++)
					if (cat->cluster_category[k][j] == c)
						break;
				if (j < m)
					continue;
				cat->cluster_category[k][m] = c;
				w[m] = 1.0 / pow(m + 1.0, 0.7);
				m++;
			}
			if (m < nc) {
				for (;;) {
					c = rf_rng_below(&rng, nc);
					for (j = 0; j < m; j++)
						if (cat->cluster_category[k][j]
						    == c)
							break;
					if (j == m)
						break;
				}
				cat->cluster_category[k][m] = c;
				w[m] = 0.3;
				m++;
			}
			cat->cluster_n[k] = m;
			alias_build(w, m, cat->cluster_threshold[k],
			    cat->cluster_alias[k]);
		}
	}
	/* Some tastes are commoner than others. */
	{
		double *size = xcalloc(nk, sizeof *size);

		for (k = 0; k < nk; k++)
			size[k] = 1.0 / pow(k + 1.0, 0.5);
		cat->cluster_size_threshold = xcalloc(nk, sizeof (uint32_t));
		cat->cluster_size_alias = xcalloc(nk, sizeof (uint32_t));
		alias_build(size, nk, cat->cluster_size_threshold,
		    cat->cluster_size_alias);
		free(size);
	}

	free(theme_first);
	free(theme_categories);
	free(item_weight);
	free(category_weight);
	free(family_order);
	free(fill);
	free(order);
}

static void
catalogue_free(catalogue *cat)
{
	free(cat->item_id);
	free(cat->item_category);
	free(cat->first);
	free(cat->by_category);
	free(cat->item_threshold);
	free(cat->item_alias);
	free(cat->item_prefix);
	free(cat->category_id);
	free(cat->category_family);
	free(cat->category_round);
	free(cat->category_threshold);
	free(cat->category_alias);
	free(cat->cluster_size_threshold);
	free(cat->cluster_size_alias);
	free(cat->cluster_category);
	free(cat->cluster_threshold);
	free(cat->cluster_alias);
	free(cat->cluster_n);
}

/* "Aurora trail socks (blue)": the k-th item of a category walks the
 * brand x product x variant grid with a stride coprime to its size, so
 * titles within a category are unique and neighbours differ in every
 * word; past the grid a "v2" keeps them unique. */
static void
write_item_file(const catalogue *cat, const char *path, uint64_t seed)
{
	FILE *fp = fopen(path, "wb");
	uint32_t *rank, c, i;
	rf_rng rng;

	if (fp == NULL)
		die("%s: %s", path, strerror(errno));
	rank = xcalloc(cat->n_items, sizeof *rank);
	for (c = 0; c < cat->n_categories; c++)
		for (i = cat->first[c]; i < cat->first[c + 1]; i++)
			rank[cat->by_category[i]] = i - cat->first[c];

	fputs("item\ttitle\tcategory\n", fp);
	for (i = 0; i < cat->n_items; i++) {
		uint32_t cc = cat->item_category[i];
		const product_family *f = &families[cat->category_family[cc]];
		uint32_t round = cat->category_round[cc];
		uint64_t nv = variant_count(f->variant);
		uint64_t grid = N_BRANDS * PRODUCTS_PER_FAMILY * nv;
		uint64_t stride, offset, cell;

		/* The stride and offset of a category come from its own
		 * stream so they do not depend on the order of items. */
		rf_rng_seed(&rng, seed ^ STREAM_CATALOGUE ^
		    (UINT64_C(0x9e3779b97f4a7c15) * (cc + 1)));
		offset = rf_rng_next(&rng) % grid;
		do
			stride = grid / 3 + rf_rng_next(&rng) % (grid / 2);
		while (gcd_u64(stride, grid) != 1);
		cell = (offset + rank[i] * stride) % grid;

		fprintf(fp, "%" PRIu32 "\t%s ", cat->item_id[i],
		    brands[cell % N_BRANDS]);
		if (round > 0)
			fprintf(fp, "%s ",
			    qualifiers[(round - 1) % N_QUALIFIERS]);
		fputs(f->product[(cell / N_BRANDS) % PRODUCTS_PER_FAMILY], fp);
		if (rank[i] >= grid)
			fprintf(fp, " v%" PRIu64, rank[i] / grid + 1);
		fprintf(fp, " (%s)\t%" PRIu32 "\n",
		    variant_words[f->variant][cell / N_BRANDS /
		    PRODUCTS_PER_FAMILY],
		    cat->category_id[cc]);
	}
	free(rank);
	if (ferror(fp) | fclose(fp))
		die("%s: write error", path);
}

/* ---------------------------------------------------------------------- */
/* Time */

/* Activity by hour of the day in Beijing time, after the shape of the
 * real log: quiet at 3-5 am, a lunch bump, the peak at 9 pm. */
static const double hour_weight[24] = {
	30, 13, 7, 4, 5, 6, 13, 22, 28, 34, 38, 39,
	34, 43, 42, 47, 46, 39, 42, 55, 66, 75, 67, 51,
};
#define BEIJING_OFFSET (8 * 3600)

typedef struct clock_table {
	uint32_t n_slots;	/* one per hour of the window */
	uint32_t *threshold, *alias;
	uint32_t window;	/* seconds */
} clock_table;

static void
clock_build(clock_table *ck, const gen_opts *o)
{
	uint32_t j;
	double *w;

	ck->n_slots = o->days * 24;
	ck->window = o->days * 86400;
	w = xcalloc(ck->n_slots, sizeof *w);
	for (j = 0; j < ck->n_slots; j++) {
		int64_t t = o->start + (int64_t)j * 3600 + BEIJING_OFFSET;
		int64_t day = t / 86400;
		/* 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Monday. */
		int weekday = (int)((day + 3) % 7);

		w[j] = hour_weight[(t % 86400) / 3600] *
		    (weekday >= 5 ? 1.15 : 1.0);
	}
	ck->threshold = xcalloc(ck->n_slots, sizeof (uint32_t));
	ck->alias = xcalloc(ck->n_slots, sizeof (uint32_t));
	alias_build(w, ck->n_slots, ck->threshold, ck->alias);
	free(w);
}

/* Seconds from the start of the window. */
static uint32_t
clock_draw(const clock_table *ck, rf_rng *rng)
{
	uint32_t slot = alias_draw(rng, ck->threshold, ck->alias, ck->n_slots);

	return slot * 3600 + rf_rng_below(rng, 3600);
}

/* ---------------------------------------------------------------------- */
/* Users */

enum behavior { B_PV, B_FAV, B_CART, B_BUY, B_COUNT };
static const char *const behavior_name[B_COUNT] = { "pv", "fav", "cart",
	"buy" };

/* Funnel rates, per "interest" (a user looking at an item), tuned so the
 * mix lands near the real log's: pv 89.8 %, cart 5.3 %, fav 2.8 %,
 * buy 2.1 %. */
#define MORE_VIEWS	0.31	/* another pv of the same item */
#define FAV_RATE	0.055
#define CART_RATE	0.078	/* without a fav */
#define CART_AFTER_FAV	0.25
#define BUY_AFTER_CART	0.20
#define BUY_WITHOUT_CART 0.017
#define BLIND_BUY_RATE	0.003	/* a buy with no pv: a reorder, a link */

#define MAX_SESSIONS 64
#define MAX_INTEREST_EVENTS 16

typedef struct user_state {
	uint32_t cluster;
	uint32_t anchor_category;	/* the user's own favourite shelf */
	double noise;			/* share of off-taste browsing */
	double buy_factor;		/* some users buy more than others */
	uint32_t n_sessions;
	uint32_t session_start[MAX_SESSIONS];
} user_state;

typedef struct user_events {
	uint32_t n, cap;
	uint64_t *key;		/* seconds << 32 | sequence: sorts by time */
	uint32_t *what;		/* item index << 2 | behavior */
} user_events;

static uint32_t
pick_category(const catalogue *cat, const user_state *u, rf_rng *rng)
{
	double r = rf_rng_uniform(rng);
	uint32_t k = u->cluster;

	if (r < u->noise)
		return alias_draw(rng, cat->category_threshold,
		    cat->category_alias, cat->n_categories);
	if (r < u->noise + 0.25)
		return u->anchor_category;
	return cat->cluster_category[k][alias_draw(rng,
	    cat->cluster_threshold[k], cat->cluster_alias[k],
	    cat->cluster_n[k])];
}

static uint32_t
pick_item(const catalogue *cat, uint32_t c, rf_rng *rng)
{
	uint32_t first = cat->first[c];

	return cat->by_category[first + alias_draw(rng,
	    cat->item_threshold + first, cat->item_alias + first,
	    cat->first[c + 1] - first)];
}

static uint32_t
delay(rf_rng *rng, uint32_t lo, uint32_t hi)
{
	return lo + rf_rng_below(rng, hi - lo);
}

/* One user's interest in one item: a few views, perhaps a fav or a cart,
 * perhaps a buy, in time order within a session.  Events are appended
 * until the user's row budget runs out; since they are generated in
 * funnel order, a cut never leaves a buy without its pv. */
static void
add_interest(user_events *ev, const catalogue *cat, const clock_table *ck,
    const user_state *u, rf_rng *rng)
{
	uint32_t offset[MAX_INTEREST_EVENTS], absolute[MAX_INTEREST_EVENTS];
	uint8_t beh[MAX_INTEREST_EVENTS];
	uint32_t n = 0, i, item, t0, latest = 0, cart_at = 0, last_view = 0;
	int blind, faved = 0, carted = 0;

	item = pick_item(cat, pick_category(cat, u, rng), rng);
	t0 = u->session_start[rf_rng_below(rng, u->n_sessions)] +
	    rf_rng_below(rng, 1800);
	blind = chance(rng, BLIND_BUY_RATE * u->buy_factor);

	if (!blind) {
		offset[n] = 0;
		absolute[n] = 0;
		beh[n++] = B_PV;
		/* Second looks: mostly moments later, sometimes in another
		 * visit (which may be before or after this one). */
		while (n < 8 && chance(rng, MORE_VIEWS)) {
			if (chance(rng, 0.7)) {
				last_view += delay(rng, 5, 300);
				offset[n] = last_view;
				absolute[n] = 0;
			} else {
				offset[n] = u->session_start[rf_rng_below(rng,
				    u->n_sessions)] + rf_rng_below(rng, 1800);
				if (offset[n] >= ck->window)
					offset[n] = ck->window - 1;
				absolute[n] = 1;
			}
			beh[n++] = B_PV;
		}
		if (chance(rng, FAV_RATE)) {
			offset[n] = delay(rng, 5, 1800);
			absolute[n] = 0;
			beh[n++] = B_FAV;
			faved = 1;
		}
		if (chance(rng, faved ? CART_AFTER_FAV : CART_RATE)) {
			cart_at = delay(rng, 10, 3600);
			offset[n] = cart_at;
			absolute[n] = 0;
			beh[n++] = B_CART;
			carted = 1;
		}
	}
	if (blind || chance(rng, (carted ? BUY_AFTER_CART : BUY_WITHOUT_CART) *
	    u->buy_factor)) {
		/* Checkout: usually within hours, sometimes the next day. */
		uint32_t wait = chance(rng, 0.8) ? delay(rng, 30, 7200) :
		    delay(rng, 7200, 30 * 3600);

		if (wait > ck->window / 4)
			wait = 1 + wait % (ck->window / 4);
		offset[n] = cart_at + wait;
		absolute[n] = 0;
		beh[n++] = B_BUY;
	}

	/* Keep the visit inside the window by sliding it earlier. */
	for (i = 0; i < n; i++)
		if (!absolute[i] && offset[i] > latest)
			latest = offset[i];
	if (t0 + latest >= ck->window)
		t0 = ck->window - 1 - latest;

	for (i = 0; i < n && ev->n < ev->cap; i++) {
		uint32_t t = absolute[i] ? offset[i] : t0 + offset[i];

		ev->key[ev->n] = (uint64_t)t << 32 | ev->n;
		ev->what[ev->n] = item << 2 | beh[i];
		ev->n++;
	}
}

static void
user_begin(user_state *u, const catalogue *cat, const clock_table *ck,
    uint32_t rows, rf_rng *rng)
{
	uint32_t s, k;

	k = alias_draw(rng, cat->cluster_size_threshold,
	    cat->cluster_size_alias, cat->n_clusters);
	u->cluster = k;
	u->anchor_category = cat->cluster_category[k][alias_draw(rng,
	    cat->cluster_threshold[k], cat->cluster_alias[k],
	    cat->cluster_n[k])];
	u->noise = 0.04 + 0.2 * rf_rng_uniform(rng) * rf_rng_uniform(rng);
	u->buy_factor = exp(0.5 * rf_rng_normal(rng) - 0.125);
	/* About one visit per dozen rows. */
	u->n_sessions = 1 + rows / 12 + rf_rng_below(rng, 3);
	if (u->n_sessions > MAX_SESSIONS)
		u->n_sessions = MAX_SESSIONS;
	for (s = 0; s < u->n_sessions; s++)
		u->session_start[s] = clock_draw(ck, rng);
}

/* User ids are nearly dense from 1, like the real file's, and the file
 * lists users in the order of their ids as strings (1, 10, 100, 1000, ...,
 * 2, 20, ...), as the real file does.  A key sorts that way: the id padded
 * with zeros to ten digits, then its length. */
static const uint64_t pow10_table[11] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, UINT64_C(10000000000),
};

static uint64_t
user_order_key(uint32_t id)
{
	unsigned digits = 1;

	while (digits < 10 && id >= pow10_table[digits])
		digits++;
	return (id * pow10_table[10 - digits]) << 4 | digits;
}

static uint32_t
user_order_id(uint64_t key)
{
	unsigned digits = (unsigned)(key & 15);

	return (uint32_t)((key >> 4) / pow10_table[10 - digits]);
}

/* Rows per user: a heavy tail (log-normal, sigma 0.9, as in the real log
 * where the median user has 78 rows and the top 1 % over 400), with a
 * floor of 4, scaled so the total is exactly the requested count. */
static uint32_t *
user_rows_build(const gen_opts *o, rf_rng *rng, uint32_t *max_rows)
{
	uint32_t n = o->users, u, *rows = xcalloc(n, sizeof *rows);
	double *w = xcalloc(n, sizeof *w), total = 0, cum = 0;
	uint64_t floor_rows = o->rows >= 4 * (uint64_t)n ? 4 : o->rows / n;
	uint64_t extra = o->rows - floor_rows * n, given = 0;

	for (u = 0; u < n; u++) {
		w[u] = exp(0.9 * rf_rng_normal(rng));
		total += w[u];
	}
	*max_rows = 0;
	for (u = 0; u < n; u++) {
		uint64_t upto, share;

		cum += w[u];
		/* Cumulative rounding hands out exactly "extra" in all. */
		upto = u + 1 == n ? extra :
		    (uint64_t)((double)extra * (cum / total) + 0.5);
		if (upto > extra)
			upto = extra;
		if (upto < given)
			upto = given;
		share = floor_rows + (upto - given);
		given = upto;
		if (share > UINT32_MAX)
			die("too many rows for one user: raise --users");
		rows[u] = (uint32_t)share;
		if (rows[u] > *max_rows)
			*max_rows = rows[u];
	}
	free(w);
	return rows;
}

/* ---------------------------------------------------------------------- */
/* Output */

typedef struct out_buf {
	FILE *fp;
	const char *path;
	char *data;
	size_t len, cap;
	size_t line_start;	/* of the line written last */
} out_buf;

#define OUT_CAP (4u << 20)
#define OUT_MARGIN 256	/* longest line, with room to spare */

static void
out_flush(out_buf *out)
{
	if (out->len > 0 && fwrite(out->data, 1, out->len, out->fp) !=
	    out->len)
		die("%s: %s", out->path, strerror(errno));
	out->len = 0;
}

static inline char *
out_line(out_buf *out)
{
	if (out->cap - out->len < OUT_MARGIN)
		out_flush(out);
	out->line_start = out->len;
	return out->data + out->len;
}

typedef struct gen_stats {
	uint64_t lines, dirty, behavior[B_COUNT], active_users;
	uint8_t *item_seen;
} gen_stats;

/* The kinds of damage a real export picks up.  A duplicate repeats the
 * line before it (same user, same second), which keeps the count exact. */
enum dirt { D_FIELDS, D_BEHAVIOR, D_ID, D_EMPTY, D_TIME, D_DUPLICATE,
	D_STRAY_TIME, D_KINDS };

static void
write_dirty_line(out_buf *out, const catalogue *cat, const char *user,
    size_t user_len, uint32_t what, uint64_t ts, const char *previous,
    size_t previous_len, rf_rng *dirt_rng, uint32_t start)
{
	char *p = out_line(out), *begin = p;
	uint32_t item = what >> 2;
	const char *beh = behavior_name[what & 3];
	enum dirt kind = (enum dirt)rf_rng_below(dirt_rng, D_KINDS);
	uint32_t stray;

	if (kind == D_DUPLICATE && previous_len == 0)
		kind = D_BEHAVIOR;
	switch (kind) {
	case D_DUPLICATE:
		memcpy(p, previous, previous_len);
		p += previous_len;
		break;
	case D_FIELDS:
		/* A field lost, or one too many. */
		if (rf_rng_below(dirt_rng, 2))
			p += sprintf(p, "%.*s%" PRIu32 ",%s\n",
			    (int)user_len, user, cat->item_id[item], beh);
		else
			p += sprintf(p, "%.*s%.*s%s,%" PRIu64 ",1\n",
			    (int)user_len, user,
			    (int)cat->item_prefix[item][23],
			    cat->item_prefix[item], beh, ts);
		break;
	case D_BEHAVIOR:
		p += sprintf(p, "%.*s%.*sclk,%" PRIu64 "\n", (int)user_len,
		    user, (int)cat->item_prefix[item][23],
		    cat->item_prefix[item], ts);
		break;
	case D_ID:
		p += sprintf(p, "%.*sx%" PRIu32 ",%" PRIu32 ",%s,%" PRIu64
		    "\n", (int)user_len, user, cat->item_id[item],
		    cat->category_id[cat->item_category[item]], beh, ts);
		break;
	case D_EMPTY:
		p += sprintf(p, "%.*s%" PRIu32 ",,%s,%" PRIu64 "\n",
		    (int)user_len, user, cat->item_id[item], beh, ts);
		break;
	case D_TIME:
		p += sprintf(p, "%.*s%.*s%s,abc\n", (int)user_len, user,
		    (int)cat->item_prefix[item][23], cat->item_prefix[item],
		    beh);
		break;
	case D_STRAY_TIME:
	default:
		/* The real log has a few rows dated weeks before its window. */
		stray = 3600 + rf_rng_below(dirt_rng, 80 * 86400);
		p += sprintf(p, "%.*s%.*s%s,%" PRIu64 "\n", (int)user_len,
		    user, (int)cat->item_prefix[item][23],
		    cat->item_prefix[item], beh,
		    start > stray ? (uint64_t)(start - stray) : 0);
		break;
	}
	out->len += (size_t)(p - begin);
}

static void
generate_log(const gen_opts *o, const catalogue *cat, out_buf *out,
    gen_stats *st)
{
	rf_rng rng, dirt_rng;
	clock_table ck;
	uint32_t *rows, max_rows, u, next_id = 0;
	uint64_t *order;
	user_events ev;
	user_state us;
	uint32_t start = (uint32_t)o->start;
	int last_behavior = -1;

	rf_rng_seed(&rng, o->seed ^ STREAM_USERS);
	rf_rng_seed(&dirt_rng, o->seed ^ STREAM_DIRT);
	clock_build(&ck, o);
	rows = user_rows_build(o, &rng, &max_rows);

	order = xcalloc(o->users, sizeof *order);
	for (u = 0; u < o->users; u++) {
		/* Mostly consecutive ids, with the odd gap. */
		next_id += 1 + (chance(&rng, 0.03) ? rf_rng_below(&rng, 5) : 0);
		order[u] = user_order_key(next_id);
	}
	rf_sort_u64(order, (int64_t)o->users);

	ev.cap = max_rows;
	ev.key = xcalloc(max_rows, sizeof *ev.key);
	ev.what = xcalloc(max_rows, sizeof *ev.what);

	for (u = 0; u < o->users; u++) {
		char user[16], *p;
		size_t user_len, previous_len = 0;
		char previous[OUT_MARGIN];
		uint32_t j;

		if (rows[u] == 0)
			continue;
		st->active_users++;
		p = put_u64(user, user_order_id(order[u]));
		*p++ = ',';
		user_len = (size_t)(p - user);

		user_begin(&us, cat, &ck, rows[u], &rng);
		ev.n = 0;
		ev.cap = rows[u];
		while (ev.n < ev.cap)
			add_interest(&ev, cat, &ck, &us, &rng);
		rf_sort_u64(ev.key, (int64_t)ev.n);

		for (j = 0; j < ev.n; j++) {
			uint32_t what = ev.what[ev.key[j] & 0xffffffffu];
			uint64_t ts = start + (ev.key[j] >> 32);
			uint32_t item = what >> 2;
			char *line;

			if (o->dirty > 0 && rf_rng_uniform(&dirt_rng) <
			    o->dirty) {
				write_dirty_line(out, cat, user, user_len,
				    what, ts, previous, previous_len,
				    &dirt_rng, start);
				st->dirty++;
				last_behavior = -1;
			} else {
				line = out_line(out);
				p = line;
				memcpy(p, user, user_len);
				p += user_len;
				memcpy(p, cat->item_prefix[item], 24);
				p += cat->item_prefix[item][23];
				switch (what & 3) {
				case B_PV:
					memcpy(p, "pv,", 3), p += 3;
					break;
				case B_FAV:
					memcpy(p, "fav,", 4), p += 4;
					break;
				case B_CART:
					memcpy(p, "cart,", 5), p += 5;
					break;
				default:
					memcpy(p, "buy,", 4), p += 4;
					break;
				}
				p = put_u64(p, ts);
				*p++ = '\n';
				out->len += (size_t)(p - line);
				st->behavior[what & 3]++;
				last_behavior = (int)(what & 3);
				if (st->item_seen != NULL)
					st->item_seen[item] = 1;
			}
			if (o->dirty > 0) {
				previous_len = out->len - out->line_start;
				memcpy(previous, out->data + out->line_start,
				    previous_len);
			}
			st->lines++;
		}
	}

	/* Like the byte-cut copies of the real file that circulate: the last
	 * line stops after its behaviour, with no timestamp and no newline. */
	if (o->dirty > 0 && st->lines > 0) {
		size_t end = out->len - 1;

		if (last_behavior >= 0)
			st->behavior[last_behavior]--;
		else
			st->dirty--;	/* counted once below */

		while (end > out->line_start && out->data[end] != ',')
			end--;
		out->len = end;
		st->dirty++;
	}

	free(ev.key);
	free(ev.what);
	free(order);
	free(rows);
	free(ck.threshold);
	free(ck.alias);
}

int
main(int argc, char **argv)
{
	gen_opts o;
	catalogue cat;
	out_buf out;
	gen_stats st;
	double t_begin = rf_monotonic(), seconds;
	uint32_t i;

	if (argc > 0 && argv[0] != NULL) {
		const char *slash = strrchr(argv[0], '/');

		progname = slash != NULL ? slash + 1 : argv[0];
	}
	parse_options(&o, argc, argv);
	catalogue_build(&cat, &o);
	if (o.item_path != NULL)
		write_item_file(&cat, o.item_path, o.seed);

	memset(&out, 0, sizeof out);
	out.path = o.log_path != NULL ? o.log_path : "stdout";
	out.fp = o.log_path != NULL ? fopen(o.log_path, "wb") : stdout;
	if (out.fp == NULL)
		die("%s: %s", o.log_path, strerror(errno));
	out.cap = OUT_CAP;
	out.data = xcalloc(out.cap, 1);

	memset(&st, 0, sizeof st);
	if (o.verbose)
		st.item_seen = xcalloc(cat.n_items, 1);
	generate_log(&o, &cat, &out, &st);
	out_flush(&out);
	if (fflush(out.fp) != 0 || ferror(out.fp))
		die("%s: %s", out.path, strerror(errno));
	if (o.log_path != NULL && fclose(out.fp) != 0)
		die("%s: %s", out.path, strerror(errno));
	seconds = rf_monotonic() - t_begin;

	if (o.verbose) {
		uint64_t clean = st.lines - (st.dirty < st.lines ? st.dirty :
		    st.lines), seen = 0;
		int b;

		for (i = 0; i < cat.n_items; i++)
			seen += st.item_seen[i];
		fprintf(stderr, "%s: %" PRIu64 " lines (%" PRIu64
		    " spoiled), %" PRIu64 " users, %" PRIu64 " of %" PRIu32
		    " items, %" PRIu32 " categories, %.2f s (%.1f M lines/s)\n",
		    progname, st.lines, st.dirty, st.active_users, seen,
		    cat.n_items, cat.n_categories, seconds,
		    seconds > 0 ? (double)st.lines / seconds / 1e6 : 0.0);
		fprintf(stderr, "%s:", progname);
		for (b = 0; b < B_COUNT; b++)
			fprintf(stderr, " %s %" PRIu64 " (%.1f%%)",
			    behavior_name[b], st.behavior[b], clean > 0 ?
			    100.0 * (double)st.behavior[b] / (double)clean : 0.0);
		fputc('\n', stderr);
		free(st.item_seen);
	}
	free(out.data);
	catalogue_free(&cat);
	return 0;
}
