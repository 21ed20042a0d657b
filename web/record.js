/*
 * record.js: Hồ sơ, one record.  Its fields, its corrections, the
 * archived PDF inline; showing the full ID numbers or taking a copy out
 * asks for the purpose first (the server logs it with the user).  Staff
 * and admins correct fields here: only what they changed is sent, as
 * `sohoa edit` would take it.
 *
 * On the city's console a record is /ho-so/OFFICE:ID: its office is
 * shown, and its scan, PDF and text stay in that office (the city holds
 * no images), so the page says where instead of offering them; the city
 * only reads, so there is no correcting either.
 */
'use strict';

(function () {
	const { t, api, el, clear, date, time, alert, query, levelName } = window.App;

	window.App.messages({
		vi: {
			badId: 'Địa chỉ này không chỉ tới hồ sơ nào (cần /ho-so/SỐ, hoặc /ho-so/ĐƠN-VỊ:SỐ trên CSDL thành phố).',
			elsewhere: 'Bản quét, bản PDF và văn bản của hồ sơ này được lưu tại đơn vị {0}, không gửi lên CSDL thành phố. Liên hệ đơn vị {0} để lấy bản sao.',
			revealed: 'Đang hiện số định danh đầy đủ; việc này đã được ghi vào nhật ký.',
			noIds: 'Văn bản này không có số định danh.',
			saved: 'Đã lưu: {0}.',
			nothingChanged: 'Chưa có trường nào thay đổi.',
			masked: 'Số định danh đang bị che; bấm “Hiện số định danh đầy đủ” rồi sửa.',
			duplicateOf: 'hồ sơ #{0}',
			recordTitle: 'Hồ sơ #{0}',
			untitled: 'Văn bản chưa rõ loại',
			number: 'số',
			percent: '{0} %',
			page: '{0} trang',
		},
		en: {
			badId: 'This address names no record (it should be /ho-so/NUMBER, or /ho-so/OFFICE:NUMBER on the city database).',
			elsewhere: 'The scan, PDF and text of this record stay in its office, {0}: they are not shipped to the city database. Ask {0} for a copy.',
			revealed: 'The full ID numbers are shown; this is in the access log.',
			noIds: 'This document has no ID numbers.',
			saved: 'Saved: {0}.',
			nothingChanged: 'No field was changed.',
			masked: 'The ID numbers are masked; show them in full first, then correct them.',
			duplicateOf: 'record #{0}',
			recordTitle: 'Record #{0}',
			untitled: 'Document of unknown type',
			number: 'no.',
			percent: '{0} %',
			page: '{0} pages',
		},
	});

	// The fields `sohoa edit` corrects (correct_fields in src/correct.c):
	// the server refuses any other.
	const FIELDS = ['doc_type', 'doc_number', 'issued_on', 'people',
	    'id_numbers', 'dossier_code', 'agency_name'];
	const LISTS = ['people', 'id_numbers'];
	const DATES = ['issued_on', 'valid_until'];

	const region = document.getElementById('alert');
	const editRegion = document.getElementById('edit-alert');
	/* A number, or OFFICE:NUMBER on the city's console. */
	const m = /^\/ho-so\/([^/]+)\/?$/.exec(location.pathname);
	let id = null;
	try {
		id = m ? decodeURIComponent(m[1]) : null;
	} catch (e) {
		id = null;
	}
	if (id !== null && !/^(\d+|[a-z0-9][a-z0-9._-]{0,62}:#?\d+)$/.test(id))
		id = null;
	const base = '/api/documents/' + id;
	let doc = null;
	let revealed = false;
	let purpose = null;

	/* The label of a field, from the table itself, so it is in the page's language. */
	function label(field) {
		const td = document.querySelector('#fields td[data-field="' + field + '"]');
		return td ? td.parentElement.querySelector('th').textContent : field;
	}

	function value(v) {
		if (v === null || v === undefined || v === '')
			return t('none');
		if (Array.isArray(v))
			return v.length === 0 ? t('none') : v.join(', ');
		return String(v);
	}

	function cell(field, content) {
		const td = document.querySelector('#fields td[data-field="' + field + '"]');
		if (!td)
			return;
		clear(td);
		if (content instanceof Node)
			td.append(content);
		else
			td.textContent = content;
	}

	function lines(list) {
		if (!Array.isArray(list) || list.length === 0)
			return t('none');
		const ul = el('ul', { class: 'plain' });
		for (const x of list)
			ul.append(el('li', {}, x));
		return ul;
	}

	function fill(d) {
		const title = [d.doc_type || t('untitled'), d.doc_number ?
		    t('number') + ' ' + d.doc_number : null].filter(Boolean).join(' ');
		document.getElementById('title').textContent = title;
		document.title = title + ' · sohoa';
		document.getElementById('office-row').hidden = !d.office;
		cell('office', value(d.office));
		cell('doc_type', value(d.doc_type));
		cell('doc_number', value(d.doc_number));
		cell('issued_on', date(d.issued_on));
		cell('people', lines(d.people));
		cell('id_numbers', lines(d.id_numbers));
		cell('dossier_code', value(d.dossier_code));
		cell('procedure_code', value(d.procedure_code));
		cell('valid_until', date(d.valid_until));
		cell('agency_name', value(d.agency_name));
		cell('agency_code', value(d.agency_code));
		cell('level', levelName(d.level));
		cell('pages', value(d.pages));
		cell('ocr_confidence', d.ocr_confidence === null ||
		    d.ocr_confidence === undefined ? t('none') :
		    t('percent', Math.round(d.ocr_confidence)));
		cell('source_name', value(d.source_name));
		cell('profile', value(d.profile));
		cell('ingested_at', time(d.ingested_at));
		cell('duplicate_of', d.duplicate_of ? el('a', { href: '/ho-so/' +
		    encodeURIComponent(window.App.recordId({ office: d.office,
		    id: d.duplicate_of })) }, t('duplicateOf', d.duplicate_of)) :
		    t('none'));
		cell('sha256', value(d.sha256));
		const reveal = document.getElementById('btn-reveal');
		const ids = Array.isArray(d.id_numbers) ? d.id_numbers : [];
		reveal.disabled = ids.length === 0 || revealed;
		reveal.title = ids.length === 0 ? t('noIds') : '';
		/* A record of the city has nothing here to take out. */
		for (const b of ['btn-pdf', 'btn-original', 'btn-text']) {
			const btn = document.getElementById(b);
			btn.disabled = !!d.office;
			btn.title = d.office ? t('elsewhere', d.office) : '';
		}
		corrections(d.corrections || []);
	}

	function shown(v) {
		return Array.isArray(v) ? (v.length ? v.join(', ') : t('none')) : value(v);
	}

	function corrections(list) {
		const table = document.getElementById('corrections');
		const tbody = table.querySelector('tbody');
		clear(tbody);
		table.hidden = list.length === 0;
		document.getElementById('no-corrections').hidden = list.length !== 0;
		/* Newest first: the last correction is what the record says now. */
		for (const c of list.slice().reverse()) {
			const isDate = DATES.includes(c.field);
			const o = isDate ? date(c.old) : shown(c.old);
			const n = isDate ? date(c.new) : shown(c.new);
			tbody.append(el('tr', {},
			    el('td', {}, time(c.at)),
			    el('td', {}, value(c.who)),
			    el('td', {}, label(c.field)),
			    el('td', {}, el('span', { class: 'old' }, o), ' → ',
				el('span', { class: 'new' }, n))));
		}
	}

	/* The edit form holds what the record says, dates as dd/mm/yyyy. */
	function form(d) {
		for (const f of FIELDS) {
			const box = document.getElementById('edit-' + f);
			let v = d[f];
			if (LISTS.includes(f))
				v = Array.isArray(v) ? v.join('\n') : '';
			else if (DATES.includes(f))
				v = v ? date(v) : '';
			else
				v = v === null || v === undefined ? '' : String(v);
			if (f === 'level' && v !== '' &&
			    !Array.from(box.options).some((o) => o.value === v))
				box.append(el('option', { value: v }, levelName(v)));
			box.value = v;
			box.dataset.was = v;
			box.removeAttribute('aria-invalid');
		}
		const ids = document.getElementById('edit-id_numbers');
		ids.readOnly = !revealed && Array.isArray(d.id_numbers) &&
		    d.id_numbers.length > 0;
		document.getElementById('edit-id-hint').hidden = !ids.readOnly;
	}

	function changes() {
		const fields = {};
		for (const f of FIELDS) {
			const box = document.getElementById('edit-' + f);
			if (box.value === box.dataset.was)
				continue;
			if (LISTS.includes(f)) {
				const list = box.value.split('\n').map((s) => s.trim())
				    .filter((s) => s !== '');
				if (f === 'id_numbers' && list.some((s) => s.includes('*'))) {
					box.setAttribute('aria-invalid', 'true');
					box.focus();
					throw new Error(t('masked'));
				}
				fields[f] = list;
			} else if (DATES.includes(f)) {
				const [v] = window.App.checkDates(box);
				fields[f] = v;
			} else
				fields[f] = box.value.trim();
		}
		return fields;
	}

	async function load() {
		const p = revealed ? { reveal: 1, purpose } : {};
		doc = await api(base + query(p));
		fill(doc);
		form(doc);
	}

	async function reveal(ev) {
		const why = await window.App.askPurpose(ev.currentTarget.textContent);
		if (why === null)
			return;
		try {
			const d = await api(base + query({ reveal: 1, purpose: why }));
			revealed = true;
			purpose = why;
			doc = d;
			fill(d);
			form(d);
			alert(region, 'info', t('revealed'));
		} catch (e) {
			alert(region, 'error', e.message);
		}
	}

	/* A copy out: the browser downloads the attachment the server sends. */
	async function download(ev) {
		const what = ev.currentTarget.dataset.what;
		const why = await window.App.askPurpose(ev.currentTarget.textContent);
		if (why === null)
			return;
		const p = what === 'pdf' ? { download: 1, purpose: why } : { purpose: why };
		location.assign(base + '/' + what + query(p));
	}

	async function save(ev) {
		ev.preventDefault();
		let fields;
		try {
			fields = changes();
		} catch (e) {
			alert(editRegion, 'error', e.message);
			return;
		}
		if (Object.keys(fields).length === 0) {
			alert(editRegion, 'info', t('nothingChanged'));
			return;
		}
		const button = document.getElementById('edit-save');
		button.disabled = true;
		try {
			const r = await api(base + '/corrections', {
				method: 'POST', body: { fields },
			});
			const changed = (r && Array.isArray(r.changed) ? r.changed :
			    Object.keys(fields)).map(label);
			await load();
			alert(editRegion, 'ok', changed.length ? t('saved', changed.join(', ')) :
			    t('nothingChanged'));
		} catch (e) {
			alert(editRegion, 'error', e.message);
		} finally {
			button.disabled = false;
		}
	}

	async function levels() {
		try {
			const r = await api('/api/levels');
			const box = document.getElementById('edit-level');
			if (!box)
				return;
			for (const l of r.levels || [])
				box.append(el('option', { value: l.name }, levelName(l.name)));
		} catch (e) {
			alert(editRegion, 'error', e.message);
		}
	}

	/* Back to the list the clerk came from, when they came from one. */
	function back() {
		try {
			const r = new URL(document.referrer);
			if (r.origin === location.origin && r.pathname === '/tra-cuu')
				document.getElementById('back').href = r.pathname + r.search;
		} catch (e) {
			/* No referrer: the plain search page. */
		}
	}

	document.getElementById('btn-reveal').addEventListener('click', reveal);
	for (const b of ['btn-pdf', 'btn-original', 'btn-text'])
		document.getElementById(b).addEventListener('click', download);
	document.getElementById('edit-form').addEventListener('submit', save);
	document.getElementById('edit-undo').addEventListener('click', () => {
		if (doc)
			form(doc);
		alert(editRegion, '', '');
	});
	back();

	window.App.start().then(async (me) => {
		if (id === null) {
			alert(region, 'error', t('badId'));
			return;
		}
		const editor = me.role === 'staff' || me.role === 'admin';
		if (editor && me.source !== 'city')
			await levels();
		await load();
		if (doc && doc.office) {
			const note = document.getElementById('pdf-elsewhere');
			note.textContent = t('elsewhere', doc.office);
			note.hidden = false;
			document.getElementById('pdf').hidden = true;
			document.getElementById('edit').hidden = true;
			return;
		}
		/*
		 * The viewer without its toolbar: its own download and print
		 * buttons would take a copy out without the purpose asked for.
		 */
		document.getElementById('pdf').src = base + '/pdf#toolbar=0&navpanes=0';
		document.getElementById('edit').hidden = !editor;
	}).catch((e) => alert(region, 'error', e.message));
})();
