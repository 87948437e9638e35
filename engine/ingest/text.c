/* text: byte-level checks and conversions of input lines (see text.h). */
#include "engine/ingest/text.h"

#include <stdint.h>
#include <string.h>

int
text_utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k, j;
		unsigned lo = 0x80, hi = 0xBF;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			k = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			k = 2;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		} else
			return 0;
		if (i + k >= n)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (j = 2; j <= k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
		i += k + 1;
	}
	return 1;
}

int
text_scan(const char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = ones * 0x80;
	uint64_t w, nul = 0, high = 0;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		high |= w;
		nul |= (w - ones) & ~w;
	}
	for (; i < n; i++) {
		high |= (unsigned char)p[i];
		nul |= p[i] == '\0' ? highs : 0;
	}
	return ((nul & highs) ? TEXT_HAS_NUL : 0) |
	    ((high & highs) ? TEXT_HAS_HIGH : 0);
}

int
text_has_control(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 || c == 0x7F)
			return 1;
	}
	return 0;
}

/* Every byte >= 0x80 is the code point U+0080..U+00FF. */
size_t
text_latin1_to_utf8(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0, i;

	for (i = 0; i < n && o + 2 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80)
			out[o++] = (char)c;
		else {
			out[o++] = (char)(0xC0 | (c >> 6));
			out[o++] = (char)(0x80 | (c & 0x3F));
		}
	}
	out[o] = '\0';
	return o;
}
