// AudioWorklet: microphone samples at the context's rate (44.1/48 kHz) -> 16 kHz 16-bit mono PCM in 100 ms chunks.
// Downsampling averages the input samples each output sample covers (a box low-pass) so that speech energy above
// 8 kHz does not fold back into the band the recogniser listens to.
class PcmResampler extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const opts = (options && options.processorOptions) || {};
    this.targetRate = opts.targetRate || 16000;
    this.step = sampleRate / this.targetRate; // `sampleRate` is the worklet scope's global
    this.chunkSamples = Math.round(this.targetRate * (opts.chunkMs || 100) / 1000);
    this.chunk = new Int16Array(this.chunkSamples);
    this.filled = 0;
    this.carry = new Float32Array(0);
    this.pos = 0;
    this.sumSquares = 0;
    this.running = true;
    this.port.onmessage = (e) => {
      if (e.data === 'flush') {
        this.flush();
        this.port.postMessage({ type: 'flushed' });
      } else if (e.data === 'stop') {
        this.flush();
        this.running = false;
        this.port.postMessage({ type: 'flushed' });
      }
    };
  }

  process(inputs) {
    if (!this.running) {
      return false;
    }
    const input = inputs[0];
    if (!input || input.length === 0 || input[0].length === 0) {
      return true;
    }
    const frames = input[0].length;
    const buf = new Float32Array(this.carry.length + frames);
    buf.set(this.carry, 0);
    for (let i = 0; i < frames; i++) {
      let sum = 0;
      for (let c = 0; c < input.length; c++) {
        sum += input[c][i];
      }
      buf[this.carry.length + i] = sum / input.length;
    }
    const step = this.step;
    let pos = this.pos;
    while (pos + step <= buf.length) {
      let v;
      if (step >= 1) {
        const start = Math.floor(pos);
        const end = Math.min(buf.length, Math.floor(pos + step));
        let sum = 0;
        for (let k = start; k < end; k++) {
          sum += buf[k];
        }
        v = end > start ? sum / (end - start) : buf[start];
      } else {
        const i0 = Math.floor(pos);
        const i1 = Math.min(buf.length - 1, i0 + 1);
        const frac = pos - i0;
        v = buf[i0] * (1 - frac) + buf[i1] * frac;
      }
      this.push(v);
      pos += step;
    }
    const keep = Math.floor(pos);
    this.carry = buf.slice(keep);
    this.pos = pos - keep;
    return true;
  }

  push(v) {
    const s = Math.max(-1, Math.min(1, v));
    this.sumSquares += s * s;
    this.chunk[this.filled++] = s < 0 ? s * 0x8000 : s * 0x7fff;
    if (this.filled === this.chunkSamples) {
      this.flush();
    }
  }

  flush() {
    if (this.filled === 0) {
      return;
    }
    const pcm = this.chunk.slice(0, this.filled);
    const level = Math.sqrt(this.sumSquares / this.filled);
    this.port.postMessage({ type: 'pcm', pcm: pcm.buffer, level }, [pcm.buffer]);
    this.filled = 0;
    this.sumSquares = 0;
  }
}

registerProcessor('pcm-resampler', PcmResampler);
