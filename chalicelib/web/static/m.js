/* 云格 · 网格经理工作页 /m/ — my open tickets with live countdowns, one ticket's detail and
   its one-tap actions, duty on/off. A client of /v1/ only: two calls load the list, one
   loads a ticket, one sends an action. */
"use strict";
(function () {
  var el = Y.el, api = Y.api;
  var OPEN = "dispatched,accepted,on_site";
  var CAUSES = ["用户内部故障", "表计故障", "低压线路故障", "开关跳闸", "变压器故障", "外力破坏", "已解答/已办理", "其他"];
  var DETAILS = { scope: "范围", hazard: "危险情况", household: "单户", building: "整栋楼", area: "片区",
    service: "服务", topic: "咨询", category: "类别", capacity_kw: "容量kW", applicant_name: "申请人",
    residential: "居民", non_residential: "非居民", reason: "原因", meter_fast: "电表走得快" };
  var QUALITY = { actual: "", estimated: "（估）", missing: "缺数" };
  var state = { me: null, tickets: [], timers: [] };

  function pathNumber() {
    var m = /\/m\/t\/([0-9A-Za-z-]{1,32})\/?$/.exec(location.pathname);
    return m ? m[1] : null;
  }

  /* the clock a ticket races next: the earliest pending deadline */
  function nextDeadline(t) {
    var pending = (t.deadlines || []).filter(function (d) { return d.outcome === "pending"; });
    pending.sort(function (a, b) { return Date.parse(a.due) - Date.parse(b.due); });
    return pending[0] || null;
  }
  function missed(t) { return (t.deadlines || []).some(function (d) { return d.outcome === "missed"; }); }
  function sortKey(t) { var d = nextDeadline(t); return d ? Date.parse(d.due) : Infinity; }

  /* one countdown node, refreshed every second by tick() */
  function countdown(d) {
    var node = el("span", { class: "countdown", "data-due": d.due, "data-clock": d.clock });
    state.timers.push({ node: node, due: Date.parse(d.due), label: Y.label("clocks", d.clock) });
    return node;
  }
  function tick() {
    var now = Y.now();
    for (var i = 0; i < state.timers.length; i++) {
      var t = state.timers[i], left = t.due - now;
      var text = left >= 0 ? t.label + "剩余 " + Y.span(left) : t.label + "已超时 " + Y.span(left);
      if (t.node.textContent !== text) t.node.textContent = text;
      var late = left < 0;
      if (late !== t.late) {
        t.late = late;
        t.node.classList.toggle("late", late);
        var card = t.node.closest(".ticket");
        if (card && late) card.classList.add("overdue");
      }
    }
  }
  setInterval(tick, 1000);

  function header() {
    var me = state.me;
    var who = document.getElementById("who");
    who.textContent = "";
    if (!me) return;
    var duty = el("button", { type: "button", class: "duty " + (me.on_duty ? "on" : "off"), id: "duty",
      onclick: async function () {
        duty.disabled = true;
        try {
          await api("PUT", "/v1/staff/me/duty", { on_duty: !me.on_duty });
          me.on_duty = !me.on_duty;
          Y.toast(me.on_duty ? "已上岗值班" : "已下岗，新工单将派给互助组");
        } catch (e) { Y.toast(e.message, true); }
        header();
      } }, me.on_duty ? "值班中" : "休息中");
    var out = el("button", { type: "button", class: "link", id: "logout", onclick: async function () {
      await Y.logout(); state.me = null; header(); login();
    } }, "退出");
    who.appendChild(el("span", {}, [me.name + " ", duty, " ", out]));
  }

  function login() {
    Y.mount(Y.loginForm("网格经理登录", true, load));
  }

  async function load() {
    try {
      var both = await Promise.all([
        api("GET", "/v1/staff/me"),
        api("GET", "/v1/tickets?mine=1&status=" + OPEN + "&limit=100"),
      ]);
      state.me = both[0];
      state.tickets = both[1].items;
    } catch (e) {
      if (e.status === 401 || !Y.session()) return login();
      return Y.mount(el("p", { class: "error" }, e.message));
    }
    header();
    var number = pathNumber();
    var wanted = number && state.tickets.filter(function (t) { return t.number === number; })[0];
    if (number && !wanted) {  /* not open any more, or not mine: look it up within my scope */
      try { wanted = (await api("GET", "/v1/tickets?limit=1&q=" + encodeURIComponent(number))).items[0]; } catch (e) { wanted = null; }
    }
    if (wanted) return openTicket(wanted.ticket_id, false);
    if (number) Y.toast("未找到工单 " + number + "，或不在您的服务范围内", true);
    renderList();
  }

  function ticketCard(t) {
    var d = nextDeadline(t);
    var late = missed(t) || (d && Date.parse(d.due) < Y.now());
    return el("li", { class: "ticket" + (late ? " overdue" : ""), "data-id": t.ticket_id,
      onclick: function () { openTicket(t.ticket_id, true); } }, [
      el("div", { class: "top" }, [
        el("b", {}, t.number), " ", el("span", { class: "tag" }, t.type_label), " ",
        el("span", { class: "status" }, t.status_label),
        t.escalation_level > 1 ? el("span", { class: "esc" }, "升级 " + t.escalation_level + " 级") : null,
      ]),
      el("div", { class: "addr" }, t.address),
      d ? countdown(d) : el("span", { class: "muted" }, "无待办时限"),
    ]);
  }

  function renderList() {
    state.timers = [];
    var list = state.tickets.slice().sort(function (a, b) { return sortKey(a) - sortKey(b); });
    var ul = el("ul", { class: "tickets", id: "tickets" });
    var frag = document.createDocumentFragment();
    list.forEach(function (t) { frag.appendChild(ticketCard(t)); });
    ul.appendChild(frag);
    Y.mount(el("section", {}, [
      el("h2", {}, ["我的工单 ", el("span", { class: "count" }, String(list.length))]),
      list.length ? ul : el("p", { class: "muted" }, "暂无待处理工单"),
      el("button", { type: "button", class: "secondary", onclick: load }, "刷新"),
    ]));
    if (location.pathname !== Y.base + "/m/" && history.replaceState) history.replaceState(null, "", Y.base + "/m/");
    tick();
  }

  async function openTicket(id, push) {
    var t;
    try { t = await api("GET", "/v1/tickets/" + encodeURIComponent(id)); } catch (e) { return Y.toast(e.message, true); }
    if (push && history.pushState) history.pushState(null, "", Y.base + "/m/t/" + encodeURIComponent(t.number));
    renderTicket(t);
  }

  function detailRows(t) {
    var rows = [["类型", t.type_label], ["状态", t.status_label], ["地址", t.address], ["户号", t.account_no],
      ["描述", t.description], ["照片", photoCount(t) + " 张"]];
    Object.keys(t.details || {}).forEach(function (k) {
      var v = t.details[k];
      if (v !== null && typeof v === "object") return; // usage: its own block
      rows.push([DETAILS[k] || k, v === true ? "是" : v === false ? "否" : String(DETAILS[v] || v)]);
    });
    return el("dl", { class: "facts" }, rows.reduce(function (acc, r) {
      return acc.concat([el("dt", {}, r[0]), el("dd", {}, r[1])]);
    }, []));
  }

  function usageBlock(t) {
    var u = (t.details || {}).usage;
    if (!u) return null;
    var kwh = function (v) { return v === null ? "—" : v + " kWh"; };
    var months = (u.months || []).map(function (m) {
      return el("li", {}, m.month + "：" + kwh(m.kwh) + (m.amount_yuan === null ? "" : "，" + m.amount_yuan + " 元"));
    });
    var days = (u.days || []).map(function (d) {
      return el("li", { class: d.quality }, d.date.slice(5) + " " + (d.kwh === null ? QUALITY.missing : kwh(d.kwh) + QUALITY[d.quality]));
    });
    return el("section", { class: "usage", id: "usage" }, [
      el("h3", {}, "用电信息"), el("p", {}, u.label + (u.as_of ? "（数据截至 " + Y.clock(u.as_of) + "）" : "")),
      el("ul", { class: "months" }, months), el("ol", { class: "days" }, days),
    ]);
  }

  function photoCount(t) {
    var n = (t.photos || []).length, o = t.outcome || {};
    Object.keys(o).forEach(function (k) { if (/_photos$/.test(k) && o[k].length) n += o[k].length; });
    return n;
  }

  /* one call on tap: short-lived view links, drawn as thumbnails */
  function photoBox(t) {
    if (!photoCount(t)) return null;
    var box = el("div", { class: "photos", id: "photo-box" });
    box.appendChild(el("button", { type: "button", class: "secondary", id: "show-photos", onclick: async function () {
      try {
        var got = await api("GET", "/v1/tickets/" + encodeURIComponent(t.ticket_id) + "/photos");
        box.textContent = "";
        got.items.forEach(function (p) {
          box.appendChild(el("a", { href: p.url, target: "_blank", rel: "noreferrer" }, [
            el("img", { src: p.url, alt: p.label, loading: "lazy", referrerpolicy: "no-referrer" }), el("span", {}, p.label)]));
        });
      } catch (e) { Y.toast(e.message, true); }
    } }, "查看照片（" + photoCount(t) + "）"));
    return box;
  }

  function renderTicket(t) {
    state.timers = [];
    var mine = t.assignee && state.me && t.assignee.staff_id === state.me.staff_id;
    var box = el("div", { class: "forms", id: "form" });
    var actions = el("div", { class: "actions" });
    function add(label, id, fn) { actions.appendChild(el("button", { type: "button", id: id, onclick: fn }, label)); }
    if (mine && t.status === "dispatched") add(Y.actionLabel("accept"), "act-accept", function () { send(t, { action: "accept" }); });
    if (mine && t.status === "accepted") add(Y.actionLabel("arrive"), "act-arrive", function () { arrive(t); });
    if (mine && (t.status === "on_site" || (t.status === "accepted" && t.type === "consultation")))
      add(Y.actionLabel("resolve"), "act-resolve", function () { resolveForm(t, box); });
    if (mine && (t.status === "dispatched" || t.status === "accepted")) add(Y.actionLabel("transfer"), "act-transfer", function () { transferForm(t, box); });
    var deadlines = el("ul", { class: "deadlines" }, (t.deadlines || []).map(function (d) {
      var done = d.outcome === "met" ? "已按时" : d.outcome === "missed" ? "已超时" : d.outcome === "stopped" ? "已停止" : null;
      return el("li", { class: d.outcome === "missed" ? "late" : "" }, [Y.label("clocks", d.clock) + "时限 " + Y.clock(d.due) + " ",
        d.outcome === "pending" ? countdown(d) : el("span", {}, done)]);
    }));
    var timeline = el("ol", { class: "timeline" }, (t.timeline || []).map(function (e) {
      return el("li", {}, [el("time", {}, Y.clock(e.at)), " " + Y.actionLabel(e.action) + " · " + Y.statusLabel(e.to_status) + (e.note ? " · " + e.note : "")]);
    }));
    Y.mount(el("section", { class: "detail", "data-status": t.status, id: "detail" }, [
      el("button", { type: "button", class: "link", id: "back", onclick: load }, "‹ 我的工单"),
      el("h2", {}, [t.number + " ", t.escalation_level > 1 ? el("span", { class: "esc" }, "升级 " + t.escalation_level + " 级") : null]),
      el("p", {}, ["客户电话 ", el("a", { href: "tel:" + t.contact_phone, class: "tel" }, t.contact_phone_display || t.contact_phone)]),
      detailRows(t), photoBox(t), usageBlock(t), deadlines, actions, box, el("h3", {}, "处理记录"), timeline,
    ]));
    tick();
  }

  async function send(t, body) {
    var buttons = document.querySelectorAll(".actions button, .forms button");
    buttons.forEach(function (b) { b.disabled = true; });
    try {
      /* the reply is the whole ticket with its timeline: one call per tap */
      var after = await api("POST", "/v1/tickets/" + encodeURIComponent(t.ticket_id) + "/actions", body);
      Y.toast("已提交：" + after.status_label);
      renderTicket(after);
    } catch (e) {
      Y.toast(e.message, true);
      buttons.forEach(function (b) { b.disabled = false; });
    }
  }

  function arrive(t) {
    if (!navigator.geolocation) return Y.toast("此浏览器无法定位", true);
    Y.toast("正在定位…");
    navigator.geolocation.getCurrentPosition(function (pos) {
      var c = pos.coords;
      send(t, { action: "arrive", location: { lat: c.latitude, lng: c.longitude, accuracy: Math.round(c.accuracy) } });
    }, function (err) { Y.toast("定位失败：" + err.message, true); }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
  }

  /* a photo shrunk to ≤1600 px on its long side and ≤1 MB as JPEG */
  function shrink(file) {
    return new Promise(function (resolve, reject) {
      var img = new Image(), url = URL.createObjectURL(file);
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("无法读取图片")); };
      img.onload = function () {
        URL.revokeObjectURL(url);
        var scale = Math.min(1, 1600 / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.naturalWidth * scale);
        canvas.height = Math.round(img.naturalHeight * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        (function attempt(q) {
          canvas.toBlob(function (blob) {
            if (blob && (blob.size <= 1048576 || q <= 0.35)) return blob.size <= 1048576 ? resolve(blob) : reject(new Error("图片过大"));
            attempt(q - 0.15);
          }, "image/jpeg", q);
        })(0.85);
      };
      img.src = url;
    });
  }

  async function upload(file) {
    var blob = await shrink(file);
    var slot = await api("POST", "/v1/uploads", { content_type: "image/jpeg", size: blob.size });
    var put = await fetch(slot.upload_url, { method: "PUT", body: blob, headers: { "Content-Type": "image/jpeg" }, credentials: "omit", referrerPolicy: "no-referrer" });
    if (!put.ok) throw new Error("照片上传失败 " + put.status);
    return slot.key;
  }

  function resolveForm(t, box) {
    var cause = el("select", { id: "cause" }, CAUSES.map(function (c) { return el("option", { value: c }, c); }));
    var note = el("textarea", { id: "resolve-note", maxlength: "500", placeholder: "处理说明（选填）" });
    var photos = el("input", { type: "file", accept: "image/*", multiple: true, id: "photos" });
    var go = el("button", { type: "submit", id: "resolve-go" }, "提交处理结果");
    box.textContent = "";
    box.appendChild(el("form", { class: "card", onsubmit: async function (ev) {
      ev.preventDefault();
      go.disabled = true;
      try {
        var files = [].slice.call(photos.files || [], 0, 9), keys = [];
        for (var i = 0; i < files.length; i++) { go.textContent = "上传照片 " + (i + 1) + "/" + files.length; keys.push(await upload(files[i])); }
        var body = { action: "resolve", cause: cause.value, photos: keys };
        if (note.value.trim()) body.note = note.value.trim();
        await send(t, body);
      } catch (e) { Y.toast(e.message, true); go.disabled = false; go.textContent = "提交处理结果"; }
    } }, [el("label", {}, ["故障原因", cause]), note, el("label", {}, ["现场照片（选填，自动压缩）", photos]), go]));
  }

  async function transferForm(t, box) {
    var peers;
    try { peers = (await api("GET", "/v1/staff/me/peers")).items; } catch (e) { return Y.toast(e.message, true); }
    var ready = peers.filter(function (p) { return p.on_duty; });
    if (!ready.length) return Y.toast("互助组内暂无值班同事", true);
    var who = el("select", { id: "peer" }, ready.map(function (p) { return el("option", { value: p.staff_id }, p.name); }));
    var reason = el("input", { type: "text", id: "transfer-reason", maxlength: "200", placeholder: "转派原因", required: true });
    box.textContent = "";
    box.appendChild(el("form", { class: "card", onsubmit: function (ev) {
      ev.preventDefault();
      send(t, { action: "transfer", to_staff_id: who.value, note: reason.value.trim() });
    } }, [el("label", {}, ["转派给", who]), reason, el("button", { type: "submit", id: "transfer-go" }, "确认转派")]));
  }

  window.addEventListener("popstate", function () { if (Y.session()) load(); });
  if (Y.session()) load(); else login();
})();
