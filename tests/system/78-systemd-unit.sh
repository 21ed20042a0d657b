#!/usr/bin/env bash
# The unit as `make install` writes it passes systemd-analyze verify, and
# keeps the hardening the daemon is promised under.
. "$(dirname "$0")/lib.sh"
U=$SOHOA_SRCDIR/systemd/sohoad.service.in
mkdir -p "$T/sbin" "$T/units"
ln -s "$SOHOAD" "$T/sbin/sohoad"
sed "s|@SBINDIR@|$T/sbin|g" "$U" >"$T/units/sohoad.service"
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify --man=no "$T/units/sohoad.service" >"$T/verify.out" 2>&1
	check "systemd-analyze verify finds nothing wrong in the unit" \
	    test ! -s "$T/verify.out"
	sed 's/^/# /' "$T/verify.out"
else
	skip "systemd-analyze verify" "systemd-analyze is not installed"
fi
for k in Type=notify ProtectSystem=strict ReadWritePaths=/var/lib/sohoa \
    NoNewPrivileges=yes PrivateTmp=yes ProtectHome=yes \
    SystemCallFilter=@system-service RestrictAddressFamilies=AF_UNIX \
    WatchdogSec= User=sohoa; do
	check "the unit sets $k" grep -q "^$k" "$T/units/sohoad.service"
done
check "sysusers.d makes the sohoa user" grep -q '^u sohoa ' "$SOHOA_SRCDIR/systemd/sohoa.sysusers"
check "tmpfiles.d makes the data folder" grep -q '^d /var/lib/sohoa ' "$SOHOA_SRCDIR/systemd/sohoa.tmpfiles"
check "make install puts the unit, sysusers and tmpfiles in place" \
    bash -c "cd '$SOHOA_SRCDIR' && make -s install B='$(dirname "$SOHOA")' DESTDIR='$T/root' PREFIX=/usr >/dev/null && test -f '$T/root/lib/systemd/system/sohoad.service' && test -f '$T/root/usr/lib/sysusers.d/sohoa.conf' && test -f '$T/root/usr/lib/tmpfiles.d/sohoa.conf' && grep -q 'ExecStart=/usr/sbin/sohoad' '$T/root/lib/systemd/system/sohoad.service' && test -x '$T/root/usr/sbin/sohoad' && test -f '$T/root/usr/share/man/man8/sohoad.8'"

# sohoa-web's unit: it faces the network, so it is held tighter still.
W=$SOHOA_SRCDIR/systemd/sohoa-web.service.in
ln -s "$SOHOA_WEB" "$T/sbin/sohoa-web"
sed "s|@SBINDIR@|$T/sbin|g" "$W" >"$T/units/sohoa-web.service"
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify --man=no "$T/units/sohoa-web.service" >"$T/verify-web.out" 2>&1
	check "systemd-analyze verify finds nothing wrong in sohoa-web's unit" \
	    test ! -s "$T/verify-web.out"
	sed 's/^/# /' "$T/verify-web.out"
fi
for k in Type=notify ProtectSystem=strict NoNewPrivileges=yes \
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' CapabilityBoundingSet= \
    MemoryDenyWriteExecute=yes User=sohoa; do
	check "sohoa-web's unit sets $k" grep -q "^$k" "$T/units/sohoa-web.service"
done
check "make install puts sohoa-web, its unit and its manual in place" \
    bash -c "test -x '$T/root/usr/sbin/sohoa-web' && grep -q 'ExecStart=/usr/sbin/sohoa-web' '$T/root/lib/systemd/system/sohoa-web.service' && test -f '$T/root/usr/share/man/man8/sohoa-web.8'"
