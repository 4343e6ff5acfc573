// masthead live reload: injected by `masthead serve` only, never by `build`.
// Listens for rebuilds and reloads this page, swaps changed stylesheets, or
// shows / hides the error overlay. EventSource reconnects by itself.
(function () {
  "use strict";
  var OVERLAY_ID = "masthead-error-overlay";

  // `/a/b/`, `/a/b` and `/a/b/index.html` are the same page.
  function normalise(path) {
    try {
      path = decodeURI(path);
    } catch (e) {
      // Keep the path as it is.
    }
    return path.replace(/\/index\.html$/, "/").replace(/\/+$/, "") || "/";
  }

  function contains(paths, path) {
    var wanted = normalise(path);
    for (var i = 0; i < paths.length; i++) {
      if (normalise(paths[i]) === wanted) return true;
    }
    return false;
  }

  function reloadPages(paths) {
    if (paths.length === 0 || contains(paths, location.pathname)) location.reload();
  }

  function reloadStyles(paths) {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].href, location.href);
      if (url.origin === location.origin && contains(paths, url.pathname)) {
        url.searchParams.set("v", String(Date.now()));
        links[i].href = url.href;
      }
    }
  }

  function hideOverlay() {
    var old = document.getElementById(OVERLAY_ID);
    if (old) old.parentNode.removeChild(old);
  }

  function showOverlay(html) {
    hideOverlay();
    var template = document.createElement("template");
    template.innerHTML = html;
    var overlay = template.content.firstElementChild;
    if (!overlay || overlay.id !== OVERLAY_ID || template.content.childElementCount !== 1) {
      overlay = document.createElement("div");
      overlay.id = OVERLAY_ID;
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:#fff";
      overlay.appendChild(template.content);
    }
    document.body.appendChild(overlay);
  }

  var source = new EventSource("/__masthead/events");
  source.onmessage = function (event) {
    var msg;
    try {
      msg = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (msg.type === "pages") reloadPages(msg.paths || []);
    else if (msg.type === "styles") reloadStyles(msg.paths || []);
    else if (msg.type === "error") showOverlay(msg.html || "");
    else if (msg.type === "fixed") hideOverlay();
  };
})();
