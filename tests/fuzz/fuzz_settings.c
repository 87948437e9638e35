/* fuzz_settings: the text loaders of what the store keeps as text: a
 * split's spec (split_parse, engine/data/split.c; a spec that parses is
 * then made on a small dataset) and the fusion settings
 * (fusion_settings_parse, engine/fusion/settings.c; settings that parse
 * are formatted and parsed again).  The first byte picks which. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/data/split.h"
#include "engine/fusion/settings.h"
#include "tests/fuzz/fuzz.h"

static void
fuzz_split(const char *text)
{
	static dataset ds;
	static model_fingerprint fp;
	static int ready;
	split_spec spec;
	split s;
	rf_error err;

	if (!ready) {
		if (fuzz_dataset(&ds, &fp) < 0)
			abort();
		ready = 1;
	}
	memset(&spec, 0, sizeof spec);
	if (split_parse(text, &spec, &err) < 0 || spec.kind == SPLIT_PAIRS)
		return;
	memset(&s, 0, sizeof s);
	if (split_make(&ds.all, &spec, &s, &err) == 0)
		split_free(&s);
}

static void
fuzz_fusion(const char *text)
{
	fusion_settings s, again;
	char buf[8192];
	rf_error err;

	if (fusion_settings_parse(text, &s, &err) < 0)
		return;
	fusion_settings_format(&s, buf, sizeof buf);
	if (fusion_settings_parse(buf, &again, &err) < 0)
		abort();	/* what it wrote, it reads */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size < 1 || (text = malloc(size)) == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (data[0] & 1)
		fuzz_fusion(text);
	else
		fuzz_split(text);
	free(text);
	return 0;
}
