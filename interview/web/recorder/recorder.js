/* The answer recorder: a Streamlit component (components.v1 protocol, no build step).
 *
 * Arguments (from app_pages/_recorder.py): take_key (a new key = a new take), read_seconds
 * (a read timer before recording, or null), answer_seconds (the answer time limit, or null),
 * warning_seconds (warn this long before the limit, or null), auto_start (start recording
 * when the read timer ends), label.
 *
 * It records with the browser's MediaRecorder and counts the answer time from the
 * recorder's real "start" event (not from when the question appeared). At the limit it stops
 * by itself and still sends the take (timed_out: true). The value sent back once per take:
 *   {take_key, take_id, mime, audio_b64, started_at_ms, read_seconds, answer_seconds,
 *    timed_out, warned, read_limit, answer_limit}
 * Nothing leaves the page except this message to the Streamlit app that embeds it.
 */
(function () {
  "use strict";

  var $ = function (id) { return document.getElementById(id); };
  var ui = {
    root: $("recorder"), record: $("record"), stop: $("stop"), clock: $("clock"),
    fill: $("fill"), status: $("status"), warning: $("warning"), preview: $("preview"),
  };

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
  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID().replace(/-/g, ""); }
    return Date.now().toString(16) + Math.random().toString(16).slice(2);
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

  function start() {
    if (state !== "idle" && state !== "reading" && state !== "error") { return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
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
    navigator.mediaDevices.getUserMedia(wanted).then(function (s) {
      stream = s;
      if (args.video && ui.preview) {  // the applicant sees themself while answering
        ui.preview.srcObject = s;
        ui.preview.hidden = false;
        ui.preview.play().catch(function () {});
      }
      mime = pickMime();
      try {
        recorder = mime ? new MediaRecorder(stream, { mimeType: mime }) : new MediaRecorder(stream);
      } catch (err) {
        fail("the recorder could not start (" + err.name + ")");
        return;
      }
      chunks = [];
      recorder.ondataavailable = function (e) { if (e.data && e.data.size) { chunks.push(e.data); } };
      recorder.onstart = function () {
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
      };
      recorder.onstop = finish;
      recorder.onerror = function (e) { fail("recording failed (" + ((e.error && e.error.name) || "error") + ")"); };
      recorder.start(1000);  // gather data every second, so little is held back at the end
      startTicker();
    }, function (err) {
      fail((args.video ? "the camera or microphone" : "the microphone") + " could not be opened ("
           + err.name + "): allow access for this page and check that "
           + (args.video ? "a camera and a microphone are" : "a microphone is") + " connected");
    });
  }

  function fail(why) {
    stopTicker();
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
    recorder.stop();
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
      setState("sent");
      ui.clock.textContent = "Answer time used: " + fmt((stoppedAt - startedAt) / 1000);
      say(timedOut ? "Time is up: your answer was recorded and is being saved."
                   : "Your answer was recorded and is being saved.");
    };
    reader.onerror = function () { fail("the recording could not be read"); };
    reader.readAsDataURL(blob);
  }

  // ---- a new take -------------------------------------------------------------------------
  function begin() {
    shownAt = performance.now();
    startedAt = startedAtEpoch = stoppedAt = readUsed = null;
    timedOut = warned = false;
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
    if (fresh) {
      takeKey = a.take_key;
      if (state === "recording" || state === "starting" || state === "encoding") { return; }
      begin();
    }
    setHeight();
  });

  send("streamlit:componentReady", { apiVersion: 1 });
  setHeight();
})();
