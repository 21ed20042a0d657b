/*
 * scanners.js: Máy quét.  What `sohoa status` shows, per scanner
 * profile, refreshed every 5 seconds while the page is in view, and the
 * quarantine with each reason and a button to queue a scan again.  The
 * lists are redrawn only when they changed, so a button does not move
 * under the pointer between two refreshes.
 */
'use strict';

(function () {
	const { t, api, el, clear, time, alert, number } = window.App;

	window.App.messages({
		vi: {
			running: 'Đang chạy (pid {0})',
			stopped: 'Không chạy',
			stoppedNote: 'Dịch vụ sohoad không chạy: bản quét mới sẽ nằm chờ trong hộp thư đến.',
			diskFull: 'Ổ đĩa dữ liệu đã đầy từ {0}: dịch vụ tạm dừng nhận bản quét mới. Giải phóng dung lượng để tiếp tục.',
			diskFree: 'Còn trống {0} trên ổ đĩa dữ liệu.',
			updated: 'Cập nhật lúc {0}, tự làm mới mỗi 5 giây.',
			queue: 'Đang chờ',
			doneToday: 'Xong hôm nay',
			failedToday: 'Lỗi hôm nay',
			quarantined: 'Cách ly',
			ppm: 'Trang/phút (15 phút qua)',
			oldest: 'Chờ lâu nhất từ',
			requeue: 'Đưa lại vào hàng đợi',
			requeued: 'Đã đưa “{0}” lại vào hàng đợi.',
			ago: '{0} ({1} phút trước)',
		},
		en: {
			running: 'Running (pid {0})',
			stopped: 'Not running',
			stoppedNote: 'The sohoad service is not running: new scans wait in their inbox.',
			diskFull: 'The data disk has been full since {0}: the service takes no new scans. Free some space to go on.',
			diskFree: '{0} free on the data disk.',
			updated: 'Updated at {0}, refreshed every 5 seconds.',
			queue: 'Queued',
			doneToday: 'Done today',
			failedToday: 'Failed today',
			quarantined: 'Quarantined',
			ppm: 'Pages/min (last 15 min)',
			oldest: 'Oldest pending since',
			requeue: 'Queue again',
			requeued: '“{0}” is queued again.',
			ago: '{0} ({1} min ago)',
		},
	});

	const REFRESH_MS = 5000;
	const region = document.getElementById('alert');
	const disk = document.getElementById('disk-alert');
	const qRegion = document.getElementById('quarantine-alert');
	let lastStatus = '';
	let lastItems = '';
	let timer = null;
	let busy = false;

	function bytes(n) {
		if (typeof n !== 'number')
			return t('none');
		const units = ['B', 'KB', 'MB', 'GB', 'TB'];
		let i = 0;
		while (n >= 1024 && i < units.length - 1) {
			n /= 1024;
			i++;
		}
		const s = (i === 0 ? String(n) : n.toFixed(1));
		return (window.App.lang === 'vi' ? s.replace('.', ',') : s) + ' ' + units[i];
	}

	function since(ts) {
		if (!ts)
			return t('none');
		const d = new Date(ts);
		if (isNaN(d.getTime()))
			return String(ts);
		const mins = Math.max(0, Math.round((Date.now() - d.getTime()) / 60000));
		return t('ago', time(ts), mins);
	}

	function card(p) {
		const dl = el('dl');
		const row = (k, v) => dl.append(el('dt', {}, k), el('dd', {}, v));
		row(t('queue'), number(p.queue));
		row(t('doneToday'), number(p.done_today));
		row(t('failedToday'), number(p.failed_today));
		row(t('quarantined'), number(p.quarantined));
		row(t('ppm'), typeof p.pages_per_minute === 'number' ?
		    number(Math.round(p.pages_per_minute * 10) / 10) : t('none'));
		const oldest = el('p', { class: 'oldest' }, t('oldest') + ': ',
		    el('strong', {}, p.oldest_pending ? since(p.oldest_pending) : t('none')));
		return el('article', {
			class: 'card' + (p.failed_today > 0 || p.quarantined > 0 ?
			    ' has-failures' : ''),
			dataset: { testid: 'profile', profile: p.profile },
		}, el('h3', {}, p.profile), dl, oldest);
	}

	function showStatus(s) {
		const badge = document.getElementById('daemon');
		badge.textContent = s.running ? t('running', s.pid) : t('stopped');
		badge.className = 'badge ' + (s.running ? 'ok' : 'bad');
		const d = s.disk || {};
		if (d.full)
			alert(disk, 'error', t('diskFull', time(d.full_since)));
		else if (!s.running)
			alert(disk, 'warn', t('stoppedNote'));
		else
			alert(disk, '', '');
		document.getElementById('disk-free').textContent =
		    t('diskFree', bytes(d.free_bytes));
		const key = JSON.stringify(s.profiles || []);
		if (key === lastStatus)
			return;
		lastStatus = key;
		const box = document.getElementById('profiles');
		clear(box);
		const list = s.profiles || [];
		document.getElementById('no-profiles').hidden = list.length !== 0;
		for (const p of list)
			box.append(card(p));
	}

	async function requeue(ev) {
		const b = ev.currentTarget;
		b.disabled = true;
		try {
			await api('/api/quarantine/' + encodeURIComponent(b.dataset.id) +
			    '/requeue', { method: 'POST' });
			alert(qRegion, 'ok', t('requeued', b.dataset.name));
			await refresh();
		} catch (e) {
			alert(qRegion, 'error', e.message);
			b.disabled = false;
		}
	}

	function showQuarantine(items) {
		const key = JSON.stringify(items);
		if (key === lastItems)
			return;
		lastItems = key;
		const table = document.getElementById('quarantine');
		const tbody = table.querySelector('tbody');
		clear(tbody);
		table.hidden = items.length === 0;
		document.getElementById('no-quarantine').hidden = items.length !== 0;
		for (const q of items)
			tbody.append(el('tr', { dataset: { testid: 'quarantined', id: q.id } },
			    el('td', {}, q.profile),
			    el('td', { class: 'mono' }, q.name),
			    el('td', {}, q.reason),
			    el('td', {}, time(q.since)),
			    el('td', {}, el('button', {
				    type: 'button', class: 'secondary',
				    dataset: { id: q.id, name: q.name, testid: 'requeue' },
				    onclick: requeue,
			    }, t('requeue')))));
	}

	async function refresh() {
		if (busy)
			return;
		busy = true;
		try {
			const [s, q] = await Promise.all([api('/api/status'),
			    api('/api/quarantine')]);
			showStatus(s);
			showQuarantine(q.items || []);
			alert(region, '', '');
			const now = new Date();
			document.getElementById('updated').textContent = t('updated',
			    now.toLocaleTimeString(window.App.lang === 'vi' ? 'vi-VN' : 'en-GB'));
		} catch (e) {
			alert(region, 'error', e.message);
		} finally {
			busy = false;
		}
	}

	function loop() {
		clearTimeout(timer);
		timer = setTimeout(async () => {
			if (!document.hidden)
				await refresh();
			loop();
		}, REFRESH_MS);
	}

	document.addEventListener('visibilitychange', () => {
		if (!document.hidden)
			refresh();
	});

	window.App.start().then(async () => {
		await refresh();
		loop();
	}).catch((e) => alert(region, 'error', e.message));
})();
