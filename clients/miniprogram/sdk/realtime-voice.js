/**
 * realtime-voice mini-program SDK: live speech transcription over the realtime-voice WebSocket contract (v1).
 *
 *   const { RealtimeVoice } = require('../../sdk/realtime-voice');
 *   const rv = new RealtimeVoice({ url: 'wss://voice.example.com/api/realtime-voice/stream', getToken: () => myLogin() });
 *   rv.on('partial', (p) => ...); rv.on('final', (f) => ...); rv.on('transcript', (t) => this.setData({ text: t.text }));
 *   // new RealtimeVoice({ ..., wordTimestamps: true }): each final also has words: [{ word, startMs, endMs, confidence }]
 *   // new RealtimeVoice({ ..., hotwords: ['Stella'], punctuation: false, numbers: 'digits', profanity: 'mask' }):
 *   //   recognition favours the hotwords; 'started' events carry options: what the server puts in effect
 *   rv.on('error', (e) => ...); rv.on('reconnected', (r) => { if (!r.recovered) ... });
 *   await rv.start();   // opens the socket (token in the Authorization header), starts the recorder
 *   const done = await rv.stop();   // stops the recorder, sends end, resolves with the completed transcript
 *
 * Streaming controls (server extensions): rv.flush() finalises what was said so far (push-to-talk pauses: its
 * 'final' follows within about 1.5 s and the session goes on); options.endpointingMs (100-5000) is the silence that
 * ends a segment; options.speechEvents: true emits 'speechStarted' ({ sessionId, atMs }) when speech begins.
 *
 * It wraps wx.connectSocket and wx.getRecorderManager() (PCM or MP3 frames via onFrameRecorded), keeps the socket
 * alive with heartbeats, reconnects with jittered exponential backoff, reattaches with `resume` (and keeps the audio
 * the server may not have, bounded), falls back to a new session when the server refuses to resume, and survives
 * the app going to the background. No dependencies: copy this file into the mini-program.
 *
 * Reliability, as the server's extensions define it (docs/protocol.md): binary frames are numbered 0, 1, 2... per
 * session (after a resume, from the `nextSeq` the server names); `{"type":"ack","seq":N}` releases every chunk up to
 * N; `resume` carries `nextSeq` (the first unacked chunk) and is answered by `resumed` with the `nextSeq` to send from.
 * A server without acks or resume works too: then the SDK keeps the last maxBufferBytes of audio, resends only what
 * never left the device, and starts a new session when `resume` is refused (`reconnected` with `recovered: false`).
 */
'use strict';

const STATES = ['idle', 'connecting', 'recording', 'finishing', 'reconnecting'];
const FATAL_CODES = ['UNAUTHORIZED', 'RATE_LIMITED', 'UNSUPPORTED_FORMAT', 'ENGINE_UNAVAILABLE', 'TOO_LARGE'];
/** The contract allows binary frames of 10 ms to 1 s: 1 s of 16 kHz 16-bit mono PCM is 32,000 bytes. */
const MAX_FRAME_BYTES = 32000;

const DEFAULTS = {
  url: '',
  token: null, // a JWT, or use getToken
  getToken: null, // () => token | Promise<token>; called for every connection, so refreshed tokens are used
  tokenIn: 'header', // 'header' (Authorization: Bearer, wx.connectSocket supports it), 'query' (?token=) or 'start'
  format: 'pcm', // 'pcm' (16 kHz 16-bit mono) or 'mp3' (the recorder's MP3 frames; the server must accept it)
  sampleRate: 16000,
  language: undefined,
  engine: undefined,
  interimResults: true,
  wordTimestamps: false, // true: every final carries words: [{ word, startMs, endMs, confidence? }]
  hotwords: undefined, // up to 100 words or names (each at most 32 characters) that recognition should favour
  punctuation: undefined, // true | false; unset: the engine's default (Vosk has none)
  numbers: undefined, // 'words' | 'digits'
  profanity: undefined, // 'keep' | 'mask' | 'remove'
  endpointingMs: undefined, // 100-5000: the silence (ms) that ends a segment; the server's default when unset
  speechEvents: false, // true: 'speechStarted' events when speech begins after silence
  useRecorder: true, // false: feed audio yourself with sendAudio()
  recorder: { frameSize: 4, duration: 600000, numberOfChannels: 1, encodeBitRate: 48000, audioSource: 'auto' },
  heartbeatInterval: 15000, // ms between {"type":"ping"} while connected
  heartbeatTimeout: 10000, // ms without any message after a ping before the socket counts as dead
  reconnect: { retries: 6, minDelay: 500, maxDelay: 8000 },
  resumeTimeout: 5000, // ms to wait for an answer to resume before starting a new session
  maxBufferBytes: 320000, // audio kept for resending: 10 s of 16 kHz PCM
  connectTimeout: 10000,
  wx: null, // defaults to the global wx
  random: Math.random,
};

