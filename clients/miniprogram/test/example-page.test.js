'use strict';
// The example page (example/pages/realtime-voice) on the wx mock: hold to talk, words on the page, release to finish.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { createWx } = require('./wx-mock');
const { FakeServer } = require('./fake-server');

const ROOT = path.join(__dirname, '..');

test('the example ships the same SDK as sdk/', () => {
  assert.equal(fs.readFileSync(path.join(ROOT, 'example/utils/realtime-voice.js'), 'utf8'),
    fs.readFileSync(path.join(ROOT, 'sdk/realtime-voice.js'), 'utf8'),
    'copy sdk/realtime-voice.js to example/utils/realtime-voice.js');
});

test('hold to talk: the page shows partials and finals, then the completed text', async () => {
  const wx = createWx();
  const server = new FakeServer(wx, { finalsOnEnd: () => ['what time is it'] });
  wx.authorize = ({ success }) => success({});
  wx.request = ({ success }) => success({ statusCode: 200, data: { token: 'page-token', expiresIn: 3600 } });
  let definition;
  global.wx = wx;
  global.Page = (def) => { definition = def; };
  try {
    delete require.cache[require.resolve('../example/pages/realtime-voice/index.js')];
    require('../example/pages/realtime-voice/index.js');
    const page = Object.assign({}, definition, { data: Object.assign({}, definition.data) });
    page.setData = (d) => Object.assign(page.data, d);
    page.onLoad();
    page.onPress();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(page.data.state, 'recording');
    assert.equal(wx.lastTask.header.Authorization, 'Bearer page-token');
    wx.recorder.frame(new Uint8Array(3200).buffer);
    server.partial(wx.lastTask, 'what ti');
    assert.equal(page.data.partial, 'what ti');
    page.onRelease();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(page.data.state, 'idle');
    assert.equal(page.data.finals, 'what time is it');
    assert.equal(page.data.partial, '');
    assert.equal(page.data.error, '');
    page.onUnload();
  } finally {
    delete global.wx;
    delete global.Page;
  }
});
