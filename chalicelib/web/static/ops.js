/* 云格 · 运营监控台 /ops/ — the two headline rates today and this month, open and overdue by
   station, escalations, tickets per hour, ticket search with its timeline, the month's report
   files, failed SMS first, the duty board, outages and import jobs. A client of /v1/ only. */
"use strict";
(function () {
  var el = Y.el, api = Y.api;
  var SVG = "http://www.w3.org/2000/svg";

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  /* Asia/Shanghai calendar day and month, whatever the desk's own time zone */
  function shanghai(d) {
    var t = new Date(d.getTime() + 8 * 3600 * 1000);
    return { day: t.getUTCFullYear() + "-" + pad(t.getUTCMonth() + 1) + "-" + pad(t.getUTCDate()),
      month: t.getUTCFullYear() + "-" + pad(t.getUTCMonth() + 1), hour: t.getUTCHours() };
  }
  function pct(r) { return r && r.rate !== null && r.rate !== undefined ? (r.rate * 100).toFixed(2) + "%" : "—"; }

  function kpi(title, id, ratio, sub) {
    var low = ratio && ratio.rate !== null && ratio.rate < 0.95;
    return el("div", { class: "card kpi" }, [
      el("div", {}, title),
      el("div", { class: "big" + (low ? " low" : ""), id: id, "data-rate": ratio && ratio.rate !== null ? String(ratio.rate) : "" }, pct(ratio)),
      el("div", { class: "sub" }, sub),
    ]);
  }
  function flowRatio(f) { return { rate: f.rate, numerator: f.passed, denominator: f.closed }; }

  function table(headers, rows, id) {
    // a column of figures is aligned right, its heading with it (as the first row says)
    var first = rows.length ? rows[0].children : [];
    return el("table", { id: id }, [
      el("thead", {}, el("tr", {}, headers.map(function (h, i) {
        return el("th", first[i] && first[i].classList.contains("num") ? { class: "num" } : {}, h);
      }))),
      el("tbody", {}, rows),
    ]);
  }

  function hourChart(counts) {
    var max = Math.max.apply(null, counts.concat([1]));
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 480 180");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "今日每小时工单数");
    counts.forEach(function (n, h) {
      var height = Math.round((n / max) * 140);
      var r = document.createElementNS(SVG, "rect");
      r.setAttribute("x", String(h * 20 + 2)); r.setAttribute("width", "16");
      r.setAttribute("y", String(150 - height)); r.setAttribute("height", String(height));
      var tip = document.createElementNS(SVG, "title"); tip.textContent = h + "时 " + n + " 单";
      r.appendChild(tip); svg.appendChild(r);
      if (h % 3 === 0) {
        var t = document.createElementNS(SVG, "text");
        t.setAttribute("x", String(h * 20 + 2)); t.setAttribute("y", "166"); t.textContent = h + "时";
        svg.appendChild(t);
      }
    });
    return el("div", { class: "card chart", id: "per-hour" }, [el("h3", {}, "今日每小时工单数"), svg]);
  }

  async function todaysTickets(day) {
    var items = [], cursor = null;
    for (var page = 0; page < 10; page++) {  /* bounded: at most 1,000 tickets */
      var got = await api("GET", "/v1/tickets?from=" + day + "&to=" + day + "&limit=100" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""));
      items = items.concat(got.items);
      cursor = got.next_cursor;
      if (!cursor) break;
    }
    return items;
  }

  function stationRows(month, today) {
    var todayBy = {};
    today.groups.forEach(function (g) { todayBy[g.kind + g.id] = g.figures; });
    return month.groups.filter(function (g) { return g.kind === "station"; }).map(function (g) {
      var t = todayBy[g.kind + g.id];
      return el("tr", {}, [el("td", {}, g.name), el("td", { class: "num" }, String(g.figures.open_at_end)),
        el("td", { class: "num" }, String(g.figures.overdue)), el("td", { class: "num" }, t ? String(t.tickets) : "0"),
        el("td", { class: "num" }, pct(g.figures.fault_fix)), el("td", { class: "num" }, pct(flowRatio(g.figures.flow)))]);
    });
  }

  function searchBox() {
    var q = el("input", { type: "search", id: "search-q", placeholder: "工单号 / 户号 / 手机尾号 4 位", maxlength: "32" });
    var out = el("div", { id: "search-out" });
    return el("div", { class: "card" }, [el("h3", {}, "工单查询"), el("form", { class: "search", onsubmit: async function (ev) {
      ev.preventDefault();
      out.textContent = "查询中…";
      try {
        var got = await api("GET", "/v1/tickets?limit=20&q=" + encodeURIComponent(q.value.trim()));
        out.textContent = "";
        if (!got.items.length) out.appendChild(el("p", { class: "muted" }, "没有找到"));
        got.items.forEach(function (t) {
          out.appendChild(el("p", {}, el("button", { type: "button", class: "link", onclick: function () { showTicket(t.ticket_id, out); } },
            t.number + " · " + t.type_label + " · " + t.status_label + " · " + t.address)));
        });
      } catch (e) { out.textContent = e.message; }
    } }, [q, el("button", { type: "submit" }, "查询")]), out]);
  }

  function failuresFirst(items) {
    return items.slice().sort(function (a, b) {
      return (a.status === "failed" ? 0 : 1) - (b.status === "failed" ? 0 : 1) || (a.created_at < b.created_at ? 1 : -1);
    });
  }

  async function showTicket(id, out) {
    var both = await Promise.all([api("GET", "/v1/tickets/" + encodeURIComponent(id)),
      optional(api("GET", "/v1/admin/notifications?limit=50&ticket_id=" + encodeURIComponent(id)))]);
    var t = both[0], sms = both[1];
    out.textContent = "";
    out.appendChild(el("div", { id: "ticket-" + t.number }, [
      el("h3", {}, t.number + " " + t.type_label + " " + t.status_label + (t.escalation_level > 1 ? " 升级" + t.escalation_level + "级" : "")),
      el("p", {}, t.address + " · 处理人 " + (t.assignee ? t.assignee.name : "—")),
      table(["时间", "动作", "操作人", "状态", "备注"], (t.timeline || []).map(function (e) {
        return el("tr", {}, [el("td", {}, Y.clock(e.at)), el("td", {}, Y.actionLabel(e.action)), el("td", {}, e.actor), el("td", {}, Y.statusLabel(e.to_status)), el("td", {}, e.note || "")]);
      })),
      sms ? el("h3", {}, "本工单短信（失败在前）") : null,
      sms ? table(["时间", "接收人", "模板", "状态", "错误"], smsRows(failuresFirst(sms.items))) : null,
    ]));
  }

  function lastMonth(month) {
    var y = +month.slice(0, 4), m = +month.slice(5, 7) - 1;
    if (m === 0) { y -= 1; m = 12; }
    return y + "-" + pad(m);
  }

  function reportLinks(month, set) {
    if (!set) return el("p", { class: "muted" }, month + " 报表尚未生成（每月 1 日自动生成上月报表）");
    return el("ul", { id: "reports" }, set.files.map(function (f) {
      return el("li", {}, [el("a", { href: f.url, rel: "noreferrer", download: f.name }, f.name), " " + Math.ceil(f.size / 1024) + " KB"]);
    }));
  }

  function smsRows(items) {
    return items.map(function (n) {
      return el("tr", { class: n.status === "failed" ? "failed" : "" }, [el("td", {}, Y.clock(n.created_at)), el("td", {}, n.recipient),
        el("td", {}, n.template), el("td", {}, n.status), el("td", {}, n.error || "")]);
    });
  }

  // Parked: SMS that failed for good (the list an operator acts on), from the same call.
  function parkedCount(sms) {
    if (!sms) return null;
    var n = sms.items.filter(function (x) { return x.status === "failed"; }).length;
    var shown = n + (sms.next_cursor ? "+" : "");
    return el("p", { id: "parked", class: n ? "late" : "muted", "data-count": shown }, "搁置（发送失败）短信 " + shown + " 条");
  }

  function dutyBoard(board) {
    if (!board) return el("p", { class: "muted" }, "暂无值班数据");
    return table(["供电所", "互助组", "在岗", "休息"], board.items.map(function (g) {
      var on = g.members.filter(function (m) { return m.on_duty; }).map(function (m) { return m.name; });
      var off = g.members.filter(function (m) { return !m.on_duty; }).map(function (m) { return m.name; });
      return el("tr", {}, [el("td", {}, g.station_name), el("td", {}, g.group_name),
        el("td", { class: "on-duty" }, on.join("、") || "—"), el("td", { class: "off-duty" }, off.join("、") || "—")]);
    }), "duty-board");
  }

  var IMPORT = { transformer_areas: "台区", customers: "客户", grids: "网格", staff: "人员", awaiting_upload: "待上传",
    validating: "校验中", applying: "写入中", done: "完成", aborted: "已中止", failed: "失败", dry_run: "试运行", commit: "正式导入" };

  function outageTable(got) {
    if (!got) return el("p", { class: "muted" }, "无权查看");
    if (!got.items.length) return el("p", { class: "muted" }, "暂无停电事件");
    return table(["类型", "状态", "台区数", "影响户数", "报修", "预计恢复", "原因"], got.items.map(function (o) {
      return el("tr", { class: o.state === "confirmed" || o.state === "probable" ? "failed" : "" }, [
        el("td", {}, Y.label("outage_kinds", o.kind)), el("td", {}, Y.label("outage_states", o.state)),
        el("td", { class: "num" }, String((o.transformer_area_ids || []).length)), el("td", { class: "num" }, String(o.customers_affected)),
        el("td", { class: "num" }, String(o.reports)), el("td", {}, o.etr ? Y.clock(o.etr) : "—"), el("td", {}, o.cause || "")]);
    }), "outages");
  }

  function importTable(got) {
    if (!got) return el("p", { class: "muted" }, "无权查看");
    if (!got.items.length) return el("p", { class: "muted" }, "暂无导入任务");
    return table(["内容", "方式", "状态", "行数", "失败"], got.items.map(function (j) {
      var c = j.counts || {};
      return el("tr", { class: c.failed ? "failed" : "" }, [el("td", {}, IMPORT[j.kind] || j.kind), el("td", {}, IMPORT[j.mode] || j.mode),
        el("td", {}, IMPORT[j.status] || j.status), el("td", { class: "num" }, String(c.rows || 0)), el("td", { class: "num" }, String(c.failed || 0))]);
    }), "imports");
  }

  function escalatedList(tickets) {
    var up = tickets.filter(function (t) { return t.escalation_level > 1; });
    if (!up.length) return null;
    return el("ul", { id: "escalated" }, up.slice(0, 20).map(function (t) {
      return el("li", { class: "late" }, t.number + " " + t.type_label + " · " + t.status_label + " · 升级" + t.escalation_level + "级 · " + t.address);
    }));
  }

  async function optional(promise) { try { return await promise; } catch (e) { return null; } }

  async function load() {
    var now = shanghai(new Date());
    var month, today, tickets, reports, sms, duty, outages, imports;
    try {
      var got = await Promise.all([
        api("GET", "/v1/stats?group_by=station"),
        api("GET", "/v1/stats?from=" + now.day + "&to=" + now.day + "&group_by=station"),
        todaysTickets(now.day),
        optional(api("GET", "/v1/reports?month=" + lastMonth(now.month))),
        optional(api("GET", "/v1/admin/notifications?status=failed&limit=50")),
        optional(api("GET", "/v1/staff/duty")),
        optional(api("GET", "/v1/outages?limit=20")),
        optional(api("GET", "/v1/imports?limit=10")),
      ]);
      month = got[0]; today = got[1]; tickets = got[2]; reports = got[3]; sms = got[4]; duty = got[5];
      outages = got[6]; imports = got[7];
    } catch (e) {
      if (e.status === 401 || !Y.session()) return login();
      return Y.mount(el("p", { class: "error" }, e.message));
    }
    var perHour = []; for (var h = 0; h < 24; h++) perHour.push(0);
    tickets.forEach(function (t) { perHour[shanghai(new Date(t.created_at)).hour] += 1; });
    var esc = today.total.escalations;
    Y.mount(el("div", {}, [
      el("p", { class: "muted" }, "统计截至 " + Y.clock(month.as_of) + " · 本月 " + month.period_from + " 至 " + month.period_to),
      el("div", { class: "grid", id: "kpis" }, [
        kpi("今日 故障消缺及时率", "kpi-today-fault-fix", today.total.fault_fix, today.total.fault_fix.numerator + " / " + today.total.fault_fix.denominator),
        kpi("今日 工单流转合格率", "kpi-today-flow", flowRatio(today.total.flow), today.total.flow.passed + " / " + today.total.flow.closed),
        kpi("本月 故障消缺及时率", "kpi-month-fault-fix", month.total.fault_fix, month.total.fault_fix.numerator + " / " + month.total.fault_fix.denominator),
        kpi("本月 工单流转合格率", "kpi-month-flow", flowRatio(month.total.flow), month.total.flow.passed + " / " + month.total.flow.closed),
      ]),
      el("div", { class: "grid" }, [
        el("div", { class: "card" }, [el("h3", {}, "今日升级督办"), el("p", { id: "escalations" },
          "二级 " + (esc["2"] ? esc["2"].events : 0) + " 次 · 三级 " + (esc["3"] ? esc["3"].events : 0) + " 次 · 今日超期 " + today.total.overdue + " 单"),
          escalatedList(tickets)]),
        hourChart(perHour),
      ]),
      el("div", { class: "card" }, [el("h3", {}, "各供电所（本月）"),
        table(["供电所", "未结", "超期", "今日新增", "故障消缺及时率", "工单流转合格率"], stationRows(month, today), "stations")]),
      searchBox(),
      el("div", { class: "grid" }, [
        el("div", { class: "card" }, [el("h3", {}, lastMonth(now.month) + " 月报"), reportLinks(lastMonth(now.month), reports)]),
        el("div", { class: "card" }, [el("h3", {}, "值班表"), dutyBoard(duty)]),
      ]),
      el("div", { class: "grid" }, [
        el("div", { class: "card" }, [el("h3", {}, "停电事件"), outageTable(outages)]),
        el("div", { class: "card" }, [el("h3", {}, "导入任务"), importTable(imports)]),
      ]),
      el("div", { class: "card" }, [el("h3", {}, "短信记录（失败在前）"), parkedCount(sms),
        !sms ? el("p", { class: "muted" }, "无权查看") : sms.items.length ? table(["时间", "接收人", "模板", "状态", "错误"], smsRows(sms.items), "sms")
          : el("p", { class: "muted", id: "sms" }, "暂无发送失败的短信；查询工单可看该工单的全部短信")]),
    ]));
    var s = Y.session();
    var who = document.getElementById("who");
    who.textContent = "";
    who.appendChild(el("span", {}, [s ? s.role + " " : "", el("button", { type: "button", class: "link", id: "logout",
      onclick: async function () { await Y.logout(); who.textContent = ""; login(); } }, "退出")]));
  }

  function login() { Y.mount(Y.loginForm("运营人员登录", false, load)); }

  if (Y.session()) load(); else login();
})();
