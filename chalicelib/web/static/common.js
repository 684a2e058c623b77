/* 云格 pages: shared helpers (ES2017, no modules). The token lives in localStorage and is
   sent only in the Authorization header, so a forged cross-site request carries nothing. */
"use strict";
var Y = (function () {
  var base = document.documentElement.getAttribute("data-base") || "";
  var KEY = "yunge.staff.session";
  var skew = 0;
  var notice = "";  /* why the last session ended, shown on the login form */  /* server time − this device's time, from each answer's Date header */
  function now() { return Date.now() + skew; }

  function session() {
    try { return JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }
  function saveSession(s) { localStorage.setItem(KEY, JSON.stringify(s)); }
  function clearSession() { localStorage.removeItem(KEY); }

  async function api(method, path, body) {
    var headers = {};
    var s = session();
    if (s && s.token) headers.Authorization = "Bearer " + s.token;
    var init = { method: method, headers: headers, credentials: "omit", referrerPolicy: "no-referrer" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var res = await fetch(base + path, init);
    var served = Date.parse(res.headers.get("Date") || "");
    if (served) skew = served - Date.now();  /* a phone's clock may be minutes off */
    var text = await res.text();
    var data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (res.status === 401 && s) {  /* logged out elsewhere, phone changed, expired: say why */
      clearSession();
      notice = (data && data.error && data.error.message) || "";
    }
    if (!res.ok) {
      var err = new Error((data && data.error && data.error.message) || ("请求失败 " + res.status));
      err.status = res.status;
      err.body = data;
      throw err;
    }
    return data;
  }

  /* el("div", {class: "x", onclick: f}, [children or text]) — never innerHTML for data */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    });
    [].concat(children === undefined ? [] : children).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
    return node;
  }

  function mount(node) {
    var app = document.getElementById("app");
    app.textContent = "";
    app.appendChild(node);
  }

  function toast(message, bad) {
    var t = el("div", { class: "toast" + (bad ? " bad" : ""), role: "status" }, message);
    document.body.appendChild(t);
    setTimeout(function () { t.remove(); }, 3500);
  }

  /* "2小时05分" / "12分30秒"; negative spans are shown as how long ago */
  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    var sec = s % 60;
    if (d > 0) return d + "天" + h + "小时";
    if (h > 0) return h + "小时" + (m < 10 ? "0" : "") + m + "分";
    return m + "分" + (sec < 10 ? "0" : "") + sec + "秒";
  }

  function clock(iso) {
    var d = new Date(iso);
    function p(n) { return (n < 10 ? "0" : "") + n; }
    return (d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes());
  }

  /* phone → SMS code → token; `device` asks for the 30-day device session */
  function loginForm(title, device, done) {
    var phone = el("input", { type: "tel", inputmode: "numeric", maxlength: "11", placeholder: "手机号", autocomplete: "tel", id: "login-phone" });
    var code = el("input", { type: "text", inputmode: "numeric", maxlength: "6", placeholder: "短信验证码", autocomplete: "one-time-code", id: "login-code" });
    var msg = el("p", { class: "muted", id: "login-msg" });
    var why = notice ? el("p", { class: "error", id: "login-why" }, notice) : null;
    notice = "";
    var send = el("button", { type: "button", class: "secondary", id: "login-send", onclick: async function () {
      send.disabled = true;
      try {
        await api("POST", "/v1/auth/staff/otp", { phone: phone.value.trim() });
        msg.textContent = "验证码已发送，5 分钟内有效";
        code.focus();
      } catch (e) { msg.textContent = e.message; }
      setTimeout(function () { send.disabled = false; }, 60000);
    } }, "获取验证码");
    var go = el("button", { type: "submit", id: "login-go" }, "登录");
    var form = el("form", { class: "card login", onsubmit: async function (ev) {
      ev.preventDefault();
      go.disabled = true;
      try {
        var t = await api("POST", "/v1/auth/staff/token", { phone: phone.value.trim(), code: code.value.trim(), device: device });
        saveSession({ token: t.token, staff_id: t.staff_id, role: t.role, expires_at: Date.now() + t.expires_in * 1000 });
        done();
      } catch (e) { msg.textContent = e.message; }
      go.disabled = false;
    } }, [el("h2", {}, title), why, phone, el("div", { class: "row" }, [code, send]), go, msg]);
    return form;
  }

  async function logout() {
    try { await api("DELETE", "/v1/staff/me/session"); } catch (e) { /* ended either way */ }
    clearSession();
  }

  // the words of domain.labels, served as /assets/labels.js (loaded before this file)
  function label(group, code) { return (YungeLabels[group] || {})[code] || code; }
  function actionLabel(a) { return label("actions", a); }
  function statusLabel(s) { return label("statuses", s); }

  return { base: base, now: now, label: label, actionLabel: actionLabel, statusLabel: statusLabel, api: api, el: el, mount: mount, toast: toast, span: span, clock: clock,
    session: session, clearSession: clearSession, loginForm: loginForm, logout: logout };
})();
