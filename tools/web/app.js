// app.js — the console's pages: one module, no build step, no outside scripts.
// Everything shown from the server goes in with textContent (never as HTML),
// and every write sends the session's CSRF token in X-CSRF-Token.

const main = document.getElementById('main');
let me = null;          // {clerk, csrf, role, code, name}
let fields = null;      // the field declarations (/api/fields)
let pollTimer = null;

// ---- small helpers ----------------------------------------------------------

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v;
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}

function clear(node) { while (node.firstChild) node.firstChild.remove(); }

function message(text, bad = false, id = 'msg') {
  return el('div', { class: bad ? 'msg bad' : 'msg', id, text });
}

async function api(path, opts = {}) {
  const init = { credentials: 'same-origin', headers: {} };
  if (opts.form || opts.body !== undefined) {
    init.method = 'POST';
    init.headers['X-CSRF-Token'] = me ? me.csrf : '';
    if (opts.form) {
      init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
      init.body = new URLSearchParams(opts.form).toString();
    } else {
      init.headers['Content-Type'] = 'application/octet-stream';
      init.body = opts.body;
    }
  }
  const r = await fetch(path, init);
  let data = null;
  try { data = await r.json(); } catch (e) { data = { error: '服务器返回无法读取 unreadable reply (' + r.status + ')' }; }
  if (r.status === 401 && path !== '/api/login') { me = null; showLogin(); }
  return { status: r.status, data };
}

function table(headers, rows, id) {
  const t = el('table', { id });
  t.append(el('tr', {}, ...headers.map(h => el('th', { text: h }))));
  for (const row of rows) t.append(el('tr', {}, ...row.map(c => c instanceof Node ? el('td', {}, c) : el('td', { text: c ?? '' }))));
  return t;
}

// ---- sign in ----------------------------------------------------------------

function showLogin(note) {
  document.getElementById('nav').hidden = true;
  clear(main);
  const err = el('div', { class: 'err', id: 'login-error' });
  const name = el('input', { id: 'login-name', autocomplete: 'username' });
  const pass = el('input', { id: 'login-pass', type: 'password', autocomplete: 'current-password' });
  const form = el('form', { id: 'login-form', on: { submit: async ev => {
    ev.preventDefault();
    const r = await api('/api/login', { form: { name: name.value, passphrase: pass.value } });
    pass.value = '';
    if (r.status === 200) { me = r.data; start(); } else err.textContent = r.data.error;
  } } },
    el('h2', { text: '登录 Sign in' }),
    el('div', { class: 'field' }, el('label', { for: 'login-name', text: '用户名' }), name),
    el('div', { class: 'field' }, el('label', { for: 'login-pass', text: '口令' }), pass),
    el('p', {}, el('button', { id: 'login-btn', type: 'submit', text: '登录' })), err);
  if (note) main.append(message(note));
  main.append(form);
  name.focus();
}

async function start() {
  if (!me) {
    const r = await api('/api/me');
    if (r.status !== 200) return showLogin();
    me = r.data;
  }
  document.getElementById('nav').hidden = false;
  document.getElementById('clerk').textContent = '操作员：' + me.clerk;
  document.getElementById('node-name').textContent = me.name + '（' + me.code + '）';
  for (const a of document.querySelectorAll('nav .township')) a.hidden = me.role !== 'township';
  if (!fields) fields = (await api('/api/fields')).data;
  if (!location.hash || location.hash === '#/') location.hash = me.role === 'county' ? '#/dash' : '#/households';
  route();
}

document.getElementById('logout').addEventListener('click', async () => {
  await api('/api/logout', { form: {} });
  me = null;
  showLogin('已退出 signed out');
});

// ---- routes -------------------------------------------------------------------