class RealtimeVoice {
  constructor(options) {
    const o = Object.assign({}, DEFAULTS, options || {});
    o.reconnect = Object.assign({}, DEFAULTS.reconnect, (options && options.reconnect) || {});
    o.recorder = Object.assign({}, DEFAULTS.recorder, (options && options.recorder) || {});
    if (!o.url) {
      throw new Error('realtime-voice: options.url is required (wss://your-domain/api/realtime-voice/stream)');
    }
    if (o.endpointingMs !== undefined && o.endpointingMs !== null
        && !(Number.isInteger(o.endpointingMs) && o.endpointingMs >= 100 && o.endpointingMs <= 5000)) {
      throw new Error('realtime-voice: options.endpointingMs must be an integer from 100 to 5000, got ' + o.endpointingMs);
    }
    this.options = o;
    this.wx = o.wx || (typeof wx !== 'undefined' ? wx : null); // eslint-disable-line no-undef
    if (!this.wx) {
      throw new Error('realtime-voice: no wx object (pass options.wx outside a mini-program)');
    }
    this.listeners = {};
    this.state = 'idle';
    this.task = null; // the current SocketTask
    this.taskSeq = 0;
    this.sessionId = null;
    this.resumeToken = null;
    this.lastIndex = -1; // highest final index seen in the current session
    this.sessions = []; // every session of this recording, in order
    this.segments = []; // { sessionId, index, text, startMs, endMs }; a re-sent index replaces the earlier one
    this.partial = null; // { sessionId, index, text }
    this.buffer = []; // audio not known to be received, in order: { data, sent, seq }
    this.bufferBytes = 0;
    this.nextSeq = 0; // seq of the next chunk sent in the current session
    this.ackSeen = false; // the server acknowledges chunks (then unacked chunks are safe to send again)
    this.endRequested = false; // stop() was called: end goes out once the audio is sent
    this.endSent = false;
    this.flushRequested = false; // flush() was called while the audio could not go: sent after it
    this.recorderActive = false;
    this.recorderPaused = false;
    this.background = false;
    this.attempt = 0;
    this.timers = {};
    this.lastMessageAt = 0;
    this.pendingStart = null; // { resolve, reject } of start()
    this.pendingStop = null; // { resolve, reject } of stop()
    this.awaiting = null; // 'started' | 'resumed'
    this.recovering = null; // { previousSessionId } while a reconnect decides between resume and a new session
    this.hooksInstalled = false;
  }

  // ------------------------------------------------------------------ events

  on(event, fn) {
    (this.listeners[event] = this.listeners[event] || []).push(fn);
    return this;
  }

  off(event, fn) {
    const l = this.listeners[event];
    if (l) {
      this.listeners[event] = fn ? l.filter((f) => f !== fn) : [];
    }
    return this;
  }

  once(event, fn) {
    const wrapper = (payload) => {
      this.off(event, wrapper);
      fn(payload);
    };
    return this.on(event, wrapper);
  }

  emit(event, payload) {
    (this.listeners[event] || []).slice().forEach((fn) => {
      try {
        fn(payload);
      } catch (e) {
        if (event !== 'listenerError') {
          this.emit('listenerError', { event, error: e });
        }
      }
    });
  }

  setState(state) {
    if (this.state !== state) {
      this.state = state;
      this.emit('state', state);
    }
  }

  // ------------------------------------------------------------------ public API

  /** Opens a session and starts recording; resolves with { sessionId } once the server said 'started'. */
  start() {
    if (this.state !== 'idle') {
      return Promise.reject(new Error('realtime-voice: already ' + this.state));
    }
    this.installAppHooks();
    this.sessionId = null;
    this.resumeToken = null;
    this.lastIndex = -1;
    this.sessions = [];
    this.segments = [];
    this.partial = null;
    this.buffer = [];
    this.bufferBytes = 0;
    this.nextSeq = 0;
    this.ackSeen = false;
    this.endRequested = false;
    this.endSent = false;
    this.attempt = 0;
    this.recovering = null;
    this.setState('connecting');
    const promise = new Promise((resolve, reject) => {
      this.pendingStart = { resolve, reject };
    });
    promise.catch(() => {}); // the 'error' event reports failures too: an ignored promise must not be "unhandled"
    this.connect();
    if (this.options.useRecorder) {
      this.startRecorder();
    }
    return promise;
  }

  /** Stops recording, sends end once the audio is out, and resolves with the completed transcript. */
  stop() {
    if (this.state === 'idle') {
      return Promise.reject(new Error('realtime-voice: not started'));
    }
    if (this.pendingStop) {
      return this.pendingStop.promise;
    }
    let handle;
    const promise = new Promise((resolve, reject) => {
      handle = { resolve, reject };
    });
    handle.promise = promise;
    promise.catch(() => {});
    this.pendingStop = handle;
    this.endRequested = true;
    if (this.state === 'recording') {
      this.setState('finishing');
    }
    if (this.recorderActive) {
      this.recorder.stop(); // the last frame arrives with isLastFrame, then onStop: end goes out after it
    } else {
      this.maybeSendEnd();
    }
    return promise;
  }

