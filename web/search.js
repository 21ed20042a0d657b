/*
 * search.js: Tra cứu.  Results as the clerk types: a request 250 ms
 * after the last key, the one before it cancelled (AbortController) so a
 * slow answer to "nguy" never replaces the answer to "nguyen van an".
 * The query and filters stay in the address (?q=…), so Back from a
 * record shows the same list.  On the city's console each result says
 * its office and links to OFFICE:ID.
 */
'use strict';

(function () {
	const { t, api, el, clear, date, alert, query, levelName } = window.App;

	window.App.messages({
		vi: {
			typeSomething: 'Gõ họ tên, số định danh, mã hồ sơ hoặc số văn bản để tìm.',
			searching: 'Đang tìm…',
			found: 'Tìm thấy {0} kết quả.',
			foundMany: 'Hiện {0} kết quả đầu tiên; gõ thêm để thu hẹp.',
			nothing: 'Không tìm thấy hồ sơ nào cho “{0}”. Thử gõ ít từ hơn, hoặc bỏ bớt bộ lọc.',
			nothingFilters: 'Không có hồ sơ nào khớp với bộ lọc.',
			number: 'Số',
			issued: 'Ngày cấp',
			people: 'Người/ tổ chức',
			ids: 'Số định danh',
			dossier: 'Mã hồ sơ',
			agency: 'Cơ quan',
			office: 'Đơn vị',
			untitled: 'Văn bản chưa rõ loại',
			duplicate: 'bản trùng của #{0}',
		},
		en: {
			typeSomething: 'Type a name, personal ID number, dossier code or document number.',
			searching: 'Searching…',
			found: '{0} results.',
			foundMany: 'The first {0} results; type more to narrow them.',
			nothing: 'No record found for “{0}”. Try fewer words, or fewer filters.',
			nothingFilters: 'No record matches the filters.',
			number: 'Number',
			issued: 'Issued',
			people: 'People / organizations',
			ids: 'ID numbers',
			dossier: 'Dossier code',
			agency: 'Office',
			office: 'Installation',
			untitled: 'Document of unknown type',
			duplicate: 'duplicate of #{0}',
		},
	});

	const LIMIT = 50;
	const DEBOUNCE_MS = 250;
	const form = document.getElementById('search-form');
	const q = document.getElementById('q');
	const level = document.getElementById('level');
	const agency = document.getElementById('agency');
	const type = document.getElementById('type');
	const from = document.getElementById('from');
	const to = document.getElementById('to');
	const region = document.getElementById('alert');
	const status = document.getElementById('status');
	const list = document.getElementById('results');
	let timer = null;
	let inflight = null;
	let seq = 0;

	/* A date the server surely reads (yyyy-mm-dd), or as typed for its error. */
	function day(box) {
		const v = window.App.parseDate(box.value);
		return v === null ? box.value : v;
	}

	function params() {
		return {
			q: q.value, level: level.value, agency: agency.value,
			type: type.value, from: day(from), to: day(to),
		};
	}

	function empty(p) {
		return Object.values(p).every((v) => String(v).trim() === '');
	}

	function fact(dl, label, value, cls) {
		if (value === null || value === undefined || value === '' ||
		    (Array.isArray(value) && value.length === 0))
			return;
		dl.append(el('dt', {}, label),
		    el('dd', { class: cls }, Array.isArray(value) ? value.join(', ') : value));
	}

	function item(d) {
		const href = '/ho-so/' + encodeURIComponent(window.App.recordId(d));
		const title = [d.doc_type || t('untitled'), d.doc_number ? t('number') +
		    ' ' + d.doc_number : null].filter(Boolean).join(' · ');
		const dl = el('dl');
		fact(dl, t('office'), d.office, 'mono');
		fact(dl, t('issued'), d.issued_on ? date(d.issued_on) : null);
		fact(dl, t('people'), d.people);
		fact(dl, t('ids'), d.id_numbers, 'mono');
		fact(dl, t('dossier'), d.dossier_code, 'mono');
		fact(dl, t('agency'), [d.agency_name || d.agency_code, d.level ?
		    levelName(d.level) : null].filter(Boolean).join(' · '));
		const li = el('li', { class: 'result', dataset: { testid: 'result',
		    id: window.App.recordId(d) } },
		    el('h3', {}, el('a', { href, dataset: { testid: 'result-link' } }, title),
			d.duplicate_of ? el('span', { class: 'badge bad' }, ' ' +
			    t('duplicate', d.duplicate_of)) : null),
		    dl);
		if (d.snippet)
			li.append(el('p', { class: 'snippet', dataset: { testid: 'snippet' } },
			    window.App.snippet(d.snippet)));
		return li;
	}

	function show(p, results) {
		clear(list);
		if (results.length === 0) {
			alert(region, 'info', p.q.trim() !== '' ?
			    t('nothing', p.q.trim()) : t('nothingFilters'));
			status.textContent = '';
			return;
		}
		alert(region, '', '');
		status.textContent = results.length >= LIMIT ?
		    t('foundMany', results.length) : t('found', results.length);
		for (const d of results)
			list.append(item(d));
	}

	async function run() {
		const p = params();
		const mine = ++seq;
		if (inflight)
			inflight.abort();
		inflight = null;
		history.replaceState(null, '', location.pathname + query(p));
		if (empty(p)) {
			clear(list);
			alert(region, '', '');
			status.textContent = t('typeSomething');
			return;
		}
		const ctl = new AbortController();
		inflight = ctl;
		status.textContent = t('searching');
		list.setAttribute('aria-busy', 'true');
		try {
			const r = await api('/api/search' + query(Object.assign({}, p,
			    { limit: LIMIT })), { signal: ctl.signal });
			if (mine === seq)
				show(p, r.results || []);
		} catch (e) {
			if (e.name === 'AbortError' || mine !== seq)
				return;
			clear(list);
			status.textContent = '';
			alert(region, 'error', e.message);
		} finally {
			if (mine === seq) {
				inflight = null;
				list.removeAttribute('aria-busy');
			}
		}
	}

	function soon() {
		clearTimeout(timer);
		timer = setTimeout(run, DEBOUNCE_MS);
	}

	function now() {
		clearTimeout(timer);
		run();
	}

	/* Dates are checked where they are typed, before a request. */
	function dateBox(box) {
		box.addEventListener('change', () => {
			if (window.App.parseDate(box.value) === null) {
				box.setAttribute('aria-invalid', 'true');
				alert(region, 'error', t('badDate', box.value.trim()));
				return;
			}
			box.removeAttribute('aria-invalid');
			now();
		});
		box.addEventListener('input', () => {
			if (window.App.parseDate(box.value) !== null)
				soon();
		});
	}

	async function levels() {
		try {
			const r = await api('/api/levels');
			for (const l of r.levels || [])
				level.append(el('option', { value: l.name }, levelName(l.name)));
		} catch (e) {
			alert(region, 'error', e.message);
		}
	}

	function restore() {
		const u = new URLSearchParams(location.search);
		q.value = u.get('q') || '';
		agency.value = u.get('agency') || '';
		type.value = u.get('type') || '';
		from.value = u.get('from') ? window.App.date(u.get('from')) : '';
		to.value = u.get('to') ? window.App.date(u.get('to')) : '';
		if (u.get('level'))
			level.value = u.get('level');
		if (agency.value || type.value || from.value || to.value || level.value)
			document.getElementById('filters').open = true;
		if (q.value !== '') {
			/* The caret after what was typed, for going on typing. */
			q.setSelectionRange(q.value.length, q.value.length);
		}
	}

	q.addEventListener('input', soon);
	agency.addEventListener('input', soon);
	type.addEventListener('input', soon);
	level.addEventListener('change', now);
	dateBox(from);
	dateBox(to);
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		now();
	});
	/* Clears the filters, not what was typed in the search box. */
	document.getElementById('clear-filters').addEventListener('click', () => {
		for (const box of [agency, type, from, to]) {
			box.value = '';
			box.removeAttribute('aria-invalid');
		}
		level.value = '';
		now();
		q.focus();
	});

	window.App.start().then(async () => {
		await levels();
		restore();
		now();
	}).catch((e) => alert(region, 'error', e.message));
})();
