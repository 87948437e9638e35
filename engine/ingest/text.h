/* text: the bytes of an input line as text: NUL bytes, strict UTF-8,
 * control characters, and latin-1 (ml-100k's u.item) turned into UTF-8. */
#ifndef RF_INGEST_TEXT_H
#define RF_INGEST_TEXT_H

#include <stddef.h>

enum { TEXT_HAS_NUL = 1, TEXT_HAS_HIGH = 2 };

/* TEXT_HAS_NUL | TEXT_HAS_HIGH (a byte >= 0x80), eight bytes at a time. */
int text_scan(const char *p, size_t n);
/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
int text_utf8_valid(const unsigned char *s, size_t n);
/* A byte below 0x20 or DEL. */
int text_has_control(const char *p, size_t n);
/* latin-1 to UTF-8 into out (cap bytes, NUL-terminated, cut to fit);
 * returns the bytes written. */
size_t text_latin1_to_utf8(const char *s, size_t n, char *out, size_t cap);

#endif
