# sohoa: digitize results of administrative procedures.
# Plain make with pkg-config.  Knobs: CFLAGS, LDFLAGS, SANITIZER=address,
# PREFIX, DESTDIR, JOBS (parallel test workers).

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share/sohoa
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var/lib

PKGS    = tesseract lept libtiff-4 libarchive sqlite3 libutf8proc libpcre2-8 \
          jansson inih libcrypto libsystemd poppler-glib cairo zbar zxing \
          hunspell libargon2 libpq
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell pkg-config --libs cmocka 2>/dev/null)

CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wformat=2 -Wno-format-truncation \
           -Wno-unused-parameter
SOHOA_CFLAGS = -std=c11 -D_GNU_SOURCE -Iinclude $(WARN) $(PKG_CFLAGS) \
           -DSOHOA_DEFAULT_DATA='"$(LOCALSTATEDIR)/sohoa"' \
           -DSOHOA_SYSCONFDIR='"$(SYSCONFDIR)/sohoa"'
# zxing-cpp is C++: codes_zxing.cpp is its C interface, and the programs
# link with the C++ runtime.
SOHOA_LDLIBS = $(PKG_LIBS) -lcsv -lm -lstdc++
CXX ?= g++
CXXFLAGS ?= -O2 -g

ifeq ($(SANITIZER),address)
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer
else ifneq ($(SANITIZER),)
SAN = -fsanitize=$(SANITIZER) -fno-omit-frame-pointer
endif

B = build
# Every module but the programs' main files, in the order of the data flow.
LIB_SRCS = src/log.c src/util.c src/date.c src/vntext.c src/cfgfile.c src/conf.c src/levels.c \
           src/profile.c src/image.c src/pdf.c src/preprocess.c \
           src/syllable.c src/ocr.c src/reading.c src/codes.c src/known.c src/extract.c src/header.c src/xdate.c src/people.c src/rule.c src/package.c src/package_read.c src/package_verify.c src/db.c src/tokenizer.c src/rank.c src/index.c src/document.c src/store.c src/search.c src/citytext.c src/accesslog.c src/users.c src/correct.c \
           src/loop.c src/worker.c src/pool.c \
           src/job.c src/status.c src/watch.c src/room.c src/reserve.c src/ingest.c \
           src/register.c src/register_csv.c src/register_match.c \
           src/report.c src/report_format.c \
           src/city.c src/city_schema.c src/city_search.c src/outbox.c \
           src/ship.c
LIB_OBJS = $(LIB_SRCS:src/%.c=$(B)/obj/%.o) $(B)/obj/codes_zxing.o
# The command line's files beside sohoa.c, only in build/sohoa; their
# declarations are in src/cli.h, not in the library's header.
CLI_SRCS = src/cli.c src/cli_records.c src/cli_audit.c src/cli_user.c \
           src/cli_city.c
CLI_OBJS = $(CLI_SRCS:src/%.c=$(B)/obj/%.o)
# sohoa-web's files, only in build/sohoa-web, with the pages of web/ built
# in (tools/web-embed.c writes them as C).
WEB_SRCS = src/web.c src/web_http.c src/web_auth.c src/web_api.c \
           src/web_city.c src/web_admin.c src/web_log.c
