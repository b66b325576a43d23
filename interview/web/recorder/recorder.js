/* The answer recorder: a Streamlit component (components.v1 protocol, no build step).
 *
 * Arguments (from app_pages/_recorder.py): take_key (a new key = a new take), read_seconds
 * (a read timer before recording, or null), answer_seconds (the answer time limit, or null),
 * warning_seconds (warn this long before the limit, or null), auto_start (start recording
 * when the read timer ends), label, video; for stream mode: stream, chunk_seconds, acked
 * ({take_id, seq}: the highest chunk the server has stored, or null), captions ({text, words,
 * wpm, fillers} or null) and show_captions.
 *
 * It records with the browser's MediaRecorder and counts the answer time from the
 * recorder's real "start" event (not from when the question appeared). At the limit it stops
 * by itself and still sends the take (timed_out: true). The value sent back once per take:
 *   {take_key, take_id, mime, audio_b64, started_at_ms, read_seconds, answer_seconds,
 *    timed_out, warned, read_limit, answer_limit}
 *
 * Stream mode (stream: true, audio only) captures with Web Audio instead: an AudioContext at
 * 16 kHz (or the browser's own rate, resampled here) feeding the AudioWorklet in
 * pcm-worklet.js. The answer time counts from the first captured audio. Every chunk_seconds
 * of audio becomes a chunk {seq: 0, 1, 2, ..., b64: 16-bit little-endian mono PCM}, and the
 * value sent is
 *   {take_key, take_id (32 hex), mode: "stream", format: "pcm_s16le", sample_rate: 16000,
 *    chunks: [every chunk the server has not acknowledged], final: false, started_at_ms,
 *    read_seconds, read_limit, answer_limit, warned, timed_out: false, answer_seconds: null}
 * (Streamlit keeps only the latest value, so each one repeats what is not yet acknowledged);
 * at the end the rest of the audio goes as the last chunk with final: true, answer_seconds
 * and timed_out. The captions the server sends back show under the buttons. Where the
 * browser has no AudioWorklet, or it does not start, the take is recorded whole as above.
 * Nothing leaves the page except these messages to the Streamlit app that embeds it.
 */
