'use strict';
// A `wx` for Node that forwards to a real WebSocket (the `ws` package), for replaying the old mini-program page
// against the real server. Both socket APIs are there, as in WeChat: the SocketTask that wx.connectSocket returns,
// and the GLOBAL one (wx.onSocketOpen / onSocketMessage / onSocketError / onSocketClose / sendSocketMessage /
// closeSocket), which acts on the most recent socket. getRecorderManager() "records" queued 16 kHz PCM.
const fs = require('node:fs');
const WebSocket = require('ws');

function createWx() {
  const global = { open: [], message: [], error: [], close: [] };
  let current = null;
  const wx = {
    sockets: [],
    connectSocket({ url, header, success }) {
      const ws = new WebSocket(url, { headers: header || {} });
      ws.binaryType = 'arraybuffer';
      const own = { open: [], message: [], error: [], close: [] };
      // WeChat calls the global listeners for the latest socket only
      const emit = (kind, arg) => [...own[kind], ...(current === task ? global[kind] : [])].forEach((fn) => fn(arg));
      ws.on('open', () => emit('open', {}));
      ws.on('message', (data, isBinary) => emit('message', { data: isBinary ? data : Buffer.from(data).toString('utf8') }));
      ws.on('error', (e) => emit('error', { errMsg: e.message }));
      ws.on('close', (code, reason) => emit('close', { code, reason: String(reason || '') }));
      const task = {
        url,
        header,
        onOpen: (fn) => own.open.push(fn),
        onMessage: (fn) => own.message.push(fn),
        onError: (fn) => own.error.push(fn),
        onClose: (fn) => own.close.push(fn),
        send: (options) => send(ws, options),
        close: ({ code, reason } = {}) => ws.close(code || 1000, reason || ''),
      };
      current = task;
      wx.sockets.push(task);
      if (success) setImmediate(() => success({ errMsg: 'connectSocket:ok' }));
      return task;
    },
    onSocketOpen: (fn) => global.open.push(fn),
    onSocketMessage: (fn) => global.message.push(fn),
    onSocketError: (fn) => global.error.push(fn),
    onSocketClose: (fn) => global.close.push(fn),
    sendSocketMessage(options) {
      if (!current) {
        if (options.fail) options.fail({ errMsg: 'sendSocketMessage:fail WebSocket is not connected' });
        return;
      }
      current.send(options);
    },
    closeSocket(options = {}) {
      if (current) current.close(options);
    },
    recorder: new Recorder(),
    getRecorderManager() {
      return wx.recorder;
    },
  };
  return wx;
}

function send(ws, { data, success, fail }) {
  if (ws.readyState !== WebSocket.OPEN) {
    if (fail) fail({ errMsg: 'sendSocketMessage:fail WebSocket is not connected' });
    return;
  }
  ws.send(typeof data === 'string' ? data : Buffer.from(data), (err) => {
    if (err && fail) fail({ errMsg: err.message });
    if (!err && success) success({ errMsg: 'sendSocketMessage:ok' });
  });
}

/** RecorderManager: start() plays the queued PCM as frameSize-KB frames at `speed` times real time, then silence. */
class Recorder {
  constructor() {
    this.on = {};
    this.pcm = Buffer.alloc(0);
    this.speed = 2;
  }

  queue(pcm, speed) {
    this.pcm = Buffer.concat([this.pcm, pcm]);
    this.speed = speed;
  }

  get drained() {
    return this.pcm.length === 0;
  }

  start({ sampleRate = 16000, numberOfChannels = 1, frameSize = 4 } = {}) {
    const bytes = frameSize * 1024;
    const everyMs = (bytes / (sampleRate * 2 * numberOfChannels)) * 1000 / this.speed;
    this.timer = setInterval(() => {
      const frame = Buffer.alloc(bytes);
      const taken = this.pcm.copy(frame, 0, 0, bytes);
      this.pcm = this.pcm.subarray(taken);
      const frameBuffer = frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.length);
      if (this.on.frame) this.on.frame({ frameBuffer, isLastFrame: false });
    }, everyMs);
    if (this.on.start) this.on.start({});
  }

  stop() {
    clearInterval(this.timer);
    if (this.on.stop) setImmediate(() => this.on.stop({ tempFilePath: '', duration: 0, fileSize: 0 }));
  }

  onFrameRecorded(fn) { this.on.frame = fn; }

  onStart(fn) { this.on.start = fn; }

  onStop(fn) { this.on.stop = fn; }

  onError(fn) { this.on.error = fn; }
}

/** The samples of a 16 kHz mono 16-bit WAV's data chunk. */
function wavSamples(file) {
  const wav = fs.readFileSync(file);
  for (let pos = 12; pos + 8 <= wav.length;) {
    const size = wav.readUInt32LE(pos + 4);
    if (wav.toString('ascii', pos, pos + 4) === 'data') return wav.subarray(pos + 8, pos + 8 + size);
    pos += 8 + size + (size & 1);
  }
  throw new Error(file + ' has no data chunk');
}

module.exports = { createWx, wavSamples };
