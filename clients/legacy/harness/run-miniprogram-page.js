'use strict';
// Replays the old service's mini-program test page (../miniprogram-test-page.js, unchanged) under the wx double,
// against a real server: RV_BASE_URL (http://host:port), RV_TOKEN, RV_WAV (16 kHz mono speech). The page loads,
// its start is answered, the "user" holds the record button while the WAV plays, releases it, and the page must
// receive the transcript. Prints one JSON line: {"messages": [...every message the page got...], "errors": [...]}.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createWx, wavSamples } = require('./wx-double');

const base = process.env.RV_BASE_URL.replace(/\/$/, '');
const wx = createWx();
const errors = [];
let page = null;
const source = fs.readFileSync(path.join(__dirname, '..', 'miniprogram-test-page.js'), 'utf8')
  .replace(/wss:\/\/HOST/g, base.replace(/^http/, 'ws')); // the guide's placeholder, as a developer fills it in
const sandbox = {
  wx,
  TOKEN: process.env.RV_TOKEN,
  JSON,
  console: { log() {}, error: (...args) => errors.push(args.map(String).join(' ')) },
  Page(definition) {
    page = Object.assign({}, definition, {
      data: JSON.parse(JSON.stringify(definition.data || {})),
      setData(patch) { Object.assign(this.data, patch); },
    });
  },
};
vm.runInNewContext(source, sandbox, { filename: 'miniprogram-test-page.js' });

const until = (what, test, ms) => new Promise((resolve, reject) => {
  const deadline = Date.now() + ms;
  const poll = () => {
    if (test()) return resolve();
    if (Date.now() > deadline) return reject(new Error('no ' + what + ' within ' + ms + ' ms'));
    setTimeout(poll, 20);
  };
  poll();
});
const got = (type) => page.data.messages.some((m) => m.type === type);

(async () => {
  page.onLoad();
  await until('started', () => got('started') || got('error'), 15000);
  if (got('started')) {
    wx.recorder.queue(wavSamples(process.env.RV_WAV), 2); // the server takes up to 4x real time
    page.startRecord();
    await until('the end of the recording', () => wx.recorder.drained, 30000);
    await new Promise((r) => setTimeout(r, 500)); // the user lets go of the button a moment later
    page.stopRecord();
    await until('completed', () => got('completed') || got('error'), 60000);
  }
})().catch((e) => errors.push(e.message)).finally(() => {
  process.stdout.write(JSON.stringify({ messages: page.data.messages, errors }) + '\n');
  wx.closeSocket();
  setTimeout(() => process.exit(0), 100);
});
