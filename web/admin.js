/*
 * admin.js: Quản trị.  The users (add, disable, set a password) and the
 * access log with its filters; the CSV link carries the same filters as
 * the table on screen.
 */
'use strict';

(function () {
	const { t, api, el, clear, time, alert, query, roleName } = window.App;

	window.App.messages({
		vi: {
			active: 'Đang hoạt động',
			disabled: 'Đã vô hiệu hóa',
			disable: 'Vô hiệu hóa',
			setPassword: 'Đặt mật khẩu',
			confirmDisable: 'Vô hiệu hóa người dùng “{0}”? Người này sẽ bị đăng xuất và không đăng nhập được nữa.',
			disabledOk: 'Đã vô hiệu hóa “{0}”.',
			added: 'Đã thêm người dùng “{0}”.',
			passwordSet: 'Đã đặt mật khẩu mới cho “{0}”.',
			needName: 'Nhập tên đăng nhập.',
			needPassword: 'Nhập mật khẩu.',
			mismatch: 'Hai lần nhập mật khẩu không giống nhau.',
			entries: '{0} dòng nhật ký.',
			noEntries: 'Không có dòng nhật ký nào khớp với bộ lọc.',
			self: '(bạn)',
		},
		en: {
			active: 'Active',
			disabled: 'Disabled',
			disable: 'Disable',
			setPassword: 'Set password',
			confirmDisable: 'Disable the user “{0}”? They are logged out and cannot log in again.',
			disabledOk: '“{0}” is disabled.',
			added: 'The user “{0}” is added.',
			passwordSet: 'A new password is set for “{0}”.',
			needName: 'Type a user name.',
			needPassword: 'Type a password.',
			mismatch: 'The two passwords differ.',
			entries: '{0} log entries.',
			noEntries: 'No log entry matches the filters.',
			self: '(you)',
		},
	});

	const region = document.getElementById('alert');
	const usersRegion = document.getElementById('users-alert');
	const logRegion = document.getElementById('log-alert');
	const dlg = document.getElementById('password-dialog');
	let target = null;

	function userRow(u) {
		const me = window.App.me;
		const actions = el('td', { class: 'nowrap' });
		if (!u.disabled)
			actions.append(el('button', {
				type: 'button', class: 'secondary',
				dataset: { testid: 'disable-user', name: u.name },
				disabled: me && me.user === u.name,
				onclick: disable,
			}, t('disable')), ' ');
		actions.append(el('button', {
			type: 'button', class: 'secondary',
			dataset: { testid: 'set-password', name: u.name },
			onclick: askPassword,
		}, t('setPassword')));
		return el('tr', { dataset: { testid: 'user-row', name: u.name } },
		    el('td', {}, u.name, me && me.user === u.name ? ' ' + t('self') : ''),
		    el('td', {}, roleName(u.role)),
		    el('td', {}, el('span', { class: 'badge ' + (u.disabled ? 'bad' : 'ok') },
			u.disabled ? t('disabled') : t('active'))),
		    el('td', {}, time(u.created_at)),
		    actions);
	}

	async function users() {
		try {
			const r = await api('/api/users');
			const tbody = document.querySelector('#users tbody');
			clear(tbody);
			for (const u of r.users || [])
				tbody.append(userRow(u));
		} catch (e) {
			alert(usersRegion, 'error', e.message);
		}
	}

	async function disable(ev) {
		const name = ev.currentTarget.dataset.name;
		if (!window.confirm(t('confirmDisable', name)))
			return;
		try {
			await api('/api/users/' + encodeURIComponent(name) + '/disable',
			    { method: 'POST' });
			alert(usersRegion, 'ok', t('disabledOk', name));
			await users();
		} catch (e) {
			alert(usersRegion, 'error', e.message);
		}
	}

	function askPassword(ev) {
		target = ev.currentTarget.dataset.name;
		document.getElementById('password-user').textContent = target;
		document.getElementById('set-password').value = '';
		document.getElementById('set-password2').value = '';
		alert(document.getElementById('password-alert'), '', '');
		dlg.showModal();
		document.getElementById('set-password').focus();
	}

	/* The dialog closes only once the server took the password. */
	document.getElementById('password-form').addEventListener('submit', async (ev) => {
		if (!ev.submitter || ev.submitter.value !== 'ok')
			return;
		ev.preventDefault();
		const box = document.getElementById('password-alert');
		const p1 = document.getElementById('set-password').value;
		const p2 = document.getElementById('set-password2').value;
		if (p1 === '') {
			alert(box, 'error', t('needPassword'));
			return;
		}
		if (p1 !== p2) {
			alert(box, 'error', t('mismatch'));
			return;
		}
		try {
			await api('/api/users/' + encodeURIComponent(target) + '/password',
			    { method: 'POST', body: { password: p1 } });
			dlg.close('ok');
			alert(usersRegion, 'ok', t('passwordSet', target));
		} catch (e) {
			alert(box, 'error', e.message);
		}
	});

	document.getElementById('add-user').addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const name = document.getElementById('new-name').value.trim();
		const role = document.getElementById('new-role').value;
		const p1 = document.getElementById('new-password').value;
		const p2 = document.getElementById('new-password2').value;
		if (name === '') {
			alert(usersRegion, 'error', t('needName'));
			return;
		}
		if (p1 === '') {
			alert(usersRegion, 'error', t('needPassword'));
			return;
		}
		if (p1 !== p2) {
			alert(usersRegion, 'error', t('mismatch'));
			return;
		}
		try {
			await api('/api/users', { method: 'POST', body: { name, role, password: p1 } });
			ev.target.reset();
			alert(usersRegion, 'ok', t('added', name));
			await users();
		} catch (e) {
			alert(usersRegion, 'error', e.message);
		}
	});

	function what(e) {
		return e.what === null || e.what === undefined ? t('none') :
		    typeof e.what === 'string' ? e.what : JSON.stringify(e.what);
	}

	async function log() {
		const status = document.getElementById('log-status');
		let p;
		try {
			const [from, to] = window.App.checkDates(
			    document.getElementById('log-from'), document.getElementById('log-to'));
			p = {
				user: document.getElementById('log-user').value,
				action: document.getElementById('log-action').value,
				from, to, limit: document.getElementById('log-limit').value,
			};
		} catch (e) {
			alert(logRegion, 'error', e.message);
			return;
		}
		document.getElementById('log-csv').href = '/api/log.csv' + query(p);
		try {
			const r = await api('/api/log' + query(p));
			const list = r.entries || [];
			const tbody = document.querySelector('#log tbody');
			clear(tbody);
			alert(logRegion, list.length ? '' : 'info', list.length ? '' : t('noEntries'));
			status.textContent = list.length ? t('entries', list.length) : '';
			for (const e of list)
				tbody.append(el('tr', { dataset: { testid: 'log-row' } },
				    el('td', { class: 'nowrap' }, time(e.at)),
				    el('td', {}, e.user || t('none')),
				    el('td', {}, e.via || t('none')),
				    el('td', { class: 'mono' }, e.address || t('none')),
				    el('td', {}, e.action || t('none')),
				    el('td', {}, what(e)),
				    el('td', {}, e.purpose || t('none')),
				    el('td', { class: 'num' }, e.results === null ||
					e.results === undefined ? t('none') : String(e.results))));
		} catch (e) {
			alert(logRegion, 'error', e.message);
		}
	}

	document.getElementById('log-form').addEventListener('submit', (ev) => {
		ev.preventDefault();
		log();
	});

	window.App.start().then(async () => {
		await Promise.all([users(), log()]);
	}).catch((e) => alert(region, 'error', e.message));
})();
