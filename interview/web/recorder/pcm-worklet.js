/* The recorder's audio capture for stream mode (an AudioWorklet module, loaded by
 * recorder.js from beside index.html). It mixes its input down to mono and posts Float32
 * frames of about 4096 samples to the main thread, which converts them to 16-bit PCM.
 * The message "flush" posts what is left, then {flushed: true}. */
class PcmCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.size = 4096;
    this.buffer = new Float32Array(this.size);
    this.filled = 0;
    this.port.onmessage = (event) => {
      if (event.data === "flush") {
        this.post();
        this.port.postMessage({ flushed: true });
      }
    };
  }

  post() {
    if (this.filled) {
      const frame = this.buffer.slice(0, this.filled);
      this.port.postMessage({ frame: frame }, [frame.buffer]);
      this.filled = 0;
    }
  }

  process(inputs) {
    const input = inputs[0];
    if (input && input.length && input[0].length) {
      const channels = input.length;
      const n = input[0].length;
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) { sum += input[c][i]; }
        this.buffer[this.filled++] = sum / channels;
        if (this.filled === this.size) { this.post(); }
      }
    }
    return true;
  }
}

registerProcessor("pcm-capture", PcmCapture);