  /**
   * Finalises what was said so far (a push-to-talk pause): the audio recorded until now goes out, then
   * {"type":"flush"}; its 'final' follows and the session goes on. While reconnecting, the flush waits and follows
   * the audio. Returns false when there is no session to flush.
   */
  flush() {
    if (this.state !== 'recording' && this.state !== 'reconnecting' && this.state !== 'connecting') {
      return false;
    }
    this.flushRequested = true;
    this.flushAudio();
    return true;
  }

  /** Gives up on the session: stops the recorder and closes the socket without waiting for results. */
  cancel() {
    this.finish(null, { code: 'CANCELLED', message: 'cancelled by the app', fatal: true }, true);
  }

  /** cancel() and removes the app hooks: call from the page's onUnload. */
  destroy() {
    this.cancel();
    if (this.hooksInstalled) {
      if (this.wx.offAppHide) {
        this.wx.offAppHide(this.onHide);
      }
      if (this.wx.offAppShow) {
        this.wx.offAppShow(this.onShow);
      }
      this.hooksInstalled = false;
    }
    this.listeners = {};
  }

  /** Audio from another source (options.useRecorder false): 16 kHz 16-bit mono PCM, or MP3 frames. */
  sendAudio(arrayBuffer) {
    if (this.state === 'idle') {
      return;
    }
    this.enqueueAudio(arrayBuffer);
  }

  /** The transcript so far: every final of this recording (across sessions) and the current partial. */
  get text() {
    return this.transcript().text;
  }

  transcript() {
    const finals = this.segments.map((s) => s.text).filter((t) => t).join(' ');
    const partial = this.partial ? this.partial.text : '';
    return { finals, partial, text: [finals, partial].filter((t) => t).join(' ') };
  }

  // ------------------------------------------------------------------ socket

  connect() {
    const seq = ++this.taskSeq;
    Promise.resolve()
      .then(() => (this.options.getToken ? this.options.getToken() : this.options.token))
      .then((token) => {
        if (seq !== this.taskSeq || this.state === 'idle') {
          return; // superseded or cancelled meanwhile
        }
        this.token = token;
        this.openSocket(token);
      }, (e) => {
        if (seq === this.taskSeq) {
          this.finish(null, { code: 'UNAUTHORIZED', message: 'getToken failed: ' + (e && e.message ? e.message : e), fatal: true });
        }
      });
  }

  openSocket(token) {
    let url = this.options.url;
    const header = {};
    if (token && this.options.tokenIn === 'header') {
      header.Authorization = 'Bearer ' + token;
    } else if (token && this.options.tokenIn === 'query') {
      url += (url.indexOf('?') >= 0 ? '&' : '?') + 'token=' + encodeURIComponent(token);
    }
    let task = null;
    // fail may be called before connectSocket returns: handle it once `task` is known.
    const failed = (reason) => setTimeout(() => this.onSocketGone(task, { code: 1006, reason }), 0);
    try {
      task = this.wx.connectSocket({
        url,
        header,
        timeout: this.options.connectTimeout,
        tcpNoDelay: true,
        fail: (res) => failed((res && res.errMsg) || 'connectSocket failed'),
      });
    } catch (e) {
      task = { send() {}, close() {}, onOpen() {}, onMessage() {}, onClose() {}, onError() {} };
      failed('connectSocket threw: ' + (e && e.message ? e.message : e));
    }
    this.task = task;
    task.onOpen(() => this.onSocketOpen(task));
    task.onMessage((res) => this.onSocketMessage(task, res));
    task.onClose((res) => this.onSocketGone(task, res || {}));
    task.onError((res) => this.onSocketGone(task, { code: 1006, reason: (res && res.errMsg) || 'socket error' }));
  }

  onSocketOpen(task) {
    if (task !== this.task) {
      return;
    }
    this.lastMessageAt = Date.now();
    this.startHeartbeat();
    if (this.recovering && this.sessionId && this.resumeToken) {
      this.awaiting = 'resumed';
      const unacked = this.buffer.find((e) => e.sent);
      const resume = { type: 'resume', sessionId: this.sessionId, resumeToken: this.resumeToken, lastIndex: this.lastIndex,
        nextSeq: unacked ? unacked.seq : this.nextSeq };
      if (this.token && this.options.tokenIn === 'start') {
        resume.token = this.token;
      }
      this.send(resume);
      this.setTimer('resume', this.options.resumeTimeout, () => {
        if (this.awaiting === 'resumed') {
          this.fallBackToNewSession('no answer to resume within ' + this.options.resumeTimeout + ' ms');
        }
      });
    } else {
      this.sendStart();
    }
  }

