'use strict';
// wx on Node, for tests against a real server: wx.connectSocket mapped onto a real WebSocket client (the `ws`
// package, which can set the Authorization header as wx.connectSocket does) and a recorder that "speaks" a WAV file.
const fs = require('node:fs');
const WebSocket = require('ws');

function createNodeWx() {
  const hide = [];
  const show = [];
  const recorder = new WavRecorder();
  const wx = {
    sockets: [],
    recorder,
    connectSocket({ url, header, timeout }) {
      const ws = new WebSocket(url, { headers: header || {}, handshakeTimeout: timeout || 10000 });
      ws.binaryType = 'arraybuffer';
      const task = {
        ws,
        url,
        header,
        onOpen(fn) { ws.on('open', () => fn({})); },
        onMessage(fn) {
          ws.on('message', (data, isBinary) => fn({ data: isBinary ? data : Buffer.from(data).toString('utf8') }));
        },
        onClose(fn) { ws.on('close', (code, reason) => fn({ code, reason: reason ? reason.toString() : '' })); },
        onError(fn) { ws.on('error', (e) => fn({ errMsg: e.message })); },
        send({ data, success, fail }) {
          if (ws.readyState !== WebSocket.OPEN) {
            if (fail) fail({ errMsg: 'sendSocketMessage:fail socket is not open' });
            return;
          }
          ws.send(typeof data === 'string' ? data : Buffer.from(data), (err) => {
            if (err && fail) fail({ errMsg: err.message });
            else if (!err && success) success({});
          });
        },
        close({ code, reason } = {}) {
          if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
            ws.close(code || 1000, reason || '');
          }
        },
      };
      wx.sockets.push(task);
      return task;
    },
    getRecorderManager() { return recorder; },
    onAppHide(fn) { hide.push(fn); },
    onAppShow(fn) { show.push(fn); },
    offAppHide(fn) { hide.splice(hide.indexOf(fn) >>> 0, 1); },
    offAppShow(fn) { show.splice(show.indexOf(fn) >>> 0, 1); },
    hide() { hide.forEach((fn) => fn({})); },
    show() { show.forEach((fn) => fn({})); },
  };
  return wx;
}

/** The PCM samples of a 16 kHz mono 16-bit WAV. */
function wavPcm(file) {
  const wav = fs.readFileSync(file);
  if (wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE') throw new Error(file + ' is not a WAV');
  let pos = 12;
  while (pos + 8 <= wav.length) {
    const id = wav.toString('ascii', pos, pos + 4);
    const size = wav.readUInt32LE(pos + 4);
    if (id === 'fmt ') {
      const channels = wav.readUInt16LE(pos + 10);
      const rate = wav.readUInt32LE(pos + 12);
      const bits = wav.readUInt16LE(pos + 22);
      if (channels !== 1 || rate !== 16000 || bits !== 16) throw new Error(file + ': want 16 kHz mono 16-bit');
    } else if (id === 'data') {
      return wav.subarray(pos + 8, Math.min(wav.length, pos + 8 + size));
    }
    pos += 8 + size + (size & 1);
  }
  throw new Error(file + ' has no data chunk');
}

/**
 * wx.getRecorderManager() on Node: start() "records" the queued PCM at `speed` times real time in frameSize-KB
 * frames, then silence until stop(), like a microphone after the user stops talking.
 */
class WavRecorder {
  constructor() {
    this.handlers = {};
    this.queue = Buffer.alloc(0);
    this.speed = 4;
    this.timer = null;
    this.played = 0;
    this.starts = [];
  }

  speak(pcm, speed = 4) {
    this.queue = Buffer.concat([this.queue, pcm]);
    this.speed = speed;
  }

  /** Resolves when everything queued has been delivered as frames. */
  spoken() {
    return new Promise((resolve) => {
      const check = () => (this.queue.length === 0 ? resolve() : setTimeout(check, 20));
      check();
    });
  }

  start(options) {
    this.starts.push(options);
    const frameBytes = (options.frameSize || 4) * 1024;
    const periodMs = (frameBytes / 32000) * 1000 / this.speed;
    this.timer = setInterval(() => {
      let frame;
      if (this.queue.length) {
        frame = this.queue.subarray(0, frameBytes);
        this.queue = this.queue.subarray(frame.length);
      } else {
        frame = Buffer.alloc(frameBytes); // silence
      }
      this.played += frame.length;
      const ab = frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.length);
      if (this.handlers.frame) this.handlers.frame({ frameBuffer: ab, isLastFrame: false });
    }, periodMs);
  }

  stop() {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    setTimeout(() => this.handlers.stop && this.handlers.stop({}), 1);
  }

  pause() {}

  resume() {}
}
['onFrameRecorded:frame', 'onStop:stop', 'onStart:start', 'onPause:pause', 'onResume:resume', 'onError:error',
  'onInterruptionBegin:interruptionBegin', 'onInterruptionEnd:interruptionEnd'].forEach((pair) => {
  const [method, kind] = pair.split(':');
  WavRecorder.prototype[method] = function (fn) { this.handlers[kind] = fn; };
});

module.exports = { createNodeWx, wavPcm };
