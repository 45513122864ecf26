/* tls_line.c — one-line TLS summary for the terminal (see include/tls_line.h). */
#include <string.h>
#include <time.h>

#include "tls_line.h"

#define LINE_NAME_MAX 80 /* bytes of one name shown on the terminal */

void tls_line_safe(struct strbuf *b, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len && i < LINE_NAME_MAX; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			sb_append(b, &p[i], 1);
		else
			sb_printf(b, "\\x%02X", p[i]);
	}
	if (len > LINE_NAME_MAX)
		sb_puts(b, "...");
}

static void date_only(struct strbuf *b, int64_t unix_s)
{
	time_t t = (time_t)unix_s;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL) {
		sb_puts(b, "?");
		return;
	}
	sb_printf(b, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void tls_line_format(struct strbuf *b, const struct tls_result *r)
{
	const struct tls_cert_info *c = &r->certs.leaf;

	sb_printf(b, "%u/tcp %s", (unsigned)r->port, tls_outcome_name(r->outcome));
	if (r->sni[0]) {
		sb_puts(b, " sni=");
		tls_line_safe(b, r->sni, strlen(r->sni));
	}
	if (r->outcome != TLS_OK) {
		if (r->alert[0])
			sb_printf(b, " (%s)", r->alert);
		else if (r->detail[0])
			sb_printf(b, " (%s)", r->detail);
		return;
	}
	sb_printf(b, " %s %s", r->version, r->cipher);
	if (r->alpn[0])
		sb_printf(b, " %s", r->alpn);
	if (r->certs.has_leaf) {
		sb_puts(b, "; ");
		if (c->subject_cn.n > 0) {
			sb_puts(b, "CN=");
			tls_line_safe(b, c->subject_cn.v[0].p, c->subject_cn.v[0].len);
		} else {
			tls_line_safe(b, c->subject_dn.p, c->subject_dn.len);
		}
		sb_puts(b, "; issuer ");
		tls_line_safe(b, c->issuer_dn.p, c->issuer_dn.len);
		sb_puts(b, c->expired         ? "; EXPIRED "
			   : c->not_yet_valid ? "; NOT YET VALID from "
					      : "; expires ");
		date_only(b, c->not_yet_valid ? c->not_before : c->not_after);
		if (!c->expired && !c->not_yet_valid)
			sb_printf(b, " (%lld days)", (long long)c->days_to_expiry);
		if (c->self_signed)
			sb_puts(b, "; self-signed");
	}
	if (r->verify_ok)
		sb_puts(b, "; verify ok");
	else
		sb_printf(b, "; verify failed: %s", r->verify_error[0] ? r->verify_error : "?");
	if (r->hostname_checked && !r->hostname_match)
		sb_puts(b, "; NAME MISMATCH");
	if (r->versions_tested) {
		static const char *names[] = { "1.0", "1.1", "1.2", "1.3" };
		sb_puts(b, "; accepts TLS");
		for (unsigned i = 0; i < 4; i++)
			if (r->versions_accepted & (1u << i))
				sb_printf(b, " %s", names[i]);
	}
	if (r->http_server.len > 0) {
		sb_puts(b, "; Server: ");
		tls_line_safe(b, r->http_server.p, r->http_server.len);
	}
}
