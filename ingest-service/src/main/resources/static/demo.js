// realtime-voice browser demo: microphone -> AudioWorklet (16 kHz PCM) -> WebSocket -> partials and finals on the page.
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const talk = $('talk');
  const flushButton = $('flush');
  const statusEl = $('status');
  const errorEl = $('error');
  const transcriptEl = $('transcript');
  const historyEl = $('history');
  const levelEl = $('level');
  const tokenRow = $('token-row');
  const tokenInput = $('token');
  const metaEl = $('meta');
  const sessionsBody = document.querySelector('#sessions tbody');
  const sessionsEmpty = $('sessions-empty');
  const sessionsMore = $('sessions-more');
  const shareButton = $('share');
  const shareLink = $('share-link');
  const shareNote = $('share-note');

  // Relative to the page, so the demo also works behind a proxy that adds a path prefix.
  const api = (path) => new URL(path, window.location.href);
  const streamUrl = () => {
    const u = api('api/realtime-voice/stream');
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    return u;
  };

  let state = 'loading';
  let devToken = null;
  let socket = null;
  let audio = null; // { ctx, stream, node }
  let pending = []; // PCM captured before the server said 'started'
  let started = false;
  let finals = new Map(); // index -> { text, words }; a re-sent index replaces the earlier one
  let freshIndex = -1; // the final that just arrived: its words are highlighted one after another
  let partial = null; // { index, text }
  let heartbeat = null;
  let sessionId = null;
  let maxLevel = 0; // loudest 100 ms so far (RMS, 0..1): shows the microphone delivers sound
  let speechStarts = 0; // speech_started messages of this page's sessions
  let finalsSeen = 0;
  let sessionsCursor = null; // the next page of "My sessions", if any
  let lastExport = null; // { sessionId, format, text } of the last export link followed (downloaded too)
  let shared = null; // { sessionId, url, page } of the last live-caption link made

  function setState(next, text) {
    state = next;
    statusEl.dataset.state = next;
    statusEl.textContent = text;
    talk.disabled = !(next === 'ready' || next === 'completed' || next === 'error' || next === 'recording');
    talk.classList.toggle('recording', next === 'recording');
    talk.textContent = next === 'recording' ? 'Stop' : 'Start talking';
    flushButton.disabled = next !== 'recording';
  }

  function showError(code, message, hint) {
    errorEl.innerHTML = '';
    const strong = document.createElement('strong');
    strong.textContent = code;
    errorEl.appendChild(strong);
    errorEl.appendChild(document.createTextNode(' ' + message));
    if (hint) {
      const h = document.createElement('div');
      h.className = 'hint';
      h.textContent = hint;
      errorEl.appendChild(h);
    }
    errorEl.classList.add('shown');
  }

  function clearError() {
    errorEl.classList.remove('shown');
    errorEl.textContent = '';
  }

  const HINTS = {
    UNAUTHORIZED: 'The token is missing, expired or not for this server: reload the page for a new development token, or paste a valid one.',
    RATE_LIMITED: 'Too many open sessions for this user: close other tabs and try again.',
    OVERLOADED: 'The server cannot take audio right now (message broker unavailable): try again shortly.',
    ENGINE_UNAVAILABLE: 'The speech engine is not available: is an asr-worker running?',
    UNSUPPORTED_FORMAT: 'The server does not accept this audio format.',
    TOO_LARGE: 'An audio frame was too large.',
  };

  function render() {
    transcriptEl.innerHTML = '';
    const indexes = Array.from(finals.keys()).sort((a, b) => a - b).filter((i) => finals.get(i).text);
    const parts = indexes.map((i) => finals.get(i).text);
    if (parts.length) {
      const span = document.createElement('span');
      span.className = 'final';
      indexes.forEach((i, n) => {
        const f = finals.get(i);
        if (n > 0) {
          span.appendChild(document.createTextNode(' '));
        }
        if (!f.words || !f.words.length) {
          span.appendChild(document.createTextNode(f.text));
          return;
        }
        // word timings (wordTimestamps): one span a word, its time and confidence on hover, the new final's words
        // lit up in turn at their own pace in the audio
        f.words.forEach((w, k) => {
          if (k > 0) {
            span.appendChild(document.createTextNode(' '));
          }
          const ws = document.createElement('span');
          ws.className = 'word' + (w.confidence !== undefined && w.confidence < 0.6 ? ' unsure' : '') + (i === freshIndex ? ' fresh' : '');
          ws.textContent = w.word;
          ws.title = (w.startMs / 1000).toFixed(2) + '-' + (w.endMs / 1000).toFixed(2) + ' s'
            + (w.confidence !== undefined ? ', confidence ' + w.confidence.toFixed(2) : '');
          if (i === freshIndex) {
            ws.style.animationDelay = Math.max(0, w.startMs - f.words[0].startMs) + 'ms';
          }
          span.appendChild(ws);
        });
      });
      transcriptEl.appendChild(span);
    }
    if (partial && partial.text && !finals.has(partial.index)) {
      const span = document.createElement('span');
      span.className = 'partial';
      span.textContent = (parts.length ? ' ' : '') + partial.text;
      transcriptEl.appendChild(span);
    }
    if (!transcriptEl.childNodes.length) {
      const span = document.createElement('span');
      span.className = 'placeholder';
      span.textContent = state === 'recording' ? 'Listening...' : 'Nothing yet.';
      transcriptEl.appendChild(span);
    }
  }

  async function fetchDevToken() {
    try {
      const r = await fetch(api('api/auth/dev-token'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ userId: 'browser-demo' }),
      });
      if (r.ok) {
        const body = await r.json();
        devToken = body.token;
        metaEl.textContent = 'development token for user "' + body.userId + '" (local profile)';
        return;
      }
      if (r.status === 404) {
        tokenRow.classList.add('shown');
        metaEl.textContent = 'no development tokens here (not the local profile): paste a token above';
        return;
      }
      showError('HTTP ' + r.status, 'The development token request failed.', '');
    } catch (e) {
      showError('NETWORK', 'Cannot reach the server: ' + e.message, 'Is it running?');
    }
  }

  // "My sessions": GET api/sessions (newest first, keyset pages) with export links. The links fetch with the
  // Authorization header (a plain link cannot carry it) and hand the file to the browser as a download.
  async function loadSessions(more) {
    const t = token();
    if (!t) {
      return;
    }
    const u = api('api/sessions');
    u.searchParams.set('limit', '10');
    if (more && sessionsCursor) {
      u.searchParams.set('before', sessionsCursor);
    }
    try {
      const r = await fetch(u, { headers: { Authorization: 'Bearer ' + t } });
      if (!r.ok) {
        sessionsEmpty.textContent = 'The session list is not available (HTTP ' + r.status + ').';
        return;
      }
      const page = await r.json();
      if (!more) {
        sessionsBody.textContent = '';
      }
      page.sessions.forEach((s) => sessionsBody.appendChild(sessionRow(s)));
      sessionsCursor = page.next;
      sessionsMore.hidden = !page.next;
      sessionsEmpty.textContent = sessionsBody.children.length ? '' : 'None yet.';
    } catch (e) {
      sessionsEmpty.textContent = 'The session list is not available: ' + e.message;
    }
  }

  function sessionRow(s) {
    const tr = document.createElement('tr');
    tr.dataset.sessionId = s.sessionId;
    const cell = (cls, text) => {
      const td = document.createElement('td');
      td.className = cls;
      td.textContent = text;
      tr.appendChild(td);
      return td;
    };
    cell('when', new Date(s.startedAt).toLocaleString());
    cell('len', s.durationMs == null ? s.status.toLowerCase() : (s.durationMs / 1000).toFixed(1) + ' s');
    cell('preview', s.preview || '(nothing said)');
    const links = cell('export', '');
    ['srt', 'vtt', 'txt'].forEach((format) => {
      const a = document.createElement('a');
      a.href = '#';
      a.className = 'export-' + format;
      a.textContent = format.toUpperCase();
      a.addEventListener('click', (e) => {
        e.preventDefault();
        exportSession(s.sessionId, format);
      });
      links.appendChild(a);
    });
    return tr;
  }

  async function exportSession(id, format) {
    const u = api('api/sessions/' + encodeURIComponent(id));
    u.searchParams.set('format', format);
    const r = await fetch(u, { headers: { Authorization: 'Bearer ' + token() } });
    if (!r.ok) {
      showError('HTTP ' + r.status, 'The export failed.', r.status === 404 ? 'The session is gone (deleted or expired).' : '');
      return;
    }
    const text = await r.text();
    lastExport = { sessionId: id, format: format, text: text };
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: r.headers.get('Content-Type') || 'text/plain' }));
    a.download = id + '.' + format;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  sessionsMore.addEventListener('click', () => loadSessions(true));

  function token() {
    const typed = tokenInput.value.trim();
    return typed || devToken;
  }

  async function startAudio() {
    if (!window.isSecureContext || !navigator.mediaDevices || !window.AudioWorkletNode) {
      throw Object.assign(new Error('The microphone needs https:// (or http://localhost) and a current browser.'), { code: 'INSECURE_CONTEXT' });
    }
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    const ctx = new AudioContext();
    await ctx.audioWorklet.addModule(api('pcm-worklet.js'));
    const source = ctx.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(ctx, 'pcm-resampler', { processorOptions: { targetRate: 16000, chunkMs: 100 } });
    // Keep the graph pulled without playing the microphone back.
    const mute = ctx.createGain();
    mute.gain.value = 0;
    source.connect(node);
    node.connect(mute);
    mute.connect(ctx.destination);
    node.port.onmessage = (e) => {
      if (e.data.type === 'pcm') {
        levelEl.style.width = Math.min(100, Math.round(Math.sqrt(e.data.level) * 150)) + '%';
        maxLevel = Math.max(maxLevel, e.data.level);
        sendAudio(e.data.pcm);
      } else if (e.data.type === 'flushed' && audio && audio.onFlushed) {
        audio.onFlushed();
      }
    };
    if (ctx.state === 'suspended') {
      await ctx.resume();
    }
    return { ctx, stream, node, source };
  }

  function sendAudio(buffer) {
    if (started && socket && socket.readyState === WebSocket.OPEN) {
      socket.send(buffer);
    } else if (pending.length < 100) { // at most 10 s while connecting
      pending.push(buffer);
    }
  }

  function stopAudio() {
    if (!audio) {
      return Promise.resolve();
    }
    const a = audio;
    return new Promise((resolve) => {
      const done = () => {
        a.stream.getTracks().forEach((t) => t.stop());
        a.ctx.close().catch(() => {});
        levelEl.style.width = '0';
        resolve();
      };
      a.onFlushed = done;
      a.node.port.postMessage('stop');
      setTimeout(done, 300);
    }).finally(() => {
      if (audio === a) {
        audio = null;
      }
    });
  }

  function archiveTranscript() {
    const text = Array.from(finals.keys()).sort((a, b) => a - b).map((i) => finals.get(i).text).filter((t) => t).join(' ');
    if (text) {
      const p = document.createElement('p');
      p.textContent = text;
      historyEl.appendChild(p);
    }
    finals = new Map();
    partial = null;
  }

  async function start() {
    clearError();
    const t = token();
    if (!t) {
      showError('NO_TOKEN', 'No token.', 'Paste a token above, or run the server with the local profile for development tokens.');
      tokenRow.classList.add('shown');
      return;
    }
    archiveTranscript();
    started = false;
    pending = [];
    sessionId = null;
    setState('connecting', 'connecting...');
    render();
    try {
      audio = await startAudio();
    } catch (e) {
      const name = e.name || e.code;
      const message = name === 'NotAllowedError' ? 'Microphone permission was denied: allow the microphone for this site (the icon in the address bar) and try again.'
        : name === 'NotFoundError' ? 'No microphone was found.'
          : e.message;
      showError('MICROPHONE', message, '');
      setState('error', 'microphone unavailable');
      return;
    }
    const url = streamUrl();
    url.searchParams.set('token', t); // browsers cannot set headers on a WebSocket upgrade
    const ws = new WebSocket(url);
    socket = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: 'start', format: 'pcm', sampleRate: 16000, interimResults: true, wordTimestamps: true,
        speechEvents: true }));
      heartbeat = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN) {
          ws.send('{"type":"ping"}');
        }
      }, 20000);
    };
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') {
        return;
      }
      let m;
      try {
        m = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      onMessage(ws, m);
    };
    ws.onclose = (e) => {
      clearInterval(heartbeat);
      if (socket !== ws) {
        return;
      }
      socket = null;
      if (state === 'recording' || state === 'connecting' || state === 'finishing') {
        stopAudio();
        if (!errorEl.classList.contains('shown')) {
          showError('CLOSED', 'The connection closed (code ' + e.code + (e.reason ? ', ' + e.reason : '') + ').',
            e.code === 1006 ? 'The server or a proxy dropped it: check that the server is up and the proxy passes WebSocket upgrades.' : '');
        }
        setState('error', 'disconnected');
      }
    };
  }

  function onMessage(ws, m) {
    switch (m.type) {
      case 'started':
        started = true;
        sessionId = m.sessionId;
        shareButton.disabled = false;
        shareLink.hidden = true;
        shareNote.textContent = '';
        metaEl.textContent = 'session ' + m.sessionId;
        pending.forEach((b) => ws.send(b));
        pending = [];
        setState('recording', 'listening: speak now');
        render();
        break;
      case 'partial':
        partial = { index: m.index, text: m.text };
        render();
        break;
      case 'speech_started':
        speechStarts++;
        setState('recording', 'hearing speech (from ' + (m.atMs / 1000).toFixed(1) + ' s)');
        break;
      case 'final':
        finalsSeen++;
        finals.set(m.index, { text: m.text, words: m.words });
        freshIndex = m.index;
        if (partial && partial.index <= m.index) {
          partial = null;
        }
        render();
        break;
      case 'completed':
        partial = null;
        render();
        setState('completed', 'done: ' + m.segments + ' segment(s)');
        ws.close(1000, 'done');
        loadSessions(false);
        break;
      case 'error':
        showError(m.code, m.message || '', HINTS[m.code] || '');
        if (state !== 'finishing' || m.code !== 'BAD_REQUEST') {
          stopAudio();
          setState('error', 'error: ' + m.code);
          ws.close(1000, 'error');
        }
        break;
      default:
        break; // pong
    }
  }

  async function stop() {
    setState('finishing', 'finishing...');
    await stopAudio();
    const ws = socket;
    if (ws && ws.readyState === WebSocket.OPEN) {
      if (!started) {
        ws.close(1000, 'cancelled');
        setState('ready', 'ready');
        return;
      }
      ws.send(JSON.stringify({ type: 'end' }));
    }
  }

  // Live captions: a read-only link anyone can open to follow this session (POST /api/sessions/{id}/watchers).
  shareButton.addEventListener('click', async () => {
    if (!sessionId) {
      return;
    }
    const id = sessionId;
    shareNote.textContent = 'making a link...';
    const r = await fetch(api('api/sessions/' + encodeURIComponent(id) + '/watchers'),
      { method: 'POST', headers: { Authorization: 'Bearer ' + token() } });
    if (!r.ok) {
      shareNote.textContent = '';
      showError('HTTP ' + r.status, 'Could not make a live-caption link.', '');
      return;
    }
    const link = await r.json();
    const page = api('watch.html');
    page.searchParams.set('link', link.url);
    shareLink.href = page.toString();
    shareLink.hidden = false;
    shareNote.textContent = 'anyone with this link can follow the captions until ' + new Date(link.expiresAt).toLocaleTimeString();
    shared = { sessionId: id, url: link.url, page: page.toString() };
  });

  // Finalise what was said so far, and keep listening (a pause in a longer dictation).
  flushButton.addEventListener('click', () => {
    if (state === 'recording' && started && socket && socket.readyState === WebSocket.OPEN) {
      socket.send('{"type":"flush"}');
    }
  });

  talk.addEventListener('click', () => {
    if (state === 'recording') {
      stop();
    } else if (state === 'ready' || state === 'completed' || state === 'error') {
      start();
    }
  });

  fetchDevToken().then(() => {
    setState('ready', devToken ? 'ready' : 'ready: paste a token to talk');
    render();
    loadSessions(false);
  });
  tokenInput.addEventListener('change', () => loadSessions(false));

  window.realtimeVoiceDemo = {
    get state() { return state; },
    get sessionId() { return sessionId; },
    get maxLevel() { return maxLevel; },
    get speechStarts() { return speechStarts; },
    get finals() { return finalsSeen; },
    get lastExport() { return lastExport; },
    get shared() { return shared; },
  };
})();
