// The old service's guide, "try it from the browser console" (verbatim; HOST and TOKEN are the guide's placeholders).
const ws = new WebSocket('wss://HOST/api/realtime-voice/stream')
ws.onopen = () => {
  ws.send(JSON.stringify({type: 'start', userId: 1, token: TOKEN}))
}
ws.onmessage = (event) => {
  console.log('message', event.data)
}
ws.onerror = (error) => {
  console.error('error', error)
}
