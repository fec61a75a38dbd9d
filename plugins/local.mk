# Every plugin folder brings its own rules.
include $(srcdir)/plugins/file/local.mk
include $(srcdir)/plugins/datagen/local.mk
include $(srcdir)/plugins/null/local.mk
include $(srcdir)/plugins/string/local.mk
include $(srcdir)/plugins/bytes/local.mk
include $(srcdir)/plugins/json/local.mk
include $(srcdir)/plugins/lib/local.mk
include $(srcdir)/plugins/map/local.mk
include $(srcdir)/plugins/filter/local.mk
include $(srcdir)/plugins/key_by/local.mk
include $(srcdir)/plugins/aggregate/local.mk
include $(srcdir)/plugins/window/local.mk
include $(srcdir)/plugins/kafka/local.mk
include $(srcdir)/plugins/postgresql/local.mk
include $(srcdir)/plugins/http/local.mk
include $(srcdir)/plugins/join/local.mk