(function () {
  "use strict";

  var $ = function (id) { return document.getElementById(id); };
  var ui = {
    root: $("recorder"), record: $("record"), stop: $("stop"), clock: $("clock"),
    fill: $("fill"), status: $("status"), warning: $("warning"), preview: $("preview"),
    captions: $("captions"), pace: $("pace"),
  };
  var RATE = 16000;  // the streamed audio's sample rate

  var args = {};
  var takeKey = null;
  var state = "idle";  // idle | reading | starting | recording | encoding | sent | error
  var shownAt = performance.now();
  var startedAt = null;       // performance.now() at the recorder's start event
  var startedAtEpoch = null;  // Date.now() at the same moment
  var stoppedAt = null;
  var readUsed = null;
  var recorder = null, stream = null, chunks = [], mime = "";
  var timedOut = false, warned = false;
  var ticker = null, limitTimer = null;
  // stream mode
  var streaming = false;        // this take is streamed (Web Audio), not MediaRecorder
  var takeId = null;
  var ctx = null, source = null, node = null, sink = null;
  var capturing = false, startWatch = null, flushWatch = null;
  var chunkSamples = 2 * RATE, chunkView = null, chunkFill = 0, seq = 0, unacked = [];
  var totalSamples = 0, maxSamples = null;
  var inRate = RATE, resPos = 0, resPrev = 0;

  // ---- the Streamlit component protocol ---------------------------------------------------
  function send(type, data) {
    var msg = { isStreamlitMessage: true, type: type };
    for (var k in data) { msg[k] = data[k]; }
    window.parent.postMessage(msg, "*");
  }
  function setValue(value) { send("streamlit:setComponentValue", { value: value, dataType: "json" }); }
  function setHeight() {
    send("streamlit:setFrameHeight", { height: Math.ceil(document.body.scrollHeight) + 4 });
  }

  // ---- helpers ----------------------------------------------------------------------------
  function positive(v) { return typeof v === "number" && v > 0 ? v : null; }
  function readLimit() { return positive(args.read_seconds); }
  function answerLimit() { return positive(args.answer_seconds); }
  function fmt(seconds) {
    var s = Math.max(0, Math.round(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }
  function round3(x) { return Math.round(x * 1000) / 1000; }
  function say(text) { ui.status.textContent = text; setHeight(); }
  function newId() {  // 32 lowercase hex digits
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID().replace(/-/g, ""); }
    var hex = "";
    if (window.crypto && crypto.getRandomValues) {
      var bytes = crypto.getRandomValues(new Uint8Array(16));
      for (var i = 0; i < bytes.length; i++) { hex += (bytes[i] + 256).toString(16).slice(1); }
      return hex;
    }
    while (hex.length < 32) { hex += Math.floor(Math.random() * 65536).toString(16).padStart(4, "0"); }
    return hex.slice(0, 32);
  }
  function warningText(seconds) {
    if (seconds % 60 === 0) {
      var m = seconds / 60;
      return (m === 1 ? "One minute" : m + " minutes") + " left: start wrapping up.";
    }
    return seconds + " seconds left: start wrapping up.";
  }
  function setState(s) {
    state = s;
    ui.root.dataset.state = s;
    ui.record.hidden = !(s === "idle" || s === "reading" || s === "error");
    ui.stop.hidden = s !== "recording";
    showCaptions();
  }

  // ---- live captions and pace (stream mode) -----------------------------------------------
  function showCaptions() {
    var c = args.captions;
    var visible = !!(streaming && args.show_captions !== false && c && typeof c === "object"
                     && (state === "recording" || state === "encoding" || state === "sent"));
    if (ui.captions && ui.pace) {
      ui.captions.hidden = ui.pace.hidden = !visible;
      if (visible) {
        var text = String(c.text || "").trim();
        if (text.length > 300) {
          text = text.slice(-300);
          var space = text.indexOf(" ");
          if (space > 0 && space < 40) { text = text.slice(space + 1); }
          text = "\u2026" + text;
        }
        ui.captions.textContent = text;
        var wpm = typeof c.wpm === "number" && isFinite(c.wpm)
          ? Math.round(c.wpm) + " words per minute" : "not measured yet";
        var fillers = typeof c.fillers === "number" ? c.fillers : 0;
        ui.pace.textContent = "Pace: " + wpm + " \u00b7 fillers so far: " + fillers;
      }
    }
    setHeight();
  }
  function setFill(fraction) {
    ui.fill.style.width = Math.max(0, Math.min(1, fraction)) * 100 + "%";
  }

  // ---- timers -----------------------------------------------------------------------------
  function tick() {
    var now = performance.now();
    if (state === "reading") {
      var limit = readLimit();
      var used = (now - shownAt) / 1000;
      ui.clock.textContent = "Reading time left: " + fmt(Math.ceil(limit - used));
      setFill(used / limit);
      if (used >= limit) {
        if (args.auto_start) { start(); } else {
          setState("idle");
          ui.clock.textContent = "Reading time is over";
          say("Press Record to answer.");
        }
      }
    } else if (state === "recording") {
      var alimit = answerLimit();
      var aused = (now - startedAt) / 1000;
      if (alimit) {
        var left = alimit - aused;
        ui.clock.textContent = "Answer time left: " + fmt(Math.ceil(left));
        setFill(aused / alimit);
        var w = positive(args.warning_seconds);
        if (w && alimit > w && !warned && left <= w) {
          warned = true;
          ui.warning.textContent = warningText(w);
          ui.warning.hidden = false;
          setHeight();
        }
        if (left <= 0) { stop(true); }
      } else {
        ui.clock.textContent = "Recording: " + fmt(aused);
      }
    }
  }

  function startTicker() {
    if (ticker === null) { ticker = window.setInterval(tick, 200); }
  }
  function stopTicker() {
    if (ticker !== null) { window.clearInterval(ticker); ticker = null; }
    if (limitTimer !== null) { window.clearTimeout(limitTimer); limitTimer = null; }
  }

  // ---- recording --------------------------------------------------------------------------
  function pickMime() {
    var options = args.video
      ? ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm", "video/mp4"]
      : ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];
    for (var i = 0; i < options.length; i++) {
      if (window.MediaRecorder && MediaRecorder.isTypeSupported &&
          MediaRecorder.isTypeSupported(options[i])) { return options[i]; }
    }
    return "";
  }

  function canStream() {
    return !!(args.stream && !args.video && (window.AudioContext || window.webkitAudioContext)
              && window.AudioWorkletNode);
  }

  function start() {
    if (state !== "idle" && state !== "reading" && state !== "error") { return; }
    streaming = false;
    var wantStream = canStream();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia
        || (!window.MediaRecorder && !wantStream)) {
      setState("error");
      say("This browser cannot record here. Open the app at http://localhost in a current "
          + "Chrome, Edge or Firefox, or upload a recording instead.");
      return;
    }
    readUsed = (performance.now() - shownAt) / 1000;
    // the interviewer's voice must not be recorded (where the browser shares its speech queue)
    try { if (window.speechSynthesis) { window.speechSynthesis.cancel(); } } catch (e) { /* none */ }
    setState("starting");
    ui.clock.textContent = "";
    say(args.video ? "Opening the camera and microphone..." : "Opening the microphone...");
    var wanted = { audio: true };
    if (args.video) {
      wanted.video = { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: "user" };
    }
    // the audio context is made now, while the click still counts as the user's gesture
    if (wantStream) { ctx = newContext(true); }
    navigator.mediaDevices.getUserMedia(wanted).then(function (s) {
      stream = s;
      if (args.video && ui.preview) {  // the applicant sees themself while answering
        ui.preview.srcObject = s;
        ui.preview.hidden = false;
        ui.preview.play().catch(function () {});
      }
      if (wantStream) {
        startStream().catch(function (err) {
          teardownAudio();
          if (window.console) { console.warn("recorder: streaming unavailable, recording whole", err); }
          startRecorder();
        });
      } else {
        startRecorder();
      }
    }, function (err) {
      teardownAudio();
      fail((args.video ? "the camera or microphone" : "the microphone") + " could not be opened ("
           + err.name + "): allow access for this page and check that "
           + (args.video ? "a camera and a microphone are" : "a microphone is") + " connected");
    });
  }

  function began() {  // audio capture has really started
    startedAt = performance.now();
    startedAtEpoch = Date.now();
    setState("recording");
    say(answerLimit() ? "Recording. It stops by itself when the time is up."
                      : "Recording. Press Stop recording when you have finished.");
    var limit = answerLimit();
    if (limit) {
      limitTimer = window.setTimeout(function () { stop(true); }, limit * 1000);
    }
    tick();
  }

  function startRecorder() {  // the whole take with MediaRecorder
    streaming = false;
    if (!window.MediaRecorder) { fail("this browser cannot record audio here"); return; }
    mime = pickMime();
    try {
      recorder = mime ? new MediaRecorder(stream, { mimeType: mime }) : new MediaRecorder(stream);
    } catch (err) {
      fail("the recorder could not start (" + err.name + ")");
      return;
    }
    chunks = [];
    recorder.ondataavailable = function (e) { if (e.data && e.data.size) { chunks.push(e.data); } };
    recorder.onstart = began;
    recorder.onstop = finish;
    recorder.onerror = function (e) { fail("recording failed (" + ((e.error && e.error.name) || "error") + ")"); };
    recorder.start(1000);  // gather data every second, so little is held back at the end
    startTicker();
  }

  // ---- stream mode: Web Audio capture, 16 kHz PCM chunks ----------------------------------
  function newContext(at16k) {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (at16k) {
      try { return new Ctx({ sampleRate: RATE }); } catch (e) { /* the browser's own rate */ }
    }
    try { return new Ctx(); } catch (e) { return null; }
  }

  function startStream() {
    if (!ctx) { return Promise.reject(new Error("no AudioContext")); }
    try {
      source = ctx.createMediaStreamSource(stream);
    } catch (err) {
      // e.g. a browser that cannot connect a microphone to a context at another rate
      try { ctx.close(); } catch (e) { /* closed */ }
      ctx = newContext(false);
      if (!ctx) { return Promise.reject(err); }
      try { source = ctx.createMediaStreamSource(stream); } catch (e2) { return Promise.reject(e2); }
    }
    var url = new URL("pcm-worklet.js", document.baseURI).href;
    return ctx.audioWorklet.addModule(url).then(function () {
      node = new AudioWorkletNode(ctx, "pcm-capture", {
        numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1],
        channelCount: 1, channelCountMode: "explicit", channelInterpretation: "speakers",
      });
      // a silent sink keeps the graph pulled in every browser; nothing is played
      sink = ctx.createGain();
      sink.gain.value = 0;
      source.connect(node);
      node.connect(sink);
      sink.connect(ctx.destination);
      inRate = ctx.sampleRate;
      ui.root.dataset.captureRate = String(inRate);  // resampled to 16 kHz here if it differs
      resPos = 0;
      resPrev = 0;
      streaming = true;
      takeId = newId();
      chunkSamples = Math.round(Math.min(10, Math.max(0.25, positive(args.chunk_seconds) || 2)) * RATE);
      chunkView = new DataView(new ArrayBuffer(chunkSamples * 2));
      chunkFill = 0;
      seq = 0;
      unacked = [];
      totalSamples = 0;
      var limit = answerLimit();
      maxSamples = limit ? Math.round(limit * RATE) : null;
      capturing = true;
      node.port.onmessage = onWorklet;
      stream.getAudioTracks().forEach(function (t) {
        t.onended = function () { if (state === "recording") { stop(false); } };
      });
      // no audio within a few seconds (say, a context the browser keeps suspended without a
      // click): record the whole take with MediaRecorder instead
      startWatch = window.setTimeout(function () {
        startWatch = null;
        if (startedAt === null && state === "starting") {
          capturing = false;
          teardownAudio();
          if (window.console) { console.warn("recorder: no audio from Web Audio, recording whole"); }
          startRecorder();
        }
      }, 4000);
      return ctx.state === "running" ? null : ctx.resume();
    });
  }

  function onWorklet(event) {
    var data = event.data || {};
    if (data.flushed) { finishStream(); return; }
    if (!capturing || !data.frame) { return; }
    var frame = data.frame;
    if (startedAt === null) {
      if (startWatch !== null) { window.clearTimeout(startWatch); startWatch = null; }
      began();
      // the first frame holds audio captured just before it arrived
      var held = frame.length / inRate * 1000;
      startedAt -= held;
      startedAtEpoch = Math.round(startedAtEpoch - held);
      startTicker();
    }
    if (state !== "recording" && state !== "encoding") { return; }
    if (inRate === RATE) {
      for (var i = 0; i < frame.length; i++) { push(frame[i]); }
    } else {
      resample(frame);
    }
  }

  // linear resampling to 16 kHz across frames (resPrev: the last sample of the frame before)
  function resample(frame) {
    var step = inRate / RATE, n = frame.length;
    while (resPos <= n - 1) {
      var i0 = Math.floor(resPos), f = resPos - i0;
      var a = i0 < 0 ? resPrev : frame[i0];
      var b = frame[i0 + 1 < n ? i0 + 1 : n - 1];
      push(a + (b - a) * f);
      resPos += step;
    }
    resPos -= n;
    resPrev = frame[n - 1];
  }

  function push(x) {
    if (maxSamples !== null && totalSamples >= maxSamples) { return; }
    var v = x > 1 ? 1 : (x < -1 ? -1 : x);
    chunkView.setInt16(chunkFill * 2, Math.round(v < 0 ? v * 0x8000 : v * 0x7fff), true);
    chunkFill++;
    totalSamples++;
    if (chunkFill === chunkSamples) { cut(); sendStream(false); }
  }

  function cut() {  // the samples gathered so far become the next chunk (possibly empty)
    var bytes = new Uint8Array(chunkView.buffer, 0, chunkFill * 2);
    var bin = "";
    for (var i = 0; i < bytes.length; i += 0x8000) {
      bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    unacked.push({ seq: seq, b64: btoa(bin) });
    seq++;
    chunkFill = 0;
  }

  function sendStream(final) {
    var limit = answerLimit();
    var used = final ? (stoppedAt - startedAt) / 1000 : null;
    setValue({
      take_key: takeKey,
      take_id: takeId,
      mode: "stream",
      format: "pcm_s16le",
      sample_rate: RATE,
      chunks: unacked.slice(),
      final: final,
      started_at_ms: startedAtEpoch,
      read_seconds: round3(readUsed),
      read_limit: readLimit(),
      answer_limit: limit,
      warned: warned,
      timed_out: final ? timedOut : false,
      answer_seconds: final ? round3(limit && timedOut ? Math.min(used, limit) : used) : null,
    });
  }

  function acknowledge(acked) {
    if (!streaming || !acked || acked.take_id !== takeId || typeof acked.seq !== "number") { return; }
    unacked = unacked.filter(function (c) { return c.seq > acked.seq; });
  }

  function finishStream() {
    if (!capturing) { return; }
    capturing = false;
    if (flushWatch !== null) { window.clearTimeout(flushWatch); flushWatch = null; }
    cut();
    teardownAudio();
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    if (!totalSamples) { fail("nothing was captured from the microphone"); return; }
    sendStream(true);
    sent();
  }

  function teardownAudio() {
    if (startWatch !== null) { window.clearTimeout(startWatch); startWatch = null; }
    try { if (node) { node.port.onmessage = null; node.disconnect(); } } catch (e) { /* gone */ }
    try { if (source) { source.disconnect(); } } catch (e) { /* gone */ }
    try { if (sink) { sink.disconnect(); } } catch (e) { /* gone */ }
    if (ctx && ctx.state !== "closed") { ctx.close().catch(function () {}); }
    ctx = source = node = sink = null;
  }

  function fail(why) {
    stopTicker();
    capturing = false;
    teardownAudio();
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    hidePreview();
    setState("error");
    say("Not recorded: " + why + ". Then press Record again.");
  }

  function stop(timed) {
    if (state !== "recording") { return; }
    stoppedAt = performance.now();
    timedOut = !!timed;
    stopTicker();
    setState("encoding");
    say(timedOut ? "Time is up. Saving your answer..." : "Saving your answer...");
    if (streaming) {
      // the worklet posts what it still holds, then "flushed"; do not wait for it forever
      node.port.postMessage("flush");
      flushWatch = window.setTimeout(finishStream, 1000);
    } else {
      recorder.stop();
    }
  }

  function sent() {
    setState("sent");
    ui.clock.textContent = "Answer time used: " + fmt((stoppedAt - startedAt) / 1000);
    say(timedOut ? "Time is up: your answer was recorded and is being saved."
                 : "Your answer was recorded and is being saved.");
  }

  function hidePreview() {
    if (ui.preview) { ui.preview.hidden = true; ui.preview.srcObject = null; }
  }

  function finish() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    hidePreview();
    var type = (recorder && recorder.mimeType) || mime || (args.video ? "video/webm" : "audio/webm");
    var blob = new Blob(chunks, { type: type });
    if (!blob.size) { fail("nothing was captured from the microphone"); return; }
    var reader = new FileReader();
    reader.onload = function () {
      var data = String(reader.result);
      var answerUsed = (stoppedAt - startedAt) / 1000;
      var limit = answerLimit();
      setValue({
        take_key: takeKey,
        take_id: newId(),
        mime: type,
        // after ";base64," (a codecs list such as "vp8,opus" has commas of its own)
        audio_b64: data.slice(data.indexOf(";base64,") + 8),
        started_at_ms: startedAtEpoch,
        read_seconds: round3(readUsed),
        answer_seconds: round3(limit && timedOut ? Math.min(answerUsed, limit) : answerUsed),
        timed_out: timedOut,
        warned: warned,
        read_limit: readLimit(),
        answer_limit: limit,
      });
      sent();
    };
    reader.onerror = function () { fail("the recording could not be read"); };
    reader.readAsDataURL(blob);
  }

  // ---- a new take -------------------------------------------------------------------------
  function begin() {
    shownAt = performance.now();
    startedAt = startedAtEpoch = stoppedAt = readUsed = null;
    timedOut = warned = false;
    streaming = false;
    takeId = null;
    unacked = [];
    ui.warning.hidden = true;
    ui.warning.textContent = "";
    setFill(0);
    var a = answerLimit();
    var limitText = a ? " You have " + fmt(a) + " to answer; recording stops by itself at the limit." : "";
    if (readLimit()) {
      setState("reading");
      say((args.auto_start ? "Read the question: recording starts by itself when the reading time ends,"
                           : "Read the question,")
          + " or press Record when you are ready." + limitText);
      tick();
      startTicker();
    } else {
      setState("idle");
      ui.clock.textContent = "";
      say("Press Record when you are ready." + limitText);
    }
  }

  ui.record.addEventListener("click", start);
  ui.stop.addEventListener("click", function () { stop(false); });

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "streamlit:render") { return; }
    var a = data.args || {};
    var fresh = a.take_key !== takeKey;
    args = a;
    ui.record.disabled = !!data.disabled;
    if (a.label) { ui.record.setAttribute("aria-description", a.label); }
    acknowledge(a.acked);
    if (fresh) {
      takeKey = a.take_key;
      if (state === "recording" || state === "starting" || state === "encoding") {
        showCaptions();
        return;
      }
      begin();
    }
    showCaptions();
  });

  send("streamlit:componentReady", { apiVersion: 1 });
  setHeight();
})();
