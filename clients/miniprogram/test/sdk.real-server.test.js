'use strict';
// The SDK against a running realtime-voice (the embedded default), through wx.connectSocket mapped onto a real
// WebSocket client. RV_BASE_URL names the server (http://localhost:8080); local-runner's MiniprogramSdkTest starts
// one and runs these. Without RV_BASE_URL they are skipped.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { RealtimeVoice, watch } = require('../sdk/realtime-voice');

const BASE = process.env.RV_BASE_URL;
const FIXTURES = path.join(__dirname, '..', '..', '..', 'fixtures', 'speech');
let adapter = null;
let skip = false;
if (!BASE) {
  skip = 'RV_BASE_URL is not set (run: RV_BASE_URL=http://localhost:8080 npm test, with the embedded default running)';
} else {
  try {
    adapter = require('./wx-node-adapter');
  } catch (e) {
    skip = 'the ws package is missing: npm ci';
    if (process.env.CI === 'true') throw new Error('CI=true but ' + skip);
  }
}
const STREAM = BASE ? BASE.replace(/^http/, 'ws').replace(/\/$/, '') + '/api/realtime-voice/stream' : '';

async function devToken(userId) {
  const r = await fetch(BASE + '/api/auth/dev-token', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId }),
  });
  assert.equal(r.status, 200, 'dev token (the server must run the local profile)');
  return (await r.json()).token;
}

function client(wx, token, extra = {}) {
  return new RealtimeVoice(Object.assign({
    url: STREAM, token, wx, heartbeatInterval: 300, heartbeatTimeout: 3000,
    reconnect: { retries: 5, minDelay: 100, maxDelay: 1000 },
  }, extra));
}

function words(text) {
  return text.toLowerCase().split(/\s+/).filter(Boolean);
}

test('streams speech from the recorder and gets the words back, the token in the Authorization header', { skip, timeout: 90000 }, async () => {
  const wx = adapter.createNodeWx();
  const rv = client(wx, await devToken('sdk-alice'), { wordTimestamps: true });
  const seen = { partial: 0, final: 0, reconnecting: 0, error: [] };
  const finals = [];
  rv.on('partial', () => seen.partial++);
  rv.on('final', (f) => { seen.final++; finals.push(f); });
  rv.on('reconnecting', () => seen.reconnecting++);
  rv.on('error', (e) => seen.error.push(e));
  wx.recorder.speak(adapter.wavPcm(path.join(FIXTURES, 'weather.wav')), 2); // the server refuses audio faster than 4x real time
  const { sessionId } = await rv.start();
  assert.match(sessionId, /^[0-9a-f-]{36}$/);
  assert.ok(!wx.sockets[0].url.includes('token='), 'no token in the URL');
  assert.match(wx.sockets[0].header.Authorization, /^Bearer ey/);
  await wx.recorder.spoken();
  await new Promise((r) => setTimeout(r, 1000)); // a second of silence, with heartbeats going
  const done = await rv.stop();
  const heard = words(done.text);
  for (const w of ['weather', 'nice', 'today']) assert.ok(heard.includes(w), `"${w}" in "${done.text}"`);
  assert.equal(done.sessionId, sessionId);
  assert.equal(done.recovered, true);
  assert.ok(seen.final >= 1);
  for (const f of finals) { // word timings: they spell the final, in order, inside its span
    assert.ok(Array.isArray(f.words) && f.words.length > 0, 'words of ' + JSON.stringify(f));
    assert.equal(f.words.map((w) => w.word).join(' '), f.text);
    let previous = f.startMs;
    for (const w of f.words) {
      assert.ok(w.startMs >= previous && w.startMs <= w.endMs && w.endMs <= f.endMs, JSON.stringify(w) + ' in ' + JSON.stringify(f));
      assert.ok(w.confidence >= 0 && w.confidence <= 1);
      previous = w.startMs;
    }
  }
  assert.deepEqual(seen.error, []);
  assert.equal(seen.reconnecting, 0, 'the heartbeat kept the socket (the server answers ping with pong)');
  assert.equal(wx.sockets.length, 1);
});

/** Speaks the first third of sentences.wav, cuts the network, speaks the rest; returns what the client saw. */
async function dropMidSentence(userId, beforeDrop) {
  const wx = adapter.createNodeWx();
  const token = await devToken(userId);
  const rv = client(wx, token);
  const events = [];
  ['reconnecting', 'reconnected', 'error'].forEach((k) => rv.on(k, (e) => events.push([k, e])));
  const pcm = adapter.wavPcm(path.join(FIXTURES, 'sentences.wav'));
  const firstSentenceEnd = Math.round(pcm.length * 0.33) & ~1;
  wx.recorder.speak(pcm.subarray(0, firstSentenceEnd), 2);
  const { sessionId: first } = await rv.start();
  await wx.recorder.spoken();
  await new Promise((r) => setTimeout(r, 1500)); // let the first sentence become a final
  if (beforeDrop) beforeDrop(rv);
  const reconnected = new Promise((resolve) => rv.once('reconnected', resolve));
  wx.sockets[0].ws.terminate(); // the network drops: no close frame
  wx.recorder.speak(pcm.subarray(firstSentenceEnd), 2); // the user goes on talking meanwhile
  const r = await reconnected;
  await wx.recorder.spoken();
  const done = await rv.stop();
  return { wx, token, first, r, done, events };
}

