/*
 * Rewind console: the local web chat front. Plain browser script (ES2020), no framework, no build.
 * Server and user text reaches the page only through textContent and text nodes, never as markup.
 */
/* global document, window, location, history, fetch, EventSource, crypto, CSS, Element, URLSearchParams,
   requestAnimationFrame, setTimeout, clearTimeout */
'use strict';

(() => {
  // The marks Slack and Discord show (src/chat/chat-marks.ts).
  const TONE_MARKS = { danger: '🚨', warning: '⚠️', success: '✅', progress: '🔄', info: 'ℹ️' };
  const CHECK_MARKS = { pass: '✅', fail: '❌', inconclusive: '❔', pending: '⏳', running: '▶️', skipped: '⏭️', warning: '⚠️' };
  const BUTTON_STYLES = ['primary', 'danger', 'secondary'];
  const STICK_PX = 60;

  const $ = (id) => document.getElementById(id);
  const ui = {
    user: $('user-picker'), channelPicker: $('channel-picker'), channelName: $('channel-name'), channelLabel: $('channel-label'),
    connection: $('connection'), guide: $('guide'), guideSteps: $('guide-steps'), channel: $('channel'), empty: $('channel-empty'),
    jump: $('jump-newest'), form: $('command-form'), input: $('command-input'), send: $('command-send'),
    dialog: $('root-cause-dialog'), dialogForm: $('root-cause-form'), dialogSubtitle: $('root-cause-subtitle'),
    dialogError: $('root-cause-error'), dialogSubmit: $('root-cause-submit'), dialogCancel: $('root-cause-cancel'),
  };

  const state = {
    user: '', channel: '',
    /** id → { id, channel, threadOf, message, at, broadcast, ephemeral, local, placeholder, el, post, stub } */
    entries: new Map(),
    unread: new Map(),
    /** `action|value` of clicks whose POST is in flight: their buttons stay disabled even if the card is re-rendered. */
    inflight: new Set(),
    es: null, retryTimer: 0, retryDelay: 1000, replaying: false, busyTimer: 0,
    sticky: true, maxAt: 0, localSeq: 0, rollbackId: '', sent: [], sentIndex: -1,
  };

  // ---------- helpers ----------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function button(label, className, data) {
    const b = el('button', className, label);
    b.type = 'button';
    Object.assign(b.dataset, data);
    return b;
  }

  /** An emoji mark that screen readers read as a word. */
  function mark(className, symbol, label) {
    const span = el('span', className, symbol);
    span.setAttribute('role', 'img');
    span.setAttribute('aria-label', label);
    return span;
  }

  /** Appends text with `code` spans as <code> and newlines as <br>; everything else stays text. */
  function richText(parent, text) {
    String(text ?? '').split('\n').forEach((line, i) => {
      if (i > 0) parent.appendChild(document.createElement('br'));
      line.split(/`([^`]+)`/).forEach((part, j) => {
        if (part) parent.appendChild(j % 2 === 1 ? el('code', '', part) : document.createTextNode(part));
      });
    });
    return parent;
  }

  function uuid() {
    if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    // randomUUID needs a secure context; getRandomValues does not (the demo opened over a LAN address).
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  /** fetch + JSON, never throws: a network failure is status 0; `ok` is false when the body says `ok: false`. */
  async function request(method, path, body) {
    const init = { method, headers: { accept: 'application/json' }, cache: 'no-store' };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    try {
      const res = await fetch(path, init);
      const data = await res.json().catch(() => null);
      return { status: res.status, ok: res.ok && !(data && data.ok === false), data };
    } catch {
      return { status: 0, ok: false, data: null };
    }
  }

  /** What went wrong, in one line, from whatever the server answered. */
  function problem(result) {
    if (result.status === 0) return 'The Rewind server did not answer (network error). Is it still running?';
    const d = result.data || {};
    return (typeof d.message === 'string' && d.message) || (typeof d.error === 'string' && d.error) || `The server answered HTTP ${result.status}.`;
  }

  const isMessage = (m) => Boolean(m && typeof m === 'object' && (typeof m.title === 'string' || typeof m.fallback === 'string'));
  const replyOf = (result) => (result.data && isMessage(result.data.reply) ? result.data.reply : null);
  const list = (value) => (Array.isArray(value) ? value : []);

  function notice(title, text, tone) {
    return { kind: 'notice', tone: tone || 'danger', title, text, fields: [], sections: [], buttons: [], footer: [], fallback: `${title}: ${text}` };
  }

  // ---------- rendering a Message ----------

  /** "Approve rollback rb_…", "Roll back to v1.2 (checkout-api production)". */
  function buttonLabel(b) {
    const value = String(b.value || '');
    const parts = value.split('|');
    if (/^rb_/.test(value)) return `${b.label} rollback ${value}`;
    if (b.action === 'rollback_to' && parts.length === 3) return `${b.label} (${parts[0]} ${parts[1]})`;
    return String(b.label);
  }

  function renderButtons(buttons) {
    const bar = el('div', 'actions');
    for (const b of buttons) {
      const style = BUTTON_STYLES.includes(b.style) ? b.style : 'secondary';
      const node = bar.appendChild(button(b.label, `btn btn-${style}`, { action: String(b.action), value: String(b.value) }));
      node.setAttribute('aria-label', buttonLabel(b));
      node.disabled = state.inflight.has(`${b.action}|${b.value}`);
    }
    return bar;
  }

  function renderChecklist(items) {
    const ul = el('ul', 'checklist');
    for (const item of items) {
      const li = ul.appendChild(el('li', `check check-${item.status}`));
      li.dataset.status = String(item.status);
      li.append(mark('check-mark', CHECK_MARKS[item.status] || '•', String(item.status)), ' ');
      richText(li.appendChild(el('span', 'check-label')), item.label);
      if (item.detail) richText(li.appendChild(el('span', 'check-detail')), ` — ${item.detail}`);
    }
    return ul;
  }

  /** One message as a card: `.message` with data-id, data-kind, data-tone; its buttons carry data-action and data-value. */
  function renderMessage(entry) {
    if (entry.placeholder) return el('p', 'placeholder-note', 'An earlier message, no longer in the recent history');
    const m = isMessage(entry.message) ? entry.message : notice('Unreadable message', 'The server sent a message this page cannot show.', 'warning');
    const tone = TONE_MARKS[m.tone] ? m.tone : 'info';
    const card = el('article', `message tone-${tone}`);
    Object.assign(card.dataset, { id: entry.id, kind: String(m.kind || 'notice'), tone });
    card.tabIndex = -1;
    if (entry.ephemeral) {
      card.classList.add('ephemeral');
      const label = card.appendChild(el('div', 'ephemeral-label'));
      label.append(el('span', '', 'Only visible to you'), button('Dismiss', 'link-button', { dismiss: entry.id }));
    }
    const head = card.appendChild(el('div', 'message-head'));
    const title = head.appendChild(el('h3', 'message-title'));
    title.append(mark('tone-mark', TONE_MARKS[tone], tone), ' ');
    richText(title, m.title || m.fallback);
    if (entry.at) {
      const time = head.appendChild(el('time', 'message-time', new Date(entry.at).toLocaleTimeString()));
      time.dateTime = new Date(entry.at).toISOString();
    }
    if (m.text) card.appendChild(richText(el('p', 'message-text'), m.text));
    if (list(m.fields).length) {
      const dl = card.appendChild(el('dl', 'fields'));
      for (const f of m.fields) {
        const row = dl.appendChild(el('div', f.inline === false ? 'field field-wide' : 'field'));
        row.append(el('dt', '', f.label), richText(el('dd'), f.value));
      }
    }
    for (const s of list(m.sections)) {
      const section = el('section', 'message-section');
      if (s.heading) section.appendChild(richText(el('h4', 'section-heading'), s.heading));
      if (s.text) section.appendChild(richText(el('p', 'section-text'), s.text));
      if (list(s.checklist).length) section.appendChild(renderChecklist(s.checklist));
      if (section.childNodes.length) card.appendChild(section);
    }
    if (list(m.buttons).length) card.appendChild(renderButtons(m.buttons));
    if (list(m.footer).length) card.appendChild(richText(el('footer', 'message-footer'), m.footer.join(' · ')));
    return card;
  }

  // ---------- the channel view ----------

  const nearBottom = () => ui.channel.scrollHeight - ui.channel.scrollTop - ui.channel.clientHeight < STICK_PX;

  let scrollQueued = false;
  /** After any change: the empty note, and a scroll to the newest unless the reader scrolled up. */
  function contentChanged() {
    ui.empty.hidden = ui.channel.querySelector('.post, .broadcast') !== null;
    if (!state.sticky) { ui.jump.hidden = false; return; }
    if (scrollQueued) return;
    scrollQueued = true;
    requestAnimationFrame(() => {
      scrollQueued = false;
      ui.channel.scrollTop = ui.channel.scrollHeight;
    });
  }

  /** Inserts `node` among `parent`'s children in `at` order; equal times keep arrival order. */
  function insertByTime(parent, node, at) {
    node.dataset.at = String(at);
    let after = parent.lastElementChild;
    while (after && after.dataset.at !== undefined && Number(after.dataset.at) > at) after = after.previousElementSibling;
    if (after) after.after(node);
    else parent.prepend(node);
  }

  /** A post's `.thread`, created with its reply count on the first reply. */
  function threadIn(post) {
    let replies = post.querySelector(':scope > .replies');
    if (!replies) {
      replies = post.appendChild(el('div', 'replies'));
      replies.append(el('p', 'reply-count'), el('div', 'thread'));
      replies.lastElementChild.setAttribute('aria-label', 'Thread replies');
    }
    return replies.lastElementChild;
  }

  function countReplies(post) {
    const replies = post.querySelector(':scope > .replies');
    if (!replies) return;
    const n = replies.lastElementChild.children.length;
    if (n === 0) replies.remove();
    else replies.firstElementChild.textContent = n === 1 ? '1 reply' : `${n} replies`;
  }

  /** The channel's trace of a broadcast reply: a line pointing at the reply, which lives in its thread. */
  function makeStub(entry) {
    const m = isMessage(entry.message) ? entry.message : {};
    const stub = el('div', 'broadcast');
    stub.dataset.broadcastOf = entry.id;
    stub.append(el('span', 'broadcast-label', 'replied to a thread:'), ' ', `${TONE_MARKS[m.tone] || ''} `);
    richText(stub.appendChild(el('span', 'broadcast-title')), m.title || m.fallback || '');
    stub.append(' ', button('View reply', 'link-button', { show: entry.id }));
    return stub;
  }

  /** The top-level entry a reply belongs under; a placeholder stands in for a parent older than the replay. */
  function rootFor(entry) {
    let parent = state.entries.get(entry.threadOf);
    // Threads are one level deep, as in Slack: a reply to a reply joins the root's thread.
    while (parent && parent.threadOf && state.entries.has(parent.threadOf)) parent = state.entries.get(parent.threadOf);
    if (parent) return parent;
    const placeholder = { id: entry.threadOf, channel: entry.channel, at: entry.at, placeholder: true };
    state.entries.set(placeholder.id, placeholder);
    place(placeholder);
    return placeholder;
  }

  /** Puts an entry into the channel view (if its channel is the one shown). */
  function place(entry) {
    if (entry.channel !== state.channel) {
      if (!state.replaying) {
        state.unread.set(entry.channel, (state.unread.get(entry.channel) || 0) + 1);
        renderChannelPicker();
      }
      return;
    }
    entry.el = renderMessage(entry);
    const root = entry.threadOf ? rootFor(entry) : null;
    if (root && root.post) {
      insertByTime(threadIn(root.post), entry.el, entry.at);
      countReplies(root.post);
      if (entry.broadcast) insertByTime(ui.channel, (entry.stub = makeStub(entry)), entry.at);
    } else {
      entry.post = el('div', 'post');
      entry.post.dataset.postId = entry.id;
      entry.post.appendChild(entry.el);
      insertByTime(ui.channel, entry.post, entry.at);
    }
    contentChanged();
  }

  /** Re-renders an entry's card in place, keeping focus on the same button if it had it. */
  function refresh(entry) {
    if (!entry.el || entry.channel !== state.channel) return;
    const focused = document.activeElement;
    const hadFocus = entry.el.contains(focused);
    const old = entry.el;
    entry.el = renderMessage(entry);
    old.replaceWith(entry.el);
    if (entry.stub) {
      const stub = makeStub(entry);
      stub.dataset.at = entry.stub.dataset.at;
      entry.stub.replaceWith(stub);
      entry.stub = stub;
    }
    if (hadFocus) {
      const d = focused.dataset || {};
      const same = d.action ? entry.el.querySelector(`button[data-action="${CSS.escape(d.action)}"][data-value="${CSS.escape(d.value || '')}"]`) : null;
      (same || entry.el).focus({ preventScroll: true });
    }
    contentChanged();
  }

  function removeEntry(id) {
    const entry = state.entries.get(id);
    if (!entry) return;
    state.entries.delete(id);
    const parentPost = entry.post ? null : entry.el && entry.el.closest('.post');
    for (const node of [entry.post || entry.el, entry.stub]) if (node) node.remove();
    if (parentPost) countReplies(parentPost);
    contentChanged();
  }

  /** Renders the current channel again from state (after a channel switch or a reconnect). */
  function rebuild() {
    for (const node of [...ui.channel.children]) if (node !== ui.empty) node.remove();
    const sorted = [...state.entries.values()].sort((a, b) => a.at - b.at);
    for (const entry of sorted) entry.el = entry.post = entry.stub = null;
    // Parents first, so every reply finds its thread.
    for (const entry of sorted) if (!entry.threadOf && entry.channel === state.channel) place(entry);
    for (const entry of sorted) if (entry.threadOf && entry.channel === state.channel) place(entry);
    state.sticky = true;
    ui.jump.hidden = true;
    contentChanged();
  }

  /** A private message made here (command replies, errors): kept until dismissed or the user changes. */
  function addLocal(message, channel) {
    const at = (state.maxAt = Math.max(Date.now(), state.maxAt + 1));
    const entry = { id: `local-${++state.localSeq}`, channel: channel || state.channel, message, at, ephemeral: true, local: true };
    state.entries.set(entry.id, entry);
    state.sticky = true;
    place(entry);
  }

  // ---------- live events ----------

  function onChatEvent(raw) {
    let ev;
    try { ev = JSON.parse(raw); } catch { return; }
    if (!ev || typeof ev.id !== 'string' || typeof ev.channel !== 'string') return;
    if (ev.ephemeralTo && ev.ephemeralTo !== state.user) return;
    if (typeof ev.at === 'number') state.maxAt = Math.max(state.maxAt, ev.at);
    const known = state.entries.get(ev.id);
    if (known) {
      // An update (or a repeated post) replaces the message and keeps its place.
      Object.assign(known, { message: ev.message, placeholder: false, ephemeral: known.placeholder ? Boolean(ev.ephemeralTo) : known.ephemeral });
      refresh(known);
    } else {
      // An update whose post is older than the replay is shown as a post.
      const entry = {
        id: ev.id, channel: ev.channel, threadOf: ev.threadOf || undefined, message: ev.message,
        at: typeof ev.at === 'number' ? ev.at : Date.now(), broadcast: ev.broadcast === true, ephemeral: Boolean(ev.ephemeralTo),
      };
      state.entries.set(entry.id, entry);
      if (![...ui.channelPicker.options].some((o) => o.value === entry.channel)) addChannel({ id: entry.channel, name: entry.channel });
      place(entry);
    }
    if (state.replaying) markReplaying();
  }

  /** aria-busy while the replay pours in (until a pause), so screen readers do not read the whole history. */
  function markReplaying() {
    state.replaying = true;
    ui.channel.setAttribute('aria-busy', 'true');
    clearTimeout(state.busyTimer);
    state.busyTimer = setTimeout(() => {
      state.replaying = false;
      ui.channel.setAttribute('aria-busy', 'false');
    }, 400);
  }

  function setConnection(kind) {
    ui.connection.dataset.state = kind;
    ui.connection.textContent = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…' }[kind];
  }

  function connect() {
    if (state.es) state.es.close();
    clearTimeout(state.retryTimer);
    const es = new EventSource(`api/events?user=${encodeURIComponent(state.user)}`);
    state.es = es;
    es.addEventListener('open', () => {
      if (state.es !== es) return;
      state.retryDelay = 1000;
      setConnection('live');
      // The server replays recent history on every connect: start again from a clean slate (local notes stay).
      markReplaying();
      for (const [id, entry] of state.entries) if (!entry.local) state.entries.delete(id);
      state.unread.clear();
      rebuild();
      renderChannelPicker();
    });
    es.addEventListener('chat', (e) => { if (state.es === es) onChatEvent(e.data); });
    es.addEventListener('error', () => {
      if (state.es !== es) return;
      setConnection('reconnecting');
      // EventSource retries by itself, except after an HTTP error answer: then retry here, backing off.
      if (es.readyState === EventSource.CLOSED) {
        state.retryTimer = setTimeout(connect, state.retryDelay);
        state.retryDelay = Math.min(state.retryDelay * 2, 15000);
      }
    });
  }

  // ---------- session: users and channels ----------

  function renderChannelPicker() {
    const options = [...ui.channelPicker.options];
    for (const option of options) {
      const n = option.value === state.channel ? 0 : state.unread.get(option.value) || 0;
      option.textContent = `#${option.dataset.name}${n ? ` (${n} new)` : ''}`;
    }
    const many = options.length > 1;
    ui.channelPicker.hidden = !many;
    ui.channelName.hidden = many;
    if (many) ui.channelLabel.setAttribute('for', 'channel-picker');
    else ui.channelLabel.removeAttribute('for');
    const current = options.find((o) => o.value === state.channel);
    ui.channelName.textContent = `#${current ? current.dataset.name : state.channel}`;
    ui.channelPicker.value = state.channel;
  }

  function addChannel(channel) {
    const option = ui.channelPicker.appendChild(el('option'));
    option.value = channel.id;
    option.dataset.name = channel.name || channel.id;
    renderChannelPicker();
  }

  function setUrl() {
    const params = new URLSearchParams(location.search);
    params.set('user', state.user);
    params.set('channel', state.channel);
    history.replaceState(null, '', `${location.pathname}?${params}`);
  }

  async function loadSession() {
    const result = await request('GET', 'api/session');
    const session = result.ok && result.data && Array.isArray(result.data.users) ? result.data : null;
    if (!session) {
      setConnection('reconnecting');
      setTimeout(loadSession, 2000);
      return;
    }
    // `?user=` and `?channel=` in the page address choose where to start (handy for tests and links).
    const params = new URLSearchParams(location.search);
    const ids = session.users.map((u) => u.id);
    state.user = ids.includes(params.get('user')) ? params.get('user') : session.defaultUser || ids[0] || '';
    ui.user.textContent = '';
    for (const u of session.users) {
      const option = ui.user.appendChild(el('option', '', u.note ? `${u.name} — ${u.note}` : u.name));
      option.value = u.id;
      option.dataset.role = u.role || '';
    }
    ui.user.value = state.user;
    ui.user.disabled = false;
    const channels = list(session.channels);
    const wanted = params.get('channel');
    state.channel = channels.some((c) => c.id === wanted) ? wanted : session.defaultChannel || (channels[0] && channels[0].id) || '';
    ui.channelPicker.textContent = '';
    for (const c of channels) addChannel(c);
    if (state.channel && !channels.some((c) => c.id === state.channel)) addChannel({ id: state.channel, name: state.channel });
    renderChannelPicker();
    if (session.placeholder) ui.input.placeholder = session.placeholder;
    connect();
  }

  ui.user.addEventListener('change', () => {
    state.user = ui.user.value;
    // Private messages belong to the previous user: drop everything; the new stream replays what this user sees.
    state.entries.clear();
    rebuild();
    setUrl();
    setConnection('connecting');
    connect();
  });

  ui.channelPicker.addEventListener('change', () => {
    state.channel = ui.channelPicker.value;
    state.unread.delete(state.channel);
    renderChannelPicker();
    rebuild();
    setUrl();
  });

  // ---------- guided demo ----------

  async function loadGuide() {
    const result = await request('GET', 'api/guide');
    const steps = result.ok && result.data ? list(result.data.steps) : [];
    ui.guide.hidden = steps.length === 0; // 404 (or anything else unusable): no guide.
    ui.guideSteps.textContent = '';
    for (const step of steps) {
      const li = ui.guideSteps.appendChild(el('li', 'guide-step'));
      li.dataset.step = String(step.id);
      li.appendChild(richText(el('h3', 'guide-title'), step.title));
      if (step.detail) li.appendChild(richText(el('p', 'guide-detail'), step.detail));
      const action = step.action;
      // Only paths on this server: relative, or absolute without a scheme or host.
      if (!action || typeof action.path !== 'string' || /^([a-z][a-z0-9+.-]*:|\/\/)/i.test(action.path)) continue;
      const run = li.appendChild(button(action.label || 'Run', 'btn btn-secondary', { guidePath: action.path }));
      const out = li.appendChild(el('p', 'guide-result'));
      out.setAttribute('role', 'status');
      out.hidden = true;
      run.addEventListener('click', () => runGuideAction(li, run, out));
    }
  }

  async function runGuideAction(li, run, out) {
    run.disabled = true;
    run.setAttribute('aria-busy', 'true');
    const result = await request('POST', run.dataset.guidePath);
    run.disabled = false;
    run.removeAttribute('aria-busy');
    const d = result.data || {};
    out.hidden = false;
    out.textContent = '';
    out.classList.toggle('error', !result.ok);
    richText(out, result.ok ? (typeof d.message === 'string' && d.message) || 'Done.' : problem(result));
    if (result.ok) li.classList.add('done');
  }

  // ---------- commands ----------

  ui.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = ui.input.value.trim();
    if (!text || ui.send.disabled) return;
    if (!state.user || !state.channel) {
      addLocal(notice('Not ready yet', 'The console is still loading its session; try again in a moment.', 'warning'));
      return;
    }
    state.sent.push(text);
    state.sentIndex = -1;
    ui.send.disabled = true;
    ui.form.setAttribute('aria-busy', 'true');
    const channel = state.channel;
    const result = await request('POST', 'api/commands', { user: state.user, channel, text, interactionId: uuid() });
    ui.send.disabled = false;
    ui.form.removeAttribute('aria-busy');
    const reply = replyOf(result);
    if (result.ok && ui.input.value.trim() === text) ui.input.value = '';
    // A refusal (unknown service, bad option) keeps the text, selected, so it can be corrected.
    if (!result.ok && reply) ui.input.select();
    if (reply || !result.ok) addLocal(reply || notice('Could not send the command', problem(result)), channel);
    ui.input.focus();
  });

  // ↑ / ↓ walk through the commands sent from this page.
  ui.input.addEventListener('keydown', (event) => {
    if ((event.key !== 'ArrowUp' && event.key !== 'ArrowDown') || state.sent.length === 0) return;
    event.preventDefault();
    const last = state.sent.length - 1;
    if (event.key === 'ArrowUp') state.sentIndex = state.sentIndex < 0 ? last : Math.max(0, state.sentIndex - 1);
    else state.sentIndex = state.sentIndex < 0 || state.sentIndex >= last ? -1 : state.sentIndex + 1;
    ui.input.value = state.sentIndex < 0 ? '' : state.sent[state.sentIndex];
  });

  // ---------- buttons in messages ----------

  ui.channel.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('button') : null;
    if (!target) return;
    const { dismiss, show, action } = target.dataset;
    if (dismiss) removeEntry(dismiss);
    else if (show) {
      const entry = state.entries.get(show);
      if (entry && entry.el) {
        entry.el.scrollIntoView({ block: 'center' });
        entry.el.focus({ preventScroll: true });
      }
    } else if (action) void clickAction(target);
  });

  async function clickAction(node) {
    if (node.disabled) return;
    const card = node.closest('.message');
    const entry = card ? state.entries.get(card.dataset.id) : undefined;
    const channel = entry ? entry.channel : state.channel;
    const { action, value } = node.dataset;
    const key = `${action}|${value}`;
    state.inflight.add(key);
    node.disabled = true;
    node.setAttribute('aria-busy', 'true');
    const result = await request('POST', 'api/actions', { user: state.user, channel, action, value, interactionId: uuid() });
    state.inflight.delete(key);
    node.disabled = false;
    node.removeAttribute('aria-busy');
    // The card may have been re-rendered meanwhile: enable the live copies of this button too.
    for (const b of ui.channel.querySelectorAll('button[data-action]')) if (b.dataset.action === action && b.dataset.value === value) b.disabled = false;
    const reply = replyOf(result);
    if (reply || !result.ok) addLocal(reply || notice(`Could not ${node.textContent.toLowerCase()}`, problem(result)), channel);
    const form = result.ok && result.data ? result.data.form : null;
    if (form && form.kind === 'root_cause') openRootCause(form, node);
    if (form && form.kind === 'review_note') await addReviewNote(form, channel);
  }

  // ---------- review note (break-glass review card) ----------

  async function addReviewNote(form, channel) {
    const note = window.prompt(`Review note for rollback ${form.rollbackId}: what the review found, or why it could not wait for approval`);
    if (!note || !note.trim()) return;
    const result = await request('POST', 'api/review-note', { user: state.user, rollbackId: String(form.rollbackId || ''), note: note.trim(), interactionId: uuid() });
    const reply = replyOf(result);
    if (reply || !result.ok) addLocal(reply || notice('Could not add the note', problem(result)), channel);
  }

  // ---------- root cause dialog ----------

  let dialogReturn = null;

  function openRootCause(form, opener) {
    const existing = form.existing || {};
    const fields = ui.dialogForm.elements;
    state.rollbackId = String(form.rollbackId || '');
    dialogReturn = opener;
    fields.impact.value = existing.impact || '';
    fields.rootCause.value = existing.rootCause || '';
    fields.prevention.value = existing.prevention || '';
    ui.dialogSubtitle.textContent = `Rollback ${state.rollbackId}`;
    ui.dialogError.hidden = true;
    ui.dialogSubmit.disabled = false;
    if (!ui.dialog.open) ui.dialog.showModal();
    fields.impact.focus();
  }

  ui.dialog.addEventListener('close', () => {
    // Back to the button that opened it (or its re-rendered copy).
    const again = dialogReturn && !dialogReturn.isConnected
      ? ui.channel.querySelector(`button[data-action="root_cause"][data-value="${CSS.escape(state.rollbackId)}"]`)
      : dialogReturn;
    if (again) again.focus();
    dialogReturn = null;
  });

  ui.dialogCancel.addEventListener('click', () => ui.dialog.close());

  ui.dialogForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (ui.dialogSubmit.disabled) return;
    const f = ui.dialogForm.elements;
    ui.dialogSubmit.disabled = true;
    ui.dialogError.hidden = true;
    const result = await request('POST', 'api/root-cause', {
      user: state.user, rollbackId: state.rollbackId,
      impact: f.impact.value.trim(), rootCause: f.rootCause.value.trim(), prevention: f.prevention.value.trim(),
      interactionId: uuid(),
    });
    ui.dialogSubmit.disabled = false;
    const reply = replyOf(result);
    if (result.ok) {
      ui.dialog.close();
      if (reply) addLocal(reply);
      return;
    }
    // Refused or failed: stay open, keep what was typed, say why.
    ui.dialogError.textContent = reply ? reply.text || reply.title || reply.fallback : problem(result);
    ui.dialogError.hidden = false;
  });

  // ---------- scrolling ----------

  ui.channel.addEventListener('scroll', () => {
    state.sticky = nearBottom();
    if (state.sticky) ui.jump.hidden = true;
  }, { passive: true });

  ui.jump.addEventListener('click', () => {
    state.sticky = true;
    ui.jump.hidden = true;
    ui.channel.scrollTop = ui.channel.scrollHeight;
  });

  // ---------- start ----------

  setConnection('connecting');
  void loadGuide();
  void loadSession();
})();
