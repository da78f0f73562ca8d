// Hold-to-talk live transcription, as the old service's pages/realtime-voice did, on the realtime-voice SDK.
const { RealtimeVoice } = require('../../utils/realtime-voice'); // a copy of sdk/realtime-voice.js (a test keeps them equal)
const config = require('../../utils/config');
const { getToken } = require('../../utils/token');

const STATUS = {
  idle: 'Ready',
  connecting: 'Connecting...',
  recording: 'Listening',
  finishing: 'Finishing...',
  reconnecting: 'Connection lost, reconnecting...',
};

const ERRORS = {
  UNAUTHORIZED: 'Sign-in expired. Please try again.',
  RATE_LIMITED: 'Too many recordings at once. Please wait a moment.',
  CONNECTION_LOST: 'No connection to the server. Check the network and try again.',
  ENGINE_UNAVAILABLE: 'Speech recognition is unavailable right now.',
  OVERLOADED: 'The service is busy. Please try again.',
  RECORDER: 'The microphone could not be used.',
};

Page({
  data: { finals: '', partial: '', state: 'idle', statusText: STATUS.idle, error: '', notice: '' },

  onLoad() {
    this.voice = new RealtimeVoice({ url: config.streamUrl, getToken });
    this.voice
      .on('state', (state) => this.setData({ state, statusText: STATUS[state] || state }))
      .on('transcript', (t) => this.setData({ finals: t.finals, partial: t.partial }))
      .on('reconnected', (r) => this.setData({
        notice: r.recovered ? '' : 'The connection dropped; what you said before is kept, recording goes on.',
      }))
      .on('overflow', () => this.setData({ notice: 'The connection was away for long; some audio could not be kept.' }))
      .on('error', (e) => {
        if (e.fatal) {
          this.setData({ error: ERRORS[e.code] || (e.code + ': ' + (e.message || '')) });
        }
      })
      .on('completed', (c) => this.setData({ finals: c.text, partial: '' }));
  },

  onUnload() {
    this.voice.destroy();
  },

  onPress() {
    if (this.data.state !== 'idle') {
      return;
    }
    this.setData({ error: '', notice: '', finals: '', partial: '' });
    wx.authorize({
      scope: 'scope.record',
      success: () => this.voice.start().catch(() => { /* shown by the error event */ }),
      fail: () => this.setData({ error: 'Please allow the microphone in the settings (top-right menu, Settings).' }),
    });
  },

  onRelease() {
    if (this.data.state === 'recording' || this.data.state === 'connecting' || this.data.state === 'reconnecting') {
      this.voice.stop().catch(() => { /* shown by the error event */ });
    }
  },
});