test('resume refused (SESSION_NOT_FOUND): the SDK goes on in a new session and says recovered:false', { skip, timeout: 120000 }, async () => {
  // A resume token the server cannot verify gets SESSION_NOT_FOUND from any version of the server.
  const { wx, token, first, r, done, events } = await dropMidSentence('sdk-bob', (rv) => { rv.resumeToken = 'tampered.' + rv.resumeToken; });
  assert.equal(r.recovered, false);
  assert.equal(r.previousSessionId, first);
  assert.notEqual(r.sessionId, first);
  assert.match(r.reason, /SESSION_NOT_FOUND/);
  const refusal = events.find(([k, e]) => k === 'error' && e.code === 'SESSION_NOT_FOUND');
  assert.ok(refusal, 'the server answered resume with SESSION_NOT_FOUND: ' + JSON.stringify(events));
  assert.equal(refusal[1].fatal, false);
  assert.deepEqual(done.sessions, [first, r.sessionId]);
  assert.equal(done.recovered, false);
  assert.ok(words(done.text).includes('pizza'), `"pizza" from the second session in "${done.text}"`);
  assert.ok(wx.sockets.length >= 2);
  // What the first session heard before the drop is stored by the server.
  const history = await fetch(BASE + '/api/sessions/' + first, { headers: { Authorization: 'Bearer ' + token } });
  assert.equal(history.status, 200);
});

test('a dropped connection: the SDK resumes if the server can, or goes on in a new session; nothing is fatal', { skip, timeout: 120000 }, async () => {
  const { first, r, done, events } = await dropMidSentence('sdk-carol');
  const fatal = events.filter(([k, e]) => k === 'error' && e.fatal);
  assert.deepEqual(fatal, []);
  if (r.recovered) {
    assert.equal(r.sessionId, first);
    assert.deepEqual(done.sessions, [first]);
    assert.ok(words(done.text).includes('kitchen'), `"kitchen" from before the drop in "${done.text}"`);
  } else {
    assert.equal(r.previousSessionId, first);
  }
  assert.ok(words(done.text).includes('pizza'), `"pizza" from after the drop in "${done.text}"`);
  console.log('# the server ' + (r.recovered ? 'accepted the resume' : 'refused the resume: ' + r.reason));
});

test('flush() brings the final of what was said and recording goes on; speechStarted marks each utterance', { skip, timeout: 90000 }, async () => {
  const wx = adapter.createNodeWx();
  // endpointingMs 5000: the pauses here are shorter, so only the flush can end a segment before stop()
  const rv = client(wx, await devToken('sdk-dora'), { endpointingMs: 5000, speechEvents: true });
  const finals = [];
  const speech = [];
  rv.on('final', (f) => finals.push([Date.now(), f]));
  rv.on('speechStarted', (s) => speech.push(s));
  wx.recorder.speak(adapter.wavPcm(path.join(FIXTURES, 'time.wav')), 1);
  await rv.start();
  await wx.recorder.spoken();
  const flushedAt = Date.now();
  assert.equal(rv.flush(), true);
  while (finals.length === 0 && Date.now() - flushedAt < 15000) await new Promise((r) => setTimeout(r, 20));
  assert.equal(finals.length, 1, 'the flush brought a final');
  console.log('# SDK flush -> final: ' + (finals[0][0] - flushedAt) + ' ms');
  assert.equal(finals[0][1].index, 0);
  wx.recorder.speak(adapter.wavPcm(path.join(FIXTURES, 'weather.wav')), 1);
  await wx.recorder.spoken();
  const done = await rv.stop();
  assert.equal(done.segments, 2);
  for (const w of ['time', 'weather', 'today']) assert.ok(words(done.text).includes(w), `"${w}" in "${done.text}"`);
  assert.equal(speech.length, 2, JSON.stringify(speech));
  assert.ok(speech[1].atMs > speech[0].atMs);
});

test('a bad token is refused once, with no reconnect storm', { skip, timeout: 30000 }, async () => {
  const wx = adapter.createNodeWx();
  const rv = client(wx, 'not-a-token');
  const errors = [];
  rv.on('error', (e) => errors.push(e.code));
  await assert.rejects(rv.start(), (e) => e.code === 'UNAUTHORIZED');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(wx.sockets.length, 1);
  assert.deepEqual(errors, ['UNAUTHORIZED']);
  assert.equal(rv.state, 'idle');
});

test('watch(url): a shared session\'s captions, the finals so far then live ones, each once, then completed', { skip, timeout: 90000 }, async () => {
  const wx = adapter.createNodeWx();
  const token = await devToken('sdk-teacher');
  const rv = client(wx, token);
  const pcm = adapter.wavPcm(path.join(FIXTURES, 'sentences.wav'));
  wx.recorder.speak(pcm, 2);
  const { sessionId } = await rv.start();
  const r = await fetch(BASE + '/api/sessions/' + sessionId + '/watchers', { method: 'POST', headers: { Authorization: 'Bearer ' + token } });
  assert.equal(r.status, 200);
  const link = await r.json();
  assert.match(link.url, /\/api\/realtime-voice\/watch\?token=/);
  const w = watch(link.url, { wx: adapter.createNodeWx() });
  const indexes = [];
  w.on('final', (f) => indexes.push(f.index));
  await wx.recorder.spoken();
  const done = await rv.stop();
  const watched = await w.done;
  assert.equal(watched.text, done.text);
  assert.deepEqual(indexes, [...Array(done.segments).keys()], 'each final once, in order');

  const refused = watch(link.url.replace(/token=.{8}/, 'token=AAAAAAAA'), { wx: adapter.createNodeWx() });
  await assert.rejects(refused.done, (e) => e.code === 'UNAUTHORIZED');
});
