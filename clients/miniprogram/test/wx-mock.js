'use strict';
// A scriptable stand-in for the parts of wx the SDK uses: connectSocket (SocketTask), getRecorderManager,
// onAppHide/onAppShow. Each SocketTask has a "server side" the tests (or FakeServer) drive.

class MockSocketTask {
  constructor(options, wx) {
    this.url = options.url;
    this.header = options.header || {};
    this.options = options;
    this.wx = wx;
    this.state = 'connecting';
    this.sent = []; // everything the client sent, in order: strings and ArrayBuffers
    this.handlers = { open: [], message: [], close: [], error: [] };
    this.closedBy = null;
  }

  onOpen(fn) { this.handlers.open.push(fn); }
  onMessage(fn) { this.handlers.message.push(fn); }
  onClose(fn) { this.handlers.close.push(fn); }
  onError(fn) { this.handlers.error.push(fn); }

  fire(kind, payload) {
    this.handlers[kind].slice().forEach((fn) => fn(payload));
  }

  send({ data, success, fail }) {
    if (this.state !== 'open') {
      if (fail) fail({ errMsg: 'sendSocketMessage:fail socket is not connected' });
      return;
    }
    this.sent.push(data);
    if (success) success({});
    this.wx.emitSent(this, data);
  }

  close({ code, reason } = {}) {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closedBy = { side: 'client', code: code || 1000, reason: reason || '' };
    setTimeout(() => this.fire('close', { code: code || 1000, reason: reason || '' }), 0);
  }

  // ---- the server's side
  serverOpen() {
    this.state = 'open';
    this.fire('open', {});
  }

  serverSend(obj) {
    if (this.state !== 'open') return;
    this.fire('message', { data: typeof obj === 'string' ? obj : JSON.stringify(obj) });
  }

  serverClose(code = 1000, reason = '') {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closedBy = { side: 'server', code, reason };
    this.fire('close', { code, reason });
  }

  /** The network goes away: an error, then an abnormal close. */
  drop() {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closedBy = { side: 'network', code: 1006 };
    this.fire('error', { errMsg: 'network lost' });
    this.fire('close', { code: 1006, reason: 'abnormal closure' });
  }

  /** The text messages the client sent, parsed. */
  messages() {
    return this.sent.filter((d) => typeof d === 'string').map((d) => JSON.parse(d));
  }

  audio() {
    return this.sent.filter((d) => typeof d !== 'string');
  }
}

class MockRecorder {
  constructor() {
    this.handlers = {};
    this.starts = [];
    this.active = false;
    this.paused = false;
    this.resumes = 0;
  }

  on(kind) {
    return (fn) => { this.handlers[kind] = fn; };
  }

  start(options) {
    this.starts.push(options);
    this.active = true;
    this.paused = false;
    if (this.handlers.start) this.handlers.start({});
  }

  stop() {
    if (!this.active) return;
    this.active = false;
    // WeChat delivers the last frame, then onStop
    setTimeout(() => {
      if (this.handlers.stop) this.handlers.stop({ tempFilePath: 'wxfile://tmp.pcm', duration: 0 });
    }, 1);
  }

  pause() {
    this.paused = true;
    if (this.handlers.pause) this.handlers.pause({});
  }

  resume() {
    this.paused = false;
    this.resumes += 1;
    if (this.handlers.resume) this.handlers.resume({});
  }

  // ---- the device's side
  frame(bytes, isLastFrame = false) {
    const buf = bytes instanceof ArrayBuffer ? bytes : new Uint8Array(bytes).buffer;
    this.handlers.frame({ frameBuffer: buf, isLastFrame });
  }

  interrupt() {
    this.paused = true;
    if (this.handlers.interruptionBegin) this.handlers.interruptionBegin({});
  }

  endInterruption() {
    if (this.handlers.interruptionEnd) this.handlers.interruptionEnd({});
  }
}
['onFrameRecorded:frame', 'onStop:stop', 'onStart:start', 'onPause:pause', 'onResume:resume', 'onError:error',
  'onInterruptionBegin:interruptionBegin', 'onInterruptionEnd:interruptionEnd'].forEach((pair) => {
  const [method, kind] = pair.split(':');
  MockRecorder.prototype[method] = function (fn) { this.handlers[kind] = fn; };
});

function createWx() {
  const listeners = { hide: [], show: [], sent: [], socket: [] };
  const recorder = new MockRecorder();
  const wx = {
    tasks: [],
    recorder,
    connectSocket(options) {
      const task = new MockSocketTask(options, wx);
      wx.tasks.push(task);
      listeners.socket.forEach((fn) => fn(task));
      return task;
    },
    getRecorderManager() { return recorder; },
    onAppHide(fn) { listeners.hide.push(fn); },
    onAppShow(fn) { listeners.show.push(fn); },
    offAppHide(fn) { listeners.hide = listeners.hide.filter((f) => f !== fn); },
    offAppShow(fn) { listeners.show = listeners.show.filter((f) => f !== fn); },
    // ---- test controls
    hide() { listeners.hide.forEach((fn) => fn({})); },
    show() { listeners.show.forEach((fn) => fn({})); },
    onSocket(fn) { listeners.socket.push(fn); },
    onSent(fn) { listeners.sent.push(fn); },
    emitSent(task, data) { listeners.sent.forEach((fn) => fn(task, data)); },
    get lastTask() { return wx.tasks[wx.tasks.length - 1]; },
    hookCount() { return listeners.hide.length + listeners.show.length; },
  };
  return wx;
}

module.exports = { createWx, MockSocketTask, MockRecorder };