  sendStart() {
    this.awaiting = 'started';
    const start = { type: 'start', format: this.options.format, sampleRate: this.options.sampleRate, interimResults: this.options.interimResults };
    if (this.options.language) {
      start.language = this.options.language;
    }
    if (this.options.engine) {
      start.engine = this.options.engine;
    }
    if (this.options.wordTimestamps) {
      start.wordTimestamps = true; // sent only when asked: a server that predates it ignores unknown fields anyway
    }
    // hotwords and output controls (issue 22): sent only when set; the server answers what is in effect
    if (Array.isArray(this.options.hotwords) && this.options.hotwords.length > 0) {
      start.hotwords = this.options.hotwords.slice();
    }
    ['punctuation', 'numbers', 'profanity'].forEach((k) => {
      if (this.options[k] !== undefined && this.options[k] !== null) {
        start[k] = this.options[k];
      }
    });
    if (this.options.endpointingMs !== undefined && this.options.endpointingMs !== null) {
      start.endpointingMs = this.options.endpointingMs;
    }
    if (this.options.speechEvents) {
      start.speechEvents = true;
    }
    if (this.token && this.options.tokenIn === 'start') {
      start.token = this.token;
    }
    this.send(start);
  }

  onSocketMessage(task, res) {
    if (task !== this.task) {
      return;
    }
    this.lastMessageAt = Date.now();
    if (typeof res.data !== 'string') {
      return;
    }
    let m;
    try {
      m = JSON.parse(res.data);
    } catch (e) {
      return;
    }
    switch (m.type) {
      case 'started':
        if (this.awaiting === 'resumed' && m.sessionId === this.sessionId) {
          this.onResumed(m);
        } else {
          this.onStarted(m);
        }
        break;
      case 'resumed':
        this.onResumed(m);
        break;
      case 'partial':
        if (m.sessionId && m.sessionId !== this.sessionId) {
          return;
        }
        this.partial = { sessionId: this.sessionId, index: m.index, text: m.text };
        this.emit('partial', { sessionId: this.sessionId, index: m.index, text: m.text });
        this.emitTranscript();
        break;
      case 'final':
        this.onFinal(m);
        break;
      case 'speech_started':
        if (m.sessionId && m.sessionId !== this.sessionId) {
          return;
        }
        this.emit('speechStarted', { sessionId: this.sessionId, atMs: m.atMs });
        break;
      case 'ack':
        this.onAck(m.seq);
        break;
      case 'completed':
        this.onCompleted(m);
        break;
      case 'error':
        this.onServerError(m);
        break;
      default:
        break; // pong and future types
    }
  }

  onStarted(m) {
    this.clearTimer('resume');
    this.awaiting = null;
    const previous = this.recovering;
    this.recovering = null;
    this.sessionId = m.sessionId;
    this.resumeToken = m.resumeToken;
    this.lastIndex = -1;
    this.nextSeq = 0;
    this.ackSeen = false;
    this.endSent = false;
    this.partial = null;
    this.sessions.push(m.sessionId);
    this.attempt = 0;
    this.setState(this.endRequested ? 'finishing' : 'recording');
    if (previous) {
      this.emit('reconnected', { recovered: false, sessionId: m.sessionId, previousSessionId: previous.previousSessionId, reason: previous.reason });
    } else {
      // options: what of wordTimestamps, hotwords, punctuation, numbers, profanity the server puts in effect
      this.emit('started', m.options ? { sessionId: m.sessionId, options: m.options } : { sessionId: m.sessionId });
    }
    if (this.pendingStart) {
      this.pendingStart.resolve({ sessionId: m.sessionId });
      this.pendingStart = null;
    }
    this.flushAudio();
    this.maybeSendEnd();
  }

  onResumed(m) {
    this.clearTimer('resume');
    this.awaiting = null;
    this.recovering = null;
    this.attempt = 0;
    if (m.resumeToken) {
      this.resumeToken = m.resumeToken;
    }
    // Send again from the chunk the server names (it drops by seq what it already has); without a name, from the
    // first chunk it has not acknowledged.
    const unacked = this.buffer.find((e) => e.sent);
    const from = typeof m.nextSeq === 'number' ? m.nextSeq : (unacked ? unacked.seq : this.nextSeq);
    this.buffer = this.buffer.filter((e) => {
      if (e.sent && e.seq < from) {
        return false;
      }
      e.sent = false;
      return true;
    });
    this.nextSeq = from;
    this.recount();
    if (this.endSent) {
      this.endSent = false; // the old socket's end may not have arrived
    }
    this.setState(this.endRequested ? 'finishing' : 'recording');
    this.emit('reconnected', { recovered: true, sessionId: this.sessionId, lastIndex: this.lastIndex });
    this.flushAudio();
    this.maybeSendEnd();
  }

