// realtime-voice watch page: follows a shared session's live captions (read-only) from ?link=ws(s)://.../watch?token=...
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const statusEl = $('status');
  const errorEl = $('error');
  const captionsEl = $('captions');
  const params = new URL(window.location.href).searchParams;
  const link = params.get('link');
  const finals = new Map(); // index -> text
  let partial = null;
  let lastIndex = -1;
  let state = 'connecting';
  let attempts = 0;

  function setState(next, text) {
    state = next;
    statusEl.dataset.state = next;
    statusEl.textContent = text;
  }

  function showError(text) {
    errorEl.textContent = text;
    errorEl.classList.add('shown');
  }

  function render() {
    captionsEl.textContent = '';
    const text = Array.from(finals.keys()).sort((a, b) => a - b).map((i) => finals.get(i)).join(' ');
    captionsEl.appendChild(document.createTextNode(text));
    if (partial && partial.index > lastIndex) {
      const span = document.createElement('span');
      span.className = 'partial';
      span.textContent = (text ? ' ' : '') + partial.text;
      captionsEl.appendChild(span);
    }
  }

  function connect() {
    let url;
    try {
      url = new URL(link);
    } catch (e) {
      url = null;
    }
    if (!url || !/^wss?:$/.test(url.protocol)) {
      setState('error', 'no watch link');
      showError('This page needs a live-caption link: ?link=wss://HOST/api/realtime-voice/watch?token=...');
      return;
    }
    if (lastIndex >= 0) {
      url.searchParams.set('lastIndex', String(lastIndex)); // a reconnect goes on after the last final shown
    }
    const ws = new WebSocket(url.toString());
    let opened = false;
    ws.onopen = () => {
      opened = true;
      attempts = 0;
      setState('live', 'live');
    };
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'final' && m.index > lastIndex) {
        finals.set(m.index, m.text);
        lastIndex = m.index;
        render();
      } else if (m.type === 'partial') {
        partial = { index: m.index, text: m.text };
        render();
      } else if (m.type === 'completed') {
        partial = null;
        render();
        setState('completed', 'the session has ended');
      } else if (m.type === 'error') {
        showError(m.code + ': ' + m.message);
      }
    };
    ws.onclose = (e) => {
      if (state === 'completed') {
        return;
      }
      if (!opened || e.code === 4001) {
        setState('error', 'refused');
        showError(e.code === 4001 ? 'This link was revoked by the speaker.' : 'This link is invalid or has expired: ask the speaker for a new one.');
        return;
      }
      if (e.code === 1013 || e.code === 1008) {
        setState('error', 'closed by the server (' + e.code + ')');
        return;
      }
      attempts++;
      setState('reconnecting', 'reconnecting...');
      setTimeout(connect, Math.min(8000, 500 * Math.pow(2, attempts)));
    };
  }

  connect();
  window.realtimeVoiceWatch = {
    get state() { return state; },
    get text() { return Array.from(finals.keys()).sort((a, b) => a - b).map((i) => finals.get(i)).join(' '); },
    get lastIndex() { return lastIndex; },
  };
})();