WEB_OBJS = $(WEB_SRCS:src/%.c=$(B)/obj/%.o) $(B)/obj/web_assets.o
WEB_ASSETS = $(sort $(wildcard web/*.html web/*.css web/*.js web/*.svg))
WEB_CFLAGS := $(shell pkg-config --cflags libmicrohttpd 2>/dev/null)
WEB_LIBS   := $(shell pkg-config --libs libmicrohttpd 2>/dev/null)
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)

all: $(B)/sohoa $(B)/sohoad $(B)/sohoa-web

$(B)/obj/%.o: src/%.c include/sohoa.h | $(B)/obj
	$(CC) $(SOHOA_CFLAGS) $(SAN) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# extract.c, header.c, xdate.c, people.c and rule.c share their internals.
$(B)/obj/extract.o $(B)/obj/header.o $(B)/obj/xdate.o $(B)/obj/people.o \
    $(B)/obj/rule.o: src/extract_int.h
# package.c, package_read.c and package_verify.c share theirs.
$(B)/obj/package.o $(B)/obj/package_read.o \
    $(B)/obj/package_verify.o: src/package_int.h

# register.c, register_csv.c and register_match.c share theirs; so do
# report.c and report_format.c.
$(B)/obj/register.o $(B)/obj/register_csv.o \
    $(B)/obj/register_match.o: src/register_int.h
$(B)/obj/report.o $(B)/obj/report_format.o: src/report_int.h

$(B)/obj/codes_zxing.o: src/codes_zxing.cpp | $(B)/obj
	$(CXX) -std=c++17 -Wall -Wextra $(shell pkg-config --cflags zxing) \
	    $(SAN) $(CPPFLAGS) $(CXXFLAGS) -c -o $@ $<

$(B)/obj/sohoa.o $(CLI_OBJS): src/cli.h

$(B)/sohoa: $(B)/obj/sohoa.o $(CLI_OBJS) $(B)/libsohoa.a
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(SOHOA_LDLIBS)

$(B)/sohoad: $(B)/obj/sohoad.o $(B)/libsohoa.a
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(SOHOA_LDLIBS)

$(WEB_OBJS): src/web.h
$(WEB_SRCS:src/%.c=$(B)/obj/%.o): $(B)/obj/%.o: src/%.c include/sohoa.h | $(B)/obj
	$(CC) $(SOHOA_CFLAGS) $(WEB_CFLAGS) $(SAN) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/web-embed: tools/web-embed.c | $(B)/obj
	$(CC) -O2 -o $@ $<

$(B)/obj/web_assets.c: $(WEB_ASSETS) $(B)/web-embed
	$(B)/web-embed $(WEB_ASSETS) > $@.tmp && mv $@.tmp $@

$(B)/obj/web_assets.o: $(B)/obj/web_assets.c
	$(CC) $(SOHOA_CFLAGS) $(WEB_CFLAGS) -Isrc $(SAN) $(CPPFLAGS) $(CFLAGS) \
	    -c -o $@ $<

$(B)/sohoa-web: $(WEB_OBJS) $(B)/libsohoa.a
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(WEB_LIBS) $(SOHOA_LDLIBS)

$(B)/libsohoa.a: $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# Every unit test links testlib.o, the set-up they share.
$(B)/tests/testlib.o: tests/unit/testlib.c tests/unit/testlib.h \
    include/sohoa.h | $(B)/tests
	$(CC) $(SOHOA_CFLAGS) $(CMOCKA_CFLAGS) $(SAN) $(CPPFLAGS) $(CFLAGS) \
	    -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(B)/tests/testlib.o $(B)/libsohoa.a \
    include/sohoa.h tests/unit/testlib.h | $(B)/tests
	$(CC) $(SOHOA_CFLAGS) $(CMOCKA_CFLAGS) $(SAN) $(CPPFLAGS) $(CFLAGS) \
	    $(LDFLAGS) -o $@ $< $(B)/tests/testlib.o $(B)/libsohoa.a \
	    $(SOHOA_LDLIBS) $(CMOCKA_LIBS)

# For the system tests: a machine whose inotify limits are used up.
$(B)/tests/no-inotify.so: tests/shim/no-inotify.c | $(B)/tests
	$(CC) -shared -fPIC $(CFLAGS) -o $@ $<

$(B)/obj $(B)/tests:
	mkdir -p $@

# The README's first command: everything from a fresh machine to a search.
demo:
	./scripts/install-deps
	$(MAKE) all
	./scripts/demo

# The README's second command.
# The bench programs are built too, so that a change of the library's
# interface cannot leave them behind unnoticed.
check:
	./scripts/install-deps
	$(MAKE) all unit-tests $(B)/bench/search-1m
	BUILD=$(B) ./tests/run

unit-tests: $(UNIT_BINS) $(B)/tests/no-inotify.so

bench: all $(B)/bench/search-1m $(B)/bench/city-load
	./bench/ingest-vs-tesseract
	SOHOA=$(B)/sohoa ./bench/report-1m
	$(B)/bench/search-1m
	BUILD=$(B) ./bench/city

# Search latency over 1,000,000 synthetic records, through the real index.
# bench/records.c makes the records (bench/city uses them too).
$(B)/bench/search-1m: bench/search-1m.c bench/records.c bench/records.h \
    $(B)/libsohoa.a include/sohoa.h
	mkdir -p $(B)/bench
	$(CC) $(SOHOA_CFLAGS) $(SAN) $(CPPFLAGS) $(CFLAGS) -Ibench $(LDFLAGS) \
	    -o $@ bench/search-1m.c bench/records.c $(B)/libsohoa.a \
	    $(SOHOA_LDLIBS)

# The city's PostgreSQL filled by 300 offices and searched (bench/city).
$(B)/bench/city-load: bench/city-load.c bench/records.c bench/records.h \
    $(B)/libsohoa.a include/sohoa.h
	mkdir -p $(B)/bench
	$(CC) $(SOHOA_CFLAGS) $(SAN) $(CPPFLAGS) $(CFLAGS) -Ibench $(LDFLAGS) \
	    -o $@ bench/city-load.c bench/records.c $(B)/libsohoa.a \
	    $(SOHOA_LDLIBS)

bench-city: all $(B)/bench/city-load
	BUILD=$(B) ./bench/city

# QR codes read by zxing-cpp and by zbar on rendered pages (README).
$(B)/bench/codes-count: bench/codes-count.c $(B)/libsohoa.a include/sohoa.h
	mkdir -p $(B)/bench
	$(CC) $(SOHOA_CFLAGS) $(SAN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) \
	    -o $@ $< $(B)/libsohoa.a $(SOHOA_LDLIBS)

# 50 clients on sohoa-web over a million records (builds the index first).
bench-web: all $(B)/bench/search-1m
	BUILD=$(B) ./bench/web-load

bench-codes: $(B)/bench/codes-count
	BUILD=$(B) ./bench/codes-measure

# The long kill -9 soak of sohoad (about 5 minutes): 300 kills.
soak: all
	./bench/kill9-soak --cycles 300

# Hard scans: sohoa against tesseract and OCRmyPDF (README "Reading hard scans").
bench-quality: all
	SOHOA=$(abspath $(B))/sohoa ./bench/quality

# Fields of results, QR pages, search (issue 10): sohoa against tesseract
# --psm 3 and --psm 6 on bench/fields-make-set's pages, then on eval-public's
# real scans (README "Tests and benchmarks").
bench-fields: all
	SOHOA=$(abspath $(B))/sohoa ./bench/fields
	SOHOA=$(abspath $(B))/sohoa ./bench/fields --real

SYSTEMDUNITDIR ?= /lib/systemd/system
SYSUSERSDIR    ?= /usr/lib/sysusers.d
TMPFILESDIR    ?= /usr/lib/tmpfiles.d

$(B)/sohoad.service: systemd/sohoad.service.in | $(B)/obj
	sed 's|@SBINDIR@|$(SBINDIR)|g' $< >$@

$(B)/sohoa-web.service: systemd/sohoa-web.service.in | $(B)/obj
	sed 's|@SBINDIR@|$(SBINDIR)|g' $< >$@

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DATADIR)/scanner-profiles \
	    $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(TMPFILESDIR)
	install -m 755 $(B)/sohoa $(DESTDIR)$(BINDIR)/sohoa
	install -m 755 $(B)/sohoad $(DESTDIR)$(SBINDIR)/sohoad
	install -m 755 $(B)/sohoa-web $(DESTDIR)$(SBINDIR)/sohoa-web
	install -m 644 man/sohoa.1 $(DESTDIR)$(MANDIR)/man1/sohoa.1
	install -m 644 man/sohoa.conf.5 $(DESTDIR)$(MANDIR)/man5/sohoa.conf.5
	install -m 644 man/sohoad.8 $(DESTDIR)$(MANDIR)/man8/sohoad.8
	install -m 644 man/sohoa-web.8 $(DESTDIR)$(MANDIR)/man8/sohoa-web.8
	install -m 644 scanner-profiles/*.conf $(DESTDIR)$(DATADIR)/scanner-profiles/
	# The units name SBINDIR, which this very run may have set.
	for u in sohoad sohoa-web; do \
	    sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/$$u.service.in \
	        >$(DESTDIR)$(SYSTEMDUNITDIR)/$$u.service && \
	    chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u.service || exit 1; \
	done
	install -m 644 systemd/sohoa.sysusers $(DESTDIR)$(SYSUSERSDIR)/sohoa.conf
	install -m 644 systemd/sohoa.tmpfiles $(DESTDIR)$(TMPFILESDIR)/sohoa.conf

clean:
	rm -rf $(B)

.PHONY: all demo check unit-tests bench bench-city bench-codes bench-quality bench-fields soak install clean