  fallBackToNewSession(reason) {
    this.clearTimer('resume');
    const previousSessionId = this.sessionId;
    this.recovering = { previousSessionId, reason };
    this.partial = null;
    // What the old session got was finalised by the server when the socket dropped (GET /api/sessions/{id} has it).
    // The new session gets the audio the old one never had: with acks, every unacked chunk; without, only the
    // audio that never left this device (anything else might be said twice).
    this.buffer = this.buffer.filter((e) => this.ackSeen || !e.sent);
    this.buffer.forEach((e) => {
      e.sent = false;
    });
    this.recount();
    if (this.endRequested && this.buffer.length === 0 && !this.recorderActive) {
      // Nothing left to say: finish locally with what was heard.
      this.emit('reconnected', { recovered: false, sessionId: null, previousSessionId, reason });
      this.recovering = null;
      this.complete({ sessionId: previousSessionId, incomplete: true });
      return;
    }
    this.sendStart();
  }

  onFinal(m) {
    if (m.sessionId && m.sessionId !== this.sessionId) {
      return;
    }
    const seg = { sessionId: this.sessionId, index: m.index, text: m.text, startMs: m.startMs, endMs: m.endMs };
    if (Array.isArray(m.words)) {
      seg.words = m.words; // only when wordTimestamps was asked for: times in the session's audio, inside the final
    }
    const at = this.segments.findIndex((s) => s.sessionId === seg.sessionId && s.index === seg.index);
    if (at >= 0) {
      this.segments[at] = seg; // a re-sent final replaces the earlier one
    } else {
      this.segments.push(seg);
      this.segments.sort((a, b) => (a.sessionId === b.sessionId ? a.index - b.index : this.sessions.indexOf(a.sessionId) - this.sessions.indexOf(b.sessionId)));
    }
    if (m.index > this.lastIndex) {
      this.lastIndex = m.index;
    }
    if (this.partial && this.partial.index <= m.index) {
      this.partial = null;
    }
    this.emit('final', seg);
    this.emitTranscript();
  }

  onAck(seq) {
    if (typeof seq !== 'number') {
      return;
    }
    this.ackSeen = true;
    this.buffer = this.buffer.filter((e) => !(e.sent && e.seq <= seq));
    this.recount();
  }

  onCompleted(m) {
    if (m.sessionId && m.sessionId !== this.sessionId) {
      return;
    }
    this.complete({ sessionId: m.sessionId, sessionText: m.text, sessionSegments: m.segments });
  }

  complete(extra) {
    this.partial = null;
    const t = this.transcript();
    const result = Object.assign({
      text: t.finals,
      segments: this.segments.length,
      sessions: this.sessions.slice(),
      recovered: this.sessions.length <= 1 && !extra.incomplete,
    }, extra);
    this.finish(result, null, true);
  }

  onServerError(m) {
    const code = m.code || 'INTERNAL';
    if (this.awaiting === 'resumed') {
      // SESSION_NOT_FOUND today: the server cannot reattach. Anything else to a resume means the same here.
      this.emit('error', { code, message: m.message, fatal: false, during: 'resume' });
      this.fallBackToNewSession(code + (m.message ? ': ' + m.message : ''));
      return;
    }
    if (code === 'SESSION_NOT_FOUND' && this.sessionId && this.state !== 'idle') {
      // The server lost this session's state: go on in a new one.
      this.emit('error', { code, message: m.message, fatal: false });
      this.buffer = [];
      this.recount();
      this.recovering = { previousSessionId: this.sessionId, reason: code };
      this.sendStart();
      return;
    }
    const fatal = FATAL_CODES.indexOf(code) >= 0 || this.awaiting === 'started';
    if (fatal) {
      this.finish(null, { code, message: m.message, fatal: true }, true);
    } else {
      this.emit('error', { code, message: m.message, fatal: false });
    }
  }

  onSocketGone(task, res) {
    if (task !== this.task) {
      return;
    }
    this.task = null;
    this.stopHeartbeat();
    this.clearTimer('resume');
    if (this.state === 'idle') {
      return;
    }
    const code = res.code || 1006;
    // 1008: refused (bad token). 4001 (token expired) and 1012 (node restarting) are worth a reconnect: getToken is
    // asked again, and the session resumes on any node.
    if (code === 1008) {
      this.finish(null, { code: 'UNAUTHORIZED', message: 'the server closed the socket: ' + (res.reason || 'policy violation'), fatal: true });
      return;
    }
    // Whatever was handed to the dead socket may be lost: mark the resume path.
    if (this.sessionId) {
      this.recovering = this.recovering || { previousSessionId: this.sessionId, reason: 'connection lost (' + code + ')' };
    }
    this.awaiting = null;
    this.scheduleReconnect(res.reason || 'connection lost', code);
  }

