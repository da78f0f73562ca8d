const config = require('./config');

let cached = null; // { token, expiresAt }

/** A token for the socket's Authorization header, fetched again shortly before it expires. */
function getToken() {
  if (cached && cached.expiresAt - Date.now() > 60 * 1000) {
    return Promise.resolve(cached.token);
  }
  return new Promise((resolve, reject) => {
    wx.request({
      url: config.tokenUrl,
      method: 'POST',
      data: { userId: 'mini-program-demo' },
      success: (res) => {
        if (res.statusCode === 200 && res.data && res.data.token) {
          cached = { token: res.data.token, expiresAt: Date.now() + (res.data.expiresIn || 3600) * 1000 };
          resolve(cached.token);
        } else {
          reject(new Error('token request answered ' + res.statusCode));
        }
      },
      fail: (err) => reject(new Error(err.errMsg)),
    });
  });
}

module.exports = { getToken };
