// The old service's guide, mini-program test page (pages/test/test.js), verbatim: the socket through the GLOBAL
// wx socket API (no header: the token goes in start), then the recorder's PCM frames and end, as its flow did.
// HOST and TOKEN are the guide's placeholders.
const recorderManager = wx.getRecorderManager()

Page({
  data: {
    messages: []
  },

  onLoad() {
    wx.connectSocket({
      url: 'wss://HOST/api/realtime-voice/stream'
    })
    wx.onSocketOpen(() => {
      wx.sendSocketMessage({
        data: JSON.stringify({type: 'start', userId: 1, token: TOKEN})
      })
    })
    wx.onSocketError((err) => {
      console.error('socket error', err)
    })
    wx.onSocketMessage((res) => {
      console.log('message', res.data)
      this.setData({messages: this.data.messages.concat(JSON.parse(res.data))})
    })
    recorderManager.onFrameRecorded((res) => {
      wx.sendSocketMessage({data: res.frameBuffer})
    })
    recorderManager.onStop(() => {
      wx.sendSocketMessage({data: JSON.stringify({type: 'end'})})
    })
  },

  startRecord() {
    recorderManager.start({
      format: 'PCM',
      sampleRate: 16000,
      numberOfChannels: 1,
      frameSize: 4
    })
  },

  stopRecord() {
    recorderManager.stop()
  }
})
