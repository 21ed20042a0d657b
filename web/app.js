/*
 * app.js: what every page of sohoa-web shares.  The API calls (session
 * cookie, CSRF header, {"error"} answers shown as they are), the top bar
 * filled from /api/me, the messages the scripts write in both languages,
 * dates as a Vietnamese counter writes them (dd/mm/yyyy), snippets with
 * their matched words marked, and the dialog asking for a purpose before
 * personal data is shown or taken out.
 *
 * Everything is built with DOM calls and textContent, never innerHTML
 * from data: names, snippets and error sentences come from scans and
 * users.  No inline handlers or styles, so the CSP holds.
 */
'use strict';

(function () {
	const lang = /^en\b/i.test(document.documentElement.lang) ? 'en' : 'vi';

	/* The messages scripts write; the pages' own text is in their HTML. */
	const MSG = {
		vi: {
			network: 'Không kết nối được máy chủ sohoa-web. Kiểm tra mạng rồi thử lại.',
			http: 'Máy chủ trả lời lỗi {0}.',
			loading: 'Đang tải…',
			none: '—',
			yes: 'Có',
			no: 'Không',
			'role.clerk': 'Cán bộ tiếp nhận',
			'role.staff': 'Cán bộ số hóa',
			'role.auditor': 'Kiểm tra',
			'role.admin': 'Quản trị viên',
			'level.city': 'Cấp tỉnh',
			'level.province': 'Cấp tỉnh',
			'level.district': 'Cấp huyện',
			'level.commune': 'Cấp xã',
			'level.ward': 'Cấp xã',
			badDate: '“{0}” không phải là ngày (dd/mm/yyyy).',
			logoutFailed: 'Chưa đăng xuất được: {0}',
		},
		en: {
			network: 'The sohoa-web server cannot be reached. Check the network and try again.',
			http: 'The server answered with error {0}.',
			loading: 'Loading…',
			none: '—',
			yes: 'Yes',
			no: 'No',
			'role.clerk': 'Clerk',
			'role.staff': 'Records staff',
			'role.auditor': 'Auditor',
			'role.admin': 'Administrator',
			'level.city': 'City / province',
			'level.province': 'City / province',
			'level.district': 'District',
			'level.commune': 'Commune',
			'level.ward': 'Commune',
			badDate: '“{0}” is not a date (dd/mm/yyyy).',
			logoutFailed: 'Could not log out: {0}',
		},
	};

	/* A page adds its own messages with App.messages({vi: {...}, en: {...}}). */
	function messages(m) {
		Object.assign(MSG.vi, m.vi);
		Object.assign(MSG.en, m.en);
	}

	function t(key, ...args) {
		let s = MSG[lang][key];
		if (s === undefined)
			s = MSG.vi[key] !== undefined ? MSG.vi[key] : key;
		args.forEach((a, i) => { s = s.split('{' + i + '}').join(String(a)); });
		return s;
	}

	class ApiError extends Error {
		constructor(status, message) {
			super(message);
			this.name = 'ApiError';
			this.status = status;
		}
	}

	let csrf = null;
	let me = null;

	function loginUrl() {
		return '/dang-nhap?next=' + encodeURIComponent(location.pathname +
		    location.search);
	}

	/*
	 * One API call.  Resolves to the parsed JSON; rejects with an ApiError
	 * whose message is the server's own sentence, or with the AbortError
	 * of a request the caller cancelled.  A 401 on a page means the
	 * session ended: back to the login page, which brings the user here.
	 */
	async function api(path, opts = {}) {
		const init = {
			method: opts.method || 'GET',
			credentials: 'same-origin',
			headers: { Accept: 'application/json' },
			cache: 'no-store',
		};
		if (opts.signal)
			init.signal = opts.signal;
		if (opts.body !== undefined) {
			init.headers['Content-Type'] = 'application/json';
			init.body = JSON.stringify(opts.body);
		}
		if (init.method !== 'GET' && csrf !== null)
			init.headers['X-CSRF-Token'] = csrf;
		let r;
		try {
			r = await fetch(path, init);
		} catch (e) {
			if (e.name === 'AbortError')
				throw e;
			throw new ApiError(0, t('network'));
		}
		let data = null;
		if ((r.headers.get('Content-Type') || '').includes('json')) {
			try {
				data = await r.json();
			} catch (e) {
				if (e.name === 'AbortError')
					throw e;
				data = null;
			}
		}
		if (r.status === 401 && !opts.noRedirect) {
			location.assign(loginUrl());
			throw new ApiError(401, data && data.error ? data.error : t('http', 401));
		}
		if (!r.ok)
			throw new ApiError(r.status, data && typeof data.error === 'string' ?
			    data.error : t('http', r.status));
		return data;
	}

	/* A query string of the non-empty values, in the order given. */
	function query(params) {
		const u = new URLSearchParams();
		for (const [k, v] of Object.entries(params))
			if (v !== undefined && v !== null && String(v).trim() !== '')
				u.append(k, String(v).trim());
		const s = u.toString();
		return s === '' ? '' : '?' + s;
	}

	/*
	 * el('a', {href: x, class: 'y', dataset: {testid: 'z'}}, 'text', node):
	 * a new element; strings become text nodes, never markup.
	 */
	function el(tag, attrs, ...children) {
		const e = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {})) {
			if (v === undefined || v === null || v === false)
				continue;
			if (k === 'dataset')
				Object.assign(e.dataset, v);
			else if (k === 'text')
				e.textContent = v;
			else if (k.startsWith('on') && typeof v === 'function')
				e.addEventListener(k.slice(2), v);
			else if (v === true)
				e.setAttribute(k, '');
			else
				e.setAttribute(k, String(v));
		}
		for (const c of children.flat()) {
			if (c === undefined || c === null || c === false)
				continue;
			e.append(c instanceof Node ? c : document.createTextNode(String(c)));
		}
		return e;
	}

	function clear(node) {
		while (node.firstChild)
			node.removeChild(node.firstChild);
	}

	/* 'YYYY-MM-DD…' as dd/mm/yyyy; anything else as it is. */
	function date(iso) {
		if (iso === null || iso === undefined || iso === '')
			return t('none');
		const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso));
		return m ? m[3] + '/' + m[2] + '/' + m[1] : String(iso);
	}

	/* A timestamp as the local dd/mm/yyyy HH:MM. */
	function time(ts) {
		if (ts === null || ts === undefined || ts === '')
			return t('none');
		const d = new Date(ts);
		if (isNaN(d.getTime()))
			return String(ts);
		const p = (n) => String(n).padStart(2, '0');
		return p(d.getDate()) + '/' + p(d.getMonth() + 1) + '/' +
		    d.getFullYear() + ' ' + p(d.getHours()) + ':' + p(d.getMinutes());
	}

	/*
	 * What a user typed as a date, checked: dd/mm/yyyy (d/m too, or with
	 * dots or dashes) or yyyy-mm-dd.  Returns 'YYYY-MM-DD', '' for an
	 * empty box, or null for something that is not a day of the calendar.
	 */
	function parseDate(s) {
		s = String(s || '').trim();
		if (s === '')
			return '';
		let y, m, d, r;
		if ((r = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s)))
			[d, m, y] = [+r[1], +r[2], +r[3]];
		else if ((r = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s)))
			[y, m, d] = [+r[1], +r[2], +r[3]];
		else
			return null;
		const dt = new Date(Date.UTC(y, m - 1, d));
		if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 ||
		    dt.getUTCDate() !== d)
			return null;
		return String(y).padStart(4, '0') + '-' + String(m).padStart(2, '0') +
		    '-' + String(d).padStart(2, '0');
	}

	/* The date boxes of a form, checked; the first bad one throws. */
	function checkDates(...inputs) {
		const out = [];
		for (const i of inputs) {
			const v = parseDate(i.value);
			if (v === null) {
				i.setAttribute('aria-invalid', 'true');
				i.focus();
				throw new ApiError(400, t('badDate', i.value.trim()));
			}
			i.removeAttribute('aria-invalid');
			out.push(v);
		}
		return out;
	}

	/* A snippet: its text, with the words between [ and ] in <mark>. */
	function snippet(text) {
		const f = document.createDocumentFragment();
		let buf = '', mark = null;
		for (const ch of String(text)) {
			if (ch === '[' && mark === null) {
				if (buf !== '')
					f.append(buf);
				buf = '';
				mark = document.createElement('mark');
			} else if (ch === ']' && mark !== null) {
				mark.textContent = buf;
				f.append(mark);
				buf = '';
				mark = null;
			} else
				buf += ch;
		}
		if (mark !== null)
			buf = '[' + buf;
		if (buf !== '')
			f.append(buf);
		return f;
	}

	function levelName(name) {
		if (name === null || name === undefined || name === '')
			return t('none');
		const k = 'level.' + name;
		const s = t(k);
		return s === k ? name : s;
	}

	/* The id of a record in the links and the API: OFFICE:ID for one of
	 * the city database's, which says its office; the number otherwise. */
	function recordId(d) {
		return d.office ? d.office + ':' + d.id : String(d.id);
	}

	function roleName(role) {
		const k = 'role.' + role;
		const s = t(k);
		return s === k ? role : s;
	}

	function percent(x) {
		if (x === null || x === undefined)
			return t('none');
		const v = Math.round(x * 1000) / 10;
		return (lang === 'vi' ? String(v).replace('.', ',') : String(v)) + ' %';
	}

	function number(n) {
		if (n === null || n === undefined)
			return t('none');
		return Number(n).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB');
	}

	/* The alert region of a page: role=alert, so screen readers say it. */
	function alert(region, kind, text) {
		clear(region);
		region.className = 'alert ' + kind;
		if (text instanceof Node)
			region.append(text);
		else if (text)
			region.textContent = text;
	}

	/*
	 * Asks the purpose (mục đích) in the page's #purpose-dialog before
	 * personal data is shown or taken out.  Resolves to the purpose typed,
	 * or null when the user cancels.
	 */
	function askPurpose(title) {
		const dlg = document.getElementById('purpose-dialog');
		const input = document.getElementById('purpose');
		const head = document.getElementById('purpose-title');
		if (head && title)
			head.textContent = title;
		input.value = '';
		dlg.returnValue = '';
		return new Promise((resolve) => {
			dlg.addEventListener('close', () => {
				const v = input.value.trim();
				resolve(dlg.returnValue === 'ok' && v !== '' ? v : null);
			}, { once: true });
			dlg.showModal();
			input.focus();
		});
	}

	/* The top bar: the links the role may open, the user, logout. */
	function topbar(who) {
		const page = document.body.dataset.page;
		for (const a of document.querySelectorAll('#nav a[data-roles]')) {
			const roles = a.dataset.roles.split(/\s+/);
			/* A city console holds no scanners: its records were
			 * scanned in their offices. */
			a.hidden = !roles.includes(who.role) ||
			    (who.source === 'city' && a.dataset.page === 'scanners');
			if (a.dataset.page === page)
				a.setAttribute('aria-current', 'page');
		}
		const source = document.getElementById('source');
		if (source)
			source.hidden = who.source !== 'city';
		const name = document.getElementById('user-name');
		const role = document.getElementById('user-role');
		if (name)
			name.textContent = who.user;
		if (role)
			role.textContent = '(' + roleName(who.role) + ')';
		const out = document.getElementById('logout');
		if (out) {
			out.hidden = false;
			out.addEventListener('click', logout);
		}
	}

	async function logout() {
		try {
			await api('/api/logout', { method: 'POST', noRedirect: true });
		} catch (e) {
			/* A session already gone is logged out all the same. */
			if (e.status !== 401) {
				window.alert(t('logoutFailed', e.message));
				return;
			}
		}
		location.assign('/dang-nhap');
	}

	/*
	 * Each page starts here: who is logged in (the server sent the page,
	 * so there is a session; an expired one gets the login page), then the
	 * top bar.  Resolves to {user, role, csrf, lang, source}: source is
	 * "city" on the city's console, whose records each name their office.
	 */
	async function start() {
		const who = await api('/api/me');
		me = who;
		csrf = who.csrf;
		topbar(who);
		return who;
	}

	function setCsrf(token) {
		csrf = token;
	}

	window.App = {
		lang, t, messages, api, ApiError, query, el, clear, date, time,
		parseDate, checkDates, snippet, levelName, roleName, recordId, percent,
		number, alert, askPurpose, start, setCsrf, loginUrl,
		get me() { return me; },
	};
})();
