'use strict';
// The SDK against the wx mock and an in-process fake of the contract's server: every path, including the ones the
// real server cannot produce yet (a resume it accepts, chunk acks).
const test = require('node:test');
const assert = require('node:assert/strict');
const { RealtimeVoice } = require('../sdk/realtime-voice');
const { createWx } = require('./wx-mock');
const { FakeServer } = require('./fake-server');

const URL = 'wss://voice.example.com/api/realtime-voice/stream';

async function until(what, cond, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function next(rv, event) {
  return new Promise((resolve) => rv.once(event, resolve));
}

function record(rv, events) {
  const seen = [];
  events.forEach((e) => rv.on(e, (p) => seen.push([e, p])));
  return seen;
}

function bytes(n, fill = 1) {
  return new Uint8Array(n).fill(fill).buffer;
}

const clients = [];
// A failed assertion must not leave a client's heartbeat keeping the process alive.
test.afterEach(() => {
  clients.splice(0).forEach((rv) => rv.destroy());
});

function setup(serverOptions = {}, sdkOptions = {}) {
  const wx = createWx();
  const server = new FakeServer(wx, serverOptions);
  const rv = new RealtimeVoice(Object.assign({
    url: URL, token: 'jwt-1', wx,
    heartbeatInterval: 1000, heartbeatTimeout: 1000,
    reconnect: { retries: 4, minDelay: 5, maxDelay: 40 },
    resumeTimeout: 200,
  }, sdkOptions));
  clients.push(rv);
  return { wx, server, rv };
}

test('sends the token in the handshake header, start, the recorder frames after started, then end', async () => {
  const { wx, rv } = setup();
  const states = [];
  rv.on('state', (s) => states.push(s));
  const started = rv.start();
  assert.equal(wx.tasks.length, 0, 'the token may come from a promise: the socket opens on the next tick');
  await until('a socket', () => wx.tasks.length === 1);
  const task = wx.lastTask;
  assert.equal(task.url, URL);
  assert.deepEqual(task.header, { Authorization: 'Bearer jwt-1' });
  assert.deepEqual(wx.recorder.starts[0], {
    format: 'PCM', sampleRate: 16000, numberOfChannels: 1, encodeBitRate: 48000, frameSize: 4, duration: 600000, audioSource: 'auto',
  });
  wx.recorder.frame(bytes(3200, 7)); // recorded before 'started': kept and sent after it
  const { sessionId } = await started;
  assert.equal(sessionId, 'session-1');
  const start = task.messages()[0];
  assert.deepEqual(start, { type: 'start', format: 'pcm', sampleRate: 16000, interimResults: true });
  assert.equal(task.audio().length, 1);
  wx.recorder.frame(bytes(3200, 8));
  assert.equal(task.audio().length, 2);
  const done = await rv.stop();
  assert.equal(done.text, 'heard 6400 bytes');
  assert.equal(done.sessionId, 'session-1');
  assert.equal(done.recovered, true);
  assert.deepEqual(task.messages().map((m) => m.type), ['start', 'end']);
  assert.equal(task.closedBy.side, 'client');
  assert.equal(task.closedBy.code, 1000);
  assert.deepEqual(states, ['connecting', 'recording', 'finishing', 'idle']);
});

test('the token can also go in the query or the start message, and getToken is asked on every connection', async () => {
  let calls = 0;
  const { wx, rv } = setup({}, { token: null, getToken: () => Promise.resolve('tok-' + (++calls)), tokenIn: 'query', useRecorder: false });
  await rv.start();
  assert.equal(wx.lastTask.url, URL + '?token=tok-1');
  assert.deepEqual(wx.lastTask.header, {});
  rv.cancel();

  const b = setup({}, { tokenIn: 'start', useRecorder: false });
  await b.rv.start();
  assert.equal(b.wx.lastTask.messages()[0].token, 'jwt-1');
  b.rv.cancel();
});

test('partials and finals build the transcript; a re-sent final replaces the earlier one', async () => {
  const { wx, server, rv } = setup({ finalsOnEnd: () => [] }, { useRecorder: false });
  const transcripts = [];
  rv.on('transcript', (t) => transcripts.push(t.text));
  await rv.start();
  const task = wx.lastTask;
  server.partial(task, 'the wea');
  server.partial(task, 'the weather is');
  assert.equal(rv.text, 'the weather is');
  server.final(task, 'the weather is nice');
  server.partial(task, 'to');
  assert.deepEqual(rv.transcript(), { finals: 'the weather is nice', partial: 'to', text: 'the weather is nice to' });
  task.serverSend({ type: 'final', sessionId: 'session-1', index: 0, text: 'the weather is nice today', startMs: 0, endMs: 1900 });
  assert.equal(rv.transcript().finals, 'the weather is nice today');
  assert.equal(rv.segments.length, 1);
  // the partial of segment 1 stays: only a final of its own index (or a later one) replaces it
  assert.deepEqual(transcripts, ['the wea', 'the weather is', 'the weather is nice', 'the weather is nice to', 'the weather is nice today to']);
  const done = await rv.stop();
  assert.equal(done.text, 'the weather is nice today');
  assert.equal(done.segments, 1);
});

test('hotwords and output controls: sent in start only when set, and the options in effect reach the started event', async () => {
  const { wx, rv } = setup({ finalsOnEnd: () => [] },
    { useRecorder: false, hotwords: ['Stella', 'Dashwood'], punctuation: true, numbers: 'digits', profanity: 'mask' });
  const started = [];
  rv.on('started', (s) => started.push(s));
  await rv.start();
  const start = wx.lastTask.messages()[0];
  assert.deepEqual(start.hotwords, ['Stella', 'Dashwood']);
  assert.equal(start.punctuation, true);
  assert.equal(start.numbers, 'digits');
  assert.equal(start.profanity, 'mask');
  assert.deepEqual(started[0].options,
    { wordTimestamps: false, hotwords: ['Stella', 'Dashwood'], punctuation: false, numbers: 'digits', profanity: 'mask' });
  rv.cancel();

  const b = setup({ finalsOnEnd: () => [] }, { useRecorder: false });
  const plain = [];
  b.rv.on('started', (s) => plain.push(s));
  await b.rv.start();
  const bare = b.wx.lastTask.messages()[0];
  ['hotwords', 'punctuation', 'numbers', 'profanity'].forEach((k) => assert.equal(k in bare, false, k));
  assert.equal('options' in plain[0], false);
  b.rv.cancel();
});

test('streaming controls: endpointingMs and speechEvents in start, flush() after the audio, speechStarted events', async () => {
  const { wx, server, rv } = setup({ finalOnFlush: true, finalsOnEnd: () => [] }, { useRecorder: false, endpointingMs: 800, speechEvents: true });
  const seen = record(rv, ['speechStarted', 'final']);
  assert.equal(rv.flush(), false, 'nothing to flush before start');
  await rv.start();
  const task = wx.lastTask;
  assert.deepEqual(task.messages()[0], { type: 'start', format: 'pcm', sampleRate: 16000, interimResults: true, endpointingMs: 800, speechEvents: true });
  task.serverSend({ type: 'speech_started', sessionId: 'session-1', atMs: 420 });
  task.serverSend({ type: 'speech_started', sessionId: 'another-session', atMs: 1 }); // not this session's: ignored
  rv.sendAudio(bytes(3200));
  assert.equal(rv.flush(), true);
  rv.sendAudio(bytes(3200));
  // the flush goes right after the audio recorded before it
  assert.deepEqual(task.sent.map((d) => (typeof d === 'string' ? JSON.parse(d).type : d.byteLength)), ['start', 3200, 'flush', 3200]);
  assert.deepEqual(seen, [
    ['speechStarted', { sessionId: 'session-1', atMs: 420 }],
    ['final', { sessionId: 'session-1', index: 0, text: 'flushed at 3200 bytes', startMs: 0, endMs: 900 }],
  ]);
  const done = await rv.stop();
  assert.equal(done.text, 'flushed at 3200 bytes');
  assert.equal(server.flushes, 1);
});

test('a flush while reconnecting waits and follows the audio', async () => {
  const { wx, server, rv } = setup({ resume: 'accept', finalOnFlush: true, finalsOnEnd: () => [] }, { useRecorder: false });
  await rv.start();
  const first = wx.lastTask;
  const reconnected = next(rv, 'reconnected');
  first.drop();
  await until('reconnecting', () => rv.state === 'reconnecting');
  rv.sendAudio(bytes(3200, 5));
  assert.equal(rv.flush(), true);
  assert.equal((await reconnected).recovered, true);
  await until('the flush', () => server.flushes === 1);
  const second = wx.lastTask;
  const types = second.sent.map((d) => (typeof d === 'string' ? JSON.parse(d).type : d.byteLength));
  assert.deepEqual(types.slice(types.indexOf('resume')), ['resume', 3200, 'flush']);
  rv.cancel();
});

test('endpointingMs outside 100-5000 is refused before anything is sent', () => {
  for (const bad of [99, 5001, 800.5, '800']) {
    assert.throws(() => new RealtimeVoice({ url: URL, token: 't', wx: createWx(), endpointingMs: bad }), /endpointingMs/);
  }
});

test('wordTimestamps: asked for in start, and the words of each final reach the final event', async () => {
  const { wx, rv } = setup({ finalsOnEnd: () => [] }, { useRecorder: false, wordTimestamps: true });
  const finals = [];
  rv.on('final', (f) => finals.push(f));
  await rv.start();
  const task = wx.lastTask;
  assert.equal(task.messages()[0].wordTimestamps, true);
  const words = [{ word: 'hello', startMs: 120, endMs: 640, confidence: 0.97 }, { word: 'world', startMs: 700, endMs: 1480, confidence: 1 }];
  task.serverSend({ type: 'final', sessionId: 'session-1', index: 0, text: 'hello world', startMs: 120, endMs: 1480, words });
  assert.deepEqual(finals[0].words, words);
  assert.deepEqual(rv.segments[0].words, words);
  rv.cancel();

  // not asked: start has no such field and finals have no words key (the old shape)
  const b = setup({ finalsOnEnd: () => [] }, { useRecorder: false });
  const plain = [];
  b.rv.on('final', (f) => plain.push(f));
  await b.rv.start();
  assert.equal('wordTimestamps' in b.wx.lastTask.messages()[0], false);
  b.server.final(b.wx.lastTask, 'hello');
  assert.equal('words' in plain[0], false);
  b.rv.cancel();
});

test('frames over 1 s are split, and PCM frames stay whole 16-bit samples', async () => {
  const { wx, rv } = setup({}, { useRecorder: false });
  await rv.start();
  rv.sendAudio(bytes(70001));
  const sizes = wx.lastTask.audio().map((b) => b.byteLength);
  assert.deepEqual(sizes, [32000, 32000, 6000]);
  rv.cancel();
});

test('pings on the heartbeat and treats a socket that stays silent as dead', async () => {
  const { wx, server, rv } = setup({ answerPings: false, resume: 'accept' }, { heartbeatInterval: 20, heartbeatTimeout: 30, useRecorder: false });
  const reconnecting = next(rv, 'reconnecting');
  await rv.start();
  const first = wx.lastTask;
  await until('a ping', () => first.messages().some((m) => m.type === 'ping'));
  const r = await reconnecting;
  assert.match(r.reason, /heartbeat timeout/);
  assert.equal(first.closedBy.side, 'client');
  const reconnected = await next(rv, 'reconnected');
  assert.equal(reconnected.recovered, true);
  assert.equal(wx.tasks.length, 2);
  assert.equal(wx.lastTask.messages()[0].type, 'resume');
  server.options.answerPings = true;
  rv.cancel();
});

test('reconnects with jittered exponential backoff and gives up after the retries', async () => {
  const randoms = [0, 1, 0.5, 0.25];
  const { wx, server, rv } = setup({}, { useRecorder: false, random: () => randoms.shift(), reconnect: { retries: 4, minDelay: 10, maxDelay: 40 } });
  const seen = record(rv, ['reconnecting', 'error', 'state']);
  await rv.start();
  server.options.refuseConnections = true;
  wx.lastTask.drop();
  await until('the give-up', () => seen.some(([e]) => e === 'error'), 3000);
  const delays = seen.filter(([e]) => e === 'reconnecting').map(([, p]) => p.delay);
  // cap = min(40, 10 * 2^(n-1)) -> 10, 20, 40, 40; delay = cap/2 + random * cap/2
  assert.deepEqual(delays, [5, 20, 30, 25]);
  const error = seen.find(([e]) => e === 'error')[1];
  assert.equal(error.code, 'CONNECTION_LOST');
  assert.equal(error.fatal, true);
  assert.equal(rv.state, 'idle');
  assert.equal(wx.tasks.length, 5);
});

test('resume accepted: replayed finals are deduplicated and audio goes again from the nextSeq the server names', async () => {
  const { wx, server, rv } = setup({ resume: 'accept', finalsOnEnd: () => ['second'] }, { useRecorder: false });
  await rv.start();
  const first = wx.lastTask;
  server.final(first, 'first');
  rv.sendAudio(bytes(3200, 1)); // seq 0
  rv.sendAudio(bytes(3200, 2)); // seq 1: lost with the connection
  server.session('session-1').chunks.pop();
  server.session('session-1').audioBytes = 3200;
  first.drop();
  rv.sendAudio(bytes(3200, 3)); // recorded while offline
  const reconnected = await next(rv, 'reconnected');
  assert.deepEqual(reconnected, { recovered: true, sessionId: 'session-1', lastIndex: 0 });
  const second = wx.lastTask;
  assert.deepEqual(second.header, { Authorization: 'Bearer jwt-1' });
  assert.deepEqual(second.messages()[0], { type: 'resume', sessionId: 'session-1', resumeToken: 'resume-1', lastIndex: 0, nextSeq: 0 },
    'nothing was acked: the first unacked chunk is 0');
  assert.deepEqual(second.audio().map((b) => new Uint8Array(b)[0]), [2, 3], 'from the server\'s nextSeq (1), in order');
  assert.deepEqual(server.session('session-1').chunks.map((c) => c[0]), [1, 2, 3]);
  const done = await rv.stop();
  assert.equal(done.text, 'first second');
  assert.deepEqual(done.sessions, ['session-1']);
  assert.equal(done.recovered, true);
});

test('with acks, resume names the first unacked chunk, and everything unacked goes again when resumed names no nextSeq', async () => {
  const { wx, server, rv } = setup({ resume: 'accept', acks: true, nameNextSeqOnResume: false }, { useRecorder: false });
  await rv.start();
  rv.sendAudio(bytes(3200, 1)); // seq 0, acked
  server.options.acks = false;
  rv.sendAudio(bytes(3200, 2)); // seq 1, not acked (the broker was slow)
  server.session('session-1').chunks.pop();
  wx.lastTask.drop();
  rv.sendAudio(bytes(3200, 3));
  await next(rv, 'reconnected');
  assert.equal(server.resumes[0].nextSeq, 1);
  assert.deepEqual(wx.lastTask.audio().map((b) => new Uint8Array(b)[0]), [2, 3]);
  assert.deepEqual(server.session('session-1').chunks.map((c) => c[0]), [1, 2, 3]);
  rv.cancel();
});

test('resume refused (SESSION_NOT_FOUND): a new session, recovered:false, and the transcript keeps both', async () => {
  const { wx, server, rv } = setup({ resume: 'refuse', finalsOnEnd: () => ['after'] }, { useRecorder: false });
  const seen = record(rv, ['error', 'reconnected', 'started']);
  await rv.start();
  server.final(wx.lastTask, 'before');
  rv.sendAudio(bytes(3200, 1));
  wx.lastTask.drop();
  rv.sendAudio(bytes(3200, 2));
  const reconnected = await next(rv, 'reconnected');
  assert.equal(reconnected.recovered, false);
  assert.equal(reconnected.previousSessionId, 'session-1');
  assert.equal(reconnected.sessionId, 'session-2');
  assert.match(reconnected.reason, /SESSION_NOT_FOUND/);
  const error = seen.find(([e]) => e === 'error')[1];
  assert.equal(error.code, 'SESSION_NOT_FOUND');
  assert.equal(error.fatal, false);
  assert.deepEqual(wx.lastTask.messages().map((m) => m.type), ['resume', 'start']);
  assert.deepEqual(wx.lastTask.audio().map((b) => new Uint8Array(b)[0]), [2], 'offline audio goes to the new session');
  const done = await rv.stop();
  assert.equal(done.text, 'before after');
  assert.deepEqual(done.sessions, ['session-1', 'session-2']);
  assert.equal(done.recovered, false);
  assert.equal(seen.filter(([e]) => e === 'started').length, 1, 'started once; the second session is reported by reconnected');
});

test('resume unanswered: after resumeTimeout a new session starts', async () => {
  const { wx, rv } = setup({ resume: 'silent' }, { useRecorder: false, resumeTimeout: 30 });
  await rv.start();
  wx.lastTask.drop();
  const reconnected = await next(rv, 'reconnected');
  assert.equal(reconnected.recovered, false);
  assert.match(reconnected.reason, /no answer to resume/);
  rv.cancel();
});

test('a drop after end with nothing left to send completes with what was heard', async () => {
  const { wx, server, rv } = setup({ resume: 'refuse', completeOnEnd: false }, { useRecorder: false });
  await rv.start();
  server.final(wx.lastTask, 'all i said');
  const stopping = rv.stop();
  await until('end', () => wx.lastTask.messages().some((m) => m.type === 'end'));
  wx.lastTask.drop(); // the network goes before 'completed' arrives
  const done = await stopping;
  assert.equal(done.text, 'all i said');
  assert.equal(done.incomplete, true);
  assert.equal(done.recovered, false);
});

test('the audio kept during an outage is bounded: the oldest goes first and an overflow event says so', async () => {
  const { wx, rv } = setup({ resume: 'accept' }, { useRecorder: false, maxBufferBytes: 9600 });
  const overflows = [];
  rv.on('overflow', (o) => overflows.push(o));
  await rv.start();
  for (let i = 0; i < 5; i++) rv.sendAudio(bytes(3200, 10 + i)); // sent: kept only up to the bound, silently
  assert.equal(overflows.length, 0);
  assert.ok(rv.bufferBytes <= 9600);
  const reconnected = next(rv, 'reconnected');
  wx.lastTask.drop();
  for (let i = 0; i < 5; i++) rv.sendAudio(bytes(3200, 20 + i)); // offline: 16000 bytes into a 9600-byte buffer
  assert.equal(overflows.reduce((n, o) => n + o.droppedBytes, 0), 6400);
  await reconnected;
  assert.deepEqual(wx.lastTask.audio().map((b) => new Uint8Array(b)[0]), [22, 23, 24]);
  rv.cancel();
});

test('acks release the kept audio', async () => {
  const { wx, rv } = setup({}, { useRecorder: false });
  await rv.start();
  rv.sendAudio(bytes(3200));
  rv.sendAudio(bytes(3200));
  assert.equal(rv.bufferBytes, 6400);
  wx.lastTask.serverSend({ type: 'ack', seq: 0 });
  assert.equal(rv.bufferBytes, 3200);
  wx.lastTask.serverSend({ type: 'ack', seq: 1 });
  assert.equal(rv.bufferBytes, 0);
  rv.cancel();
});

test('resume refused by a server that acks: the unacked audio goes to the new session too', async () => {
  const { wx, server, rv } = setup({ resume: 'refuse', acks: true }, { useRecorder: false });
  await rv.start();
  rv.sendAudio(bytes(3200, 1)); // acked: stays with the old session
  server.options.acks = false;
  rv.sendAudio(bytes(3200, 2)); // never acked: the old session may not have it
  wx.lastTask.drop();
  rv.sendAudio(bytes(3200, 3));
  const r = await next(rv, 'reconnected');
  assert.equal(r.recovered, false);
  assert.deepEqual(wx.lastTask.audio().map((b) => new Uint8Array(b)[0]), [2, 3]);
  rv.cancel();
});

test('a resume answered with completed (the session finished meanwhile) completes', async () => {
  const { wx, server, rv } = setup({ resume: 'accept', completeOnEnd: false }, { useRecorder: false });
  await rv.start();
  server.final(wx.lastTask, 'said before the drop');
  const stopping = rv.stop();
  await until('end', () => wx.lastTask.messages().some((m) => m.type === 'end'));
  const first = wx.lastTask;
  server.options.resume = 'silent';
  first.drop();
  await until('resume', () => wx.tasks.length === 2 && wx.lastTask.messages().some((m) => m.type === 'resume'));
  wx.lastTask.serverSend({ type: 'completed', sessionId: 'session-1', text: 'said before the drop', segments: 1 });
  const done = await stopping;
  assert.equal(done.text, 'said before the drop');
  assert.equal(done.sessionText, 'said before the drop');
});

test('in the background nothing is retried; back in the foreground it reconnects, resumes and restarts the recorder', async () => {
  const { wx, server, rv } = setup({ resume: 'accept' });
  const seen = record(rv, ['background', 'foreground', 'reconnecting', 'reconnected']);
  await rv.start();
  wx.recorder.frame(bytes(3200, 1));
  wx.hide();
  wx.recorder.interrupt(); // WeChat pauses the recorder ...
  wx.lastTask.drop(); // ... and cuts the socket a few seconds later
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(wx.tasks.length, 1, 'no reconnect while hidden');
  assert.equal(rv.state, 'reconnecting');
  assert.equal(seen.filter(([e]) => e === 'reconnecting').length, 0);
  wx.show();
  assert.equal(wx.recorder.resumes, 1, 'the interrupted recorder is resumed');
  const reconnected = await next(rv, 'reconnected');
  assert.equal(reconnected.recovered, true);
  assert.deepEqual(seen.map(([e]) => e), ['background', 'foreground', 'reconnected']);
  wx.recorder.frame(bytes(3200, 2));
  assert.equal(server.session('session-1').audioBytes, 6400);
  const done = await rv.stop();
  assert.equal(done.sessions.length, 1);
});

test('foreground with the socket still open: a ping checks it', async () => {
  const { wx, rv } = setup({}, { useRecorder: false });
  await rv.start();
  wx.hide();
  wx.show();
  assert.equal(wx.lastTask.messages().filter((m) => m.type === 'ping').length, 1);
  assert.equal(wx.tasks.length, 1);
  rv.destroy();
  assert.equal(wx.hookCount(), 0, 'destroy removes the app hooks');
});

test('UNAUTHORIZED is fatal: no reconnect, start() rejects, the recorder stops', async () => {
  const { wx, server, rv } = setup({ startError: { code: 'UNAUTHORIZED', message: 'token expired' } });
  const errors = [];
  rv.on('error', (e) => errors.push(e));
  await assert.rejects(rv.start(), /UNAUTHORIZED: token expired/);
  assert.deepEqual(errors, [{ code: 'UNAUTHORIZED', message: 'token expired', fatal: true }]);
  assert.equal(rv.state, 'idle');
  assert.equal(wx.recorder.active, false);
  wx.lastTask.serverClose(1008, 'policy');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(wx.tasks.length, 1);
  assert.equal(server.count, 0);
});

test('a 1008 close mid-session is fatal too', async () => {
  const { wx, rv } = setup({}, { useRecorder: false });
  const errors = [];
  rv.on('error', (e) => errors.push(e));
  await rv.start();
  wx.lastTask.serverClose(1008, 'token expired');
  assert.equal(errors[0].code, 'UNAUTHORIZED');
  assert.equal(rv.state, 'idle');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(wx.tasks.length, 1);
});

test('a refused start (RATE_LIMITED) ends the recording; a BAD_REQUEST mid-session does not', async () => {
  const a = setup({ startError: { code: 'RATE_LIMITED', message: 'too many sessions' } }, { useRecorder: false });
  await assert.rejects(a.rv.start(), /RATE_LIMITED/);

  const b = setup({}, { useRecorder: false });
  const errors = [];
  b.rv.on('error', (e) => errors.push(e));
  await b.rv.start();
  b.wx.lastTask.serverSend({ type: 'error', code: 'BAD_REQUEST', message: 'odd byte count' });
  assert.deepEqual(errors, [{ code: 'BAD_REQUEST', message: 'odd byte count', fatal: false }]);
  assert.equal(b.rv.state, 'recording');
  b.rv.cancel();
});

test('a worker that lost the session (SESSION_NOT_FOUND mid-session) goes on in a new session', async () => {
  const { wx, rv } = setup({}, { useRecorder: false });
  await rv.start();
  const reconnected = next(rv, 'reconnected');
  wx.lastTask.serverSend({ type: 'error', code: 'SESSION_NOT_FOUND', message: 'worker lost the session' });
  const r = await reconnected;
  assert.equal(r.recovered, false);
  assert.equal(r.previousSessionId, 'session-1');
  assert.equal(wx.tasks.length, 1, 'same socket');
  rv.cancel();
});

test('MP3 frames are declared and passed through as recorded', async () => {
  const { wx, rv } = setup({ startError: null }, { format: 'mp3' });
  await rv.start();
  assert.equal(wx.recorder.starts[0].format, 'mp3');
  assert.equal(wx.lastTask.messages()[0].format, 'mp3');
  wx.recorder.frame(bytes(417)); // an odd-sized MP3 frame stays whole
  assert.deepEqual(wx.lastTask.audio().map((b) => b.byteLength), [417]);
  rv.cancel();
});

test('the recorder stopping by itself (duration reached) ends the session cleanly', async () => {
  const { wx, rv } = setup();
  await rv.start();
  wx.recorder.frame(bytes(3200));
  const completed = next(rv, 'completed');
  wx.recorder.stop();
  const done = await completed;
  assert.equal(done.text, 'heard 3200 bytes');
});

test('a listener that throws does not break the SDK', async () => {
  const { wx, rv } = setup({}, { useRecorder: false });
  const listenerErrors = [];
  rv.on('started', () => { throw new Error('app bug'); });
  rv.on('listenerError', (e) => listenerErrors.push(e.event));
  await rv.start();
  assert.deepEqual(listenerErrors, ['started']);
  rv.sendAudio(bytes(3200));
  assert.equal(wx.lastTask.audio().length, 1);
  rv.cancel();
});

test('start twice and stop when idle are refused', async () => {
  const { rv } = setup({}, { useRecorder: false });
  await assert.rejects(rv.stop(), /not started/);
  const s = rv.start();
  await assert.rejects(rv.start(), /already connecting/);
  await s;
  rv.cancel();
  assert.throws(() => new RealtimeVoice({ wx: {} }), /url is required/);
});
