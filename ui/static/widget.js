/*! SceneRec chat widget: one <script> tag, no build step, no dependencies.
 *
 *   <script src="https://HOST/widget.js" data-key="sr_pk_..." async></script>
 *
 * Options (data attributes on the script tag): data-key, data-api (defaults to the script's
 * origin), data-title, data-greeting, data-position ("right" | "left"), data-accent (a CSS colour),
 * data-theme ("light" | "dark"), data-open ("true" opens the panel at load), data-lang ("en" |
 * "zh"; defaults to the page's <html lang>): the language of the widget's own words.
 * Theming: set CSS variables on #scenerec-widget from the host page, e.g.
 *   #scenerec-widget { --sr-accent: #d6336c; --sr-radius: 8px; }
 *
 * Everything is built with createElement + textContent inside a shadow root: no catalogue text,
 * reply or error message is ever parsed as HTML, and the host page's styles never leak in.
 */
(function () {
  "use strict";

  var script = document.currentScript || document.querySelector('script[src*="widget.js"][data-key], script[src*="widget.js"]');
  if (!script || window.__sceneRecWidgetLoaded) return;
  window.__sceneRecWidgetLoaded = true;

  var data = script.dataset || {};
  // The widget's own words per language ({en: {...}, zh: {...}}), filled in by the server from
  // ui/locales/<language>.yaml (replies come from the server, in the person's language).
  var STRINGS = __SCENEREC_WIDGET_WORDS__;
  var lang = String(data.lang || document.documentElement.lang || "en").toLowerCase().indexOf("zh") === 0 ? "zh" : "en";
  var T = STRINGS[lang];
  var cfg = {
    key: data.key || "",
    api: (data.api || new URL(script.src, location.href).origin).replace(/\/+$/, ""),
    title: data.title || T.title,
    greeting: data.greeting || T.greeting,
    position: data.position === "left" ? "left" : "right",
    accent: data.accent || "",
    theme: data.theme === "dark" ? "dark" : "light",
    open: data.open === "true"
  };
  var storeKey = "scenerec:" + cfg.api + ":" + (cfg.key || "open");
  // the kinds the API accepts (filled in when the API serves this script); a button for each one
  // the widget has words for
  var FEEDBACK = __SCENEREC_FEEDBACK_KINDS__
    .filter(function (kind) { return T[kind]; })
    .map(function (kind) { return [kind, T[kind]]; });

  var CSS = [
    ":host{all:initial;--sr-accent:#3b5bdb;--sr-accent-fg:#fff;--sr-bg:#fff;--sr-fg:#1f2328;--sr-muted:#57606a;",
    "--sr-border:#d0d7de;--sr-user-bg:#e7ecff;--sr-bot-bg:#f3f4f6;--sr-radius:14px;--sr-z:2147483000;",
    "--sr-font:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;--sr-width:380px;--sr-height:560px}",
    ":host(.sr-dark){--sr-bg:#1e1f24;--sr-fg:#e6e6e6;--sr-muted:#a0a4ab;--sr-border:#3a3d45;--sr-user-bg:#2b3566;--sr-bot-bg:#2a2c33}",
    "*{box-sizing:border-box;font-family:var(--sr-font)}",
    ".root{position:fixed;bottom:20px;z-index:var(--sr-z);font-size:15px;line-height:1.4;color:var(--sr-fg)}",
    ".root.right{right:20px}.root.left{left:20px}",
    ".bubble{width:56px;height:56px;border-radius:50%;border:none;cursor:pointer;background:var(--sr-accent);",
    "color:var(--sr-accent-fg);box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center}",
    ".bubble svg{width:28px;height:28px;fill:currentColor}",
    "button:focus-visible,textarea:focus-visible{outline:3px solid var(--sr-accent);outline-offset:2px}",
    ".panel{position:absolute;bottom:70px;width:var(--sr-width);height:var(--sr-height);max-height:calc(100vh - 110px);",
    "background:var(--sr-bg);border:1px solid var(--sr-border);border-radius:var(--sr-radius);",
    "box-shadow:0 10px 30px rgba(0,0,0,.2);display:flex;flex-direction:column;overflow:hidden}",
    ".right .panel{right:0}.left .panel{left:0}.panel[hidden]{display:none}",
    "header{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;background:var(--sr-accent);color:var(--sr-accent-fg)}",
    "h2{font-size:16px;margin:0;font-weight:600}",
    ".close{background:transparent;border:none;color:inherit;font-size:22px;line-height:1;cursor:pointer;padding:4px 8px;border-radius:6px}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px}",
    ".msg{max-width:88%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".msg.user{align-self:flex-end;background:var(--sr-user-bg)}",
    ".msg.bot{align-self:flex-start;background:var(--sr-bot-bg)}",
    ".msg.error{align-self:stretch;background:#fdecea;color:#8a1c12}",
    ".msg.busy::after{content:'\\2026';animation:sr-blink 1s infinite}",
    "@keyframes sr-blink{50%{opacity:.2}}",
    ".cards{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:8px}",
    ".card{border:1px solid var(--sr-border);border-radius:10px;padding:10px 12px;background:var(--sr-bg)}",
    ".card h3{font-size:15px;margin:0 0 2px 0;overflow-wrap:anywhere}",
    ".meta{color:var(--sr-muted);font-size:13px;margin:0 0 4px 0;overflow-wrap:anywhere}",
    ".reason{font-size:13.5px;margin:0 0 8px 0;overflow-wrap:anywhere}",
    ".reason.provisional{color:var(--sr-muted)}",
    ".actions{display:flex;gap:6px;flex-wrap:wrap}",
    ".actions button{font-size:13px;padding:4px 10px;border-radius:999px;border:1px solid var(--sr-border);",
    "background:var(--sr-bg);color:var(--sr-fg);cursor:pointer}",
    ".actions button[aria-pressed=true]{background:var(--sr-accent);color:var(--sr-accent-fg);border-color:var(--sr-accent)}",
    "form{display:flex;gap:8px;padding:10px;border-top:1px solid var(--sr-border)}",
    "textarea{flex:1;resize:none;border:1px solid var(--sr-border);border-radius:10px;padding:8px 10px;font-size:15px;",
    "background:var(--sr-bg);color:var(--sr-fg);min-height:40px;max-height:120px}",
    ".send{border:none;border-radius:10px;padding:0 16px;background:var(--sr-accent);color:var(--sr-accent-fg);font-weight:600;cursor:pointer}",
    ".send:disabled{opacity:.6;cursor:wait}",
    ".sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    "@media (max-width:480px){.root{bottom:12px}.root.right{right:12px}.root.left{left:12px}",
    ".panel{position:fixed;inset:0;width:100%;height:100%;max-height:none;border-radius:0;border:none}}"
  ].join("");

  // -- small DOM helper: text only, never HTML ---------------------------------------------
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text != null) node.textContent = String(text);
    return node;
  }

  function storage(name, value) {
    try {
      if (value === undefined) return window.localStorage.getItem(storeKey + ":" + name);
      if (value === null) window.localStorage.removeItem(storeKey + ":" + name);
      else window.localStorage.setItem(storeKey + ":" + name, value);
    } catch (e) { /* storage blocked: the conversation lasts for this page only */ }
    return null;
  }

  var memory = {};
  function remember(name, value) { memory[name] = value; storage(name, value); }
  function recall(name) { return memory[name] || storage(name); }

  function anonymousId() {
    var id = recall("anon");
    if (!id) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      remember("anon", id);
    }
    return id;
  }

  // -- API -----------------------------------------------------------------------------------
  function ApiError(status, code, message) { this.status = status; this.code = code; this.message = message; }

  function post(path, body) {
    var headers = { "Content-Type": "application/json", "X-SceneRec-Anon": anonymousId() };
    if (cfg.key) headers.Authorization = "Bearer " + cfg.key;
    return fetch(cfg.api + path, { method: "POST", headers: headers, body: JSON.stringify(body),
                                   mode: "cors", credentials: "omit" })
      .then(function (res) {
        if (res.ok) return res;
        return res.json().catch(function () { return {}; }).then(function (payload) {
          var err = payload && payload.error ? payload.error : {};
          throw new ApiError(res.status, err.code || "http_" + res.status,
                             err.message || ("request failed (" + res.status + ")"));
        });
      });
  }

  function sessionId() {
    var sid = recall("session");
    if (sid) return Promise.resolve(sid);
    return post("/v1/sessions", {}).then(function (res) { return res.json(); }).then(function (body) {
      remember("session", body.session_id);
      return body.session_id;
    });
  }

  function parseFrame(frame) {
    var event = "message", lines = [];
    frame.split("\n").forEach(function (line) {
      if (line.indexOf("event:") === 0) event = line.slice(6).trim();
      else if (line.indexOf("data:") === 0) lines.push(line.slice(5).replace(/^ /, ""));
    });
    return lines.length ? { event: event, data: JSON.parse(lines.join("\n")) } : null;
  }

  // Reads the Server-Sent Events of POST /v1/chat/stream and calls onEvent(name, data) for each.
  function readEvents(res, onEvent) {
    var buffer = "";
    function drain() {
      buffer = buffer.replace(/\r\n/g, "\n");
      var end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        var parsed = parseFrame(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (parsed) onEvent(parsed.event, parsed.data);
      }
    }
    if (!res.body || !res.body.getReader || !window.TextDecoder) {
      return res.text().then(function (text) { buffer = text + "\n\n"; drain(); });
    }
    var reader = res.body.getReader(), decoder = new TextDecoder();
    function pump() {
      return reader.read().then(function (step) {
        if (step.done) { buffer += "\n\n"; drain(); return; }
        buffer += decoder.decode(step.value, { stream: true });
        drain();
        return pump();
      });
    }
    return pump();
  }

  function streamTurn(message, onEvent, retried) {
    return sessionId().then(function (sid) {
      return post("/v1/chat/stream", { session_id: sid, message: message });
    }).then(function (res) { return readEvents(res, onEvent); }, function (err) {
      if (err instanceof ApiError && err.code === "unknown_session" && !retried) {
        remember("session", null);
        return streamTurn(message, onEvent, true);
      }
      throw err;
    });
  }

  // -- UI --------------------------------------------------------------------------------------
  function build() {
    var host = el("div", { id: "scenerec-widget" });
    if (cfg.theme === "dark") host.className = "sr-dark";
    // window.CSS: the CSS *string* below shadows the global CSS object inside this closure
    if (cfg.accent && window.CSS && window.CSS.supports && window.CSS.supports("color", cfg.accent)) {
      host.style.setProperty("--sr-accent", cfg.accent);
    }
    var shadow = host.attachShadow({ mode: "open" });
    shadow.appendChild(el("style", {}, CSS));

    var root = el("div", { "class": "root " + cfg.position, lang: lang === "zh" ? "zh-CN" : "en" });
    var bubble = el("button", { "class": "bubble", type: "button", "aria-label": T.open + cfg.title,
                                "aria-expanded": "false", "aria-controls": "sr-panel" });
    bubble.appendChild(chatIcon());
    var panel = el("section", { "class": "panel", id: "sr-panel", role: "dialog", "aria-labelledby": "sr-title" });
    panel.hidden = true;
    var header = el("header");
    header.appendChild(el("h2", { id: "sr-title" }, cfg.title));
    var close = el("button", { "class": "close", type: "button", "aria-label": T.close }, "\u00d7");
    header.appendChild(close);
    var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": T.conversation });
    var form = el("form", { "class": "composer" });
    form.appendChild(el("label", { "class": "sr-only", "for": "sr-input" }, T.message));
    var input = el("textarea", { id: "sr-input", rows: "1", maxlength: "2000",
                                 placeholder: T.placeholder });
    var send = el("button", { "class": "send", type: "submit" }, T.send);
    form.appendChild(input);
    form.appendChild(send);
    panel.appendChild(header);
    panel.appendChild(log);
    panel.appendChild(form);
    root.appendChild(panel);
    root.appendChild(bubble);
    shadow.appendChild(root);

    function setOpen(open) {
      panel.hidden = !open;
      bubble.setAttribute("aria-expanded", String(open));
      bubble.setAttribute("aria-label", (open ? T.closeChat : T.open) + cfg.title);
      if (open) input.focus(); else bubble.focus();
    }

    function say(kind, text) {
      var msg = el("div", { "class": "msg " + kind }, text);
      log.appendChild(msg);
      log.scrollTop = log.scrollHeight;
      return msg;
    }

    function card(item) {
      var li = el("li", { "class": "card" });
      var article = el("article", { "aria-label": item.title });
      article.appendChild(el("h3", { "class": "title" }, item.title));
      var genres = (item.genre_labels && item.genre_labels.length) ? item.genre_labels : (item.genres || []);
      // the labels come in the conversation's language, which may not be the page's: their own
      // script picks the joiner
      var joiner = STRINGS[/[\u4e00-\u9fff]/.test(genres.join("")) ? "zh" : "en"].genresJoiner;
      var meta = [item.year ? String(item.year) : "", genres.slice(0, 3).join(joiner)]
        .filter(Boolean).join(" \u00b7 ");
      article.appendChild(el("p", { "class": "meta" }, meta));
      var credits = [(item.directors || []).length ? T.directed + item.directors.slice(0, 2).join(", ") : "",
                     (item.cast || []).length ? T.starring + item.cast.slice(0, 3).join(", ") : ""]
        .filter(Boolean).join(" \u00b7 ");
      if (credits) { article.appendChild(el("p", { "class": "meta credits" }, credits)); }
      article.appendChild(el("p", { "class": "reason" }, item.reason || ""));
      var actions = el("div", { "class": "actions", role: "group", "aria-label": T.feedbackOn + item.title });
      FEEDBACK.forEach(function (pair) {
        var button = el("button", { type: "button", "aria-pressed": "false", "data-kind": pair[0],
                                    "aria-label": pair[1] + ": " + item.title }, pair[1]);
        button.addEventListener("click", function () { giveFeedback(item, pair[0], button); });
        actions.appendChild(button);
      });
      article.appendChild(actions);
      li.appendChild(article);
      return li;
    }

    function giveFeedback(item, kind, button) {
      button.disabled = true;
      post("/v1/feedback", { session_id: recall("session"), item_id: item.id, kind: kind })
        .then(function () {
          button.setAttribute("aria-pressed", "true");
          var opposite = { like: "dislike", dislike: "like" }[kind];
          var other = opposite && button.parentNode.querySelector('[data-kind="' + opposite + '"]');
          if (other) other.setAttribute("aria-pressed", "false");  // the latest opinion shows
        })
        .catch(function (err) { say("error", err.message || T.feedbackFailed); })
        .then(function () { button.disabled = false; });
    }

    function submit(event) {
      event.preventDefault();
      var message = input.value.trim();
      if (!message || send.disabled) return;
      input.value = "";
      say("user", message);
      var reply = say("bot busy", "");
      send.disabled = true;
      var list = null;  // the cards, shown from "picks" on; "items" puts the final ones in its place
      function cards(items) {
        var fresh = el("ul", { "class": "cards", "aria-label": T.recommendations });
        items.forEach(function (item) { fresh.appendChild(card(item)); });
        if (list) { log.replaceChild(fresh, list); } else { log.appendChild(fresh); }
        list = fresh;
      }
      function reasonOf(index) {
        var li = list && list.children[index];
        return li ? li.querySelector(".reason") : null;
      }
      streamTurn(message, function (name, payload) {
        var reason;
        if (name === "delta") {
          reply.classList.remove("busy");
          reply.textContent += payload.text;
        } else if (name === "picks" && payload.items.length) {
          cards(payload.items);
        } else if (name === "reason_delta" && (reason = reasonOf(payload.index))) {
          reason.classList.add("provisional");  // being written: not final until its "reason" event
          reason.textContent += payload.text;
        } else if (name === "reason" && (reason = reasonOf(payload.index))) {
          reason.classList.remove("provisional");
          reason.textContent = payload.text;  // the final reason, in place of whatever was streamed
        } else if (name === "items" && (payload.items.length || list)) {
          cards(payload.items);
        }
        log.scrollTop = log.scrollHeight;
      }).catch(function (err) {
        reply.remove();
        say("error", err && err.message ? err.message : T.unreachable);
      }).then(function () {
        reply.classList.remove("busy");
        send.disabled = false;
        input.focus();
      });
    }

    bubble.addEventListener("click", function () { setOpen(panel.hidden); });
    close.addEventListener("click", function () { setOpen(false); });
    form.addEventListener("submit", submit);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) submit(event);
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") setOpen(false);
    });

    say("bot", cfg.greeting);
    document.body.appendChild(host);
    if (cfg.open) setOpen(true);
  }

  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2zm3 6v2h10V9H7zm0 4v2h7v-2H7z");
    svg.appendChild(path);
    return svg;
  }

  if (document.body) build();
  else document.addEventListener("DOMContentLoaded", build);
})();
