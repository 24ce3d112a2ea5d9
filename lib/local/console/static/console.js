// The console page: plain JavaScript, no dependency, nothing fetched from outside the console.
// It loads /api/snapshot once, then applies the server-sent events of /api/events to its state
// and redraws the view on screen (at most once per animation frame).
(() => {
  'use strict';
  const state = {
    snapshot: null, view: 'graph', topic: null, fn: null, dlq: null, dlqRecords: null, runDetail: null,
    records: new Map(), invocations: [], exchanges: [], destinations: [], lags: new Map(), runs: new Map(),
    counts: { invocations: 0, failed: 0, deadLettered: 0 }, startedAt: Date.now(), deadLetterTopics: new Set(),
  };
  const $ = (sel) => document.querySelector(sel);
  const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const time = (iso) => (iso ? new Date(iso).toISOString().slice(11, 23) : '');
  const badge = (cls, text) => `<span class="badge ${esc(cls)}">${esc(text ?? cls)}</span>`;
  const api = async (path, body) => {
    const res = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json();
    if (!res.ok) throw new Error(json.message || res.statusText);
    return json;
  };
  // Replaces an element's content only when it changed, so that a redraw caused by an unrelated
  // event never swaps a button away under the pointer; true when it did.
  const patch = (el, html) => {
    if (el.__html === html) return false;
    el.__html = html;
    el.innerHTML = html;
    return true;
  };
  let frame = 0;
  const redraw = () => { if (!frame) frame = requestAnimationFrame(() => { frame = 0; render(); }); };

  // ---- state from the snapshot and the event stream
  function load(snapshot) {
    state.snapshot = snapshot;
    for (const t of snapshot.topics) state.records.set(t.name, t.records.slice());
    state.invocations = snapshot.invocations.slice();
    state.exchanges = snapshot.exchanges.slice();
    state.destinations = snapshot.destinations.slice();
    for (const l of snapshot.lags) state.lags.set(l.mapping, l);
    for (const r of snapshot.runs) state.runs.set(`${r.chain}/${r.runId}`, r);
    for (const c of snapshot.deadLetterConsumers) state.deadLetterTopics.add(c.deadLetterTopic);
    state.counts.invocations = state.invocations.length;
    state.counts.failed = state.invocations.filter((i) => i.outcome !== 'succeeded').length;
  }
  const handlers = {
    invocation(i) {
      state.invocations.push(i); if (state.invocations.length > 2000) state.invocations.shift();
      state.counts.invocations++; if (i.outcome !== 'succeeded') state.counts.failed++;
      flash(i.functionName, i.outcome === 'succeeded' ? 'flash' : 'flash-fail');
    },
    record(r) {
      const list = state.records.get(r.topic) || [];
      if (!list.some((x) => x.partition === r.partition && x.offset === r.offset)) list.push(r);
      if (list.length > 50) list.shift();
      state.records.set(r.topic, list);
      if (state.deadLetterTopics.has(r.topic) && Date.parse(r.time) >= state.startedAt - 1000) state.counts.deadLettered++;
    },
    http(x) {
      const i = x.requestId ? state.exchanges.findIndex((e) => e.requestId === x.requestId) : -1;
      if (i >= 0) state.exchanges[i] = x; else state.exchanges.push(x);
    },
    'dead-letter'(d) { state.destinations.push(d); },
    'chain-run'(r) { state.runs.set(`${r.chain}/${r.runId}`, r); if (state.runDetail && state.runDetail.chain === r.chain && state.runDetail.runId === r.runId) state.runDetail = r; },
    lags(list) { for (const l of list) state.lags.set(l.mapping, l); },
    log() { /* lines are fetched per invocation when opened */ },
  };
  function connect() {
    const source = new EventSource('/api/events');
    source.onopen = () => { $('#connection').textContent = 'live'; $('#connection').className = ''; };
    source.onerror = () => { $('#connection').textContent = 'reconnecting…'; $('#connection').className = 'down'; };
    for (const [type, apply] of Object.entries(handlers)) {
      source.addEventListener(type, (e) => { apply(JSON.parse(e.data)); if (type !== 'log') redraw(); });
    }
  }

  // ---- views
  function render() {
    if (!state.snapshot) return;
    patch($('#counters'), `<span><b data-testid="count-invocations">${state.counts.invocations}</b> invocations</span>`
      + `<span><b data-testid="count-failed">${state.counts.failed}</b> failed</span>`
      + `<span><b data-testid="count-dead-lettered">${state.counts.deadLettered}</b> dead-lettered</span>`);
    ({ graph: renderGraph, topics: renderTopics, functions: renderFunctions, chains: renderChains, 'dead-letters': renderDeadLetters, http: renderHttp })[state.view]();
  }

  let graphDrawn = false;
  function renderGraph() {
    const g = state.snapshot.graph;
    const byFunction = new Map();
    for (const i of state.invocations) {
      const c = byFunction.get(i.functionName) || { ok: 0, failed: 0 };
      if (i.outcome === 'succeeded') c.ok++; else c.failed++;
      byFunction.set(i.functionName, c);
    }
    if (!graphDrawn) {
      const pos = new Map(g.nodes.map((n) => [n.id, n]));
      const edges = g.edges.map((e) => {
        const a = pos.get(e.from); const b = pos.get(e.to);
        if (!a || !b) return '';
        const x1 = a.x + a.width; const y1 = a.y + a.height / 2; const x2 = b.x; const y2 = b.y + b.height / 2;
        const back = x2 <= x1;
        const d = back
          ? `M${a.x + a.width / 2},${a.y + a.height} C${a.x + a.width / 2},${a.y + a.height + 60} ${b.x + b.width / 2},${b.y + b.height + 60} ${b.x + b.width / 2},${b.y + b.height}`
          : `M${x1},${y1} C${x1 + 45},${y1} ${x2 - 45},${y2} ${x2},${y2}`;
        return `<path class="edge ${esc(e.kind)}" d="${d}" marker-end="url(#arrow)"><title>${esc([e.kind, e.label, e.detail].filter(Boolean).join(' · '))}</title></path>`;
      }).join('');
      const nodes = g.nodes.map((n) => {
        const name = n.id.slice(n.id.indexOf(':') + 1);
        const alarms = n.alarms.length
          ? `<g class="alarm"><title>${esc(n.alarms.join('\n'))}</title><circle cx="${n.x + n.width - 4}" cy="${n.y + 4}" r="8"></circle><text x="${n.x + n.width - 4}" y="${n.y + 7}" text-anchor="middle">${n.alarms.length}</text></g>` : '';
        return `<g class="node ${esc(n.kind)}" data-node-kind="${esc(n.kind)}" data-name="${esc(name)}" data-id="${esc(n.id)}">`
          + `<title>${esc(name)}${n.detail ? `\n${esc(n.detail)}` : ''}${n.alarms.length ? `\nalarms: ${esc(n.alarms.join(', '))}` : ''}</title>`
          + `<rect x="${n.x}" y="${n.y}" width="${n.width}" height="${n.height}" rx="${n.kind.includes('topic') ? 14 : 4}"></rect>`
          + `<text x="${n.x + 8}" y="${n.y + 16}">${esc(n.label.length > 30 ? `${n.label.slice(0, 29)}…` : n.label)}</text>`
          + `<text class="count" x="${n.x + 8}" y="${n.y + 31}" data-count="${esc(name)}">${esc(n.detail || '')}</text>${alarms}</g>`;
      }).join('');
      $('#graph').innerHTML = `<svg width="${g.width}" height="${g.height + 70}" xmlns="http://www.w3.org/2000/svg"><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#94a3b8"></path></marker></defs>${edges}${nodes}</svg>`;
      $('#graph-legend').textContent = `${g.nodes.filter((n) => n.kind === 'function').length} functions, ${g.nodes.filter((n) => n.kind.includes('topic')).length} topics (dead-letter topics dashed red), ${g.edges.filter((e) => e.kind === 'mapping').length} mappings (hover an arrow for its consumer group and filters), routes and schedules on the left; orange badges count alarms${g.unattachedAlarms.length ? `; ${g.unattachedAlarms.length} alarm(s) watch no function: ${g.unattachedAlarms.join(', ')}` : ''}. Click a node to open it.`;
      for (const el of document.querySelectorAll('#graph .node')) {
        el.addEventListener('click', () => {
          const kind = el.getAttribute('data-node-kind'); const name = el.getAttribute('data-name');
          if (kind === 'function') { state.fn = name; show('functions'); }
          else if (kind.includes('topic')) { state.topic = name; show('topics'); }
        });
      }
      graphDrawn = true;
    }
    for (const n of g.nodes) {
      const name = n.id.slice(n.id.indexOf(':') + 1);
      const el = document.querySelector(`#graph [data-count="${CSS.escape(name)}"]`);
      if (!el) continue;
      if (n.kind === 'function') {
        const c = byFunction.get(name);
        el.textContent = c ? `${c.ok} ok${c.failed ? ` · ${c.failed} failed` : ''} · ${n.detail}` : n.detail;
      } else if (n.kind.includes('topic')) {
        const seen = (state.records.get(name) || []).length;
        el.textContent = `${n.detail || ''}${seen ? ` · ${seen} recent` : ''}`;
      }
    }
  }
  function flash(fn, cls) {
    if (state.view !== 'graph') return;
    const el = document.querySelector(`#graph [data-node-kind="function"][data-name="${CSS.escape(fn)}"]`);
    if (!el) return;
    el.classList.add(cls);
    setTimeout(() => el.classList.remove(cls), 600);
  }

  function list(container, items, selected, onPick) {
    if (!patch(container, items.map((it) => `<div data-key="${esc(it.key)}" class="${it.key === selected ? 'selected' : ''}"><span>${esc(it.label)}</span><small>${esc(it.note ?? '')}</small></div>`).join(''))) return;
    for (const el of container.children) el.addEventListener('click', () => onPick(el.getAttribute('data-key')));
  }

  function renderTopics() {
    const topics = state.snapshot.topics.map((t) => t.name);
    if (!state.topic) state.topic = topics[0];
    list($('#topic-list'), topics.map((t) => ({ key: t, label: t, note: `${(state.records.get(t) || []).length}` })), state.topic, (t) => { state.topic = t; render(); });
    const records = (state.records.get(state.topic) || []).slice().reverse();
    const readers = state.snapshot.mappings.filter((m) => m.topics.includes(state.topic));
    patch($('#topic-detail'), `<h2>${esc(state.topic)}</h2>`
      + `<h3>Mappings reading it</h3>${readers.length ? `<table><tr><th>function</th><th>consumer group</th><th>filters</th><th>on failure</th><th>lag</th></tr>${readers.map((m) => `<tr><td>${esc(m.functionName)}</td><td>${esc(m.consumerGroupId)}</td><td class="value">${esc(m.filters.length ? JSON.stringify(m.filters) : '—')}</td><td>${esc(m.onFailure ? (m.onFailure.topic || m.onFailure.queue || m.onFailure.arn) : '—')}</td><td data-testid="lag">${esc(state.lags.get(m.mapping)?.lag ?? '…')}</td></tr>`).join('')}</table>` : '<p class="message">none</p>'}`
      + `<h3>Recent records (newest first)</h3><table data-testid="records"><tr><th>partition</th><th>offset</th><th>time</th><th>key</th><th>type</th><th>id</th><th>value</th></tr>${records.map((r) => `<tr><td>${r.partition}</td><td>${r.offset}</td><td>${time(r.time)}</td><td>${esc(r.key)}</td><td>${esc(r.type)}</td><td>${esc(r.id)}</td><td class="value"><div class="clip">${esc(r.value)}</div></td></tr>`).join('')}</table>`);
  }

  function renderFunctions() {
    const fns = state.snapshot.functions.map((f) => f.name);
    if (!state.fn) state.fn = fns[0];
    const count = (f) => state.invocations.filter((i) => i.functionName === f).length;
    list($('#function-list'), fns.map((f) => ({ key: f, label: f, note: String(count(f)) })), state.fn, (f) => { state.fn = f; render(); });
    const invs = state.invocations.filter((i) => i.functionName === state.fn).slice(-200).reverse();
    const detail = $('#function-detail');
    const open = new Set([...detail.querySelectorAll('tr.logs')].map((el) => el.getAttribute('data-request')));
    if (!patch(detail, `<h2>${esc(state.fn)}</h2><table data-testid="invocations"><tr><th>start</th><th>trigger</th><th>outcome</th><th>ms</th><th>records</th><th>attempt</th><th>error</th></tr>${invs.map((i) => `<tr class="clickable" data-request="${esc(i.requestId)}"><td>${time(i.start)}</td><td title="${esc(i.mapping || i.trigger)}">${esc(i.trigger)}${i.coldStart ? ' <small>(cold)</small>' : ''}</td><td>${badge(i.outcome)}</td><td>${i.durationMs}</td><td>${esc(i.records || i.recordCount)}</td><td>${esc(i.attempt ?? '')}</td><td class="error">${esc(i.error || '')}</td></tr>`).join('')}</table>`)) return;
    for (const row of detail.querySelectorAll('tr.clickable')) {
      const id = row.getAttribute('data-request');
      row.addEventListener('click', () => toggleLogs(row, id, invs.find((i) => i.requestId === id)));
      if (open.has(id)) toggleLogs(row, id, invs.find((i) => i.requestId === id));
    }
  }
  async function toggleLogs(row, requestId, inv) {
    const next = row.nextElementSibling;
    if (next && next.classList.contains('logs')) { next.remove(); return; }
    const tr = document.createElement('tr');
    tr.className = 'logs'; tr.setAttribute('data-request', requestId);
    tr.innerHTML = '<td colspan="7"><pre>…</pre></td>';
    row.after(tr);
    const { lines } = await api(`/api/logs/${encodeURIComponent(requestId)}`);
    tr.querySelector('pre').textContent = [`request ${requestId}`, ...lines, ...(inv && inv.stack ? ['', inv.stack] : [])].join('\n');
  }

  function renderChains() {
    const root = $('#chains');
    const typing = document.activeElement && root.contains(document.activeElement) && /^(INPUT|SELECT)$/.test(document.activeElement.tagName);
    if (typing) return; // do not redraw under a person typing a run id
    const html = state.snapshot.chains.map((c) => {
      const runs = [...state.runs.values()].filter((r) => r.chain === c.name).sort((a, b) => b.runId.localeCompare(a.runId)).slice(0, 30);
      const rows = runs.map((r) => `<tr data-run="${esc(r.runId)}"><th>${esc(r.runId)}</th>${c.tasks.map((t) => {
        const s = r.statuses.find((x) => x.task === t.name) || { state: 'waiting' };
        return `<td class="cell ${esc(s.state)}" data-task="${esc(t.name)}" data-state="${esc(s.state)}" title="${esc(`${t.name}: ${s.state}${s.attempt ? ` (attempt ${s.attempt})` : ''}${s.error ? ` — ${s.error}` : ''}`)}">${esc(s.state === 'succeeded' ? '✓' : s.state === 'failed' ? '✗' : s.state === 'running' ? '…' : '')}</td>`;
      }).join('')}</tr>`).join('');
      const detail = state.runDetail && state.runDetail.chain === c.name ? timeline(c, state.runDetail) : '';
      return `<div class="chain" data-chain="${esc(c.name)}"><h2>chain ${esc(c.name)} <small class="message">topic ${esc(c.topic)} · ${esc(c.tasks.map((t) => t.dependsOn.length ? `${t.dependsOn.join('+')}→${t.name}` : t.name).join(', '))}</small></h2>`
        + `<div class="actions"><input name="runId" placeholder="run id (default: today)"><button class="act" data-act="run">Run now</button>`
        + `<input name="from" placeholder="from YYYY-MM-DD" size="14"><input name="to" placeholder="to YYYY-MM-DD" size="14"><button class="act secondary" data-act="backfill">Backfill</button><span class="message" data-testid="chain-message"></span></div>`
        + `<table class="grid" data-testid="chain-grid"><tr><th>run</th>${c.tasks.map((t) => `<th>${esc(t.name)}</th>`).join('')}</tr>${rows || `<tr><td colspan="${c.tasks.length + 1}" class="message">no run seen yet</td></tr>`}</table>${detail}</div>`;
    }).join('') || '<p class="message">no task chain in this graph</p>';
    const messages = [...root.querySelectorAll('[data-testid="chain-message"]')].map((m) => [m.textContent, m.className]);
    if (!patch(root, html)) return;
    root.querySelectorAll('[data-testid="chain-message"]').forEach((m, i) => { if (messages[i]) [m.textContent, m.className] = messages[i]; });
    for (const el of root.querySelectorAll('.chain')) {
      const chain = el.getAttribute('data-chain');
      const msg = el.querySelector('[data-testid="chain-message"]');
      const act = (fn) => fn().then((m) => { msg.textContent = m; msg.className = 'message'; }, (e) => { msg.textContent = e.message; msg.className = 'message error'; });
      el.querySelector('[data-act="run"]').addEventListener('click', () => act(async () => `requested ${(await api(`/api/chains/${chain}/run`, { runId: el.querySelector('[name="runId"]').value })).runIds.join(', ')}`));
      el.querySelector('[data-act="backfill"]').addEventListener('click', () => act(async () => { const r = await api(`/api/chains/${chain}/backfill`, { from: el.querySelector('[name="from"]').value, to: el.querySelector('[name="to"]').value }); return `requested ${r.runIds.length} runs`; }));
      for (const row of el.querySelectorAll('tr[data-run]')) {
        row.addEventListener('click', async () => { state.runDetail = await api(`/api/chains/${chain}/runs/${encodeURIComponent(row.getAttribute('data-run'))}`); render(); });
      }
      const rerun = el.querySelector('[data-act="rerun"]');
      if (rerun) rerun.addEventListener('click', () => act(async () => { const r = await api(`/api/chains/${chain}/rerun`, { task: el.querySelector('[name="task"]').value, runId: state.runDetail.runId }); return `rerun: ${r.cascade.join(' → ')}`; }));
    }
  }
  function timeline(chain, run) {
    const times = run.statuses.flatMap((s) => [s.startedAt, s.finishedAt]).filter(Boolean).map(Date.parse);
    const t0 = Math.min(...times); const t1 = Math.max(...times, t0 + 1);
    const rows = run.statuses.map((s) => {
      const a = s.startedAt ? Date.parse(s.startedAt) : null; const b = s.finishedAt ? Date.parse(s.finishedAt) : (a !== null ? Date.now() : null);
      const bar = a === null ? '' : `<div class="bar ${esc(s.state)}" style="left:${((a - t0) / (t1 - t0)) * 100}%;width:${Math.max(0.5, (((b ?? a) - a) / (t1 - t0)) * 100)}%" title="${esc(`${s.startedAt} → ${s.finishedAt || '…'}`)}"></div>`;
      return `<div class="row"><span class="name">${esc(s.task)}</span><div class="track">${bar}</div><span class="message">&nbsp;${esc(s.state)}${a !== null && s.finishedAt ? ` ${Date.parse(s.finishedAt) - a} ms` : ''}</span></div>`;
    }).join('');
    return `<h3>run ${esc(run.runId)}: timeline</h3><div class="timeline" data-testid="timeline">${rows}</div>`
      + `<div class="actions"><select name="task">${chain.tasks.map((t) => `<option>${esc(t.name)}</option>`).join('')}</select><button class="act secondary" data-act="rerun">Rerun task and downstream</button></div>`;
  }

  function renderDeadLetters() {
    const consumers = state.snapshot.deadLetterConsumers;
    if (!state.dlq && consumers.length) state.dlq = consumers[0].name;
    list($('#dlq-list'), consumers.map((c) => ({ key: c.name, label: c.name, note: `${(state.records.get(c.deadLetterTopic) || []).length} recent` })), state.dlq, (name) => { state.dlq = name; state.dlqRecords = null; render(); loadDeadLetters(); });
    const c = consumers.find((x) => x.name === state.dlq);
    const root = $('#dlq-detail');
    if (!c) { patch(root, '<p class="message">no consumer with a dead-letter topic</p>'); return; }
    if (!state.dlqRecords || state.dlqRecords.consumer !== c.name) { patch(root, `<h2>${esc(c.name)}</h2><p class="message">reading ${esc(c.deadLetterTopic)}…</p>`); if (!state.dlqLoading) loadDeadLetters(); return; }
    const rows = state.dlqRecords.records.slice().reverse();
    const checked = new Set([...root.querySelectorAll('input[type=checkbox]:checked')].map((i) => i.value));
    if (!patch(root, `<h2>${esc(c.name)} <small class="message">${esc(c.deadLetterTopic)} → redrive to ${esc(c.sourceTopics.join(', '))}</small></h2>`
      + `<div class="actions"><button class="act" data-act="redrive-all">Redrive all pending</button><button class="act secondary" data-act="redrive-chosen">Redrive chosen</button><button class="act secondary" data-act="reload">Reload</button><span class="message" data-testid="dlq-message">${esc(state.dlqMessage || '')}</span></div>`
      + `<table data-testid="dead-letters"><tr><th></th><th>at</th><th>state</th><th>failed record</th><th>key</th><th>type / id</th><th>reason</th><th>attempts</th><th>redrives</th><th>value</th></tr>${rows.map((r) => `<tr data-at="${r.partition}:${r.offset}" data-state="${esc(r.state)}"><td>${r.state === 'pending' ? `<input type="checkbox" value="${r.partition}:${r.offset}">` : ''}</td><td>${r.partition}:${r.offset}</td><td>${badge(r.state)}</td><td>${esc(r.source)}</td><td>${esc(r.key)}</td><td>${esc([r.type, r.id].filter(Boolean).join(' '))}</td><td class="error">${esc(r.reason)}</td><td>${esc(r.attempts ?? '?')} <small>(${esc(r.writer)})</small></td><td>${r.redriveCount}</td><td class="value"><div class="clip">${esc(r.value)}</div></td></tr>`).join('')}</table>`
      + (rows.length ? '' : '<p class="message">no dead letter</p>'))) return;
    for (const box of root.querySelectorAll('input[type=checkbox]')) box.checked = checked.has(box.value);
    const redrive = async (offsets) => {
      try {
        const r = await api(`/api/dead-letters/${encodeURIComponent(c.name)}/redrive`, offsets ? { offsets } : {});
        state.dlqMessage = `${r.redriven} redriven, ${r.passedOver} passed over, ${r.left} left${r.refused.length ? `, ${r.refused.length} refused` : ''}`;
      } catch (e) { state.dlqMessage = e.message; }
      await loadDeadLetters();
    };
    root.querySelector('[data-act="redrive-all"]').addEventListener('click', () => redrive());
    root.querySelector('[data-act="redrive-chosen"]').addEventListener('click', () => redrive([...root.querySelectorAll('input[type=checkbox]:checked')].map((i) => i.value)));
    root.querySelector('[data-act="reload"]').addEventListener('click', () => loadDeadLetters());
  }
  async function loadDeadLetters() {
    const name = state.dlq;
    // Only the latest read counts: one started before a redrive may answer after the one started
    // after it, and must not put the redriven records back to pending.
    const seq = (state.dlqSeq = (state.dlqSeq || 0) + 1);
    state.dlqLoading = true;
    try {
      const r = await api(`/api/dead-letters/${encodeURIComponent(name)}`);
      if (seq !== state.dlqSeq) return;
      if (state.dlq === name) state.dlqRecords = { consumer: name, records: r.records };
    } catch (e) { if (seq === state.dlqSeq) state.dlqMessage = e.message; } finally { if (seq === state.dlqSeq) state.dlqLoading = false; }
    render();
  }

  function renderHttp() {
    const rows = state.exchanges.slice().reverse();
    const verdict = (x) => {
      if (!/callbacks/.test(x.routeKey || x.path)) return '';
      if (x.status < 300) return badge('ok', `verified${x.outcome ? `, ${x.outcome}` : ''}`);
      if (x.status === 401 || x.status === 400 || x.status === 413) return badge('failed', 'rejected');
      return badge('partial', x.outcome || 'error');
    };
    patch($('#http'), `<div class="detail"><h2>HTTP requests <small class="message">status and the gateway's verification outcome; headers and bodies are not shown (they carry signatures)</small></h2>`
      + `<table data-testid="exchanges"><tr><th>time</th><th>API</th><th>method</th><th>path</th><th>route</th><th>status</th><th>verification</th><th>code / message</th><th>ms</th></tr>${rows.map((x) => `<tr><td>${time(x.time)}</td><td>${esc(x.api)}</td><td>${esc(x.method)}</td><td>${esc(x.path)}</td><td>${esc(x.routeKey || '—')}</td><td>${badge(x.status < 400 ? 'ok' : 'failed', x.status)}</td><td>${verdict(x)}</td><td>${esc([x.code, x.message].filter(Boolean).join(': '))}</td><td>${x.durationMs}</td></tr>`).join('')}</table></div>`);
  }

  function show(view) {
    state.view = view;
    for (const b of document.querySelectorAll('nav button')) b.classList.toggle('active', b.getAttribute('data-view') === view);
    for (const s of document.querySelectorAll('.view')) s.classList.toggle('active', s.id === `view-${view}`);
    render();
  }
  for (const b of document.querySelectorAll('nav button')) b.addEventListener('click', () => show(b.getAttribute('data-view')));
  api('/api/snapshot').then((s) => { load(s); connect(); render(); }, (e) => { document.body.insertAdjacentHTML('beforeend', `<p class="error">${esc(e.message)}</p>`); });
  window.mskConsole = { state, show };
})();
