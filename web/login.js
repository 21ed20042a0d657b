/*
 * login.js: the login form.  POST /api/login, then on to the page the
 * user was sent away from (?next=, a path on this server only, so a link
 * cannot send them elsewhere) or to / which picks the role's first page.
 */
'use strict';

(function () {
	const { t, api, alert } = window.App;

	window.App.messages({
		vi: {
			needBoth: 'Nhập tên đăng nhập và mật khẩu.',
			signingIn: 'Đang đăng nhập…',
		},
		en: {
			needBoth: 'Type the user name and the password.',
			signingIn: 'Logging in…',
		},
	});

	function next() {
		const n = new URLSearchParams(location.search).get('next');
		if (n && n.startsWith('/') && !n.startsWith('//') &&
		    !n.startsWith('/\\') && !n.startsWith('/dang-nhap'))
			return n;
		return '/';
	}

	const form = document.getElementById('login-form');
	const region = document.getElementById('alert');
	const button = document.getElementById('login-submit');

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const user = document.getElementById('user').value.trim();
		const password = document.getElementById('password').value;
		if (user === '' || password === '') {
			alert(region, 'error', t('needBoth'));
			return;
		}
		button.disabled = true;
		alert(region, 'info', t('signingIn'));
		try {
			const r = await api('/api/login', {
				method: 'POST', body: { user, password }, noRedirect: true,
			});
			window.App.setCsrf(r.csrf);
			location.assign(next());
		} catch (e) {
			alert(region, 'error', e.message);
			document.getElementById('password').select();
			button.disabled = false;
		}
	});
})();
