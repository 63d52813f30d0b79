/*
 * Weft chat widget: a chat bubble that opens a chat app in an iframe panel.
 *
 *   <script src="https://weft.example.com/widget.js" data-app="my-helpdesk" async></script>
 *
 * Attributes: data-app (the chat app's address, required), data-position ("right" default, or
 * "left"), data-color (the bubble's colour, #rgb or #rrggbb), data-open ("true": open at load).
 *
 * Before showing anything it asks Weft whether this website may embed the app
 * (GET /api/chat/<app>/embed, checked against the Origin header the browser sends): a website the
 * app's owner has not listed gets no bubble, only a console warning saying why. The chat itself
 * runs in the iframe, on Weft's origin, which the browser shows only inside the listed websites
 * (Content-Security-Policy frame-ancestors). This script holds no credential of any kind.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var warn = function (message) {
    if (window.console) window.console.warn("[Weft widget] " + message);
  };
  var slug = script.getAttribute("data-app") || "";
  if (!/^[a-z0-9][a-z0-9-]{2,62}$/.test(slug)) return warn('data-app must be a chat app\'s address, e.g. data-app="my-helpdesk".');
  var base = new URL(script.src, document.baseURI).origin;
  var left = script.getAttribute("data-position") === "left";
  var color = /^#(?:[0-9a-fA-F]{3}){1,2}$/.test(script.getAttribute("data-color") || "") ? script.getAttribute("data-color") : "#171717";
  var openAtLoad = script.getAttribute("data-open") === "true";

  fetch(base + "/api/chat/" + slug + "/embed", { credentials: "omit" })
    .then(function (response) {
      return response.json().then(
        function (body) { return { ok: response.ok, body: body }; },
        function () { return { ok: false, body: {} }; }
      );
    })
    .then(
      function (answer) {
        if (!answer.ok) return warn("not shown: " + ((answer.body.error && answer.body.error.message) || "this chat app is not available."));
        whenReady(function () { mount(answer.body.app.title || "Chat"); });
      },
      function () { warn("not shown: Weft could not be reached at " + base + "."); }
    );

  function whenReady(run) {
    if (document.body) run();
    else document.addEventListener("DOMContentLoaded", run);
  }

  var CHAT_ICON = '<svg width="26" height="26" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/></svg>';
  var CLOSE_ICON = '<svg width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M18 6 6 18M6 6l12 12"/></svg>';

  function mount(title) {
    var host = document.createElement("div");
    host.id = "weft-chat-widget";
    // A shadow root keeps the website's styles off the bubble and the panel (and theirs off the website).
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var side = left ? "left" : "right";
    var style = document.createElement("style");
    style.textContent =
      ".bubble{position:fixed;bottom:20px;" + side + ":20px;z-index:2147483000;width:56px;height:56px;border-radius:50%;border:0;cursor:pointer;" +
      "background:" + color + ";color:#fff;display:flex;align-items:center;justify-content:center;box-shadow:0 4px 16px rgba(0,0,0,.25)}" +
      ".panel{position:fixed;bottom:88px;" + side + ":20px;z-index:2147483000;width:380px;height:560px;max-width:calc(100vw - 40px);" +
      "max-height:calc(100vh - 108px);border-radius:12px;overflow:hidden;background:#fff;box-shadow:0 8px 32px rgba(0,0,0,.25);display:none}" +
      ".panel.open{display:block}.panel iframe{width:100%;height:100%;border:0}";
    var panel = document.createElement("div");
    panel.className = "panel";
    panel.setAttribute("data-testid", "weft-widget-panel");
    var bubble = document.createElement("button");
    bubble.type = "button";
    bubble.className = "bubble";
    bubble.setAttribute("data-testid", "weft-widget-bubble");
    bubble.setAttribute("aria-expanded", "false");
    var frame = null;

    function render(open) {
      panel.className = open ? "panel open" : "panel";
      bubble.innerHTML = open ? CLOSE_ICON : CHAT_ICON;
      bubble.setAttribute("aria-label", (open ? "Close chat: " : "Open chat: ") + title);
      bubble.setAttribute("aria-expanded", open ? "true" : "false");
      if (open && !frame) {
        // Created on first open: a closed bubble costs the website one small request.
        frame = document.createElement("iframe");
        frame.title = title;
        frame.setAttribute("data-testid", "weft-widget-frame");
        frame.src = base + "/chat/" + slug + "/embed?parent=" + encodeURIComponent(window.location.origin);
        panel.appendChild(frame);
      }
    }
    bubble.addEventListener("click", function () { render(!/\bopen\b/.test(panel.className)); });
    root.appendChild(style);
    root.appendChild(panel);
    root.appendChild(bubble);
    document.body.appendChild(host);
    render(openAtLoad);
  }
})();