  scheduleReconnect(reason, code) {
    this.setState('reconnecting');
    if (this.background) {
      this.reconnectWhenShown = true; // WeChat cuts sockets in the background: retry when the app is back
      return;
    }
    const r = this.options.reconnect;
    if (this.attempt >= r.retries) {
      this.finish(null, { code: 'CONNECTION_LOST', message: 'gave up after ' + this.attempt + ' reconnect attempts: ' + reason, fatal: true });
      return;
    }
    this.attempt += 1;
    const cap = Math.min(r.maxDelay, r.minDelay * Math.pow(2, this.attempt - 1));
    const delay = Math.round(cap / 2 + this.options.random() * cap / 2); // "equal jitter": never all at once
    this.emit('reconnecting', { attempt: this.attempt, delay, reason, code });
    this.setTimer('reconnect', delay, () => this.connect());
  }

  send(obj) {
    if (!this.task) {
      return false;
    }
    this.task.send({ data: JSON.stringify(obj) });
    return true;
  }

  // ------------------------------------------------------------------ audio

  startRecorder() {
    if (!this.recorder) {
      this.recorder = this.wx.getRecorderManager();
      this.recorder.onFrameRecorded((res) => {
        if (res.frameBuffer && res.frameBuffer.byteLength) {
          this.enqueueAudio(res.frameBuffer);
        }
      });
      this.recorder.onStop(() => {
        this.recorderActive = false;
        this.recorderPaused = false;
        if (this.state !== 'idle') {
          this.endRequested = true; // stopped by stop(), or by WeChat at options.recorder.duration
          if (this.state === 'recording') {
            this.setState('finishing');
          }
          this.maybeSendEnd();
        }
      });
      this.recorder.onPause(() => {
        this.recorderPaused = true;
      });
      this.recorder.onResume(() => {
        this.recorderPaused = false;
      });
      if (this.recorder.onInterruptionBegin) {
        this.recorder.onInterruptionBegin(() => {
          this.recorderPaused = true;
          this.emit('interrupted', { source: 'recorder' });
        });
      }
      if (this.recorder.onInterruptionEnd) {
        this.recorder.onInterruptionEnd(() => this.resumeRecorder());
      }
      this.recorder.onError((res) => {
        this.emit('error', { code: 'RECORDER', message: (res && res.errMsg) || 'recorder error', fatal: false });
      });
    }
    const r = this.options.recorder;
    this.recorderActive = true;
    this.recorderPaused = false;
    this.recorder.start({
      format: this.options.format === 'mp3' ? 'mp3' : 'PCM',
      sampleRate: this.options.sampleRate,
      numberOfChannels: r.numberOfChannels,
      encodeBitRate: r.encodeBitRate,
      frameSize: r.frameSize,
      duration: r.duration,
      audioSource: r.audioSource,
    });
  }

  resumeRecorder() {
    if (this.recorderActive && this.recorderPaused) {
      this.recorder.resume();
    }
  }

  enqueueAudio(data) {
    // The contract takes frames up to 1 s; PCM frames stay whole samples.
    const pcm = this.options.format === 'pcm';
    let offset = 0;
    while (offset < data.byteLength) {
      let end = Math.min(data.byteLength, offset + MAX_FRAME_BYTES);
      if (pcm && (end - offset) % 2 === 1) {
        end -= 1;
      }
      if (end <= offset) {
        break;
      }
      const piece = offset === 0 && end === data.byteLength ? data : data.slice(offset, end);
      this.buffer.push({ data: piece, sent: false, seq: -1 });
      this.bufferBytes += piece.byteLength;
      offset = end;
    }
    this.trimBuffer();
    this.flushAudio();
  }

  trimBuffer() {
    const max = this.options.maxBufferBytes;
    // First forget audio already handed to the socket (kept only in case the server asks for it again) ...
    while (this.bufferBytes > max) {
      const i = this.buffer.findIndex((e) => e.sent);
      if (i < 0) {
        break;
      }
      this.bufferBytes -= this.buffer[i].data.byteLength;
      this.buffer.splice(i, 1);
    }
    // ... then, if still over (a long outage), the oldest unsent audio, and say so.
    let dropped = 0;
    while (this.bufferBytes > max && this.buffer.length) {
      const e = this.buffer.shift();
      this.bufferBytes -= e.data.byteLength;
      dropped += e.data.byteLength;
    }
    if (dropped) {
      this.emit('overflow', { droppedBytes: dropped, maxBufferBytes: max });
    }
  }

  recount() {
    this.bufferBytes = this.buffer.reduce((n, e) => n + e.data.byteLength, 0);
  }

  canSendAudio() {
    return this.task && this.awaiting === null && this.sessionId && !this.endSent
      && (this.state === 'recording' || this.state === 'finishing');
  }

  flushAudio() {
    if (!this.canSendAudio()) {
      return;
    }
    const task = this.task;
    for (const e of this.buffer) {
      if (e.sent) {
        continue;
      }
      e.sent = true;
      e.seq = this.nextSeq++;
      task.send({
        data: e.data,
        fail: () => {
          e.sent = false; // never left: goes again after the reconnect
        },
      });
    }
    this.trimBuffer();
    if (this.flushRequested) {
      this.flushRequested = false;
      this.send({ type: 'flush' }); // after the audio it finalises, in order on the socket
    }
  }

