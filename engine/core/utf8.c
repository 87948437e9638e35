/* utf8: display width of UTF-8 text (see utf8.h). */
#include "engine/core/utf8.h"

#include <string.h>

size_t
utf8_next(const char *s, size_t len, wchar_t *wc, int *cols)
{
	unsigned char c = (unsigned char)*s;
	mbstate_t st;
	size_t n;
	int w;

	if (len == 0) {
		*wc = L'\0';
		*cols = 0;
		return 0;
	}
	if (c < 0x80) {
		*wc = c < 0x20 || c == 0x7f ? L'\0' : (wchar_t)c;
		*cols = 1;
		return 1;
	}
	memset(&st, 0, sizeof st);
	n = mbrtowc(wc, s, len, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*wc = L'\0';
		*cols = 1;
		return 1;
	}
	w = wcwidth(*wc);
	if (w < 0) {
		*wc = L'\0';
		w = 1;
	}
	*cols = w;
	return n;
}

int
utf8_width_n(const char *s, size_t n)
{
	int total = 0, cols;
	wchar_t wc;

	while (n > 0 && *s != '\0') {
		size_t used = utf8_next(s, n, &wc, &cols);

		total += cols;
		s += used;
		n -= used;
	}
	return total;
}

int
utf8_width(const char *s)
{
	return s == NULL ? 0 : utf8_width_n(s, strlen(s));
}

int
utf8_fit(const char *s, int max, size_t *bytes)
{
	size_t i = 0, len = strlen(s);
	int w = 0, cols;
	wchar_t wc;

	while (i < len) {
		size_t used = utf8_next(s + i, len - i, &wc, &cols);

		if (w + cols > max)
			break;
		w += cols;
		i += used;
	}
	if (bytes != NULL)
		*bytes = i;
	return w;
}

const char *
utf8_skip_cols(const char *s, int cols)
{
	size_t len = strlen(s);
	int c;
	wchar_t wc;

	while (cols > 0 && len > 0) {
		size_t used = utf8_next(s, len, &wc, &c);

		cols -= c;
		s += used;
		len -= used;
	}
	return s;
}

size_t
utf8_wrap(const char *s, int max)
{
	size_t bytes, p;
	int cols;
	wchar_t wc;

	utf8_fit(s, max, &bytes);
	if (s[bytes] == '\0')
		return bytes;
	/* Back to the end of the last word that fits whole. */
	for (p = bytes; p > 0 && s[p] != ' '; p--)
		;
	if (p > 0)
		return p;
	/* One word wider than the line: cut it (at least a character). */
	if (bytes == 0 && *s != '\0')
		bytes = utf8_next(s, strlen(s), &wc, &cols);
	return bytes;
}
