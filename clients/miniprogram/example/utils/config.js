// Where the service is. The domain must be in the mini-program's "socket legal domains" (and "request legal
// domains" for the token request), served over wss:// / https:// with a trusted certificate.
module.exports = {
  streamUrl: 'wss://voice.example.com/api/realtime-voice/stream',
  // How the page gets a token: your own login service in production (wx.login -> your backend -> a JWT signed with
  // the service's AUTH_JWT_SECRET). The development token endpoint exists only on a server in the local profile.
  tokenUrl: 'https://voice.example.com/api/auth/dev-token',
};
