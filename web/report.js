/*
 * report.js: Báo cáo, the figures of `sohoa report --format json` as
 * tables, with a bar per level and per office: its fill is the rate, a
 * red line marks the target, so a row short of its target shows the gap.
 * The filters stay in the address, so a report can be bookmarked, and
 * the CSV link always carries the filters of the report on screen.  The
 * city's console reports over every office: its rows say their office
 * ("office"), in a column of their own.
 */
'use strict';

(function () {
	const { t, api, el, clear, date, time, alert, query, levelName, percent,
	    number } = window.App;

	window.App.messages({
		vi: {
			met: 'Đạt',
			notMet: 'Chưa đạt',
			summary: 'Tính đến ngày {0}{1}. Sổ theo dõi có {2} kết quả.',
			period: ', kết quả cấp {0}',
			periodFrom: 'từ {0}',
			periodTo: 'đến {0}',
			filters: 'Lọc: {0}.',
			barLabel: 'Tỷ lệ {0}, chỉ tiêu {1}',
			barNone: 'Chưa có số liệu sổ theo dõi; chỉ tiêu {0}',
			loading: 'Đang lập báo cáo…',
			printedAt: 'In lúc {0} bởi {1}.',
			missingHead: '{0} ({1}): còn {2} kết quả',
		},
		en: {
			met: 'Met',
			notMet: 'Not met',
			summary: 'As of {0}{1}. The register holds {2} results.',
			period: ', results issued {0}',
			periodFrom: 'from {0}',
			periodTo: 'to {0}',
			filters: 'Filters: {0}.',
			barLabel: 'Rate {0}, target {1}',
			barNone: 'No register figures yet; target {0}',
			loading: 'Making the report…',
			printedAt: 'Printed at {0} by {1}.',
			missingHead: '{0} ({1}): {2} results left',
		},
	});

	const form = document.getElementById('report-form');
	const region = document.getElementById('alert');
	const boxes = ['as_of', 'from', 'to'].map((n) => document.getElementById(n));
	const level = document.getElementById('level');
	const agency = document.getElementById('agency');
	const missing = document.getElementById('missing');
	let inflight = null;

	/* The filters as the API takes them; dates checked, as yyyy-mm-dd. */
	function params() {
		const [asOf, from, to] = window.App.checkDates(...boxes);
		return {
			as_of: asOf, from, to, level: level.value, agency: agency.value,
			missing: missing.checked ? 1 : '',
		};
	}

	function bar(row) {
		const b = el('div', {
			class: 'bar', role: 'img', dataset: { testid: 'bar' },
		});
		const target = typeof row.target === 'number' ? row.target : null;
		if (typeof row.rate === 'number') {
			const fill = el('div', { class: 'fill', dataset: { testid: 'fill' } });
			fill.style.width = Math.min(100, Math.max(0, row.rate * 100)) + '%';
			b.append(fill);
			if (row.met)
				b.classList.add('met');
			b.setAttribute('aria-label', t('barLabel', percent(row.rate),
			    percent(target)));
		} else {
			b.classList.add('none');
			b.setAttribute('aria-label', t('barNone', percent(target)));
		}
		if (target !== null) {
			const line = el('div', { class: 'target', dataset: { testid: 'target' } });
			line.style.left = Math.min(100, Math.max(0, target * 100)) + '%';
			b.append(line);
		}
		return b;
	}

	function met(v) {
		if (v === true)
			return el('span', { class: 'met-yes' }, t('met'));
		if (v === false)
			return el('span', { class: 'met-no' }, t('notMet'));
		return t('none');
	}

	function figures(row) {
		return [
			el('td', { class: 'num' }, number(row.valid_issued)),
			el('td', { class: 'num' }, number(row.digitized)),
			el('td', { class: 'num' }, percent(row.rate)),
			el('td', { class: 'num' }, percent(row.target)),
			el('td', { class: 'nowrap' }, met(row.met)),
			el('td', { class: 'num' }, number(row.needed)),
			el('td', { class: 'bar-cell' }, bar(row)),
		];
	}

	function levels(rows) {
		const tbody = document.querySelector('#levels tbody');
		clear(tbody);
		for (const r of rows)
			tbody.append(el('tr', { dataset: { testid: 'level-row', level: r.level } },
			    el('th', { scope: 'row' }, levelName(r.level)), figures(r)));
	}

	function offices(rows) {
		const tbody = document.querySelector('#offices tbody');
		clear(tbody);
		document.getElementById('no-offices').hidden = rows.length !== 0;
		document.getElementById('offices').hidden = rows.length === 0;
		const city = rows.some((r) => r.office);
		document.getElementById('office-col').hidden = !city;
		for (const r of rows)
			tbody.append(el('tr', { dataset: { testid: 'office-row', agency: r.agency_code } },
			    city ? el('td', { class: 'mono' }, r.office || t('none')) : null,
			    el('th', { scope: 'row' }, r.agency_name || r.agency_code,
				r.agency_name && r.agency_code ?
				el('div', { class: 'hint mono' }, r.agency_code) : null),
			    el('td', {}, levelName(r.level)), figures(r)));
	}

	function missingList(r) {
		const section = document.getElementById('missing-list');
		const box = document.getElementById('missing-offices');
		clear(box);
		section.hidden = !r.missing_listed;
		if (!r.missing_listed)
			return;
		const tpl = document.getElementById('missing-table');
		let n = 0;
		for (const o of r.offices || []) {
			const list = Array.isArray(o.missing) ? o.missing : [];
			if (list.length === 0)
				continue;
			n += list.length;
			const frag = tpl.content.cloneNode(true);
			const tbody = frag.querySelector('tbody');
			for (const m of list)
				tbody.append(el('tr', {},
				    el('td', { class: 'mono' }, m.dossier_code || t('none')),
				    el('td', { class: 'mono' }, m.doc_number || t('none')),
				    el('td', { class: 'mono' }, m.procedure_code || t('none')),
				    el('td', {}, date(m.issued_on)),
				    el('td', {}, date(m.valid_until))));
			box.append(el('h3', {}, (o.office ? o.office + ' · ' : '') +
			    t('missingHead', o.agency_name || o.agency_code,
			    o.agency_code, list.length)), frag);
		}
		document.getElementById('no-missing').hidden = n !== 0;
	}

	function show(r) {
		const bits = [];
		if (r.from)
			bits.push(t('periodFrom', date(r.from)));
		if (r.to)
			bits.push(t('periodTo', date(r.to)));
		const summary = document.getElementById('summary');
		summary.textContent = t('summary', date(r.as_of), bits.length ?
		    t('period', bits.join(' ')) : '', number(r.register_entries));
		const f = [];
		if (r.level_filter)
			f.push(levelName(r.level_filter));
		if (r.agency_filter)
			f.push(r.agency_filter);
		if (f.length)
			summary.append(' ', t('filters', f.join(', ')));
		alert(document.getElementById('note'), 'warn', r.note || '');
		levels(r.levels || []);
		offices(r.offices || []);
		missingList(r);
		const me = window.App.me;
		document.getElementById('printed-at').textContent = t('printedAt',
		    time(new Date().toISOString()), me ? me.user : '');
		document.getElementById('report').hidden = false;
	}

	async function run() {
		let p;
		try {
			p = params();
		} catch (e) {
			alert(region, 'error', e.message);
			return;
		}
		const qs = query(p);
		history.replaceState(null, '', location.pathname + qs);
		/* The CSV holds what is on screen: with missing=1, the list. */
		document.getElementById('csv').href = '/api/report.csv' + qs;
		if (inflight)
			inflight.abort();
		const ctl = new AbortController();
		inflight = ctl;
		alert(region, 'info', t('loading'));
		try {
			const r = await api('/api/report' + qs, { signal: ctl.signal });
			alert(region, '', '');
			show(r);
		} catch (e) {
			if (e.name !== 'AbortError')
				alert(region, 'error', e.message);
		} finally {
			if (inflight === ctl)
				inflight = null;
		}
	}

	async function loadLevels() {
		try {
			const r = await api('/api/levels');
			for (const l of r.levels || [])
				level.append(el('option', { value: l.name }, levelName(l.name)));
		} catch (e) {
			alert(region, 'error', e.message);
		}
	}

	/* A bookmarked report opens with its filters, dates as dd/mm/yyyy. */
	function restore() {
		const u = new URLSearchParams(location.search);
		for (const b of boxes)
			b.value = u.get(b.id) ? date(u.get(b.id)) : '';
		level.value = u.get('level') || '';
		agency.value = u.get('agency') || '';
		missing.checked = u.get('missing') === '1';
	}

	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		run();
	});
	missing.addEventListener('change', run);
	level.addEventListener('change', run);
	document.getElementById('print').addEventListener('click', () => window.print());

	window.App.start().then(async () => {
		await loadLevels();
		restore();
		await run();
	}).catch((e) => alert(region, 'error', e.message));
})();
