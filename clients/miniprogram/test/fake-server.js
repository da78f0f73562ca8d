'use strict';
// The contract's server side, in process, over the wx mock's socket tasks: start/started, audio, end -> finals ->
// completed, ping/pong, and resume (accepted or refused, as a test chooses).

class FakeServer {
  constructor(wx, options = {}) {
    this.wx = wx;
    this.options = Object.assign({
      autoOpen: true,
      resume: 'refuse', // 'refuse' (SESSION_NOT_FOUND, as the real server today), 'accept', 'silent'
      nameNextSeqOnResume: true, // resumed carries nextSeq (the server's extension)
      acks: false, // send {"type":"ack","seq"} after every chunk
      answerPings: true,
      finalsOnEnd: (session) => [`heard ${session.audioBytes} bytes`],
      startError: null, // e.g. { code: 'RATE_LIMITED', message: '...' }
      refuseConnections: false,
      completeOnEnd: true,
    }, options);
    this.sessions = new Map();
    this.count = 0;
    this.log = [];
    this.resumes = [];
    wx.onSocket((task) => this.accept(task));
    wx.onSent((task, data) => this.receive(task, data));
  }

  accept(task) {
    if (this.options.refuseConnections) {
      setTimeout(() => task.drop(), 0);
      return;
    }
    if (this.options.autoOpen) {
      setTimeout(() => task.serverOpen(), 0);
    }
  }

  receive(task, data) {
    if (typeof data !== 'string') {
      const s = this.sessions.get(task.sessionId);
      if (s) {
        const seq = task.seq++;
        if (seq < s.chunks.length) return; // a chunk it already has: dropped by seq
        s.audioBytes += data.byteLength;
        s.chunks.push(new Uint8Array(data.slice(0)));
        if (this.options.acks) task.serverSend({ type: 'ack', seq });
      }
      return;
    }
    const m = JSON.parse(data);
    this.log.push(m);
    switch (m.type) {
      case 'ping':
        if (this.options.answerPings) task.serverSend({ type: 'pong' });
        break;
      case 'start': {
        if (this.options.startError) {
          task.serverSend(Object.assign({ type: 'error' }, this.options.startError));
          return;
        }
        this.count += 1;
        const s = { id: 'session-' + this.count, resumeToken: 'resume-' + this.count, audioBytes: 0, chunks: [], finals: [] };
        this.sessions.set(s.id, s);
        task.sessionId = s.id;
        task.seq = 0;
        const started = { type: 'started', sessionId: s.id, resumeToken: s.resumeToken, format: m.format, sampleRate: m.sampleRate, interimResults: true };
        if (m.wordTimestamps || m.hotwords || m.punctuation !== undefined || m.numbers || m.profanity) {
          // as the server does for a Vosk session: no punctuation, the rest as asked
          started.options = { wordTimestamps: !!m.wordTimestamps, hotwords: m.hotwords || [], punctuation: false,
            numbers: m.numbers || 'words', profanity: m.profanity || 'keep' };
        }
        task.serverSend(started);
        break;
      }
      case 'resume': {
        const s = this.sessions.get(m.sessionId);
        if (this.options.resume === 'silent') return;
        if (this.options.resume !== 'accept' || !s || s.resumeToken !== m.resumeToken) {
          task.serverSend({ type: 'error', code: 'SESSION_NOT_FOUND', message: 'no session ' + m.sessionId + ' to resume on this server' });
          return;
        }
        this.resumes.push(m);
        task.sessionId = s.id;
        // the server numbers the chunks that follow from the nextSeq it names (or the client's, when it names none)
        task.seq = this.options.nameNextSeqOnResume ? s.chunks.length : m.nextSeq;
        const resumed = { type: 'resumed', sessionId: s.id, lastIndex: m.lastIndex };
        if (this.options.nameNextSeqOnResume) resumed.nextSeq = s.chunks.length;
        task.serverSend(resumed);
        s.finals.filter((f) => f.index > m.lastIndex).forEach((f) => task.serverSend(f));
        break;
      }
      case 'flush': {
        const s = this.sessions.get(task.sessionId);
        this.flushes = (this.flushes || 0) + 1;
        if (this.options.finalOnFlush && s) this.final(task, `flushed at ${s.audioBytes} bytes`);
        break;
      }
      case 'end': {
        const s = this.sessions.get(task.sessionId);
        if (!this.options.completeOnEnd) return;
        const texts = this.options.finalsOnEnd(s);
        texts.forEach((text) => this.final(task, text));
        task.serverSend({ type: 'completed', sessionId: s.id, text: s.finals.map((f) => f.text).join(' '), segments: s.finals.length });
        break;
      }
      default:
        break;
    }
  }

  /** Sends (and remembers, for replay on resume) the next final of the task's session. */
  final(task, text) {
    const s = this.sessions.get(task.sessionId);
    const f = { type: 'final', sessionId: s.id, index: s.finals.length, text, startMs: s.finals.length * 1000, endMs: s.finals.length * 1000 + 900 };
    s.finals.push(f);
    task.serverSend(f);
    return f;
  }

  partial(task, text) {
    const s = this.sessions.get(task.sessionId);
    task.serverSend({ type: 'partial', sessionId: s.id, index: s.finals.length, text });
  }

  session(id) {
    return this.sessions.get(id);
  }
}

module.exports = { FakeServer };
