// cairo's headers include each other with quotes, so <cairo/…> needs no include path.
#include <cairo/cairo.h>
#include <cairo/cairo-pdf.h>

// The few pango calls the invoice PDF makes, declared here rather than through
// <pango/pangocairo.h>: that header pulls in glib's, which need pkg-config's include paths, and
// pangocairo.pc adds `-pthread`, which SwiftPM refuses with a warning. The signatures are
// pango 1.x's stable C API; its enums are passed as int, as C passes them.
typedef struct _PangoLayout PangoLayout;
typedef struct _PangoFontDescription PangoFontDescription;
enum { WH_PANGO_SCALE = 1024, WH_PANGO_WRAP_WORD_CHAR = 2, WH_PANGO_ALIGN_RIGHT = 2 };
PangoLayout *pango_cairo_create_layout(cairo_t *cr);
void pango_cairo_show_layout(cairo_t *cr, PangoLayout *layout);
void pango_layout_set_text(PangoLayout *layout, const char *text, int length);
void pango_layout_set_width(PangoLayout *layout, int width);
void pango_layout_set_wrap(PangoLayout *layout, int wrap);
void pango_layout_set_alignment(PangoLayout *layout, int alignment);
void pango_layout_set_font_description(PangoLayout *layout, const PangoFontDescription *desc);
void pango_layout_get_size(PangoLayout *layout, int *width, int *height);
PangoFontDescription *pango_font_description_from_string(const char *str);
void pango_font_description_free(PangoFontDescription *desc);
void g_object_unref(void *object);