  maybeSendEnd() {
    if (!this.endRequested || this.endSent || this.recorderActive || !this.canSendAudio()) {
      return;
    }
    this.flushAudio();
    this.endSent = true;
    this.send({ type: 'end' });
  }

  // ------------------------------------------------------------------ heartbeat, background

  startHeartbeat() {
    this.stopHeartbeat();
    const { heartbeatInterval, heartbeatTimeout } = this.options;
    this.timers.heartbeat = setInterval(() => {
      if (!this.task) {
        return;
      }
      if (Date.now() - this.lastMessageAt > heartbeatInterval + heartbeatTimeout) {
        // Nothing, not even a pong, for too long: the socket is dead even if nobody told us.
        const task = this.task;
        try {
          task.close({ code: 4000, reason: 'heartbeat timeout' });
        } catch (e) {
          // closing a dead socket may throw
        }
        this.onSocketGone(task, { code: 1006, reason: 'heartbeat timeout' });
        return;
      }
      this.send({ type: 'ping' });
    }, heartbeatInterval);
  }

  stopHeartbeat() {
    if (this.timers.heartbeat) {
      clearInterval(this.timers.heartbeat);
      this.timers.heartbeat = null;
    }
  }

  installAppHooks() {
    if (this.hooksInstalled) {
      return;
    }
    this.onHide = () => {
      this.background = true;
      this.emit('background', {});
    };
    this.onShow = () => {
      this.background = false;
      this.emit('foreground', {});
      if (this.state === 'idle') {
        return;
      }
      this.resumeRecorder();
      if (this.reconnectWhenShown || !this.task) {
        this.reconnectWhenShown = false;
        this.attempt = 0;
        this.clearTimer('reconnect');
        this.connect();
      } else {
        this.lastMessageAt = Math.min(this.lastMessageAt, Date.now() - this.options.heartbeatInterval);
        this.send({ type: 'ping' }); // is the socket still alive after the pause? the heartbeat will tell
      }
    };
    if (this.wx.onAppHide) {
      this.wx.onAppHide(this.onHide);
    }
    if (this.wx.onAppShow) {
      this.wx.onAppShow(this.onShow);
    }
    this.hooksInstalled = true;
  }

  // ------------------------------------------------------------------ ending

  finish(result, error, closeSocket) {
    if (this.state === 'idle') {
      return;
    }
    Object.keys(this.timers).forEach((k) => this.clearTimer(k));
    this.stopHeartbeat();
    this.awaiting = null;
    this.recovering = null;
    this.reconnectWhenShown = false;
    if (this.recorderActive) {
      this.recorderActive = false;
      try {
        this.recorder.stop();
      } catch (e) {
        // already stopped
      }
    }
    const task = this.task;
    this.task = null;
    if (task && closeSocket) {
      try {
        task.close({ code: 1000, reason: result ? 'completed' : 'closing' });
      } catch (e) {
        // already closed
      }
    }
    this.setState('idle');
    if (error) {
      this.emit('error', error);
      const failure = () => Object.assign(new Error(error.code + ': ' + (error.message || '')), { code: error.code, fatal: error.fatal });
      if (this.pendingStart) {
        this.pendingStart.reject(failure());
      }
      if (this.pendingStop) {
        this.pendingStop.reject(failure());
      }
    } else {
      this.emit('completed', result);
      if (this.pendingStart) {
        this.pendingStart.resolve({ sessionId: result.sessionId });
      }
      if (this.pendingStop) {
        this.pendingStop.resolve(result);
      }
    }
    this.pendingStart = null;
    this.pendingStop = null;
  }

  emitTranscript() {
    this.emit('transcript', this.transcript());
  }

  setTimer(name, ms, fn) {
    this.clearTimer(name);
    this.timers[name] = setTimeout(() => {
      this.timers[name] = null;
      fn();
    }, ms);
  }

  clearTimer(name) {
    if (this.timers[name]) {
      clearTimeout(this.timers[name]);
      clearInterval(this.timers[name]);
      this.timers[name] = null;
    }
  }
}

RealtimeVoice.STATES = STATES;
RealtimeVoice.MAX_FRAME_BYTES = MAX_FRAME_BYTES;

/**
 * Live captions: follows a session someone shares (POST /api/sessions/{id}/watchers gives the link).
 *
 *   const w = watch('wss://voice.example.com/api/realtime-voice/watch?token=...');
 *   w.on('final', (f) => ...); w.on('partial', (p) => ...); w.on('transcript', (t) => this.setData({ text: t.text }));
 *   const done = await w.done;   // { text, segments } once the session completes; rejects if the link is refused
 *
 * The finals so far arrive first, then live ones, each once and in index order. A dropped connection is reconnected
 * (jittered backoff) with lastIndex, so nothing is missed or repeated. Close 4001 (revoked), 1013 (a limit), 1008
 * (too slow) and a refused handshake end it with an 'error'. Read-only: nothing is ever sent but pings.
 */
