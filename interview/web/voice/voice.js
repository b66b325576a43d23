/* The interviewer's voice (components.v1 protocol, no build step, no network).
 *
 * Arguments: text (the question), question_key (a new key = a new question: read it once), lang
 * ("en-US", "en-CA"), enabled. Only voices with localService === true are ever used: the
 * browser's network voices would send the question to a cloud service. With no local
 * voice the component says so and the question stays on screen.
 */
(function () {
  "use strict";
  var again = document.getElementById("again");
  var quiet = document.getElementById("quiet");
  var status = document.getElementById("status");
  var args = {};
  var spokenKey = null;

  function send(type, data) {
    var msg = { isStreamlitMessage: true, type: type };
    for (var k in data) { msg[k] = data[k]; }
    window.parent.postMessage(msg, "*");
  }
  function setHeight() {
    send("streamlit:setFrameHeight", { height: Math.ceil(document.body.scrollHeight) + 4 });
  }
  function say(text) { status.textContent = text; setHeight(); }

  function synth() { return window.speechSynthesis || null; }

  /* The best local voice for the language: same locale, then same language; null if none. */
  function localVoice(lang) {
    var s = synth();
    if (!s) { return null; }
    var voices = s.getVoices().filter(function (v) { return v.localService === true; });
    var want = (lang || "en-US").toLowerCase();
    var base = want.split("-")[0];
    var exact = voices.filter(function (v) { return (v.lang || "").toLowerCase().replace("_", "-") === want; });
    if (exact.length) { return exact[0]; }
    var same = voices.filter(function (v) { return (v.lang || "").toLowerCase().indexOf(base) === 0; });
    return same.length ? same[0] : null;
  }

  function withVoices(callback) {
    var s = synth();
    if (!s) { callback(); return; }
    if (s.getVoices().length) { callback(); return; }
    var done = false;
    var finish = function () { if (!done) { done = true; callback(); } };
    s.addEventListener("voiceschanged", finish);
    window.setTimeout(finish, 1500);  // some browsers never fire it when there is no voice
  }

  function speak() {
    var s = synth();
    if (!s) { say("This browser cannot read aloud: the question is shown above."); return; }
    withVoices(function () {
      var voice = localVoice(args.lang);
      if (!voice) {
        again.hidden = true;
        say("No voice is installed on this computer for this browser, so the question is "
            + "not read aloud (no online voice is used). The question is shown above.");
        return;
      }
      s.cancel();
      var u = new SpeechSynthesisUtterance(args.text || "");
      u.voice = voice;
      u.lang = voice.lang;
      u.rate = 0.95;
      u.onstart = function () { quiet.hidden = false; say("Reading the question aloud (" + voice.name + ", on this computer)."); };
      u.onend = function () { quiet.hidden = true; again.hidden = false; say("Read aloud with " + voice.name + " (on this computer)."); };
      u.onerror = function () { quiet.hidden = true; again.hidden = false; say("The question could not be read aloud; it is shown above."); };
      again.hidden = true;
      s.speak(u);
    });
  }

  again.addEventListener("click", speak);
  quiet.addEventListener("click", function () { var s = synth(); if (s) { s.cancel(); } });

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "streamlit:render") { return; }
    args = data.args || {};
    if (!args.enabled) {
      var s = synth();
      if (s) { s.cancel(); }
      again.hidden = true; quiet.hidden = true;
      say("");
      return;
    }
    if (args.question_key !== spokenKey) {
      spokenKey = args.question_key;
      speak();
    }
    setHeight();
  });
  // a recording must not pick up the voice: stop when the page goes away
  window.addEventListener("pagehide", function () { var s = synth(); if (s) { s.cancel(); } });

  send("streamlit:componentReady", { apiVersion: 1 });
  setHeight();
})();