const routes = [
  [/^#\/households$/, pageHouseholds],
  [/^#\/household\/(\d{15})$/, pageHousehold],
  [/^#\/add$/, () => pageForm(null)],
  [/^#\/edit\/(\d{15})$/, id => pageForm(id)],
  [/^#\/import$/, pageImport],
  [/^#\/todo$/, pageTodo],
  [/^#\/step\/(\d{15})(?:\/([a-z-]+))?$/, pageStep],
  [/^#\/docs$/, pageDocs],
  [/^#\/dash$/, pageDash],
];

function route() {
  if (!me) return;
  if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
  const h = location.hash.split('?')[0];
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.getAttribute('href') === h);
  for (const [re, fn] of routes) {
    const m = h.match(re);
    if (m) { clear(main); return fn(...m.slice(1)); }
  }
  clear(main);
  main.append(message('没有这个页面 no such page', true));
}
window.addEventListener('hashchange', route);

// ---- households ------------------------------------------------------------------

function codeSelect(id, options, blank) {
  const s = el('select', { id, name: id });
  s.append(el('option', { value: '', text: blank }));
  for (const [code, name] of options) s.append(el('option', { value: code, text: code + ' ' + name }));
  return s;
}

async function pageHouseholds() {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const q = el('input', { id: 'q', placeholder: '姓名、身份证号或户编号', value: params.get('q') || '' });
  const village = codeSelect('f-village', fields.household.find(f => f.name === 'village').options, '全部村');
  const status = codeSelect('f-status', fields.statuses, '全部状态');
  village.value = params.get('village') || '';
  status.value = params.get('status') || '';
  const page = Number(params.get('page') || 0);
  const go = p => {
    const s = new URLSearchParams({ q: q.value, village: village.value, status: status.value, page: p });
    location.hash = '#/households?' + s.toString();
  };
  main.append(el('h2', { text: '户档案 Households' }),
    el('form', { id: 'search', on: { submit: ev => { ev.preventDefault(); go(0); } } },
      q, ' ', village, ' ', status, ' ', el('button', { id: 'search-btn', type: 'submit', text: '查询' })));
  const t0 = performance.now();
  const s = new URLSearchParams({ q: q.value, village: village.value, status: status.value, page });
  const r = await api('/api/households?' + s.toString());
  if (r.status !== 200) return main.append(message(r.data.error, true));
  const rows = r.data.rows.map(h => [
    el('a', { href: '#/household/' + h.id, text: h.id }), h.village_name || h.village, h.head_name,
    h.head_idcard, h.status_name || h.status, h.members]);
  main.append(el('p', { id: 'hh-total', text: '共 ' + r.data.total + ' 户' }),
    table(['户编号', '村', '户主', '户主身份证号', '状态', '人数'], rows, 'hh-table'));
  const pages = Math.ceil(r.data.total / r.data.per);
  const nav = el('p', { id: 'pager' });
  if (page > 0) nav.append(el('button', { id: 'prev', text: '上一页', on: { click: () => go(page - 1) } }), ' ');
  nav.append('第 ' + (page + 1) + ' / ' + Math.max(pages, 1) + ' 页 ');
  if (page + 1 < pages) nav.append(el('button', { id: 'next', text: '下一页', on: { click: () => go(page + 1) } }));
  main.append(nav);
  const ms = performance.now() - t0;
  main.append(el('p', { class: 'muted', id: 'hh-timing', 'data-server-ms': r.data.server_ms,
    'data-browser-ms': ms.toFixed(1), text: '服务器 ' + r.data.server_ms + ' ms，浏览器 ' + ms.toFixed(0) + ' ms' }));
}

function labelOf(list, name) {
  const f = list.find(x => x.name === name);
  return f ? f.label : name;
}

async function pageHousehold(id) {
  const r = await api('/api/household?id=' + id);
  if (r.status !== 200) return main.append(message(r.data.error, true));
  const d = r.data, h = d.household[0];
  main.append(el('h2', { id: 'hh-title', text: '户档案 ' + h.id + ' ' + h.head_name }));
  const bar = el('p');
  if (me.role === 'township') bar.append(el('a', { href: '#/edit/' + id, id: 'edit-link', text: '编辑' }), ' · ');
  bar.append(el('a', { href: '#/step/' + id, id: 'step-link', text: '办理程序' }), ' · ',
    el('a', { href: '/doc/card?id=' + id, id: 'card-link', target: '_blank', rel: 'noopener', text: '打印户卡' }));
  main.append(bar);
  const info = Object.entries(h).filter(([k, v]) => v !== '').map(([k, v]) => [labelOf(fields.household, k) || k, v]);
  main.append(el('h3', { text: '基本信息' }), table(['项目', '内容'], info, 'hh-info'));
  main.append(el('h3', { text: '家庭成员' }), table(['编号', '姓名', '身份证号', '性别', '与户主关系', '健康', '劳动技能'],
    d.members.map(m => [m.no, m.name, m.idcard, m.sex, m.relation, m.health, m.labour]), 'hh-members'));
  main.append(el('h3', { text: '年度收入（元）' }), table(['年度', '工资性', '生产经营性', '财产性', '转移性', '生产经营支出', '人口', '人均纯收入'],
    d.incomes.map(i => [i.year, i.wages, i.business, i.property, i.transfers, i.costs, i.size, i.net_per_capita]), 'hh-incomes'));
  main.append(el('h3', { text: '帮扶措施' }), table(['编号', '类别', '项目', '资金（元）', '开始', '期限', '状态'],
    d.measures.map(m => [m.id, m.category, m.project, m.funds, m.start, m.deadline, m.status]), 'hh-measures'));
  main.append(el('h3', { text: '帮扶责任人' }), table(['姓名', '单位', '级别', '电话', '开始', '结束'],
    d.helpers.map(x => [x.name, x.unit, x.level, x.phone, x.start, x.end]), 'hh-helpers'));
  main.append(el('h3', { text: '识别程序' }), table(['步骤', '程序', '名称', '结论', '日期', '经办', '签字干部'],
    d.steps.map(s => [s.id, s.procedure, s.step, s.decision, s.at, s.by_name, s.official]), 'hh-steps'));
  main.append(el('h3', { text: '操作记录（谁做的）' }), table(['变更集', '操作员', '时间', '操作数'],
    d.history.map(x => [x.changeset, x.clerk, new Date(Number(x.time_ms)).toLocaleString('zh-CN'), x.ops]), 'hh-history'));
}

// ---- the add / edit form, from the field declarations -------------------------------

function input(f, name, value) {
  let e;
  if (f.options) {
    e = el('select', { id: 'f-' + name, name });
    e.append(el('option', { value: '', text: '' }));
    for (const [code, label] of f.options) e.append(el('option', { value: code, text: label }));
  } else if (f.kind === 'bool') {
    e = el('select', { id: 'f-' + name, name });
    for (const v of ['', '是', '否']) e.append(el('option', { value: v, text: v }));
  } else if (f.kind === 'note') {
    e = el('textarea', { id: 'f-' + name, name, rows: 3 });
  } else {
    e = el('input', { id: 'f-' + name, name, autocomplete: 'off' });
  }
  if (f.kind === 'codeset' && f.options) { e.multiple = true; e.options[0].remove(); }
  if (value !== undefined && value !== '') {
    if (e.tagName === 'SELECT' && f.options) {
      const o = [...e.options].find(o => o.value === value || o.textContent === value);
      if (o) o.selected = true;
    } else e.value = value;
  }
  return e;
}

function fieldBox(f, prefix, value) {
  const name = prefix + f.name;
  return el('div', { class: 'field', id: 'box-' + name },
    el('label', { for: 'f-' + name, text: f.label + (f.kind === 'codeset' ? '（可多选）' : '') }),
    input(f, name, value), el('div', { class: 'err', id: 'err-' + name }));
}

function formValues(form) {
  const out = {};
  for (const e of form.querySelectorAll('input, select, textarea')) {
    if (!e.name) continue;
    out[e.name] = e.multiple ? [...e.selectedOptions].map(o => o.value).join(',') : e.value;
  }
  return out;
}

const memberFields = ['name', 'idcard', 'relation', 'sex', 'ethnicity', 'education', 'health', 'labour'];
const editSkip = ['head_name', 'head_idcard', 'head_sex'];

async function pageForm(id) {
  let current = {};
  if (id) {
    const r = await api('/api/household?id=' + id);
    if (r.status !== 200) return main.append(message(r.data.error, true));
    current = r.data.household[0];
  }
  main.append(el('h2', { text: id ? '编辑户档案 ' + id : '新建户档案' }));
  const form = el('form', { id: 'hh-form' });
  const grid = el('div', { class: 'form-grid' });
  for (const f of fields.household) {
    if (id && editSkip.includes(f.name)) continue;
    grid.append(fieldBox(f, '', current[f.name]));
  }
  form.append(el('fieldset', {}, el('legend', { text: '户' }), grid));
  const members = el('div', { id: 'members' });
  let count = 0;
  const addMember = () => {
    count++;
    const g = el('div', { class: 'form-grid' });
    for (const n of memberFields) g.append(fieldBox(fields.member.find(f => f.name === n), 'm' + count + '_'));
    members.append(el('fieldset', { id: 'member-' + count }, el('legend', { text: '家庭成员 ' + (count + 1) }), g));
  };
  if (!id) {
    form.append(el('p', { class: 'muted', text: '户主即第 1 名成员；其他成员填在下面。' }), members,
      el('p', {}, el('button', { type: 'button', id: 'add-member', text: '添加成员', on: { click: addMember } })));
    addMember();
  }
  const formErr = el('div', { class: 'err', id: 'err-_form' });
  form.append(formErr, el('p', {}, el('button', { type: 'submit', id: 'save', text: '保存' })));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    for (const b of form.querySelectorAll('.field.bad')) b.classList.remove('bad');
    for (const e of form.querySelectorAll('.err')) e.textContent = '';
    const r = await api(id ? '/api/household/edit?id=' + id : '/api/household', { form: formValues(form) });
    if (r.status === 200) { location.hash = '#/household/' + r.data.id; return; }
    formErr.textContent = r.data.error;
    for (const [name, msg] of Object.entries(r.data.fields || {})) {
      const box = document.getElementById('err-' + name);
      if (box) { box.textContent = msg; box.parentElement.classList.add('bad'); }
      else formErr.textContent += '；' + msg;
    }
  });
  main.append(form);
}

// ---- import -------------------------------------------------------------------------

function pageImport() {
  const kind = el('select', { id: 'imp-kind' },
    el('option', { value: 'households', text: '户（households）' }),
    el('option', { value: 'members', text: '家庭成员（members）' }),
    el('option', { value: 'incomes', text: '年度收入（incomes）' }));
  const file = el('input', { id: 'imp-file', type: 'file', accept: '.csv,.json,text/csv' });
  const skip = el('input', { id: 'imp-skip', type: 'checkbox' });
  const out = el('div', { id: 'imp-result' });
  const btn = el('button', { id: 'imp-go', type: 'submit', text: '上传并导入' });
  const form = el('form', { id: 'imp-form', on: { submit: async ev => {
    ev.preventDefault();
    clear(out);
    if (!file.files.length) return out.append(message('请选择表格文件', true));
    btn.disabled = true;
    out.append(message('正在检查… checking'));
    const t0 = performance.now();
    const r = await api('/api/import?kind=' + kind.value + '&skip_bad=' + (skip.checked ? 1 : 0),
      { body: await file.files[0].arrayBuffer() });
    btn.disabled = false;
    clear(out);
    const d = r.data;
    out.append(el('p', { class: 'muted', id: 'imp-timing', 'data-server-ms': d.server_ms ?? '',
      'data-browser-ms': (performance.now() - t0).toFixed(0), text: '服务器 ' + (d.server_ms ?? '?') + ' ms' }));
    if (r.status === 200) out.append(message(d.out.trim(), false, 'imp-summary'));
    else out.append(message((d.bad && d.bad.length ? '有 ' + d.bad.length + ' 行有误，未写入任何数据。 ' : '') + (d.error || d.err.trim().split('\n').pop()), true, 'imp-summary'));
    if (d.bad && d.bad.length)
      out.append(el('h3', { text: '有误的行' }), table(['行', '列', '值', '原因'],
        d.bad.map(b => [String(b.row), b.column, b.value, b.reason]), 'imp-bad'));
  } } },
    el('p', {}, '类型 ', kind), el('p', {}, '表格（CSV，UTF-8 或 GB18030）', file),
    el('p', {}, el('label', {}, skip, ' 跳过有误的行，只导入正确的行')), el('p', {}, btn));
  main.append(el('h2', { text: '导入表格 Import' }),
    el('p', { class: 'muted', text: '先检查每一行；有任何一行有误，就什么都不写入（除非选择跳过有误的行）。' }), form, out);
}

// ---- the procedure ---------------------------------------------------------------------

async function pageTodo() {
  main.append(el('h2', { text: '待办（按村） What is waiting' }));
  const r = await api('/api/todo');
  if (r.status !== 200) return main.append(message(r.data.error || r.data.err, true));
  // a batch: each ticked household's own next step, one request (and change set) each
  const date = el('input', { id: 'batch-date', placeholder: 'YYYY-MM-DD（默认今天）' });
  const key = el('input', { id: 'batch-key', type: 'file' });
  const pass = el('input', { id: 'batch-pass', type: 'password', autocomplete: 'off' });
  const go = el('button', { id: 'batch-go', type: 'button', text: '办理所选（各户的下一步）' });
  main.append(el('fieldset', { id: 'batch' }, el('legend', { text: '批量办理 a batch' }),
    '日期 ', date, ' 签名密钥 ', key, ' 口令 ', pass, ' ', go));
  const byVillage = new Map(), ticks = [];
  for (const t of r.data.todo) {
    const h = r.data.households[t.household] || {};
    const v = (h.village_name || '') + ' ' + (h.village || '');
    if (!byVillage.has(v)) byVillage.set(v, []);
    const mine = t.at === me.role;
    const tick = mine ? el('input', { type: 'checkbox', class: 'tick', 'data-household': t.household, 'data-command': t.command }) : '';
    const result = el('span', { class: 'batch-result', id: 'result-' + t.household });
    if (mine) ticks.push([tick, result]);
    byVillage.get(v).push([tick, el('a', { href: '#/household/' + t.household, text: t.household }), h.head_name,
      t.procedure + ' 第' + t.round + '轮', t.next, t.at === 'county' ? '县' : '乡镇', t.waits,
      mine ? el('a', { href: '#/step/' + t.household + '/' + t.command, class: 'do-step', text: '办理' }) : '', result]);
  }
  if (!byVillage.size) main.append(message('没有待办 nothing is waiting', false, 'todo-empty'));
  for (const [v, rows] of byVillage)
    main.append(el('h3', { text: v }), table(['', '户编号', '户主', '程序', '下一步', '办理单位', '等待', '', '结果'], rows, 'todo-' + v.trim().split(' ').pop()));
  go.addEventListener('click', async () => {
    go.disabled = true;
    const common = { date: date.value };
    if (key.files.length) {
      const bytes = new Uint8Array(await key.files[0].arrayBuffer());
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      common.key = btoa(s);
      common.passphrase = pass.value;
    }
    for (const [tick, result] of ticks) {
      if (!tick.checked) continue;
      result.textContent = '…';
      const x = await api('/api/step', { form: { ...common, household: tick.dataset.household, step: tick.dataset.command } });
      result.textContent = x.status === 200 ? '已办理 done' : (x.data.error || x.data.err.trim());
      result.className = 'batch-result ' + (x.status === 200 ? 'done' : 'refused');
    }
    pass.value = '';
    go.disabled = false;
  });
}

const stepNames = {
  'apply': '1 申请', 'group-eval': '2 村小组初评', 'village-eval': '3 村级评议', 'notice': '4 村级公示',
  'cadre-sign': '5 驻村干部签字', 'township-review': '6 乡镇审核', 'township-notice': '7 乡镇公示',
  'head-sign': '8 乡镇长签字并加盖公章', 'county-approve': '9 县级审批', 'county-reject': '9 县级审批：不批准',
  'county-notice': '10 县级公示', 'register': '11 建档立卡', 'exit-notice': '退出 2 脱贫公示',
  'exit-announce': '退出 3 县级脱贫公告', 'exit-confirm': '退出 4 脱贫退出',
};

function pageStep(id, step) {
  const sel = el('select', { id: 'step-name', name: 'step' });
  for (const [k, v] of Object.entries(stepNames)) sel.append(el('option', { value: k, text: v }));
  if (step) sel.value = step;
  const text = (name, label, attrs = {}) => el('div', { class: 'field' },
    el('label', { for: 'step-' + name, text: label }), el('input', { id: 'step-' + name, name, ...attrs }));
  const key = el('input', { id: 'step-key', type: 'file' });
  const out = el('div', { id: 'step-result' });
  const form = el('form', { id: 'step-form', on: { submit: async ev => {
    ev.preventDefault();
    clear(out);
    const v = formValues(form);
    v.household = id;
    if (key.files.length) {
      const bytes = new Uint8Array(await key.files[0].arrayBuffer());
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      v.key = btoa(s);
    }
    const r = await api('/api/step', { form: v });
    form.querySelector('[name=passphrase]').value = '';
    if (r.status === 200) out.append(message('已办理 done: ' + r.data.out.trim(), false, 'step-ok'));
    else out.append(message(r.data.error || r.data.err.trim(), true, 'step-error'));
  } } },
    el('div', { class: 'form-grid' },
      el('div', { class: 'field' }, el('label', { for: 'step-name', text: '步骤' }), sel),
      text('date', '日期（YYYY-MM-DD，默认今天）'), text('by', '经办人'),
      text('panel', '评议小组成员（村级评议，逗号分隔）'), text('for', '赞成票'), text('against', '反对票'),
      text('reasons', '理由（不通过时必填）'),
      el('div', { class: 'field' }, el('label', { for: 'step-key', text: '干部签名密钥文件（签字步骤）' }), key),
      text('passphrase', '密钥口令', { type: 'password', autocomplete: 'off' })),
    el('p', {}, el('button', { type: 'submit', id: 'step-go', text: '办理' })));
  main.append(el('h2', { text: '办理程序 ' + id }), el('p', {}, el('a', { href: '#/household/' + id, text: '返回户档案' })), form, out);
}

// ---- documents ----------------------------------------------------------------------------

function pageDocs() {
  const hid = el('input', { id: 'doc-id', placeholder: '户编号' });
  const village = codeSelect('doc-village', fields.household.find(f => f.name === 'village').options, '选择村');
  const open = (doc, id) => window.open('/doc/' + doc + (id ? '?id=' + encodeURIComponent(id) : ''), '_blank', 'noopener');
  main.append(el('h2', { text: '文书（打印） Documents' }),
    el('p', {}, '户卡 ', hid, ' ', el('button', { id: 'doc-card', text: '打开', on: { click: () => open('card', hid.value) } })),
    el('p', {}, '村册 ', village, ' ', el('button', { id: 'doc-register', text: '打开', on: { click: () => open('register', village.value) } })),
    el('p', {}, el('button', { id: 'doc-book', text: '乡镇簿', on: { click: () => open('book') } }), ' ',
      el('button', { id: 'doc-report', text: '总结报告', on: { click: () => open('report') } }), ' ',
      el('button', { id: 'doc-archive', text: '县电子档案', on: { click: () => open('archive') } })));
}

// ---- the county dashboard -----------------------------------------------------------------

function ago(ms, now) {
  if (!ms) return '从未';
  const s = Math.round((now - ms) / 1000);
  return s < 60 ? s + ' 秒前' : s < 3600 ? Math.round(s / 60) + ' 分钟前' : Math.round(s / 3600) + ' 小时前';
}

/* The PostgreSQL copy in words: connected, how far behind, the last error. */
function sinkText(k, now) {
  if (!k.live) return '守护进程未运行，进度见 PostgreSQL 的 lika_sink 表';
  const err = k.last_error ? '；最近错误：' + k.last_error : '';
  if (!k.known) return (k.connected ? '已连接，正在复制全部数据' : '启动以来未能连接') + err;
  return (k.connected ? '已连接' : '未连接') +
    (k.behind ? '；落后 ' + k.behind + ' 个变更集（最早的存于 ' + ago(k.oldest_ms, now) + '）' : '；已同步') +
    '；本次启动以来写入 ' + k.written + ' 个变更集' + (k.last_write_ms ? '，最近一批 ' + ago(k.last_write_ms, now) : '') + err;
}

async function pageDash() {
  const box = el('div', { id: 'dash' });
  const lag = el('img', { id: 'chart-lag', alt: '同步滞后' });
  const stages = el('img', { id: 'chart-stages', alt: '各乡镇户数' });
  const progress = el('div', { id: 'progress' });
  main.append(el('h2', { text: '县级看板 Dashboard' }), box, el('div', { class: 'charts' }, lag, stages), progress);
  const refresh = async () => {
    const r = await api('/api/dash');
    if (r.status !== 200) { clear(box); return box.append(message(r.data.error, true)); }
    const d = r.data;
    const rows = d.peers.map(p => {
      const st = d.stages[p.code] || {};
      const stageText = Object.entries(st).map(([k, n]) => (d.statuses[k] || k) + ' ' + n).join('，');
      return [p.code, p.name, p.health + (p.upgrade_needed ? '（需升级 upgrade needed）' : ''), p.connected ? '已连接' : '未连接', ago(p.last_contact_ms, d.now_ms),
        String(p.lag), p.lag_ms ? Math.round(p.lag_ms / 1000) + ' 秒' : '', String(p.quarantined) + (p.frozen ? '（冻结）' : ''),
        stageText || '0'];
    });
    clear(box);
    box.append(el('p', { id: 'dash-health', 'data-health': d.health,
      text: '本节点 ' + d.name + '（' + d.code + '）：' + d.health + (d.unsent ? '，未发送 ' + d.unsent : '') }));
    if (d.sink) box.append(el('p', { id: 'dash-sink', class: 'health-' + d.sink.health, 'data-health': d.sink.health,
      text: '分析库副本（PostgreSQL）：' + sinkText(d.sink, d.now_ms) }));
    const t = table(['代码', '名称', '状态', '连接', '最后联系', '滞后（变更集）', '滞后（时间）', '拒收', '各阶段户数'], rows, 'dash-table');
    [...t.rows].slice(1).forEach((tr, i) => { tr.className = 'health-' + d.peers[i].health; tr.dataset.code = d.peers[i].code; tr.dataset.health = d.peers[i].health; });
    box.append(t, el('p', { class: 'muted', text: '每 5 秒自动刷新；更新于 ' + new Date(d.now_ms).toLocaleTimeString('zh-CN') }));
    const now = Date.now();
    lag.src = '/chart/lag.svg?t=' + now;
    stages.src = '/chart/stages.svg?t=' + now;
    const p = await api('/api/progress');
    clear(progress);
    if (p.status !== 200) return progress.append(message(p.data.error || p.data.err, true));
    const g = p.data, units = g.townships || g.villages || [];
    const stageText = st => Object.entries(st || {}).filter(([k, n]) => n).map(([k, n]) => k + ' ' + n).join('，');
    progress.append(el('h3', { text: '进度（对照计划 ' + g.schedule.identify_end + ' 识别结束）' }),
      table(['代码', '名称', '户数', '各阶段', '落后于计划', '公示逾期', '措施（完成/全部）', '已建档无措施'],
        units.map(u => [u.code, u.name, String(u.households), stageText(u.stages), String(u.behind_schedule),
          String(u.notices_overdue), u.measures_done + '/' + u.measures, String(u.registered_without_measure)]), 'progress-table'),
      el('h3', { text: '帮扶措施（按类别）' }),
      table(['类别', '数量'], Object.entries(g.measures_by_category || {}).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]), 'measures-table'));
  };
  await refresh();
  pollTimer = setInterval(refresh, 5000);
}

start();
