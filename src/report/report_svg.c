/*
 * report_svg.c — the certificate expiry timeline: an inline SVG bar chart,
 * one bar per expiry bucket (report_model.h), with labelled axes. Inline
 * markup, not a script or an image file: the page stays one file that
 * draws with no network and no JavaScript.
 */
#include "report/report_html.h"

/* Geometry of the chart, in SVG user units. */
#define W 640
#define H 300
#define LEFT 64
#define RIGHT 16
#define TOP 28
#define BOTTOM 64
#define PLOT_W (W - LEFT - RIGHT)
#define PLOT_H (H - TOP - BOTTOM)

static const char *const bar_colour[RP_NBUCKETS] = { "#b3261e", "#e8590c", "#f59f00", "#fcc419",
						     "#2f9e44" };

/* A tick step of 1, 2 or 5 times a power of ten giving at most 5 ticks. */
static unsigned long long tick_step(unsigned long long max)
{
	unsigned long long p = 1;

	for (;;) {
		static const unsigned mult[] = { 1, 2, 5 };

		for (int i = 0; i < 3; i++)
			if (max <= p * mult[i] * 5)
				return p * mult[i];
		if (p > ~0ull / 100)
			return p;
		p *= 10;
	}
}

void report_svg_expiry(struct strbuf *b, const struct report_model *m)
{
	unsigned long long max = 0, step, ymax;
	const double slot = (double)PLOT_W / RP_NBUCKETS;

	for (int i = 0; i < RP_NBUCKETS; i++)
		if (m->buckets[i] > max)
			max = m->buckets[i];
	step = tick_step(max ? max : 1);
	ymax = (max + step - 1) / step * step;
	if (ymax == 0)
		ymax = step;

	sb_printf(
		b,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"expiry-chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"certificates by days to expiry\">\n",
		W, H, W, H);
	sb_puts(b, "<title>Certificates by days to expiry</title>\n");
	/* Grid lines and y tick labels. */
	for (unsigned long long v = 0; v <= ymax; v += step) {
		double y = TOP + PLOT_H - (double)PLOT_H * (double)v / (double)ymax;

		sb_printf(
			b,
			"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
			"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"12\">%llu</text>\n",
			LEFT, y, LEFT + PLOT_W, y, LEFT - 6, y + 4, v);
	}
	for (int i = 0; i < RP_NBUCKETS; i++) {
		double h = (double)PLOT_H * (double)m->buckets[i] / (double)ymax;
		double x = LEFT + slot * i + slot * 0.15;

		sb_printf(
			b,
			"<rect data-bucket=\"%s\" data-n=\"%llu\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: %llu</title></rect>\n",
			rp_bucket_key((enum rp_bucket)i), (unsigned long long)m->buckets[i], x,
			TOP + PLOT_H - h, slot * 0.7, h, bar_colour[i],
			rp_bucket_label((enum rp_bucket)i), (unsigned long long)m->buckets[i]);
		sb_printf(
			b,
			"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">%llu</text>\n",
			x + slot * 0.35, TOP + PLOT_H - h - 5, (unsigned long long)m->buckets[i]);
		sb_printf(
			b,
			"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\">%s</text>\n",
			x + slot * 0.35, TOP + PLOT_H + 18, rp_bucket_label((enum rp_bucket)i));
	}
	/* Axes and their titles. */
	sb_printf(b,
		  "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>"
		  "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
		  LEFT, TOP, LEFT, TOP + PLOT_H, LEFT, TOP + PLOT_H, LEFT + PLOT_W, TOP + PLOT_H);
	sb_printf(
		b,
		"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">days to expiry (at scan time)</text>\n",
		LEFT + PLOT_W / 2, H - 14);
	sb_printf(
		b,
		"<text x=\"16\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 16 %d)\">certificates</text>\n",
		TOP + PLOT_H / 2, TOP + PLOT_H / 2);
	sb_puts(b, "</svg>\n");
}