class CaptionWatch {
  constructor(options) {
    this.options = Object.assign({ url: '', wx: null, reconnect: { retries: 6, minDelay: 500, maxDelay: 8000 },
      heartbeatInterval: 15000, connectTimeout: 10000, random: Math.random }, options || {});
    this.wx = this.options.wx || (typeof wx !== 'undefined' ? wx : null); // eslint-disable-line no-undef
    if (!this.wx) throw new Error('no wx: pass options.wx');
    if (!/^wss?:\/\/.+\/api\/realtime-voice\/watch\?/.test(this.options.url)) {
      throw new Error('url must be a watch link ws(s)://HOST/api/realtime-voice/watch?token=...');
    }
    this.listeners = {};
    this.finals = {};
    this.lastIndex = -1;
    this.attempt = 0;
    this.ended = false;
    this.task = null;
    this.done = new Promise((resolve, reject) => { this.resolveDone = resolve; this.rejectDone = reject; });
    this.done.catch(() => {}); // a caller that never awaits it must not see an unhandled rejection
  }

  on(event, fn) { return RealtimeVoice.prototype.on.call(this, event, fn); }
  off(event, fn) { return RealtimeVoice.prototype.off.call(this, event, fn); }
  emit(event, payload) { return RealtimeVoice.prototype.emit.call(this, event, payload); }

  start() {
    const url = this.options.url + (this.lastIndex >= 0 ? '&lastIndex=' + this.lastIndex : '');
    const task = this.wx.connectSocket({ url, timeout: this.options.connectTimeout, fail: () => this.gone(task, { code: 1006 }) });
    this.task = task;
    task.onOpen(() => {
      this.attempt = 0;
      this.opened = true;
      this.emit('open', { lastIndex: this.lastIndex });
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => this.task === task && task.send({ data: '{"type":"ping"}' }), this.options.heartbeatInterval);
    });
    task.onMessage((res) => this.message(task, res));
    task.onClose((res) => this.gone(task, res || {}));
    task.onError(() => this.gone(task, { code: 1006 }));
    return this;
  }

  stop() {
    this.end(null);
    if (this.task) this.task.close({ code: 1000 });
  }

  message(task, res) {
    if (task !== this.task) return;
    let m;
    try { m = JSON.parse(res.data); } catch (e) { return; }
    if (m.type === 'final') {
      if (m.index <= this.lastIndex) return;
      this.lastIndex = m.index;
      this.finals[m.index] = m.text;
      this.emit('final', m);
      this.emit('transcript', { text: this.text() });
    } else if (m.type === 'partial') {
      this.emit('partial', m);
      this.emit('transcript', { text: this.text(), partial: m.text });
    } else if (m.type === 'completed') {
      this.end(null, { text: m.text, segments: m.segments, sessionId: m.sessionId });
    } else if (m.type === 'error') {
      this.emit('error', m);
    }
  }

  text() {
    return Object.keys(this.finals).map(Number).sort((a, b) => a - b).map((i) => this.finals[i]).join(' ');
  }

  gone(task, res) {
    if (task !== this.task || this.ended) return;
    this.task = null;
    clearInterval(this.heartbeat);
    const code = res.code || 1006;
    if (code === 1000) return this.end(null, { text: this.text() });
    if (code === 4001 || code === 1008 || code === 1013) {
      return this.end({ code: code === 4001 ? 'UNAUTHORIZED' : code === 1013 ? 'OVERLOADED' : 'TOO_SLOW', closeCode: code,
        message: code === 4001 ? 'the watch link was revoked or is invalid' : 'closed by the server (' + code + ')' });
    }
    if (!this.opened) { // never connected: an invalid or expired link is refused at the handshake
      return this.end({ code: 'UNAUTHORIZED', closeCode: code, message: 'could not open the watch link: it may be invalid or expired' });
    }
    const r = this.options.reconnect;
    if (++this.attempt > r.retries) {
      return this.end({ code: 'DISCONNECTED', closeCode: code, message: 'the connection was lost' });
    }
    const delay = Math.min(r.maxDelay, r.minDelay * Math.pow(2, this.attempt - 1)) * (0.5 + this.options.random() / 2);
    this.emit('reconnecting', { attempt: this.attempt, lastIndex: this.lastIndex, code });
    setTimeout(() => !this.ended && this.start(), delay);
  }

  end(error, result) {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    if (error) {
      this.emit('error', error);
      this.rejectDone(Object.assign(new Error(error.message), error));
    } else {
      if (result) this.emit('completed', result);
      this.resolveDone(result || { text: this.text() });
    }
  }
}

/** Starts watching a shared session's live captions: see CaptionWatch. */
function watch(url, options) {
  return new CaptionWatch(Object.assign({}, options, { url })).start();
}

module.exports = { RealtimeVoice, CaptionWatch, watch };
